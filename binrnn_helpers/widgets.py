"""The one widget pattern of the series: a control that redraws a frame.

A *frame* has a matplotlib figure ``.fig``, built once, and ``.update(*values) -> str`` that
changes the figure's artists to show one state and returns a line of HTML describing it.
``scrubber`` wires a frame to sliders; tests call ``update`` for every state.
"""
import io

import ipywidgets as widgets
import numpy as np

PNG_DPI = 80                        # widget frames are rendered (and backgrounds baked) at this


def figure_png(fig, dpi=PNG_DPI):
    """The figure rendered to PNG bytes (the figure stays open, so it can be redrawn)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def freeze_layout(fig):
    """Lay the figure out once with its layout engine, then keep that layout for every redraw."""
    fig.draw_without_rendering()  # runs the layout engine (canvas.draw does nothing on a bare Figure)
    fig.set_layout_engine(None)   # no engine at all ("none" leaves a placeholder: a second draw per save)
    return fig


def bake_background(fig, keep):
    """Draw ``fig`` without the artists in ``keep`` into an image at PNG_DPI, make that image
    the figure's background and hide everything else, so later renders draw only ``keep``."""
    keep_ids = {id(a) for a in keep}
    for ax in fig.axes:     # pin kept titles where the layout put them (hidden, matplotlib moves them)
        if id(ax.title) in keep_ids:
            ax.set_title(ax.get_title(), y=ax.title.get_position()[1], fontsize=ax.title.get_fontsize())
    for a in keep:
        a.set_visible(False)
    fig.canvas.draw()
    width, height = (int(round(v)) for v in fig.get_size_inches() * PNG_DPI)
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=PNG_DPI)
    background = np.frombuffer(buf.getvalue(), dtype=np.uint8).reshape(height, width, 4)
    for a in keep:
        a.set_visible(True)
    fig.patch.set_visible(False)
    for ax in fig.axes:
        ax.set_axis_off()
        for child in ax.get_children():
            if id(child) not in keep_ids and child is not ax.patch:
                child.set_visible(False)
    fig.figimage(background, xo=0, yo=0, origin="upper", zorder=-10, resize=False)
    return background


def scrubber(frame, *controls, title=""):
    """A VBox: ``controls`` above the frame's image and text line; any change of a control shows
    ``frame.update(*[c.value for c in controls])``."""
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
