"""Tests of binrnn_helpers.show_forward: every figure and frame checked in numbers.

Expected values come from a plain per-step forward pass and schoolbook carries written here;
figures are read back from their artists (image arrays, bar heights, histogram outlines, texts).
"""
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_forward as sf  # noqa: E402
from conftest import plain_run  # noqa: E402

import figure_text as ft  # noqa: E402


def _networks(trained, count=2):
    """The networks a notebook compares: 02 shows the untrained and the trained one; 04 also the
    post's loop (for the figure's size, the trained network stands in for it); 1: the trained one."""
    untrained = bh.init_params(16, seed=0)
    return {1: {"trained": trained},
            2: {"untrained": untrained, "trained": trained},
            3: {"untrained": untrained, "post's loop": trained, "train_fast": trained}}[count]


FIGURES = {   # every figure of bh.show_forward, built as its notebook builds it
    # 04 draws three heatmaps side by side (02 two): the widest case
    "plot_hidden_heatmaps": lambda trained: ft.static_text(
        sf.plot_hidden_heatmaps(_networks(trained, 3), 9, 60, mark_carry=True)),
    "plot_sigmoid": lambda trained: ft.static_text(sf.plot_sigmoid()),
    "plot_unrolled": lambda trained: ft.static_text(sf.plot_unrolled()),
    "plot_carry_separation": lambda trained: ft.static_text(sf.plot_carry_separation(
        {label: sf.carry_separation(p) for label, p in _networks(trained).items()})),
    "plot_carry_unit": lambda trained: ft.static_text(
        sf.plot_carry_unit(trained, 9, 60, sf.carry_separation(trained))),
    "plot_forward_summary": lambda trained: ft.static_text(sf.plot_forward_summary(_networks(trained), 9, 60)),
    "ForwardStepFrame": lambda trained: ft.frame_text(
        lambda: sf.ForwardStepFrame(_networks(trained), 9, 60),
        [(t, label) for label in ("untrained", "trained") for t in range(8)]),
}


@pytest.mark.parametrize("count", [1, 2, 3])
def test_hidden_heatmaps_are_readable_for_one_to_three_networks(trained, count):
    """02 draws two networks, 04 three; one is the smallest a reader may draw."""
    measured = ft.static_text(sf.plot_hidden_heatmaps(_networks(trained, count), 9, 60, mark_carry=True))
    assert ft.too_small(measured) == [], f"{count} networks ({measured[1][0]} x {measured[1][1]} px)"
    plt.close("all")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def untrained():
    return bh.init_params(16, seed=0)


@pytest.fixture(scope="module")
def networks(untrained, trained):
    return {"untrained": untrained, "trained": trained}


def ref_run(params, a, b, width=8):
    """An independent forward pass for one sum: plain per-step numpy, bits by shifting.

    Returns hidden (T, H) = h_t, outputs (T,), inputs (T, 2), true bits (T,), LSB first.
    """
    hidden, output = plain_run(params, a, b, width)
    bits = [((a >> t) & 1, (b >> t) & 1) for t in range(width)]
    return hidden, output, np.array(bits), np.array([((a + b) >> t) & 1 for t in range(width)])


def numbers(text):
    """The numbers written in a text, in order (subscript digits read as digits)."""
    text = text.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def column_carries(a, b, width=8):
    """Carry out of each column by schoolbook addition, one pair at a time in Python ints."""
    out = np.zeros((width, len(a)), dtype=np.uint8)
    for i, (ai, bi) in enumerate(zip(a, b)):
        c = 0
        for t in range(width):
            c = (((int(ai) >> t) & 1) + ((int(bi) >> t) & 1) + c) >> 1
            out[t, i] = c
    return out


# ----------------------------------------------------------------------------- heatmaps
@pytest.mark.parametrize("a, b", [(9, 60), (0, 0), (127, 127), (100, 27)])
def test_hidden_heatmaps_draw_the_hidden_state(networks, a, b):
    fig = sf.plot_hidden_heatmaps(networks, a, b)
    panels = [ax for ax in fig.axes if ax.images]
    for ax, params in zip(panels, networks.values()):
        (image,) = ax.images
        np.testing.assert_allclose(image.get_array(), ref_run(params, a, b)[0].T, rtol=1e-12, atol=1e-15)
        assert image.get_clim() == (0.0, 1.0)       # one colour scale: activations 0 to 1
        assert [tk.get_position()[0] for tk in ax.get_xticklabels()] == list(range(8))


def test_hidden_heatmaps_carry_marks(networks):
    fig = sf.plot_hidden_heatmaps(networks, 9, 60, mark_carry=True)
    for ax in fig.axes[:2]:
        # under each step: its number, then its carry out
        lines = [tk.get_text().split("\n") for tk in ax.get_xticklabels()]
        assert [int(step) for step, _ in lines] == list(range(8))
        carries = [int(carry) for _, carry in lines]
        assert carries == list(column_carries([9], [60])[:, 0]) == [0, 0, 0, 1, 1, 1, 0, 0]
    # the two lines are named once, left of the first panel
    assert [t.get_text() for t in fig.axes[0].texts] == ["step t\ncarry out"]
    assert len(fig.axes[1].texts) == 0


def test_plot_hidden_heatmaps_side_by_side_with_one_colorbar(networks):
    fig = sf.plot_hidden_heatmaps(networks, 45, 73)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 and len(fig.axes) == 3           # two heatmaps + one colour bar
    for ax, params in zip(panels, networks.values()):
        np.testing.assert_allclose(ax.images[0].get_array(), ref_run(params, 45, 73)[0].T, rtol=1e-12)


def test_plot_hidden_heatmaps_takes_any_number_of_networks():
    nets = [bh.init_params(16, seed=s) for s in range(3)]
    fig = sf.plot_hidden_heatmaps({f"seed {s}": p for s, p in enumerate(nets)}, 1, 2)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 3
    for ax, params in zip(panels, nets):
        np.testing.assert_allclose(ax.images[0].get_array(), ref_run(params, 1, 2)[0].T, rtol=1e-12)


def test_heatmap_functions_refuse_bad_arguments(untrained):
    with pytest.raises(ValueError, match="a \\+ b = 300 needs 9 bits"):
        sf.plot_hidden_heatmaps({"n": untrained}, 200, 100)
    with pytest.raises(ValueError, match="a must be"):
        sf.plot_hidden_heatmaps({"n": untrained}, -1, 3)
    with pytest.raises(TypeError, match="b must be an integer"):
        sf.plot_hidden_heatmaps({"n": untrained}, 1, 2.0)
    for bad in ({"x": untrained.U}, [untrained], {3: untrained}):
        with pytest.raises(TypeError, match="params_by_label"):
            sf.plot_hidden_heatmaps(bad, 1, 2)
    with pytest.raises(ValueError, match="params_by_label must hold at least one network"):
        sf.plot_hidden_heatmaps({}, 1, 2)
    assert plt.get_fignums() == []                   # refused before any figure is made


def test_a_label_that_is_not_text_is_named(untrained):
    for plot in (sf.plot_hidden_heatmaps, sf.plot_forward_summary):
        with pytest.raises(TypeError) as err:
            plot({"x": untrained, 1: untrained}, 3, 4)
        assert str(err.value) == "params_by_label's labels must be str, got 1 (int)"   # no weights echoed
    assert plt.get_fignums() == []


@pytest.mark.parametrize("bad", ["no", 1, None])
def test_mark_carry_is_true_or_false(untrained, bad):
    with pytest.raises(TypeError, match=f"mark_carry must be True or False, got {re.escape(repr(bad))}"):
        sf.plot_hidden_heatmaps({"n": untrained}, 3, 4, mark_carry=bad)
    assert plt.get_fignums() == []


# ----------------------------------------------------------------------------- numbers
def test_carry_separation(untrained, trained):
    a, b = bh.all_pairs(8)
    x, _ = bh.addition_batch(a, b)
    carries = column_carries(a, b)
    for params in (untrained, trained):
        sep = sf.carry_separation(params)
        assert np.array_equal(sep["hidden"], bh.forward(params, x).hidden[1:])
        assert np.array_equal(sep["carry"], carries)
        flat_c = sep["carry"].ravel().astype(int)
        assert sep["baseline"] == pytest.approx(max(flat_c.mean(), 1 - flat_c.mean()))
        assert np.all(sep["accuracy"] >= sep["baseline"] - 1e-12)
        # the memoryless rule: carry exactly when both current bits are 1
        both = np.array([[((ai >> t) & 1) & ((bi >> t) & 1) for ai, bi in zip(a, b)] for t in range(8)])
        assert sep["bits_rule"] == pytest.approx(np.mean(both == carries))
        j = sep["best_unit"]
        assert sep["accuracy"][j] == sep["accuracy"].max()
        h = sep["hidden"][:, :, j].ravel()
        rule = (h > sep["threshold"]) if sep["above"] else (h < sep["threshold"])
        assert np.mean(rule.astype(int) == flat_c) == pytest.approx(sep["accuracy"][j])
        # the one probe: the same per-unit scores as bh.carry_probe
        np.testing.assert_array_equal(sep["accuracy"], bh.carry_probe(params).unit_accuracy)
    trained_best = sf.carry_separation(trained)["accuracy"].max()
    untrained_best = sf.carry_separation(untrained)["accuracy"].max()
    assert trained_best >= 0.9 and trained_best >= untrained_best + 0.05
    # the untrained network's best unit does no better than reading the two current bits;
    # the trained one's clearly does (notebook 02 says so)
    rule = sf.carry_separation(untrained)["bits_rule"]
    assert rule == pytest.approx(0.8433, abs=5e-5)
    assert untrained_best <= rule and trained_best >= rule + 0.1


@pytest.mark.parametrize("a, b", [(127, 1), (9, 60), (0, 0)])
def test_hidden_states_is_the_one_single_sum_forward(trained, a, b):
    h = sf.hidden_states(trained, a, b)
    np.testing.assert_allclose(h, ref_run(trained, a, b)[0].T, rtol=1e-12, atol=1e-15)
    trace = bh.forward(trained, bh.one_sum(a, b, 8)[0])      # same computation: bit for bit
    np.testing.assert_array_equal(h, trace.hidden[1:, 0, :].T)
    with pytest.raises(ValueError, match="a \\+ b = 256 needs 9 bits"):
        sf.hidden_states(trained, 128, 128)


# ----------------------------------------------------------------------------- static figures
def test_plot_sigmoid_draws_sigmoid_and_slope():
    fig = sf.plot_sigmoid()
    ax = fig.axes[0]
    sig, slope = ax.lines[0], ax.lines[1]
    z = sig.get_xdata()
    np.testing.assert_allclose(sig.get_ydata(), 1 / (1 + np.exp(-z)), rtol=1e-14)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(slope.get_ydata(), s * (1 - s), rtol=1e-14)
    assert slope.get_ydata().max() == pytest.approx(0.25)
    with pytest.raises(ValueError, match="z_max"):
        sf.plot_sigmoid(0)


@pytest.mark.parametrize("z_max, shown", [(math.inf, "inf"), (10**400, "a 401-digit number"),
                                          (1e308, "1e+308"), (math.nan, "nan"), (-1, "-1")])
def test_plot_sigmoid_refuses_infinite_and_huge_ranges(z_max, shown):
    with pytest.raises(ValueError) as err:
        sf.plot_sigmoid(z_max)
    assert str(err.value) == f"z_max must be a number in (0, 1000], got {shown}"
    with pytest.raises(TypeError, match="z_max must be a number"):
        sf.plot_sigmoid("8")
    assert plt.get_fignums() == []


@pytest.mark.parametrize("steps", [8, 3])
def test_plot_unrolled_has_every_node_and_shared_weights(steps):
    fig = sf.plot_unrolled(steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    for t in range(steps):
        for kind in "xho":
            assert f"{kind}{str(t).translate(sub)}" in texts
    assert texts.count("U") == texts.count("V") == texts.count("W") == steps
    assert "h₋₁ = 0" in texts
    with pytest.raises(ValueError, match="steps"):
        sf.plot_unrolled(0)


def step_outline(patch):
    """Bin edges and bar heights of a histtype="step" histogram, from its outline."""
    xy = patch.get_xy()
    return xy[0:-1:2, 0], xy[1:-1:2, 1]


LOGIT_LIM = np.log((1 - 1e-13) / 1e-13)       # the axis ends at 1e-13 and 1 - 1e-13


def logit(h, lim=LOGIT_LIM):
    """log(h / (1 - h)), clipped to [-lim, lim]: the x axis of plot_carry_separation."""
    with np.errstate(divide="ignore"):
        return np.clip(np.log(h) - np.log1p(-h), -lim, lim)


def test_the_logit_axis_clips_no_sample_of_either_network(networks):
    """Every activation of every unit, over all pairs and steps, lies inside the logit axis, so
    no histogram bar is a pile-up of clipped values; the axis ends at 1e-13 and is ticked there."""
    assert sf._LOGIT_LIM == pytest.approx(LOGIT_LIM, rel=1e-12)
    for params in networks.values():
        sep = sf.carry_separation(params)
        h = sep["hidden"]                                    # (T, N, H), every unit
        raw = np.log(h) - np.log1p(-h)
        assert np.all(np.abs(raw) < sf._LOGIT_LIM), (raw.min(), raw.max())
        np.testing.assert_array_equal(sf._logit(h), raw)     # nothing clipped
    assert sf._LOGIT_TICKS[0] == 1e-12 and sf._LOGIT_LABELS[0] == "10⁻¹²"
    assert np.all(np.abs(sf._logit(sf._LOGIT_TICKS)) < sf._LOGIT_LIM)


def test_plot_carry_separation_draws_the_best_unit_split_by_carry(networks):
    seps = {label: sf.carry_separation(p) for label, p in networks.items()}
    fig = sf.plot_carry_separation(seps)
    assert len(fig.axes) == 2
    for ax, sep in zip(fig.axes, seps.values()):
        j = sep["best_unit"]
        h = logit(sep["hidden"][:, :, j].ravel())
        c = sep["carry"].ravel().astype(bool)
        for patch, cases in zip(ax.patches[:2], (~c, c)):
            edges, heights = step_outline(patch)
            np.testing.assert_array_equal(heights, np.histogram(h[cases], bins=edges)[0])
        threshold = [line.get_xdata()[0] for line in ax.lines]
        assert threshold == ([pytest.approx(logit(sep["threshold"]))]
                             if 0 < sep["threshold"] < 1 else [])
        assert ax.get_xlim() == (-sf._LOGIT_LIM, sf._LOGIT_LIM)          # nothing clipped: see above
        assert [tk.get_text() for tk in ax.get_xticklabels()] == sf._LOGIT_LABELS
        # "best single unit j / right on 99.9% of cases (a_t = b_t = 1 rule: 84.3%)"
        unit, percent, one, rule = numbers(ax.get_title())
        assert unit == j and percent == pytest.approx(100 * sep["accuracy"][j], abs=0.05)
        assert one == 1 and rule == pytest.approx(100 * sep["bits_rule"], abs=0.05)
        # the count axis is logarithmic with readable ticks: whole decades from 1, written out
        assert ax.get_yscale() == "log" and ax.get_ylim()[0] < 1
        shown = [(tk.get_position()[1], tk.get_text()) for tk in ax.get_yticklabels()
                 if ax.get_ylim()[0] <= tk.get_position()[1] <= ax.get_ylim()[1]]
        assert len(shown) >= 3
        assert [text for _, text in shown] == [f"{v:,.0f}" for v, _ in shown]
        assert [v for v, _ in shown] == [10.0 ** k for k in range(len(shown))]
    fig2 = sf.plot_carry_separation(networks)                 # Params are accepted too
    for ax, ax2 in zip(fig.axes, fig2.axes):
        for patch, patch2 in zip(ax.patches, ax2.patches):
            np.testing.assert_array_equal(patch.get_xy(), patch2.get_xy())
    with pytest.raises(TypeError, match="separations"):
        sf.plot_carry_separation({"x": 3})
    with pytest.raises(TypeError, match="separations"):
        sf.plot_carry_separation({})


def test_plot_carry_separation_refuses_another_width(untrained):
    sep = sf.carry_separation(untrained)                        # measured at width 8
    with pytest.raises(ValueError, match=r"separations\['x'\] was measured over 8 steps, not width=4"):
        sf.plot_carry_separation({"x": sep}, width=4)
    with pytest.raises(TypeError, match="width must be an integer"):
        sf.plot_carry_separation({"x": sep}, width="8")
    assert plt.get_fignums() == []


@pytest.mark.parametrize("a, b", [(9, 60), (127, 1), (100, 27)])
def test_plot_carry_unit_marks_the_measured_unit_and_reads_the_carry(networks, a, b):
    for label, params in networks.items():
        sep = sf.carry_separation(params)
        j = sep["best_unit"]
        fig = sf.plot_carry_unit(params, a, b, sep, label=label)
        ax_h, ax_v = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
        hidden = ref_run(params, a, b)[0]                                  # (T, H)
        np.testing.assert_allclose(ax_h.images[0].get_array(), hidden.T, rtol=1e-12, atol=1e-15)
        assert ax_h.images[0].get_clim() == (0.0, 1.0)
        (outline,) = [p for p in ax_h.patches if isinstance(p, Rectangle)]
        assert outline.get_y() + outline.get_height() / 2 == j            # the row of unit j
        assert outline.get_x() == -0.5 and outline.get_width() == 8       # across every step
        assert f"unit {j}" in ax_h.get_title() and label in ax_h.get_title()
        assert str(j) in [tk.get_text() for tk in ax_h.get_yticklabels()]
        # the bottom panel: unit j's value per step on the logit axis, split by the true carry
        carry = column_carries([a], [b])[:, 0]
        line, no_carry, with_carry = ax_v.lines[:3]
        np.testing.assert_allclose(line.get_ydata(), logit(hidden[:, j]), rtol=1e-12)
        for points, value in ((no_carry, 0), (with_carry, 1)):
            steps = np.flatnonzero(carry == value)
            assert list(points.get_xdata()) == list(steps)
            np.testing.assert_allclose(points.get_ydata(), logit(hidden[steps, j]), rtol=1e-12)
        for ax in (ax_h, ax_v):                              # under each step: t, then its carry out
            assert [tk.get_text() for tk in ax.get_xticklabels()] == [f"{t}\n{carry[t]}" for t in range(8)]
        # both panels use the histogram's logit axis, ticks and all
        assert ax_v.get_ylim() == (-sf._LOGIT_LIM - 1, sf._LOGIT_LIM + 1)
        np.testing.assert_allclose(ax_v.get_yticks(), logit(sf._LOGIT_TICKS))
        assert [tk.get_text() for tk in ax_v.get_yticklabels()] == sf._LOGIT_LABELS
        # the colour bar sits right next to the heatmap, as tall as it
        fig.canvas.draw()
        (bar,) = ax_h.child_axes                          # an inset of the heatmap
        heat_box, bar_box = ax_h.get_window_extent(), bar.get_window_extent()
        assert 0 < bar_box.x0 - heat_box.x1 < 0.05 * heat_box.width
        assert bar_box.y0 == pytest.approx(heat_box.y0) and bar_box.y1 == pytest.approx(heat_box.y1)
        if 0 < sep["threshold"] < 1:
            (threshold,) = [ln for ln in ax_v.lines[3:]]
            assert threshold.get_ydata()[0] == pytest.approx(logit(sep["threshold"]))
        plt.close(fig)


def test_plot_carry_unit_the_trained_unit_reads_9_plus_60(trained):
    """The figure's message: the trained network's carry unit is on the carry side of its
    threshold exactly at the steps with a carry (3, 4, 5 for 9 + 60)."""
    sep = sf.carry_separation(trained)
    fig = sf.plot_carry_unit(trained, 9, 60)                     # measures the unit itself
    ax_v = fig.axes[1]
    values = ax_v.lines[0].get_ydata()
    side = values > logit(sep["threshold"]) if sep["above"] else values < logit(sep["threshold"])
    assert list(side.astype(int)) == [0, 0, 0, 1, 1, 1, 0, 0]
    with pytest.raises(TypeError, match="separation"):
        sf.plot_carry_unit(trained, 9, 60, separation={"x": 1})
    with pytest.raises(ValueError, match="a \\+ b = 256 needs 9 bits"):
        sf.plot_carry_unit(trained, 128, 128, sep)


@pytest.mark.parametrize("a, b", [(9, 60), (127, 1)])
def test_plot_forward_summary_shows_inputs_hidden_outputs(networks, a, b):
    fig = sf.plot_forward_summary(networks, a, b)
    assert numbers(fig.get_suptitle()) == [a, b, a + b]
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 4 and len(fig.axes) == 5              # + one colour bar
    # subplots(2, n) orders axes row by row: the output strips, then the heatmaps
    strips, heatmaps = image_axes[:2], image_axes[2:]
    for params, ax_o, ax_h in zip(networks.values(), strips, heatmaps):
        hidden, out, inputs, true = ref_run(params, a, b)
        np.testing.assert_allclose(ax_o.images[0].get_array()[0], out, rtol=1e-12)
        np.testing.assert_allclose(ax_h.images[0].get_array(), hidden.T, rtol=1e-12, atol=1e-15)
        cells = [t.get_text() for t in ax_o.texts if not isinstance(t, Annotation)]   # not the row names
        assert cells == [f"{o:.2f}" for o in out]
        pred = (out > 0.5).astype(int)
        ticks = ax_o.get_xticklabels()
        assert [tick.get_text() for tick in ticks] == [f"{p}\n{y}" for p, y in zip(pred, true)]
        # the wrong bits, and only they, stand out; the strip's title counts them
        emphasised = [tick.get_fontweight() == "bold" for tick in ticks]
        assert emphasised == list(pred != true)
        assert numbers(ax_o.get_title()) == [np.sum(pred != true)]
        inputs_shown = [numbers(tk.get_text()) for tk in ax_h.get_xticklabels()]   # t, a_t, b_t
        assert inputs_shown == [[t, inputs[t, 0], inputs[t, 1]] for t in range(8)]
    # the rows of numbers are named once, left of the first network's panels
    assert [t.get_text() for t in strips[0].texts if "\n" in t.get_text()] == ["predicted\ntrue"]
    assert [t.get_text() for t in heatmaps[0].texts] == ["step t\na_t\nb_t"]


# ----------------------------------------------------------------------------- the widget frame
@pytest.fixture(scope="module")
def frame(networks):
    return sf.ForwardStepFrame(networks, 9, 60)


def test_frame_every_state_shows_the_right_numbers(frame, networks):
    assert frame.states() == [(t, lab) for lab in ("untrained", "trained") for t in range(8)]
    for t, label in frame.states():
        text = frame.update(t, label)
        hidden, out, inputs, true = ref_run(networks[label], 9, 60)
        pred = (out > 0.5).astype(int)
        heights = [bar.get_height() for bar in frame.h_bars]
        np.testing.assert_allclose(heights, hidden[t], rtol=1e-12)
        prev = hidden[t - 1] if t else np.zeros(16)
        np.testing.assert_allclose(frame.h_prev.get_ydata(), prev, rtol=1e-12)
        o_heights = [bar.get_height() for bar in frame.o_bars]
        np.testing.assert_allclose(o_heights, np.where(np.arange(8) <= t, out, 0.0), rtol=1e-12)
        colours = [bar.get_facecolor() for bar in frame.o_bars]   # step t's bar, and only it, stands out
        assert [c == colours[t] for c in colours] == [s == t for s in range(8)]
        # predicted row: the bits so far, the wrong ones (and only they) in vermillion, then "-"
        digits = frame.row_texts["predicted"]
        assert [d.get_text() for d in digits] == [str(pred[s]) if s <= t else "-" for s in range(8)]
        wrong = [s for s, d in enumerate(digits) if d.get_color() == bh.style.COLORS["vermillion"]]
        assert wrong == [s for s in range(t + 1) if pred[s] != true[s]]
        # the box sits on column t
        centre = frame.cursor.get_x() + frame.cursor.get_width() / 2
        assert centre == pytest.approx(frame.column_x[t])
        # the text line names the bits and the probability
        a_t, b_t = inputs[t]
        assert f"t={t}:" in text and f"a_{t}={a_t}, b_{t}={b_t}" in text
        assert f"output o_{t} = {out[t]:.2f}" in text and f"predicted {pred[t]}, true {true[t]}" in text
        assert ("(right)" in text) == (pred[t] == true[t])
        assert label in text and label in frame.suptitle.get_text()
        assert numbers(frame.suptitle.get_text()) == [9, 60, 69, t]
        assert numbers(frame.o_title.get_text()) == [t, float(f"{out[t]:.2f}"), pred[t], true[t]]
        assert numbers(frame.bits_title.get_text()) == [t, t, a_t, t, b_t]
        assert numbers(frame.h_title.get_text()) == [t]


def test_frame_rows_show_the_bits_in_columns(frame):
    """Every row's digit t sits at column_x[t], where the box marks step t."""
    rows = {name: "".join(d.get_text() for d in digits) for name, digits in frame.row_texts.items()}
    assert rows["step t"] == "01234567"
    assert rows["a"] == "10010000" and rows["b"] == "00111100"           # 9 and 60, LSB first
    assert rows["true a+b"] == "10100010"                                 # 69, LSB first
    for digits in frame.row_texts.values():
        assert [d.get_position()[0] for d in digits] == list(frame.column_x)
    assert np.all(np.diff(frame.column_x) > frame.cursor.get_width())     # one box, one column


def test_frame_refuses_bad_states(frame):
    with pytest.raises(ValueError, match="t must be"):
        frame.update(8, "trained")
    with pytest.raises(TypeError, match="t must be an integer"):
        frame.update(1.0, "trained")
    with pytest.raises(ValueError, match="label"):
        frame.update(0, "half-trained")
    with pytest.raises(ValueError, match="a \\+ b = 256 needs 9 bits"):
        sf.ForwardStepFrame({"n": bh.init_params(16, 0)}, 255, 1)


def test_frame_is_built_on_a_bare_figure_with_a_frozen_layout(frame):
    from matplotlib.figure import Figure
    assert type(frame.fig) is Figure
    assert frame.fig.get_layout_engine() is None
    positions = [ax.get_position().bounds for ax in frame.fig.axes]
    frame.update(5, "trained")
    bh.widgets.figure_png(frame.fig)
    assert [ax.get_position().bounds for ax in frame.fig.axes] == positions
    # the layout engine ran: the three panels do not overlap and fill the figure's width
    (x0, _, w0, _), (x1, _, w1, _), (x2, _, w2, _) = positions
    assert x0 + w0 <= x1 and x1 + w1 <= x2 and x2 + w2 > 0.9
