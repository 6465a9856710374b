"""Tests of binrnn_helpers.show_learned: every figure's data, and every state of the widget frame."""
import json
import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import analysis as an, show_learned as sl  # noqa: E402

RESULTS = pathlib.Path(__file__).parent.parent / "benchmarks" / "results" / "where_it_breaks.json"


@pytest.fixture(scope="module")
def net():
    params, history = bh.train_fast(seed=0)
    assert history.converged
    return params


def labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_plot_carry_units(net):
    probe = bh.carry_probe(net)
    hidden, carry = an.hidden_and_carry(net)
    fig = sl.plot_carry_units(probe, hidden, carry)
    ax1, ax2 = fig.axes
    assert labelled(ax1) and labelled(ax2)
    heights = [p.get_height() for p in ax1.patches]
    np.testing.assert_allclose(heights, np.sort(probe.correlations)[::-1])
    assert [t.get_text() for t in ax1.get_xticklabels()] == [str(j) for j in np.argsort(probe.correlations)[::-1]]
    assert str(probe.best_unit) in ax2.get_xlabel()
    assert ax2.lines[0].get_xdata()[0] == pytest.approx(probe.best_threshold)
    plt.close(fig)
    with pytest.raises(TypeError, match="probe"):
        sl.plot_carry_units("probe", hidden, carry)
    with pytest.raises(ValueError, match="hidden"):
        sl.plot_carry_units(probe, hidden[0], carry)


def test_plot_state_pca(net):
    hidden, carry = an.hidden_and_carry(net)
    _, y = bh.addition_batch(*bh.all_pairs(8))
    proj, explained, _, _ = an.pca(hidden.reshape(-1, 16))
    c, s = carry.ravel(), y.ravel().astype(int)
    fig = sl.plot_state_pca(proj, c, s, explained)
    ax = fig.axes[0]
    assert labelled(ax) and f"{explained[0]:.0%}" in ax.get_xlabel()
    assert len(ax.collections) == 4
    for g, coll in enumerate(ax.collections):    # each group's points are that group's projections
        m = (c == g >> 1) & (s == (g & 1))
        expected = np.unique(np.round(proj[m], 3), axis=0)
        np.testing.assert_allclose(coll.get_offsets(), expected)
        assert f"{m.sum():,} samples" in ax.get_legend().get_texts()[g].get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="projected"):
        sl.plot_state_pca(proj[:, :1], c, s, explained)


def test_draw_automaton():
    adder = an.full_adder_automaton()
    fig = sl.draw_automaton(adder, names=["carry 0", "carry 1"])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "carry 0" in texts and "carry 1" in texts and ax.get_title()
    labels = " ".join(texts)
    for s in range(2):          # every transition's label "ab/out" is drawn
        for i in range(4):
            assert f"{i >> 1}{i & 1}/{adder.outputs[s, i]}" in labels
    assert "11/0" in texts and "00/1" in texts                  # the two arrows between the states
    plt.close(fig)
    with pytest.raises(TypeError, match="automaton"):
        sl.draw_automaton(None)
    with pytest.raises(ValueError, match="names"):
        sl.draw_automaton(adder, names=["one"])


def test_results_figures():
    results = sl.load_results(RESULTS)
    fig = sl.plot_where_it_breaks(results)
    for ax, key in zip(fig.axes, ("hidden_size", "learning_rate")):
        assert labelled(ax)
        rows = results["summary"][key]
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [r["converged"] / r["runs"] for r in rows])
        np.testing.assert_allclose(ax.lines[0].get_xdata(), [r[key] for r in rows])
    plt.close(fig)
    fig = sl.plot_loss_curves(results["curves"])
    ax = fig.axes[0]
    assert labelled(ax) and len(ax.lines) == len(results["curves"])
    for line, cv in zip(ax.lines, results["curves"]):
        np.testing.assert_allclose(line.get_ydata(), cv["loss"])
    plt.close(fig)
    with pytest.raises(TypeError, match="path"):
        sl.load_results(3)
    with pytest.raises(ValueError, match="curves"):
        sl.plot_loss_curves([])


def test_load_results_refuses_incomplete(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"summary": {}}))
    with pytest.raises(ValueError, match="runs"):
        sl.load_results(p)


def test_load_long_sums_reads_the_benchmark_and_refuses_incomplete(tmp_path):
    results = sl.load_long_sums(RESULTS.parent / "long_sums.json")
    assert results["profiles"][0]["profile"] == "native" and results["tests"]["62"]["sums"] == 2000
    good = {"date": "d", "tests": {}, "train_fast_same_steps_between_profiles": True,
            "train_fast_max_difference_between_profiles": 0.0,
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
    (name, frame, states), = sl.example_frames()
    assert name == "retrain" and len(states) >= 3
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
