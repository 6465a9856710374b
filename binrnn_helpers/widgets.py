"""The one widget pattern of the series: controls that pick a frame.

A *frame* has a matplotlib figure ``.fig``, built once, and ``.update(*values) -> str`` that
changes the figure's artists to show one state and returns a line of HTML describing it.

``scrubber`` draws every state once, in the kernel, and lets the browser switch between the
pictures: each control is linked (``jslink``) to a ``Stack`` of frames, so the widget works
with no kernel at all (an offline deck, a static HTML page) and shows the new frame in the
display frame after a key press (tests/browser measures it).  ``live_scrubber`` is for frames
that must be computed when a control moves (05 retrains a network): it redraws in the kernel
and says that it needs one.  Tests call ``update`` for every state.
"""
import base64
import io
import itertools

import ipywidgets as widgets
import matplotlib.image
import numpy as np

from .style import DPI

PNG_DPI = DPI                       # widget frames are rendered (and backgrounds baked) at this
MAX_FRAMES = 200                    # a scrubber stores every frame in the notebook: keep it small
NEEDS_KERNEL = "Needs a running kernel: it computes as you use it (a deck or a static page shows it as saved)."


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


def layers(fig):
    """(background PNG or None, foreground PNG) of a frame's figure at PNG_DPI.

    A figure with a baked background (``bake_background``) splits into that picture, the same for
    every state, and a transparent picture of what changes; laid over each other they are the
    figure.  Any other figure is all foreground."""
    baked = list(fig.images)
    if not baked:
        return None, figure_png(fig)
    background = io.BytesIO()
    matplotlib.image.imsave(background, np.asarray(baked[0].get_array()), format="png")
    for image in baked:
        image.set_visible(False)
    try:
        foreground = io.BytesIO()
        fig.savefig(foreground, format="png", dpi=PNG_DPI, transparent=True)
    finally:
        for image in baked:
            image.set_visible(True)
    return background.getvalue(), foreground.getvalue()


def choices(control):
    """The values a control can take, in the order of the index the browser links: an IntSlider
    from 0 in steps of 1 (its value is the index), or a selection widget (its ``index``)."""
    if isinstance(control, widgets.IntSlider):
        if control.min != 0 or control.step != 1:
            raise ValueError(f"an IntSlider in a scrubber must run from 0 in steps of 1 (its value is "
                             f"the frame's index), got min={control.min}, step={control.step}; use a "
                             f"SelectionSlider for other values")
        return list(range(control.max + 1)), "value"
    if isinstance(control, (widgets.SelectionSlider, widgets.ToggleButtons, widgets.Dropdown,
                            widgets.RadioButtons)):
        return [o[1] if isinstance(o, tuple) else o for o in control.options], "index"
    raise TypeError(f"controls must be IntSliders (from 0, step 1), SelectionSliders, ToggleButtons, "
                    f"Dropdowns or RadioButtons, got {type(control).__name__}")


def needs_kernel_line():
    """The one line a widget that computes in the kernel shows under its title."""
    line = widgets.HTML(f'<span style="color:#555">{NEEDS_KERNEL}</span>')
    line.add_class("binrnn-needs-kernel")
    return line


def _img(png, css_class):
    """An <img> of PNG bytes, inline as a data: URL: the browser draws such a picture in the
    display frame it is inserted in (a blob: URL, as an Image widget makes, loads a frame or two
    later), so switching pages shows the new frame at once."""
    return f'<img class="{css_class}" alt="" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _title(title):
    return [widgets.HTML(f"<b>{title}</b>")] if title else []


def scrubber(frame, *controls, title=""):
    """A VBox: ``controls`` above the frame's picture and its text line, every state drawn now.

    Each control switches frames in the browser, with no kernel: one ``Stack`` per control (nested,
    the first control outermost) whose ``selected_index`` is ``jslink``-ed to the control.  The
    pictures that never change (a baked background) are stored once, under every frame."""
    if not controls:
        raise TypeError("scrubber needs at least one control")
    options = [choices(c) for c in controls]
    count = int(np.prod([len(values) for values, _ in options]))
    if count > MAX_FRAMES:
        raise ValueError(f"the controls give {count:,} frames; a scrubber stores each one, at most "
                         f"{MAX_FRAMES}: use fewer values, or live_scrubber")
    start = [c.value for c in controls]
    background = None
    pages = {}
    # one HTML widget per state, picture and text line; all share one (empty) layout and style,
    # which would otherwise be saved once per page
    shared = dict(layout=widgets.Layout())
    style = widgets.widget_string.HTMLStyle()
    for state in itertools.product(*[values for values, _ in options]):
        text = frame.update(*state)
        background, foreground = layers(frame.fig)
        # the text line wraps at the picture's width (the grid is as wide as its widest line)
        width = int.from_bytes(foreground[16:20], "big")          # from the PNG header
        pages[state] = widgets.HTML(f'{_img(foreground, "binrnn-frame")}'
                                    f'<div class="binrnn-text" style="max-width:{width}px">{text}</div>',
                                    style=style, **shared)
    frame.update(*start)                                   # the figure as the controls show it

    def stack(depth, prefix):
        """The Stack for control ``depth``, given the values of the controls before it."""
        values, trait = options[depth]
        children = [pages[prefix + (v,)] if depth == len(controls) - 1 else stack(depth + 1, prefix + (v,))
                    for v in values]
        box = widgets.Stack(children, selected_index=values.index(start[depth]),
                            **(shared if depth else {}))
        widgets.jslink((controls[depth], trait), (box, "selected_index"))
        return box

    frames = stack(0, ())
    cell = widgets.Layout(grid_area="1 / 1 / 2 / 2")       # every layer in the same grid cell
    frames.layout = cell
    layered = [frames]
    if background is not None:
        layered.insert(0, widgets.HTML(_img(background, "binrnn-background"), layout=cell))
    picture = widgets.GridBox(layered, layout=widgets.Layout(grid_template_columns="max-content"))
    box = widgets.VBox(_title(title) + [widgets.HBox(list(controls)), picture])
    box.add_class("binrnn-widget")
    box.add_class("binrnn-kernel-free")
    return box


def live_scrubber(frame, *controls, title=""):
    """A VBox: ``controls`` above the frame's image and text line; any change of a control shows
    ``frame.update(*[c.value for c in controls])``, drawn by the kernel then."""
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
    box = widgets.VBox(_title(title) + [needs_kernel_line(), widgets.HBox(list(controls)), image, text])
    box.add_class("binrnn-widget")
    return box
