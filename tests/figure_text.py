"""How large a figure's text is on a projector: every piece of text matplotlib draws, measured in
pixels of a 1280 x 720 screen showing the figure in a deck (tools/classroom.py's rules).

``static_text(fig)`` renders a figure as the notebook's inline backend does (PNG at the figure's
dpi, bbox "tight"); ``frame_text(make, states)`` builds a widget frame and renders every state
as ``bh.widgets`` does.  Both return ``(sizes, (width, height))``: sizes is a list of
``(screen px, text)`` for every text drawn, the baked background's included.
"""
import contextlib
import io
from unittest import mock

import matplotlib.text

from conftest import load_tool

classroom = load_tool("classroom")
BAR = classroom.FIGURE_TEXT_MIN_PX


@contextlib.contextmanager
def drawn_text():
    """Record (pixels at the render's dpi, text) for every non-empty Text drawn meanwhile."""
    sizes = []
    real = matplotlib.text.Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text().strip() and renderer is not None:
            sizes.append((renderer.points_to_pixels(self.get_fontsize()), self.get_text()))
        return real(self, renderer)

    with mock.patch.object(matplotlib.text.Text, "draw", spy):
        yield sizes


def _on_screen(sizes, png, widget):
    width, height = classroom.png_size(png)
    scale = classroom.figure_scale(width, height, widget) * classroom.SCREEN_SCALE
    return [(px * scale, text) for px, text in sizes], (width, height)


def static_text(fig):
    with drawn_text() as sizes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")
    return _on_screen(sizes, buf.getvalue(), widget=False)


def frame_text(make, states):
    """``make()`` builds the frame (its background is baked then: that text counts too)."""
    from binrnn_helpers.widgets import figure_png

    with drawn_text() as sizes:
        frame = make()
        png = None
        for state in states:
            frame.update(*state)
            png = figure_png(frame.fig)
    return _on_screen(sizes, png, widget=True)


def too_small(measured):
    """The texts under the bar, smallest first, as 'px text' strings."""
    sizes, _ = measured
    return [f"{px:.1f} px {text!r}" for px, text in sorted(set(sizes)) if px < BAR]
