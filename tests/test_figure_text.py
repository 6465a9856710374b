"""Figure text a back row can read: the measure (figure_text.py) and that every figure is measured.

Each tests/test_show_<view>.py holds ``FIGURES``, {name: function(trained) -> measured}, with
one entry per figure of its view (a ``plot_*``, ``draw_*``, ``*_figure`` or ``*_filmstrip``
function, or a ``*Frame`` class), built as its notebook builds it; here no text of any may be
under the bar (tools/classroom.py, FIGURE_TEXT_MIN_PX) on a 1280 x 720 screen.
"""
import importlib
import inspect

import matplotlib.pyplot as plt
import pytest

import binrnn_helpers as bh
import figure_text as ft

VIEWS = ("show_encoding", "show_forward", "show_backprop", "show_training", "show_learned", "show_start")


def measures(view):
    """{name: function(trained) -> measured} of tests/test_<view>.py."""
    return getattr(importlib.import_module(f"test_{view}"), "FIGURES", {})


def figure_names(view):
    """The figures a view module offers: its public plot_/draw_ functions, *_figure and
    *_filmstrip functions, and *Frame classes."""
    module = getattr(bh, view)
    return sorted(name for name, obj in vars(module).items()
                  if getattr(obj, "__module__", None) == module.__name__ and not name.startswith("_")
                  and ((inspect.isfunction(obj) and (name.startswith(("plot_", "draw_"))
                                                      or name.endswith(("_figure", "_filmstrip"))))
                       or (inspect.isclass(obj) and name.endswith("Frame"))))


@pytest.mark.parametrize("view", VIEWS)
def test_every_figure_of_every_view_is_measured(view):
    names = figure_names(view)
    measured = measures(view)
    assert sorted(set(names) - set(measured)) == [], f"figures of bh.{view} with no text measure"
    assert sorted(set(measured) - set(names)) == [], f"measures of no figure of bh.{view}"


@pytest.mark.parametrize("view, name", [(view, name) for view in VIEWS for name in sorted(measures(view))])
def test_figure_text_is_readable_on_a_projector(view, name, trained):
    measured = measures(view)[name](trained)
    plt.close("all")
    assert ft.too_small(measured) == [], f"{view}.{name} ({measured[1][0]} x {measured[1][1]} px)"


def test_the_measure_sees_every_text_at_its_size_on_screen():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("title", fontsize=20)
    ax.text(0.5, 0.5, "tiny", fontsize=6)
    ax.text(0.5, 0.2, "hidden", fontsize=3, visible=False)
    ax.set_xticks([0, 1], ["a", "b"], fontsize=9)
    sizes, (w, h) = ft.static_text(fig)
    plt.close(fig)
    scale = ft.classroom.SCREEN_SCALE            # 4 x 3 in at 100 dpi is under every cap
    assert w < 470 and h < 470
    found = {text: round(px, 2) for px, text in sizes}
    assert found["title"] == round(20 * 100 / 72 * scale, 2)
    assert found["tiny"] == round(6 * 100 / 72 * scale, 2)
    assert found["a"] == found["b"] == round(9 * 100 / 72 * scale, 2)
    assert "hidden" not in found
    assert ft.too_small((sizes, (w, h)))[:1] == [f"{6 * 100 / 72 * scale:.1f} px 'tiny'"]


def test_a_figure_the_deck_shrinks_has_smaller_text():
    fig, ax = plt.subplots(figsize=(19, 3))      # 1900 px wide: shown at half size
    ax.set_title("wide", fontsize=12)
    sizes, (w, h) = ft.static_text(fig)
    plt.close(fig)
    px = dict((t, p) for p, t in sizes)["wide"]
    assert px == pytest.approx(12 * 100 / 72 * ft.classroom.IMAGE_WIDTH / w * ft.classroom.SCREEN_SCALE)
    assert px < ft.BAR
