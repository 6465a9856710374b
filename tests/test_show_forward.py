"""Tests of binrnn_helpers.show_forward: every figure and frame checked in numbers."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_forward as sf  # noqa: E402

VERMILLION = mcolors.to_rgba(bh.style.COLORS["vermillion"])


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
    h = np.zeros(params.W.shape[0])
    hs, os, xs, ys = [], [], [], []
    for t in range(width):
        x = np.array([(a >> t) & 1, (b >> t) & 1], dtype=float)
        h = 1.0 / (1.0 + np.exp(-(x @ params.U + h @ params.W)))
        hs.append(h)
        os.append(1.0 / (1.0 + np.exp(-(h @ params.V)))[0])
        xs.append(x.astype(int))
        ys.append(((a + b) >> t) & 1)
    return np.array(hs), np.array(os), np.array(xs), np.array(ys)


def column_carries(a, b, width=8):
    """Carry out of each column by schoolbook addition, one pair at a time in Python ints."""
    out = np.zeros((width, len(a)), dtype=np.uint8)
    for i, (ai, bi) in enumerate(zip(a, b)):
        c = 0
        for t in range(width):
            c = (((int(ai) >> t) & 1) + ((int(bi) >> t) & 1) + c) >> 1
            out[t, i] = c
    return out


# ----------------------------------------------------------------------------- heatmaps (API for notebook 04)
@pytest.mark.parametrize("a, b", [(9, 60), (0, 0), (127, 127), (100, 27)])
def test_hidden_heatmap_draws_the_hidden_state(untrained, trained, a, b):
    for params in (untrained, trained):
        fig, ax = plt.subplots()
        drawn = sf.hidden_heatmap(ax, params, a, b, title="my title")
        hidden, _, _, _ = ref_run(params, a, b)
        assert drawn.shape == (16, 8)
        np.testing.assert_allclose(drawn, hidden.T, rtol=1e-12, atol=1e-15)
        x, _ = bh.addition_batch(np.array([a]), np.array([b]))
        assert np.array_equal(drawn, bh.forward(params, x).hidden[1:, 0, :].T)
        (image,) = ax.images
        np.testing.assert_array_equal(image.get_array(), drawn)
        assert image.get_clim() == (0.0, 1.0)
        assert image.get_cmap().name == bh.style.SEQUENTIAL
        assert ax.get_title() == "my title"
        assert "time step" in ax.get_xlabel() and "LSB" in ax.get_xlabel()
        assert "hidden unit" in ax.get_ylabel()
        assert [tk.get_position()[0] for tk in ax.get_xticklabels()] == list(range(8))


def test_hidden_heatmap_default_title_and_carry_marks(untrained):
    fig, ax = plt.subplots()
    sf.hidden_heatmap(ax, untrained, 9, 60, mark_carry=True)
    assert ax.get_title() == "hidden state for 9 + 60"
    carries = [int(tk.get_text().split("carry ")[1]) for tk in ax.get_xticklabels()]
    assert carries == list(column_carries([9], [60])[:, 0])
    assert carries == [0, 0, 0, 1, 1, 1, 0, 0]


def test_plot_hidden_heatmaps_side_by_side_with_one_colorbar(networks):
    fig = sf.plot_hidden_heatmaps(networks, 45, 73)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 and len(fig.axes) == 3           # two heatmaps + one colour bar
    for ax, (label, params) in zip(panels, networks.items()):
        assert ax.get_title() == f"{label}: hidden state for 45 + 73"
        np.testing.assert_allclose(ax.images[0].get_array(), ref_run(params, 45, 73)[0].T, rtol=1e-12)
    colorbar_ax = [ax for ax in fig.axes if not ax.images][0]
    assert "activation" in colorbar_ax.get_ylabel()


def test_plot_hidden_heatmaps_takes_any_number_of_networks(untrained):
    nets = {f"seed {s}": bh.init_params(16, seed=s) for s in range(3)}
    fig = sf.plot_hidden_heatmaps(nets, 1, 2)
    assert [ax.get_title() for ax in fig.axes if ax.images] == [f"seed {s}: hidden state for 1 + 2"
                                                                 for s in range(3)]


def test_heatmap_functions_refuse_bad_arguments(untrained):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="a \\+ b"):
        sf.hidden_heatmap(ax, untrained, 200, 100)
    with pytest.raises(ValueError, match="a must be"):
        sf.hidden_heatmap(ax, untrained, -1, 3)
    with pytest.raises(TypeError, match="b must be an integer"):
        sf.hidden_heatmap(ax, untrained, 1, 2.0)
    with pytest.raises(TypeError, match="params"):
        sf.hidden_heatmap(ax, "weights", 1, 2)
    with pytest.raises(TypeError, match="params_by_label"):
        sf.plot_hidden_heatmaps({}, 1, 2)
    with pytest.raises(TypeError, match="params_by_label"):
        sf.plot_hidden_heatmaps({"x": untrained.U}, 1, 2)
    with pytest.raises(TypeError, match="params_by_label"):
        sf.plot_hidden_heatmaps([untrained], 1, 2)


# ----------------------------------------------------------------------------- numbers
def test_carry_bits_match_schoolbook_addition():
    a, b = bh.all_pairs(8)
    pick = np.random.RandomState(0).choice(a.size, 500, replace=False)
    assert np.array_equal(sf.carry_bits(a[pick], b[pick]), column_carries(a[pick], b[pick]))
    a16, b16 = bh.random_pairs(200, 16, seed=1)
    assert np.array_equal(sf.carry_bits(a16, b16, width=17), column_carries(a16, b16, 17))
    assert sf.carry_bits([127], [1])[:, 0].tolist() == [1, 1, 1, 1, 1, 1, 1, 0]
    with pytest.raises(ValueError, match="width"):
        sf.carry_bits([1], [1], width=0)


def brute_force_threshold_accuracy(values, labels):
    """Try every cut between distinct values (and below/above all) in both directions."""
    distinct = np.unique(values)
    cuts = np.concatenate([[distinct[0] - 1], (distinct[1:] + distinct[:-1]) / 2, [distinct[-1] + 1]])
    best = 0.0
    for cut in cuts:
        above = (values > cut).astype(int)
        best = max(best, np.mean(above == labels), np.mean((1 - above) == labels))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_best_threshold_accuracy_equals_brute_force(seed):
    rng = np.random.RandomState(seed)
    values = np.round(rng.random_sample(60), 1)         # many ties on purpose
    labels = (rng.random_sample(60) < 0.4).astype(int)
    acc, threshold, above = sf.best_threshold_accuracy(values, labels)
    assert acc == pytest.approx(brute_force_threshold_accuracy(values, labels))
    rule = (values > threshold) if above else (values < threshold)
    assert np.mean(rule.astype(int) == labels) == pytest.approx(acc)


def test_best_threshold_accuracy_edge_cases():
    acc, thr, above = sf.best_threshold_accuracy([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
    assert acc == 1.0 and 0.2 < thr < 0.8 and above
    acc, thr, above = sf.best_threshold_accuracy([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])
    assert acc == 1.0 and 0.2 < thr < 0.8 and not above
    acc, _, _ = sf.best_threshold_accuracy([0.5] * 5, [1, 0, 0, 0, 1])   # no information
    assert acc == pytest.approx(0.6)
    with pytest.raises(ValueError, match="labels"):
        sf.best_threshold_accuracy([0.1, 0.2], [0, 2])
    with pytest.raises(ValueError, match="same size"):
        sf.best_threshold_accuracy([0.1, 0.2], [0])


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
        j = sep["best_unit"]
        assert sep["accuracy"][j] == sep["accuracy"].max()
        h = sep["hidden"][:, :, j].ravel()
        rule = (h > sep["threshold"]) if sep["above"] else (h < sep["threshold"])
        assert np.mean(rule.astype(int) == flat_c) == pytest.approx(sep["accuracy"][j])
        # every unit's accuracy is a real threshold rule's: spot-check unit 0 the same way
        acc0, _, _ = sf.best_threshold_accuracy(sep["hidden"][:, :, 0].ravel(), flat_c)
        assert acc0 == sep["accuracy"][0]
    trained_best = sf.carry_separation(trained)["accuracy"].max()
    untrained_best = sf.carry_separation(untrained)["accuracy"].max()
    assert trained_best >= 0.9 and trained_best >= untrained_best + 0.05


def test_hidden_states_shape_and_values(trained):
    h = sf.hidden_states(trained, 127, 1)
    np.testing.assert_allclose(h, ref_run(trained, 127, 1)[0].T, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="a \\+ b"):
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
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="z_max"):
        sf.plot_sigmoid(0)


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
    assert "same U, W, V" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="steps"):
        sf.plot_unrolled(0)


def step_counts(patch):
    """The bar heights of a histtype="step" histogram, from its outline."""
    y = patch.get_xy()[:, 1]
    return y[1:-1:2]


def test_plot_carry_separation_counts_every_case(networks):
    seps = {label: sf.carry_separation(p) for label, p in networks.items()}
    fig = sf.plot_carry_separation(seps)
    assert len(fig.axes) == 2
    for ax, (label, sep) in zip(fig.axes, seps.items()):
        c = sep["carry"].ravel().astype(bool)
        zero, one = ax.patches[0], ax.patches[1]
        assert step_counts(zero).sum() == (~c).sum()
        assert step_counts(one).sum() == c.sum()
        j = sep["best_unit"]
        assert ax.get_title().startswith(f"{label}: best single unit {j}")
        assert f"{sep['accuracy'][j]:.1%}" in ax.get_title()
        assert f"h_t[{j}]" in ax.get_xlabel() and ax.get_ylabel()
    assert "16,384 pairs" in fig.get_suptitle()
    fig2 = sf.plot_carry_separation(networks)                 # Params are accepted too
    assert [ax.get_title() for ax in fig2.axes] == [ax.get_title() for ax in fig.axes]
    with pytest.raises(TypeError, match="separations"):
        sf.plot_carry_separation({"x": 3})
    with pytest.raises(TypeError, match="separations"):
        sf.plot_carry_separation({})


@pytest.mark.parametrize("a, b", [(9, 60), (127, 1)])
def test_plot_forward_summary_shows_inputs_hidden_outputs(networks, a, b):
    fig = sf.plot_forward_summary(networks, a, b)
    assert f"{a} + {b} = {a + b}" in fig.get_suptitle()
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 4 and len(fig.axes) == 5              # + one colour bar
    # subplots(2, n) orders axes row by row: the output strips, then the heatmaps
    strips, heatmaps = image_axes[:2], image_axes[2:]
    for (label, params), ax_o, ax_h in zip(networks.items(), strips, heatmaps):
        hidden, out, inputs, true = ref_run(params, a, b)
        np.testing.assert_allclose(ax_o.images[0].get_array()[0], out, rtol=1e-12)
        np.testing.assert_allclose(ax_h.images[0].get_array(), hidden.T, rtol=1e-12, atol=1e-15)
        assert [t.get_text() for t in ax_o.texts] == [f"{o:.2f}" for o in out]
        pred = (out > 0.5).astype(int)
        ticks = ax_o.get_xticklabels()
        for t, tick in enumerate(ticks):
            assert tick.get_text() == f"pred {pred[t]}\ntrue {true[t]}"
            wrong = pred[t] != true[t]
            assert (mcolors.to_rgba(tick.get_color()) == VERMILLION) == wrong
        inputs_shown = [tk.get_text().split("\n") for tk in ax_h.get_xticklabels()]
        assert [int(lines[1][-1]) for lines in inputs_shown] == list(inputs[:, 0])
        assert [int(lines[2][-1]) for lines in inputs_shown] == list(inputs[:, 1])
        assert ax_o.get_title().startswith(label)
        assert ax_h.get_ylabel() and ax_h.get_xlabel()


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
        current = [mcolors.to_hex(bar.get_facecolor()) for bar in frame.o_bars]
        assert current[t] == bh.style.COLORS["orange"].lower()
        assert all(c == bh.style.COLORS["blue"].lower() for s, c in enumerate(current) if s != t)
        # predicted row: right bits, wrong bits and not-yet steps in their own texts, column by column
        rows = {k: txt.get_text() for k, txt in frame.pred_texts.items()}
        assert all(len(row) == 15 for row in rows.values())          # 8 cells, 7 spaces between
        for s in range(8):
            shown = {k: row[2 * s] for k, row in rows.items() if row[2 * s] != " "}
            if s > t:
                assert shown == {"future": "-"}
            elif pred[s] == true[s]:
                assert shown == {"right": str(pred[s])}
            else:
                assert shown == {"wrong": str(pred[s])}
        # the box sits on column t
        centre = frame.cursor.get_x() + frame.cursor.get_width() / 2
        assert centre == pytest.approx(frame.column_x[t])
        # the text line names the bits and the probability
        a_t, b_t = inputs[t]
        assert f"t={t}:" in text and f"a_{t}={a_t}, b_{t}={b_t}" in text
        assert f"p={out[t]:.2f}" in text and f"predicted {pred[t]}, true {true[t]}" in text
        assert ("(right)" in text) == (pred[t] == true[t])
        assert label in text and label in frame.suptitle.get_text()
        sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
        assert frame.o_title.get_text() == (f"o{str(t).translate(sub)} = {out[t]:.2f} → "
                                            f"predicted {pred[t]}, true {true[t]}")
        assert frame.bits_title.get_text() == (f"step {t} reads a{str(t).translate(sub)} = {a_t}, "
                                               f"b{str(t).translate(sub)} = {b_t}")


def test_frame_columns_line_up_with_the_digits(frame):
    """The cursor positions come from the rendered monospace rows: digit t lies inside box t."""
    frame.update(0, "untrained")
    bh.widgets.figure_png(frame.fig)
    row = frame.row_texts["a"]
    row.set_visible(True)              # drawn once into the frame's background, hidden since
    box = row.get_window_extent()
    row.set_visible(False)
    to_axes = frame.ax_bits.transAxes.inverted()
    left, right = to_axes.transform((box.x0, 0))[0], to_axes.transform((box.x1, 0))[0]
    char = (right - left) / len(row.get_text())
    for t in range(8):
        digit_centre = left + (2 * t + 0.5) * char
        assert abs(digit_centre - frame.column_x[t]) < 0.25 * char
    assert np.all(np.diff(frame.column_x) > 0)
    assert row.get_text() == "1 0 0 1 0 0 0 0"                       # 9, LSB first
    assert frame.row_texts["b"].get_text() == "0 0 1 1 1 1 0 0"      # 60, LSB first
    assert frame.row_texts["true a+b"].get_text() == "1 0 1 0 0 0 1 0"   # 69, LSB first


def test_frame_refuses_bad_states(frame):
    with pytest.raises(ValueError, match="t must be"):
        frame.update(8, "trained")
    with pytest.raises(TypeError, match="t must be an integer"):
        frame.update(1.0, "trained")
    with pytest.raises(ValueError, match="label"):
        frame.update(0, "half-trained")
    with pytest.raises(ValueError, match="a \\+ b"):
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


def test_example_frames():
    frames = sf.example_frames()
    assert len(frames) >= 1
    for name, fr, states in frames:
        assert isinstance(name, str) and states == fr.states() and len(states) == 16
        for values in states:
            assert "network, t=" in fr.update(*values)
        assert bh.widgets.figure_png(fr.fig)[:4] == b"\x89PNG"
