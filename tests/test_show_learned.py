"""Tests of binrnn_helpers.show_learned: every figure's data, and every state of the widget frame."""
import json
import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import analysis as an, show_learned as sl  # noqa: E402
import figure_text as ft  # noqa: E402

RESULTS = pathlib.Path(__file__).parent.parent / "benchmarks" / "results" / "where_it_breaks.json"
CURVE = {"label": "one", "steps": [0, 10], "loss": [1.0, 0.1], "converged": True}


def carry_units_as_in_05(trained):
    hidden, carry = an.hidden_and_carry(trained)
    return sl.plot_carry_units(bh.carry_probe(trained), hidden, carry)


def state_pca_as_in_05(trained):
    hidden, carry = an.hidden_and_carry(trained)
    _, y = bh.addition_batch(*bh.all_pairs(8))
    proj, explained, _, _ = an.pca(hidden.reshape(-1, 16), k=2)
    return sl.plot_state_pca(proj, carry.reshape(-1), y.reshape(-1).astype(int), explained,
                             marked=np.unique(proj[:16384], axis=0),
                             marked_label="the 4 states after step 0\n(4,096 samples each)")


def automaton_as_in_05(trained):
    automaton = bh.extract_automaton(trained)
    names = ["carry 0", "carry 1"] if automaton.start == 0 else ["carry 1", "carry 0"]
    return sl.draw_automaton(automaton, names=names)


LR = bh.fast.LEARNING_RATE
RETRAIN_STATES = [(16, LR, 0, "lsb_first"), (4, LR, 0, "lsb_first"), (16, LR, 0, "msb_first"),
                  (16, 10.0, 0, "lsb_first"), (8, LR, 1, "lsb_first")]   # the live widget's start and Think! settings
FIGURES = {   # every figure of bh.show_learned, built as its notebook builds it
    "plot_carry_units": lambda trained: ft.static_text(carry_units_as_in_05(trained)),
    "plot_state_pca": lambda trained: ft.static_text(state_pca_as_in_05(trained)),
    "draw_automaton": lambda trained: ft.static_text(automaton_as_in_05(trained)),
    "plot_where_it_breaks": lambda trained: ft.static_text(sl.plot_where_it_breaks(sl.load_results(RESULTS))),
    "plot_loss_curves": lambda trained: ft.static_text(sl.plot_loss_curves(sl.load_results(RESULTS)["curves"])),
    "RetrainFrame": lambda trained: ft.frame_text(sl.RetrainFrame, RETRAIN_STATES),
}


def test_plot_carry_units(trained):
    probe = bh.carry_probe(trained)
    hidden, carry = an.hidden_and_carry(trained)
    fig = sl.plot_carry_units(probe, hidden, carry)
    ax1, ax2 = fig.axes
    lengths = [p.get_width() for p in ax1.patches]      # horizontal bars, the most correlated first (on top)
    np.testing.assert_allclose(lengths, np.sort(probe.correlations)[::-1])
    assert [t.get_text() for t in ax1.get_yticklabels()] == [str(j) for j in np.argsort(probe.correlations)[::-1]]
    assert ax1.yaxis_inverted()
    assert ax2.get_xscale() == "logit" and ax2.get_yscale() == "log"
    assert ax2.lines[0].get_xdata()[0] == pytest.approx(probe.best_threshold)
    best = hidden[..., probe.best_unit]                 # the histograms count the best unit's samples
    histograms = [p for p in ax2.patches if p.get_label().startswith("carry")]
    edges = np.unique(np.concatenate([h.get_xy()[:, 0] for h in histograms]))
    z = np.log(edges) - np.log1p(-edges)                # the bins are even steps on the logit axis
    np.testing.assert_allclose(np.diff(z)[1:-1], np.diff(z)[1], rtol=1e-6)
    for histogram, value in zip(histograms, (0, 1)):
        assert histogram.get_label().startswith(f"carry = {value} ({np.sum(carry == value):,})")
        counts, _ = np.histogram(best[carry == value], bins=edges)
        steps = histogram.get_xy()[:, 1]                # the outline's heights
        assert steps.max() == counts.max() and set(counts) <= set(steps)
        assert counts.sum() == np.sum(carry == value)   # no sample falls off the axis
    # the shaded gap is empty and holds the threshold: carry 1 below it, carry 0 above (or the reverse)
    low, high = (best[carry == 1], best[carry == 0]) if probe.best_sign < 0 else (best[carry == 0], best[carry == 1])
    (gap,) = [p for p in ax2.patches if p.get_label().startswith("empty gap")]
    left, right = gap.get_x(), gap.get_x() + gap.get_width()
    assert left == pytest.approx(low.max()) and right == pytest.approx(high.min())
    assert low.max() < probe.best_threshold < high.min()
    assert ax2.get_xlim()[0] < best.min() and best.max() < ax2.get_xlim()[1]
    plt.close(fig)


def test_plot_state_pca(trained):
    hidden, carry = an.hidden_and_carry(trained)
    _, y = bh.addition_batch(*bh.all_pairs(8))
    proj, explained, _, _ = an.pca(hidden.reshape(-1, 16))
    c, s = carry.ravel(), y.ravel().astype(int)
    fig = sl.plot_state_pca(proj, c, s, explained)
    ax = fig.axes[0]
    assert f"{explained[0]:.0%}" in ax.get_xlabel() and f"{explained[1]:.0%}" in ax.get_ylabel()
    assert len(ax.collections) == 4
    for g, coll in enumerate(ax.collections):    # each group's points are that group's projections
        m = (c == g >> 1) & (s == (g & 1))
        expected = np.unique(np.round(proj[m], 3), axis=0)
        np.testing.assert_allclose(coll.get_offsets(), expected)
        assert f"{m.sum():,} samples" in ax.get_legend().get_texts()[g].get_text()
    plt.close(fig)
    first = np.unique(proj[:16384], axis=0)          # the four states after the first step
    fig = sl.plot_state_pca(proj, c, s, explained, marked=first, marked_label="after step 0")
    ax = fig.axes[0]
    assert len(ax.collections) == 5 and len(first) == 4
    np.testing.assert_allclose(ax.collections[4].get_offsets(), first)
    assert ax.get_legend().get_texts()[4].get_text() == "after step 0"
    plt.close(fig)


def test_draw_automaton():
    adder = an.full_adder_automaton()
    fig = sl.draw_automaton(adder, names=["carry 0", "carry 1"])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "carry 0" in texts and "carry 1" in texts
    pairs = {(s, int(adder.transitions[s, i])) for s in range(2) for i in range(4)}
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == len(pairs)   # one arrow each
    labels = " ".join(texts)
    for s in range(2):          # every transition's label "ab/out" is drawn
        for i in range(4):
            assert f"{i >> 1}{i & 1}/{adder.outputs[s, i]}" in labels
    assert "11/0" in texts and "00/1" in texts                  # the two arrows between the states
    plt.close(fig)
    with pytest.raises(ValueError, match="names"):
        sl.draw_automaton(adder, names=["one"])
    three = bh.Automaton(transitions=np.zeros((3, 4), int), outputs=np.zeros((3, 4), np.uint8), start=0)
    with pytest.raises(ValueError, match="at most 2 states"):
        sl.draw_automaton(three)


@pytest.mark.parametrize("call, error, message", [
    (lambda: sl.draw_automaton(None), TypeError,
     "automaton must be bh.analysis.extract_automaton(params), got NoneType"),
    (lambda: sl.plot_carry_units(None, np.zeros((8, 3, 16)), np.zeros((8, 3))), TypeError,
     "probe must be bh.carry_probe(params), got NoneType"),
    (lambda: sl.plot_where_it_breaks({}), ValueError, "results (from load_results): no 'seeds' for seeds"),
    (lambda: sl.plot_where_it_breaks(None), TypeError,
     "results (from load_results) must be a dict of benchmark results, got NoneType"),
    (lambda: sl.plot_loss_curves({}), TypeError, "curves must be a list of curves, got dict"),
    (lambda: sl.plot_loss_curves({"a": [1, 2]}, 0, 0), TypeError, "curves must be a list of curves, got dict"),
    (lambda: sl.plot_loss_curves([]), ValueError, "curves must hold at least one curve, got an empty list"),
    (lambda: sl.plot_loss_curves([{"label": "x"}]), TypeError,
     "curves[0] must be a dict with keys label, steps, loss, converged (at least one step), got {'label': 'x'}"),
    (lambda: sl.plot_loss_curves([CURVE], 0, 0), ValueError, "ncols must be >= 1, got 0"),
    (lambda: sl.plot_loss_curves([CURVE], 1), ValueError,
     "reference must be <= 0 (allowed: 0 to 0), got 1"),
    (lambda: sl.load_results(None), TypeError, "path must be a file name (str or pathlib.Path), got NoneType"),
])
def test_figures_and_loaders_refuse_bad_arguments_in_one_line(call, error, message):
    with pytest.raises(error) as err:
        call()
    assert str(err.value) == message
    assert plt.get_fignums() == []


def test_plot_carry_units_refuses_samples_of_another_network(trained):
    hidden, carry = an.hidden_and_carry(trained)
    probe = an.carry_probe(trained)
    with pytest.raises(ValueError, match=r"hidden must be \(T, N, 16\) and carry \(T, N\)"):
        sl.plot_carry_units(probe, hidden[..., :4], carry)
    assert plt.get_fignums() == []


def test_results_figures():
    results = sl.load_results(RESULTS)
    fig = sl.plot_where_it_breaks(results)
    for ax, key in zip(fig.axes, ("hidden_size", "learning_rate")):
        rows = results["summary"][key]
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [r["converged"] / r["runs"] for r in rows])
        np.testing.assert_allclose(ax.lines[0].get_xdata(), [r[key] for r in rows])
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [r["median_accuracy"] for r in rows])
    plt.close(fig)
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)    # one legend, below the panels
    plt.close(fig)
    curves = results["curves"]
    fig = sl.plot_loss_curves(curves)
    ref = curves[0]
    for k, (ax, cv) in enumerate(zip(fig.axes, curves)):   # one panel per curve, the reference dashed in the others
        *others, line = ax.lines
        np.testing.assert_array_equal(line.get_xdata(), cv["steps"])
        np.testing.assert_allclose(line.get_ydata(), cv["loss"])
        assert line.get_color() == (bh.style.COLORS["blue"] if cv["converged"] else bh.style.COLORS["vermillion"])
        assert cv["label"] in ax.get_title() and str(cv["steps"][-1]) in ax.get_title()
        assert len(others) == (k != 0)
        if others:
            np.testing.assert_allclose(others[0].get_ydata(), ref["loss"])
            assert others[0].get_linestyle() == "--"
    assert all(not ax.axison for ax in fig.axes[len(curves):])
    plt.close(fig)
    fig = sl.plot_loss_curves(curves[:4])                   # a grid with empty places
    assert sum(ax.axison for ax in fig.axes) == 4
    plt.close(fig)


@pytest.mark.parametrize("change, message", [
    (lambda r: r["curves"][2].pop("loss"), "no 'loss' for curves.loss"),
    (lambda r: r["summary"]["hidden_size"][0].pop("converged"), "no 'converged' for summary.hidden_size.converged"),
    (lambda r: r["runs"].update(hidden_size=[]), "no 'hidden_size' for runs.hidden_size.hidden_size"),
    (lambda r: r.pop("seeds"), "no 'seeds' for seeds"),
])
def test_load_results_refuses_incomplete(tmp_path, change, message):
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    change(results)
    p = tmp_path / "where_it_breaks.json"
    p.write_text(json.dumps(results))
    with pytest.raises(ValueError, match=f"{message}.*re-run benchmarks/where_it_breaks.py"):
        sl.load_results(p)


def test_load_long_sums_reads_the_benchmark_and_refuses_incomplete(tmp_path):
    path = RESULTS.parent / "long_sums.json"
    assert sl.load_long_sums(path) == json.loads(path.read_text(encoding="utf-8"))
    good = {"date": "d",
            "profiles": [{"profile": "native", "failing_seeds": [], "worst_accuracy_62": 1.0,
                          "worst_accuracy_95": 1.0, "worst_accuracy_64": 1.0}]}
    p = tmp_path / "r.json"
    p.write_text(json.dumps(good))
    assert sl.load_long_sums(p) == good
    for broken, word in (({**good, "profiles": [{"profile": "native"}]}, "failing_seeds"),
                         ({k: v for k, v in good.items() if k != "profiles"}, "profiles")):
        p.write_text(json.dumps(broken))
        with pytest.raises(ValueError, match=word):
            sl.load_long_sums(p)


def test_retrain_frame_every_state():
    frame, states = sl.RetrainFrame(), RETRAIN_STATES
    for state in states:
        text = frame.update(*state)
        h, lr, seed, order = state
        _, hist = bh.train_fast(hidden_size=h, seed=seed, learning_rate=lr, bit_order=order,
                                max_steps=frame.max_steps)                     # independent run
        x, y = frame.loss_line.get_data()
        np.testing.assert_array_equal(x, hist.steps)
        np.testing.assert_allclose(y, np.maximum(hist.loss, 1e-3))
        assert f"hidden {h}," in text and f"seed {seed}" in text
        assert ("<b>converged</b>" in text) == hist.converged
        assert f"{hist.accuracy[-1]:.2%}" in text and f"{hist.accuracy[-1]:.2%}" in frame.title.get_text()
        assert ("MSB first" in text) == (order == "msb_first")
        bh.widgets.figure_png(frame.fig)
    # cached: the same dict object comes back, no retraining
    assert frame.result(*states[0]) is frame.result(*states[0])
    assert frame.update(*states[0]).startswith(f"hidden 16, rate {bh.fast.LEARNING_RATE:g}, seed 0: <b>converged</b>")
    assert len(frame.cache) == len(states)


def test_retrain_frame_bad_arguments():
    frame = sl.RetrainFrame(max_steps=5)
    with pytest.raises(TypeError, match="hidden_size"):
        frame.update(2.5, 0.2, 0, "lsb_first")
    with pytest.raises(ValueError, match="learning_rate"):
        frame.update(4, -1, 0, "lsb_first")
    with pytest.raises(ValueError, match="bit_order"):
        frame.update(4, 0.2, 0, "backwards")
    with pytest.raises(ValueError, match="seed"):
        frame.update(4, 0.2, -1, "lsb_first")
    with pytest.raises(ValueError, match="max_steps"):
        sl.RetrainFrame(max_steps=0)
