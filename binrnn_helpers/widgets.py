"""The one widget pattern of the series: a control that redraws a frame.

A *frame* is an object with a matplotlib figure ``.fig``, built once, and a method
``.update(*values) -> str`` that changes the figure's artists to show one state (a time step,
a training snapshot, ...) and returns a line of text (HTML) describing it.  Frames live in the
``show_*`` modules: tests call ``update`` for every state and check what it shows, static pages
show the same states as a filmstrip, and ``scrubber`` wires a frame to sliders for JupyterLab.

Redrawing a persistent figure (no new figure, no layout engine per frame) keeps a scrub step
well under 100 ms; ``benchmarks/redraw_speed.py`` measures it.
"""
import io

import ipywidgets as widgets


def figure_png(fig, dpi=80):
    """The figure rendered to PNG bytes (the figure stays open, so it can be redrawn)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def freeze_layout(fig):
    """Lay the figure out once (with its layout engine), then keep that layout for every redraw."""
    fig.draw_without_rendering()  # runs the layout engine (canvas.draw does nothing on a bare Figure)
    fig.set_layout_engine(None)   # no engine at all ("none" leaves a placeholder: a second draw per save)
    return fig


def scrubber(frame, *controls, title=""):
    """A widget: ``controls`` (sliders, toggles) above the frame's image and its text line.

    Every change of any control calls ``frame.update(*[c.value for c in controls])`` and shows
    the redrawn figure.  Returns an ``ipywidgets.VBox``.
    """
    image = widgets.Image(format="png")
    text = widgets.HTML()
    image.add_class("binrnn-frame")
    text.add_class("binrnn-text")

    def redraw(_change=None):
        text.value = frame.update(*[c.value for c in controls])
        image.value = figure_png(frame.fig)

    for c in controls:
        c.observe(redraw, names="value")
    redraw()
    header = [widgets.HTML(f"<b>{title}</b>")] if title else []
    return widgets.VBox(header + [widgets.HBox(list(controls)), image, text])
