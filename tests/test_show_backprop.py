"""Tests of binrnn_helpers.show_backprop: the step-by-step backward pass, the references, and
what each figure and every state of the widget frame shows.

Expected values come from a plain per-unit backward loop written below (on conftest's plain_run),
from central finite differences of the loss, or from bh.backward.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_backprop as sb  # noqa: E402
from conftest import plain_run  # noqa: E402
import figure_text as ft  # noqa: E402


def notebook_difference_errors():
    """eps_list, one-sided and central errors as notebook 03 computes them (9 + 60, the post's
    weights, the entry of W with the largest gradient)."""
    params = bh.init_params(16, seed=0)
    x, y = bh.addition_batch(np.array([9]), np.array([60]), width=8)
    grads = bh.backward(params, bh.forward(params, x), y)
    i, j = np.unravel_index(np.argmax(np.abs(grads.W)), grads.W.shape)

    def loss_with(value):
        probe = params.copy()
        probe.W[i, j] = value
        return bh.loss(bh.forward(probe, x).output, y)

    w0, exact = params.W[i, j], grads.W[i, j]
    eps = 10.0 ** -np.arange(1, 12)
    one_sided = [abs((loss_with(w0 + e) - loss_with(w0)) / e - exact) for e in eps]
    central = [abs((loss_with(w0 + e) - loss_with(w0 - e)) / (2 * e) - exact) for e in eps]
    return eps, np.array(one_sided), np.array(central)


def notebook_reach(trained):
    """{8: ..., 64: ...} of reach_back for the untrained and the trained network, as notebook 03."""
    rng = np.random.RandomState(3)
    short, _ = bh.addition_batch(rng.randint(0, 128, size=500), rng.randint(0, 128, size=500), width=8)
    long = rng.randint(0, 2, size=(64, 500, 2)).astype(float)
    networks = {"untrained": bh.init_params(16, seed=0), "trained": trained}
    return {T: {label: sb.reach_back(p, inputs) for label, p in networks.items()}
            for T, inputs in ((8, short), (64, long))}


def notebook_outputs():
    """o and y (T,) of 9 + 60 with the post's weights, as notebook 03 plots them."""
    x, y = bh.addition_batch(np.array([9]), np.array([60]), width=8)
    return bh.forward(bh.init_params(16, seed=0), x).output[:, 0], y[:, 0]


FIGURES = {   # every figure of bh.show_backprop, built as notebook 03 builds it
    "plot_loss_and_error": lambda trained: ft.static_text(sb.plot_loss_and_error(*notebook_outputs())),
    "plot_difference_errors": lambda trained: ft.static_text(
        sb.plot_difference_errors(*notebook_difference_errors())),
    "plot_backward_overview": lambda trained: ft.static_text(
        sb.plot_backward_overview(bh.init_params(16, seed=0), 9, 60, label="untrained network")),
    "plot_reach_back": lambda trained: ft.static_text(sb.plot_reach_back(notebook_reach(trained))),
    "BackwardStepFrame": lambda trained: ft.frame_text(
        lambda: sb.BackwardStepFrame(bh.init_params(16, seed=0), 9, 60, label="untrained network"),
        [(t,) for t in range(7, -1, -1)]),             # the slider runs from t = 7 down to 0
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def sums(a, b, width=8):
    return bh.addition_batch(np.array(a), np.array(b), width)


def bits(a, b, T=8):
    """x (T, 2) and y (T,) of a + b by shifting, LSB first."""
    return (np.array([[(a >> t) & 1, (b >> t) & 1] for t in range(T)], dtype=float),
            np.array([((a + b) >> t) & 1 for t in range(T)]))


def plain_backward(params, a, b):
    """The backward pass of one sum, per unit, written apart from the package.

    Returns delta_out (T,), delta_h, via_W, via_V (T, H), the running dU, dW, dV after
    processing steps T-1..t (lists indexed by t), outputs (T,), targets (T,).
    """
    T, H = 8, params.hidden_size
    x, y = bits(a, b, T)
    hidden, o = plain_run(params, a, b, T)
    h = np.vstack([np.zeros(H), hidden])                 # h[t + 1] is the state after step t
    d_out = (o - y) * o * (1 - o)
    d_h, via_W, via_V = np.zeros((T, H)), np.zeros((T, H)), np.zeros((T, H))
    dU, dW, dV = [None] * T, [None] * T, [None] * T
    gU, gW, gV = np.zeros((2, H)), np.zeros((H, H)), np.zeros((H, 1))
    nxt = np.zeros(H)
    for t in range(T - 1, -1, -1):
        slope = h[t + 1] * (1 - h[t + 1])
        for i in range(H):
            via_W[t, i] = sum(nxt[j] * params.W[i, j] for j in range(H)) * slope[i]
            via_V[t, i] = d_out[t] * params.V[i, 0] * slope[i]
        d_h[t] = via_W[t] + via_V[t]
        gV = gV + np.outer(h[t + 1], [d_out[t]])
        gW = gW + np.outer(h[t], d_h[t])
        gU = gU + np.outer(x[t], d_h[t])
        dU[t], dW[t], dV[t] = gU, gW, gV
        nxt = d_h[t]
    return d_out, d_h, via_W, via_V, dU, dW, dV, o, y


def fd_hidden_deltas(params, inputs, targets, eps=1e-6):
    """dL/dz^h_t[n, i] by central differences, nudging one pre-activation of all examples."""
    T, N, _ = inputs.shape
    H = params.hidden_size

    def per_example_loss(t_nudge, i, step):
        h = np.zeros((N, H))
        total = np.zeros(N)
        for t in range(T):
            z = inputs[t] @ params.U + h @ params.W
            if t == t_nudge:
                z[:, i] += step
            h = 1 / (1 + np.exp(-z))
            o = 1 / (1 + np.exp(-(h @ params.V)[:, 0]))
            total += 0.5 * (targets[t] - o) ** 2
        return total

    out = np.zeros((T, N, H))
    for t in range(T):
        for i in range(H):
            out[t, :, i] = (per_example_loss(t, i, eps) - per_example_loss(t, i, -eps)) / (2 * eps)
    return out


# ---------------------------------------------------------------------------------------------
# backward_steps and the references
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed,a,b", [(0, [9], [60]), (1, [1, 2, 100, 127, 64], [3, 77, 27, 0, 63]),
                                      (5, [127], [127])])
def test_backward_steps_records_what_bh_backward_computes(seed, a, b):
    params = bh.init_params(16, seed=seed)
    x, y = sums(a, b)
    trace = bh.forward(params, x)
    st = sb.backward_steps(params, trace, y)
    for t, delta_o, delta_h in bh.backward_steps(params, trace, y):      # step by step
        assert np.array_equal(st.delta_out[t], delta_o[:, 0])
        assert np.array_equal(st.delta_h[t], delta_h)
    grads = bh.backward(params, trace, y)                                # and in total, same order
    for name in ("U", "W", "V"):
        assert np.array_equal(getattr(st, f"d{name}_so_far")[0], getattr(grads, name))
    np.testing.assert_allclose(st.via_W + st.via_V, st.delta_h, rtol=1e-12, atol=1e-17)


def test_backward_steps_matches_a_plain_loop_step_by_step():
    params = bh.init_params(16, seed=0)
    x, y = sums([9], [60])
    st = sb.backward_steps(params, bh.forward(params, x), y)
    d_out, d_h, via_W, via_V, dU, dW, dV, _, _ = plain_backward(params, 9, 60)
    np.testing.assert_allclose(st.delta_out[:, 0], d_out, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(st.delta_h[:, 0], d_h, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(st.via_W[:, 0], via_W, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(st.via_V[:, 0], via_V, rtol=1e-10, atol=1e-16)
    for t in range(8):
        np.testing.assert_allclose(st.dU_so_far[t], dU[t], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(st.dW_so_far[t], dW[t], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(st.dV_so_far[t], dV[t], rtol=1e-10, atol=1e-16)
    assert np.all(st.via_W[7] == 0)                      # nothing arrives after the last step
    assert np.all(st.dU_so_far[7] == 0) and np.all(st.dU_so_far[6] == 0)   # bits 7, 6 of 9, 60 are 0
    assert np.any(st.dU_so_far[5] != 0)


def test_backward_steps_deltas_are_derivatives_of_the_loss():
    params = bh.init_params(16, seed=2)
    x, y = sums([5, 90, 33], [7, 37, 94])
    st = sb.backward_steps(params, bh.forward(params, x), y)
    np.testing.assert_allclose(st.delta_h, fd_hidden_deltas(params, x, y), rtol=1e-5, atol=1e-10)


def test_reach_back_is_the_norm_of_d_last_output_d_earlier_hidden_state():
    params = bh.init_params(16, seed=0)
    rng = np.random.RandomState(0)
    x = rng.randint(0, 2, size=(6, 3, 2)).astype(float)
    T, N, H = 6, 3, 16
    trace = bh.forward(params, x)

    def last_output(n, s, hs):   # run from the state h_s = hs of example n to the last output
        h = hs
        for t in range(s + 1, T):
            h = 1 / (1 + np.exp(-(x[t, n] @ params.U + h @ params.W)))
        return float(1 / (1 + np.exp(-(h @ params.V[:, 0]))))

    expected = np.zeros(T)
    for k in range(T):
        s = T - 1 - k
        norms = []
        for n in range(N):
            base = trace.hidden[s + 1, n]
            grad = np.zeros(H)
            for i in range(H):
                e = np.zeros(H)
                e[i] = 1e-6
                grad[i] = (last_output(n, s, base + e) - last_output(n, s, base - e)) / 2e-6
            norms.append(np.linalg.norm(grad))
        expected[k] = np.mean(norms)
    np.testing.assert_allclose(sb.reach_back(params, x), expected, rtol=1e-5)


def test_reach_back_fades_over_long_sequences():
    params = bh.init_params(16, seed=0)
    x = np.random.RandomState(1).randint(0, 2, size=(64, 100, 2)).astype(float)
    r = sb.reach_back(params, x)
    assert r.shape == (64,) and np.all(r > 0)
    assert r[-1] / r[0] < 1e-12 and np.all(r[8:] < r[:-8])



def test_one_step_back_shrinks_at_most_by_the_spectral_norm_over_four():
    """Notebook 03, section 8: the spectral norm np.linalg.norm(W, 2) is the largest factor by which
    v @ W.T stretches a vector v, and one step back multiplies the size by at most ||W||_2 / 4."""
    rng = np.random.RandomState(2)
    W = bh.init_params(16, seed=0).W
    top = np.linalg.norm(W, 2)
    v = rng.normal(size=(2000, 16))
    stretch = np.linalg.norm(v @ W.T, axis=1) / np.linalg.norm(v, axis=1)
    assert stretch.max() <= top * (1 + 1e-12)
    most = np.linalg.svd(W)[2][0]                          # the direction stretched most
    assert np.linalg.norm(most @ W.T) == pytest.approx(top, rel=1e-12)
    assert np.linalg.norm(W) > top                         # without the 2: a larger number
    x = rng.randint(0, 2, size=(20, 50, 2)).astype(float)
    for seed, scale in ((0, 1.0), (1, 3.0), (2, 0.3)):
        p = bh.init_params(16, seed=seed)
        p = bh.Params(p.U, scale * p.W, p.V)
        r = sb.reach_back(p, x)
        assert np.all(r[1:] <= np.linalg.norm(p.W, 2) / 4 * r[:-1] * (1 + 1e-12))

# ---------------------------------------------------------------------------------------------
# static figures: what each one draws
# ---------------------------------------------------------------------------------------------
def test_plot_loss_and_error_draws_both_counts():
    params = bh.init_params(16, seed=0)
    _, o = plain_run(params, 9, 60, 8)
    y = bits(9, 60)[1]
    fig = sb.plot_loss_and_error(o, y)
    left, right = fig.axes
    gap = np.abs(y - o)
    heights = [p.get_height() for p in left.patches]
    np.testing.assert_allclose(heights[:8], gap, rtol=1e-12)
    np.testing.assert_allclose(heights[8:], 0.5 * gap ** 2, rtol=1e-12)
    totals = [t.get_text() for t in left.get_legend().get_texts()]
    assert "3.4564" in totals[0] and f"{0.5 * np.sum(gap ** 2):.4f}" in totals[1]   # the post's E
    markers = [ln for ln in right.lines if ln.get_linestyle() == "None"]
    np.testing.assert_allclose(markers[0].get_ydata(), gap, rtol=1e-12)
    np.testing.assert_allclose(markers[1].get_ydata(), 0.5 * gap ** 2, rtol=1e-12)


def test_plot_difference_errors_draws_the_given_errors():
    eps = np.array([1e-2, 1e-4, 1e-6])
    fig = sb.plot_difference_errors(eps, [1e-3, 1e-5, 0.0], [1e-7, 1e-11, 1e-10])
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1e-3, 1e-5, 1e-18])   # 0 shown at the floor
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1e-7, 1e-11, 1e-10])
    np.testing.assert_allclose(ax.lines[1].get_xdata(), eps)


def test_plot_backward_overview_shows_the_deltas():
    params = bh.init_params(16, seed=0)
    fig = sb.plot_backward_overview(params, 9, 60)
    ax_o, ax_h, ax_n = fig.axes[:3]
    d_out, d_h, via_W, via_V, *_ = plain_backward(params, 9, 60)
    np.testing.assert_allclose([p.get_height() for p in ax_o.patches], d_out, rtol=1e-10)
    np.testing.assert_allclose(ax_h.images[0].get_array(), d_h.T, rtol=1e-10, atol=1e-16)
    assert ax_h.images[0].get_clim() == pytest.approx((-np.abs(d_h).max(), np.abs(d_h).max()),
                                                      rel=1e-10)    # white is 0
    np.testing.assert_allclose(ax_n.lines[0].get_ydata(), np.linalg.norm(d_h, axis=1), rtol=1e-10)
    np.testing.assert_allclose(ax_n.lines[1].get_ydata(), np.linalg.norm(via_W, axis=1),
                               rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(ax_n.lines[2].get_ydata(), np.linalg.norm(via_V, axis=1), rtol=1e-10)
    _, _, _, _, _, _, _, outs, ys = plain_backward(params, 9, 60)      # each step's y and o under its bar
    assert [t.get_text() for t in ax_o.get_xticklabels()] == [f"{y}\n{o:.2f}" for y, o in zip(ys, outs)]
    assert [t.get_text() for t in ax_h.get_xticklabels()] == [str(t) for t in range(8)]


def test_plot_reach_back_one_panel_per_length():
    data = {8: {"one": 0.5 ** np.arange(8), "two": np.r_[1.0, 0.2, 0.0, np.full(5, 1e-3)]},
            16: {"one": 0.4 ** np.arange(16)}}
    fig = sb.plot_reach_back(data)
    assert len(fig.axes) == 2
    for ax, T in zip(fig.axes, (8, 16)):
        assert ax.get_yscale() == "log" and list(ax.lines[0].get_xdata()) == list(range(T))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), 0.5 ** np.arange(8))
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), 0.4 ** np.arange(16))
    two = fig.axes[0].lines[1].get_ydata()
    assert np.isnan(two[2]) and two[1] == 0.2           # a zero cannot be drawn on a log axis
    np.testing.assert_allclose(fig.axes[0].lines[2].get_ydata(), 0.5 ** np.arange(8))  # halving


# ---------------------------------------------------------------------------------------------
# the widget frame
# ---------------------------------------------------------------------------------------------
def test_every_frame_state_shows_the_backward_pass_so_far():
    frame = sb.BackwardStepFrame(bh.init_params(16, seed=0), 9, 60)
    d_out, d_h, via_W, via_V, dU, dW, dV, outs, ys = plain_backward(bh.init_params(16, seed=0), 9, 60)
    for t in range(7, -1, -1):                             # the slider runs backward in time
        text = frame.update(t)
        np.testing.assert_allclose([p.get_height() for p in frame.out_bars], d_out, rtol=1e-10)
        colours = [tuple(p.get_facecolor()) for p in frame.out_bars]
        processed, current, waiting = set(colours[t + 1:]), colours[t], set(colours[:t])
        assert len(processed) <= 1 and len(waiting) <= 1        # three groups, told apart
        assert current not in processed | waiting and not processed & waiting
        shown = np.asarray(frame.heat.get_array(), dtype=float)
        assert shown.shape == (16, 8) and np.all(np.isnan(shown[:, :t]))
        np.testing.assert_allclose(shown[:, t:], d_h[t:].T, rtol=1e-10, atol=1e-16)
        assert frame.cursor.get_x() == t - 0.5
        np.testing.assert_allclose([p.get_width() for p in frame.bars_W], via_W[t], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose([p.get_width() for p in frame.bars_V], via_V[t], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(frame.total_dots.get_xdata(), d_h[t], rtol=1e-10, atol=1e-16)
        np.testing.assert_allclose(frame.img_dW.get_array(), dW[t], rtol=1e-10, atol=1e-16)
        norms = [np.linalg.norm(dU[t]), np.linalg.norm(dW[t]), np.linalg.norm(dV[t])]
        np.testing.assert_allclose([p.get_height() for p in frame.norm_bars], norms, rtol=1e-10)
        assert f"<b>t = {t}</b>" in text and f"target y = {ys[t]}" in text
        assert f"output o = {outs[t]:.3f}" in text and f"δo = {d_out[t]:+.4f}" in text
        assert f"‖δh_t‖ = {np.linalg.norm(d_h[t]):.4f}" in text
        assert f"via W: {np.linalg.norm(via_W[t]):.4f}" in text
        for name, value in zip(("dU", "dW", "dV"), norms):
            assert f"‖{name}‖ = {value:.4f}" in text


def test_frame_draws_only_what_changes_over_a_baked_background():
    frame = sb.BackwardStepFrame(bh.init_params(16, seed=3), 100, 27, label="another network")
    fig = frame.fig
    assert fig.get_layout_engine() is None
    live = {id(a) for a in [*frame.out_bars, frame.zero_out, frame.heat, frame.cursor,
                            *frame.bars_W, *frame.bars_V, frame.total_dots, frame.zero_split,
                            frame.img_dW, *frame.norm_bars]}
    for ax in fig.axes:
        for child in ax.get_children():
            if child is not ax.patch:
                assert child.get_visible() == (id(child) in live)
    (background,) = fig.images
    assert background.get_array().shape[:2] == (360, 930)           # the figure at PNG_DPI
    assert background.get_array()[..., :3].std() > 20               # axes, labels: not blank
    frame.update(7)
    before = bh.widgets.figure_png(fig)
    frame.update(3)
    assert bh.widgets.figure_png(fig) != before


def test_frame_rejects_bad_arguments():
    params = bh.init_params(16, seed=0)
    with pytest.raises(ValueError, match="^a must"):
        sb.BackwardStepFrame(params, 128, 0)
    with pytest.raises(ValueError, match="^b must"):
        sb.BackwardStepFrame(params, 1, -1)
    with pytest.raises(TypeError, match="^a must"):
        sb.BackwardStepFrame(params, 1.0, 2)
    with pytest.raises(TypeError, match="params"):
        sb.BackwardStepFrame("weights", 1, 2)
    frame = sb.BackwardStepFrame(params, 1, 2)
    with pytest.raises(ValueError, match="^t must"):
        frame.update(8)
    with pytest.raises(TypeError, match="^t must"):
        frame.update(2.0)


def test_helpers_reject_bad_arguments():
    params = bh.init_params(16, seed=0)
    x, y = sums([1], [2])
    trace = bh.forward(params, x)
    with pytest.raises(TypeError, match="params"):
        sb.backward_steps(None, trace, y)
    with pytest.raises(TypeError, match="trace"):
        sb.backward_steps(params, x, y)
    with pytest.raises(ValueError, match="targets"):
        sb.backward_steps(params, trace, y[:4])
    with pytest.raises(ValueError, match="hidden units"):
        sb.backward_steps(bh.init_params(4, seed=0), trace, y)
    with pytest.raises(ValueError, match="inputs"):
        sb.reach_back(params, np.zeros((8, 2)))
    with pytest.raises(ValueError, match="shape"):
        sb.plot_reach_back({8: {"x": np.ones(7)}})
    with pytest.raises(ValueError, match="central_error must hold one error per step in eps"):
        sb.plot_difference_errors([1e-1, 1e-2], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="eps must be a 1-D list of positive step sizes"):
        sb.plot_difference_errors([1e-1, -1e-2], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="o and y must"):
        sb.plot_loss_and_error(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="o and y must"):
        sb.plot_loss_and_error([0.5, 0.5], [1.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: sb.plot_reach_back({}), ValueError,
     "norms_by_length must hold at least one sequence length T, got {}"),
    (lambda: sb.plot_reach_back(None), TypeError,
     "norms_by_length must be a dict {T: {label: reach_back norms (T,)}}, got NoneType"),
    (lambda: sb.plot_reach_back({8: {}}), ValueError, "norms_by_length[8] must hold 1 to 4 curves, got 0"),
    (lambda: sb.plot_reach_back({8: [1.0] * 8}), TypeError,
     "norms_by_length[8] must be a dict {label: norms (T,)}, got [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]"),
    (lambda: sb.plot_reach_back({"8": {"x": np.ones(8)}}), TypeError,
     "norms_by_length's keys (sequence lengths T) must be an integer, got '8' (str)"),
    (lambda: sb.plot_difference_errors([1e-3, 1e-4], [1], [1, 2, 3]), ValueError,
     "one_sided_error must hold one error per step in eps (2), got shape (1,)"),
    (lambda: sb.plot_difference_errors([], [], []), ValueError,
     "eps must be a 1-D list of positive step sizes, got []"),
])
def test_figures_refuse_empty_or_mismatched_data_in_one_line(call, error, message):
    with pytest.raises(error) as err:
        call()
    assert str(err.value) == message
    assert plt.get_fignums() == []
