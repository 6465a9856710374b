"""Tests of binrnn_helpers.show_backprop: the backward-pass helpers, figures and widget frame.

Every expected value is computed here independently: by a plain per-example backward loop written
below, by central finite differences of the loss, or by bh.backward.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_backprop as sb  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def sums(a, b, width=8):
    return bh.addition_batch(np.array(a), np.array(b), width)


def plain_backward(params, a, b):
    """One example, written as plainly as possible (per-unit loops for the recursion).

    Returns delta_out (T,), delta_h (T, H), via_W (T, H), via_V (T, H), running dU, dW, dV
    after processing steps T-1..t (lists indexed by t), outputs (T,), targets (T,).
    """
    T, H = 8, params.hidden_size
    xs = [np.array([(a >> t) & 1, (b >> t) & 1], dtype=float) for t in range(T)]
    ys = [((a + b) >> t) & 1 for t in range(T)]
    hs = [np.zeros(H)]
    os_ = []
    for t in range(T):
        hs.append(1 / (1 + np.exp(-(xs[t] @ params.U + hs[-1] @ params.W))))
        os_.append(float(1 / (1 + np.exp(-(hs[-1] @ params.V[:, 0])))))
    d_out = np.zeros(T)
    d_h, via_W, via_V = np.zeros((T, H)), np.zeros((T, H)), np.zeros((T, H))
    dU, dW, dV = [None] * T, [None] * T, [None] * T
    gU, gW, gV = np.zeros((2, H)), np.zeros((H, H)), np.zeros((H, 1))
    nxt = np.zeros(H)
    for t in range(T - 1, -1, -1):
        o, h = os_[t], hs[t + 1]
        d_out[t] = (o - ys[t]) * o * (1 - o)
        for i in range(H):
            later = sum(nxt[j] * params.W[i, j] for j in range(H))
            via_W[t, i] = later * h[i] * (1 - h[i])
            via_V[t, i] = d_out[t] * params.V[i, 0] * h[i] * (1 - h[i])
            d_h[t, i] = via_W[t, i] + via_V[t, i]
        gV = gV + np.outer(h, [d_out[t]])
        gW = gW + np.outer(hs[t], d_h[t])
        gU = gU + np.outer(xs[t], d_h[t])
        dU[t], dW[t], dV[t] = gU, gW, gV
        nxt = d_h[t]
    return d_out, d_h, via_W, via_V, dU, dW, dV, np.array(os_), np.array(ys)


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
def test_backward_steps_full_gradients_equal_bh_backward(seed, a, b):
    params = bh.init_params(16, seed=seed)
    x, y = sums(a, b)
    trace = bh.forward(params, x)
    st = sb.backward_steps(params, trace, y)
    g = bh.backward(params, trace, y)
    np.testing.assert_allclose(st.dU_so_far[0], g.U, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(st.dW_so_far[0], g.W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(st.dV_so_far[0], g.V, rtol=1e-12, atol=1e-15)
    T, N, H = 8, len(a), 16
    assert st.delta_out.shape == (T, N) and st.delta_h.shape == (T, N, H)
    assert st.dU_so_far.shape == (T, 2, H) and st.dW_so_far.shape == (T, H, H)
    assert st.dV_so_far.shape == (T, H, 1)


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


def test_complex_step_hidden_deltas_agree_with_central_differences():
    params = bh.init_params(16, seed=4)
    x, y = sums([12, 100], [99, 3])
    cs = sb.complex_step_hidden_deltas(params, x, y)
    assert cs.shape == (8, 2, 16)
    np.testing.assert_allclose(cs, fd_hidden_deltas(params, x, y), rtol=1e-5, atol=1e-10)
    # and it works on other lengths and hidden sizes
    small = bh.init_params(3, seed=1)
    x3, y3 = sums([1, 2], [2, 1], width=3)
    np.testing.assert_allclose(sb.complex_step_hidden_deltas(small, x3, y3),
                               fd_hidden_deltas(small, x3, y3), rtol=1e-5, atol=1e-10)


def test_complex_step_output_delta():
    o = np.array([[0.2, 0.9, 0.5], [0.01, 0.99, 0.7]])
    y = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    got = sb.complex_step_output_delta(o, y)
    z = np.log(o / (1 - o))
    f = lambda zz: 0.5 * (y - 1 / (1 + np.exp(-zz))) ** 2  # noqa: E731
    fd = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(got, fd, rtol=1e-6)
    np.testing.assert_allclose(got, (o - y) * o * (1 - o), rtol=1e-12)


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


# ---------------------------------------------------------------------------------------------
# static figures
# ---------------------------------------------------------------------------------------------
def _labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_plot_loss_and_error_draws_both_counts():
    params = bh.init_params(16, seed=0)
    x, y = sums([9], [60])
    o = bh.forward(params, x).output[:, 0]
    fig = sb.plot_loss_and_error(o, y[:, 0])
    left, right = fig.axes
    assert _labelled(left) and _labelled(right)
    heights = [p.get_height() for p in left.patches]
    gap = np.abs(y[:, 0] - o)
    np.testing.assert_allclose(heights[:8], gap)
    np.testing.assert_allclose(heights[8:], 0.5 * gap ** 2)
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert "3.4564" in labels[0] and f"{0.5 * np.sum(gap ** 2):.4f}" in labels[1]
    markers = [ln for ln in right.lines if ln.get_linestyle() == "None"]
    np.testing.assert_allclose(markers[1].get_ydata(), 0.5 * gap ** 2)


def test_plot_difference_errors_draws_the_given_errors():
    eps = np.array([1e-2, 1e-4, 1e-6])
    fig = sb.plot_difference_errors(eps, [1e-3, 1e-5, 0.0], [1e-7, 1e-11, 1e-10])
    (ax,) = fig.axes
    assert _labelled(ax) and ax.get_xscale() == "log" and ax.get_yscale() == "log"
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
    np.testing.assert_allclose(ax_n.lines[0].get_ydata(), np.linalg.norm(d_h, axis=1), rtol=1e-10)
    np.testing.assert_allclose(ax_n.lines[1].get_ydata(), np.linalg.norm(via_W, axis=1),
                               rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(ax_n.lines[2].get_ydata(), np.linalg.norm(via_V, axis=1), rtol=1e-10)
    assert "9 + 60 = 69" in ax_o.get_title()
    assert ax_o.get_ylabel() and ax_h.get_ylabel() and ax_h.get_title()
    assert _labelled(ax_n)
    (cbar,) = ax_h.child_axes                                   # the colour bar says what colour means
    assert cbar.get_ylabel() == "δh_t[i]" and cbar.get_ylim() == pytest.approx(
        (-np.abs(d_h).max(), np.abs(d_h).max()), rel=1e-10)


def test_plot_reach_back_one_panel_per_length():
    data = {8: {"one": 0.5 ** np.arange(8), "two": np.r_[1.0, 0.2, 0.0, np.full(5, 1e-3)]},
            16: {"one": 0.4 ** np.arange(16)}}
    fig = sb.plot_reach_back(data)
    assert len(fig.axes) == 2
    for ax, T in zip(fig.axes, (8, 16)):
        assert _labelled(ax) and ax.get_yscale() == "log" and str(T) in ax.get_title()
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), 0.5 ** np.arange(8))
    two = fig.axes[0].lines[1].get_ydata()
    assert np.isnan(two[2]) and two[1] == 0.2           # a zero cannot be drawn on a log axis


# ---------------------------------------------------------------------------------------------
# the widget frame
# ---------------------------------------------------------------------------------------------
def test_every_frame_state_shows_the_backward_pass_so_far():
    (name, frame, states), = sb.example_frames()
    assert name == "BackwardStepFrame" and sorted(states) == [(t,) for t in range(8)]
    assert states[0] == (7,) and states[-1] == (0,)      # the slider runs backward in time
    d_out, d_h, via_W, via_V, dU, dW, dV, outs, ys = plain_backward(bh.init_params(16, seed=0), 9, 60)
    vermillion = matplotlib.colors.to_rgba(bh.style.COLORS["vermillion"])
    blue = matplotlib.colors.to_rgba(bh.style.COLORS["blue"])
    for (t,) in states:
        text = frame.update(t)
        np.testing.assert_allclose([p.get_height() for p in frame.out_bars], d_out, rtol=1e-10)
        colours = [p.get_facecolor() for p in frame.out_bars]
        assert colours[t] == vermillion
        assert all(colours[s] == blue for s in range(t + 1, 8))
        assert all(colours[s] not in (blue, vermillion) for s in range(t))
        shown = np.asarray(frame.heat.get_array(), dtype=float)
        assert shown.shape == (16, 8)
        assert np.all(np.isnan(shown[:, :t]))
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
        assert f"‖dW‖ = {norms[1]:.4f}" in text
        png = bh.widgets.figure_png(frame.fig)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_frame_is_laid_out_once_and_draws_only_what_changes():
    frame = sb.BackwardStepFrame(bh.init_params(16, seed=3), 100, 27, label="another network")
    fig = frame.fig
    assert fig.get_layout_engine() is None
    live = {id(a) for a in [*frame.out_bars, frame.zero_out, frame.heat, frame.cursor,
                            *frame.bars_W, *frame.bars_V, frame.total_dots, frame.zero_split,
                            frame.img_dW, *frame.norm_bars]}
    background = [ax for ax in fig.axes if ax.get_zorder() == -100]
    assert len(background) == 1
    image = background[0].images[0].get_array()
    assert image.shape[:2] == (round(fig.get_figheight() * fig.dpi), round(fig.get_figwidth() * fig.dpi))
    for ax in fig.axes:
        if ax is background[0]:
            continue
        for child in ax.get_children():
            assert child.get_visible() == (id(child) in live)
    assert frame.update(0) != frame.update(7)
    one = bh.widgets.figure_png(fig)
    frame.update(3)
    assert bh.widgets.figure_png(fig) != one


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
    with pytest.raises(ValueError, match="trace.hidden"):
        sb.backward_steps(bh.init_params(4, seed=0), trace, y)
    with pytest.raises(ValueError, match="same shape"):
        sb.complex_step_output_delta([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="o must"):
        sb.complex_step_output_delta([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="inputs"):
        sb.complex_step_hidden_deltas(params, x[:, :, :1], y)
    with pytest.raises(ValueError, match="inputs"):
        sb.reach_back(params, np.zeros((8, 2)))
    with pytest.raises(TypeError, match="norms_by_length"):
        sb.plot_reach_back({})
    with pytest.raises(ValueError, match="shape"):
        sb.plot_reach_back({8: {"x": np.ones(7)}})
    with pytest.raises(ValueError, match="central_error"):
        sb.plot_difference_errors([1e-1, 1e-2], [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="eps"):
        sb.plot_difference_errors([1e-1, -1e-2], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="o must be"):
        sb.plot_loss_and_error(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="y must"):
        sb.plot_loss_and_error([0.5, 0.5], [1.0])
