"""The widget pattern (binrnn_helpers/widgets.py): every frame drawn once and switched in the
browser by links, the layered pictures equal to the figure, and bad controls refused by name.

What the browser does with the saved widgets (decks, static pages, JupyterLab) is checked in
tests/browser; here, what the kernel builds."""
import base64
import io
import re

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import binrnn_helpers as bh
from binrnn_helpers import show_backprop, show_encoding
from binrnn_helpers.widgets import MAX_FRAMES, NEEDS_KERNEL, figure_png, layers, scrubber


class CountingFrame:
    """A frame of the pattern that draws its arguments as text and counts its updates."""

    def __init__(self, baked=True):
        self.fig = Figure(figsize=(2, 1), dpi=80)
        ax = self.fig.add_subplot()
        ax.plot([0, 1], [0, 1], color="grey")                # something that never changes
        self.label = ax.text(0.5, 0.5, "", ha="center")
        self.calls = []
        if baked:
            bh.widgets.freeze_layout(self.fig)
            bh.widgets.bake_background(self.fig, keep=[self.label])

    def update(self, *values):
        self.calls.append(values)
        self.label.set_text(repr(values))
        return f"showing {values!r}"


def rgb(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=float)


def pages_of(box):
    """The layered picture of a scrubber and its outermost Stack."""
    picture = box.children[-1]
    return picture, picture.children[-1]


PAGE = re.compile(r'^<img class="(binrnn-frame|binrnn-background)" alt="" src="data:image/png;base64,([^"]+)">'
                  r'(?:<div class="binrnn-text" style="max-width:(\d+)px">(.*)</div>)?$', re.S)


def read(html_widget):
    """(class, PNG bytes, text line or None) of a page or the background."""
    css, png, width, text = PAGE.match(html_widget.value).groups()
    png = base64.b64decode(png)
    if text is not None:            # the line wraps at the picture's width
        assert int(width) == Image.open(io.BytesIO(png)).size[0]
    return css, png, text


def page(stack, *indices):
    for i in indices:
        stack = stack.children[i]
    css, png, text = read(stack)
    assert css == "binrnn-frame"
    return png, text


@pytest.fixture
def links(monkeypatch):
    """Every link the widgets make, recorded as it is made."""
    made, original = [], widgets.jslink

    def jslink(source, target):
        made.append(original(source, target))
        return made[-1]

    monkeypatch.setattr(bh.widgets.widgets, "jslink", jslink)
    return made


@pytest.mark.parametrize("make", [lambda: (show_encoding.ColumnAdditionFrame(127, 1), range(8)),
                                  lambda: (show_backprop.BackwardStepFrame(bh.init_params(16, seed=0), 9, 60),
                                           range(8))],
                         ids=["01 column addition", "03 backward step"])
def test_background_under_foreground_is_the_figure(make):
    """The browser lays each frame's transparent picture over the one background: pixel for
    pixel that is the figure the frame draws (within 2 of 255 levels: rounding of the blend)."""
    frame, states = make()
    for t in states:
        frame.update(t)
        full = rgb(figure_png(frame.fig))
        background, foreground = layers(frame.fig)
        under, over = rgb(background), rgb(foreground)
        assert under.shape == over.shape == full.shape
        alpha = over[..., 3:] / 255
        blend = over[..., :3] * alpha + under[..., :3] * (1 - alpha)
        assert np.abs(blend - full[..., :3]).max() <= 2
        assert 0 < (over[..., 3] > 0).mean() < 0.5          # the foreground is mostly see-through
    assert layers(frame.fig)[1] == foreground               # rendering leaves the figure as it was


def test_a_figure_without_background_is_all_foreground():
    frame = CountingFrame(baked=False)
    frame.update(1)
    assert layers(frame.fig) == (None, figure_png(frame.fig))


def test_scrubber_draws_every_state_once_and_links_each_control_to_a_stack(links):
    frame = CountingFrame()
    step = widgets.IntSlider(value=2, min=0, max=3, description="t")
    net = widgets.ToggleButtons(options=["untrained", "trained"], value="trained")
    box = scrubber(frame, step, net, title="demo")
    assert frame.calls[:-1] == [(t, n) for t in range(4) for n in ("untrained", "trained")]
    assert frame.calls[-1] == (2, "trained")                 # left showing what the controls show
    assert {"binrnn-widget", "binrnn-kernel-free"} <= set(box._dom_classes)
    assert box.children[0].value == "<b>demo</b>"
    assert list(box.children[1].children) == [step, net]
    picture, outer = pages_of(box)
    css, background, text = read(picture.children[0])
    assert css == "binrnn-background" and text is None
    assert picture.children[0].layout.grid_area == outer.layout.grid_area          # laid over each other
    # the first control picks the inner Stack, the second the page in it
    assert isinstance(outer, widgets.Stack) and len(outer.children) == 4
    assert outer.selected_index == 2 and all(s.selected_index == 1 for s in outer.children)
    frame.update(0, "untrained")
    for t in range(4):
        for k, n in enumerate(("untrained", "trained")):
            png, text = page(outer, t, k)
            assert text == f"showing {(t, n)!r}"
            frame.update(t, n)
            assert png == layers(frame.fig)[1]               # the picture of that state
    pictures = {page(outer, t, k)[0] for t in range(4) for k in range(2)}
    assert len(pictures) == 8                                # one picture per state...
    assert background == layers(frame.fig)[0] and background not in pictures   # ...one background
    assert all(isinstance(w, widgets.widget_link.Link) for w in links)
    pairs = {(w.source[0].model_id, w.source[1], w.target[0].model_id, w.target[1]) for w in links}
    assert pairs == {(step.model_id, "value", outer.model_id, "selected_index")} | {
        (net.model_id, "index", s.model_id, "selected_index") for s in outer.children}


def test_scrubber_selection_slider_values_and_no_background(links):
    frame = CountingFrame(baked=False)
    steps = [0, 250, 500]
    slider = widgets.SelectionSlider(options=steps, value=500)
    box = scrubber(frame, slider)
    picture, stack = pages_of(box)
    assert len(picture.children) == 1                       # nothing baked: no background layer
    assert stack.selected_index == 2
    assert [page(stack, i)[1] for i in range(3)] == [f"showing {(s,)!r}" for s in steps]
    assert [(w.source[1], w.target[1]) for w in links] == [("index", "selected_index")]


def test_scrubber_refuses_controls_it_cannot_enumerate():
    frame = CountingFrame()
    with pytest.raises(ValueError, match="must run from 0 in steps of 1.*got min=1, step=1.*SelectionSlider"):
        scrubber(frame, widgets.IntSlider(value=1, min=1, max=7))
    with pytest.raises(ValueError, match="got min=0, step=250"):
        scrubber(frame, widgets.IntSlider(value=0, min=0, max=1000, step=250))
    with pytest.raises(TypeError, match="^controls must be IntSliders .* got Text$"):
        scrubber(frame, widgets.Text())
    with pytest.raises(TypeError, match="^controls must be .* got FloatSlider$"):
        scrubber(frame, widgets.FloatSlider())
    with pytest.raises(TypeError, match="^scrubber needs at least one control$"):
        scrubber(frame)
    big = [widgets.IntSlider(max=20), widgets.IntSlider(max=9)]
    with pytest.raises(ValueError, match=f"the controls give 210 frames; .* at most {MAX_FRAMES}: .*live_scrubber"):
        scrubber(frame, *big)
    assert frame.calls == []                                 # refused before drawing anything


def test_live_scrubber_redraws_in_the_kernel_and_says_so():
    frame = CountingFrame()
    slider = widgets.IntSlider(value=0, min=0, max=5)
    box = bh.widgets.live_scrubber(frame, slider, title="live")
    title, note, controls, image, text = box.children
    assert "binrnn-widget" in box._dom_classes and "binrnn-kernel-free" not in box._dom_classes
    assert note.value.count(NEEDS_KERNEL) == 1 and "binrnn-needs-kernel" in note._dom_classes
    assert text.value == "showing (0,)"
    first = image.value
    slider.value = 4
    assert text.value == "showing (4,)" and image.value != first
