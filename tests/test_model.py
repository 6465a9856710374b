import warnings

import numpy as np
import pytest

import binrnn_helpers as bh
from conftest import plain_run


def test_init_matches_post_draw_order_and_leaves_global_state_alone():
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    p = bh.init_params(16, seed=0)
    assert np.random.random() == before           # global stream untouched
    rng = np.random.RandomState(0)                 # the post: seed(0), then U, V, W
    U = 2 * rng.random_sample((2, 16)) - 1
    V = 2 * rng.random_sample((16, 1)) - 1
    W = 2 * rng.random_sample((16, 16)) - 1
    assert np.array_equal(p.U, U) and np.array_equal(p.V, V) and np.array_equal(p.W, W)
    assert p.U.shape == (2, 16) and p.W.shape == (16, 16) and p.V.shape == (16, 1)
    assert -1 <= min(p.U.min(), p.W.min(), p.V.min()) and max(p.U.max(), p.W.max(), p.V.max()) < 1


def test_sigmoid_exact_and_no_overflow_warning():
    z = np.linspace(-30, 30, 101)
    assert np.array_equal(bh.sigmoid(z), 1 / (1 + np.exp(-z)))   # the post's formula, bit for bit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = bh.sigmoid(np.array([-1e4, -800.0, -700.5, 0.0, 800.0, 1e4]))
    assert s[0] == 0.0 and 0 < s[2] < 1e-300 and s[3] == 0.5 and s[-1] == 1.0
    assert s[1] == pytest.approx(np.exp(-800.0), rel=1e-12, abs=0)


def loop_forward(params, a, b, width):
    """(width, N) outputs, one plain per-step loop per example (conftest.plain_run)."""
    return np.array([plain_run(params, int(ai), int(bi), width)[1] for ai, bi in zip(a, b)]).T


def test_vectorised_forward_matches_plain_loop():
    params = bh.init_params(16, seed=3)
    rng = np.random.RandomState(7)
    a, b = rng.randint(128, size=50), rng.randint(128, size=50)
    x, _ = bh.addition_batch(a, b, 8)
    trace = bh.forward(params, x)
    assert trace.hidden.shape == (9, 50, 16) and trace.output.shape == (8, 50)
    assert np.all(trace.hidden[0] == 0)
    np.testing.assert_allclose(trace.output, loop_forward(params, a, b, 8), rtol=1e-12, atol=0)


def test_loss_is_half_sum_of_squares():
    o = np.array([[0.2, 0.9], [0.5, 0.1]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert bh.loss(o, y) == pytest.approx(0.5 * (0.04 + 0.01 + 0.25 + 0.01))


@pytest.mark.parametrize("hidden, width, n", [(1, 1, 1), (3, 4, 2), (16, 8, 1), (16, 8, 5), (7, 12, 3)])
def test_backward_matches_finite_differences(hidden, width, n):
    params = bh.init_params(hidden, seed=hidden + width)
    rng = np.random.RandomState(width)
    half = 2 ** (width - 1)
    x, y = bh.addition_batch(rng.randint(half, size=n), rng.randint(half, size=n), width)
    table = bh.gradient_check_table(params, x, y)
    assert max(table.values()) < 1e-7, table
    assert bh.gradient_check(params, x, y) == max(table.values())


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """The check is not vacuous: a backward pass that forgets the recurrent path fails it."""
    params = bh.init_params(8, seed=1)
    x, y = bh.addition_batch(np.array([37, 90]), np.array([55, 21]), 8)
    real_backward = bh.model.backward

    def without_recurrence(p, trace, targets, cross_entropy=False):
        frozen = bh.Params(p.U, np.zeros_like(p.W), p.V)
        return real_backward(frozen, trace, targets, cross_entropy)

    monkeypatch.setattr(bh.model, "backward", without_recurrence)
    assert bh.gradient_check(params, x, y) > 1e-2


def test_backward_sums_the_steps_backward_steps_yields():
    params = bh.init_params(5, seed=3)
    x, y = bh.addition_batch([3, 100, 77], [9, 27, 50], 8)
    trace = bh.forward(params, x)
    steps = list(bh.backward_steps(params, trace, y))
    assert [t for t, _, _ in steps] == list(range(7, -1, -1))
    h = trace.hidden
    total = [sum(h[t + 1].T @ d_o for t, d_o, _ in steps), sum(h[t].T @ d_h for t, _, d_h in steps),
             sum(x[t].T @ d_h for t, _, d_h in steps)]
    grads = bh.backward(params, trace, y)
    for got, want in zip((grads.V, grads.W, grads.U), total):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_cross_entropy_gradient_matches_finite_differences():
    params = bh.init_params(4, seed=1)
    x, y = bh.addition_batch([3, 100], [9, 27], 8)
    grads = bh.backward(params, bh.forward(params, x), y, cross_entropy=True)
    numeric = bh.numerical_gradient(params, x, y, cross_entropy=True)
    for name in "UWV":
        assert bh.relative_error(getattr(numeric, name), getattr(grads, name)) < 1e-7
    # and it is not the squared error's gradient
    assert bh.relative_error(numeric.W, bh.backward(params, bh.forward(params, x), y).W) > 0.1


def test_backward_is_minus_the_posts_update():
    """For one example the post's U_update etc. (computed here as the post does) are -grad."""
    params = bh.init_params(16, seed=0)
    a, b = 9, 60
    x, y = bh.addition_batch(np.array([a]), np.array([b]), 8)
    trace = bh.forward(params, x)
    g = bh.backward(params, trace, y)
    sig_d = lambda s: s * (1 - s)
    hs = trace.hidden[:, 0, :]
    out_deltas = [(y[t, 0] - trace.output[t, 0]) * sig_d(trace.output[t, 0]) for t in range(8)]
    future = np.zeros(16)
    U_up, W_up, V_up = np.zeros((2, 16)), np.zeros((16, 16)), np.zeros((16, 1))
    for t in reversed(range(8)):
        d1 = (future @ params.W.T + out_deltas[t] * params.V[:, 0]) * sig_d(hs[t + 1])
        V_up[:, 0] += hs[t + 1] * out_deltas[t]
        W_up += np.outer(hs[t], d1)
        U_up += np.outer(x[t, 0], d1)
        future = d1
    np.testing.assert_allclose(g.U, -U_up, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.W, -W_up, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.V, -V_up, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: bh.init_params(0), ValueError, "hidden_size must be >= 1"),
    (lambda: bh.init_params(2.5), TypeError, "hidden_size must be an integer"),
    (lambda: bh.init_params(4, seed=-1), ValueError, "seed must be >= 0"),
    (lambda: bh.forward("weights", np.zeros((8, 1, 2))), TypeError, "params must be a binrnn_helpers.Params"),
    (lambda: bh.forward(bh.init_params(4), np.zeros((8, 2))), ValueError, "inputs must have shape (T, N, 2)"),
    (lambda: bh.forward(bh.init_params(4), np.zeros((8, 1, 3))), ValueError, "inputs must have shape (T, N, 2)"),
    (lambda: bh.forward(bh.init_params(4), np.array([[["a", "b"]]])), TypeError, "inputs must be numeric"),
    (lambda: bh.backward(bh.init_params(4), bh.forward(bh.init_params(4), np.zeros((8, 2, 2))),
                         np.zeros((8, 3))), ValueError, "targets must have shape (T, N) = (8, 2)"),
    (lambda: bh.backward(bh.init_params(4), "trace", np.zeros((8, 3))), TypeError, "trace must be the Trace"),
    (lambda: bh.loss(np.zeros(3), np.zeros(4)), ValueError, "output and targets must have the same shape"),
    (lambda: bh.gradient_check(bh.init_params(4), np.zeros((8, 2, 2)), np.zeros((7, 2))), ValueError,
     "targets must have shape"),
    (lambda: bh.Params(np.zeros((2, 4)), np.zeros((4, 4)), np.zeros((3, 1))), ValueError, "Params.V must have shape (4, 1)"),
    (lambda: bh.Params(np.zeros((2, 4)), np.zeros((4, 4), dtype=np.float32), np.zeros((4, 1))), TypeError,
     "Params.W must be a float64 numpy array"),
])
def test_bad_input_is_named(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_sigmoid_computes_integers_in_float64_and_keeps_float32():
    np.testing.assert_allclose(bh.sigmoid(np.array([0, 1, 2], dtype=np.uint8)),
                               1 / (1 + np.exp(-np.array([0.0, 1.0, 2.0]))), rtol=1e-15)
    assert bh.sigmoid(np.array([True])).dtype == np.float64
    assert bh.sigmoid(np.zeros(3, np.float32)).dtype == np.float32
    assert bh.sigmoid(np.array([1j])).dtype == np.complex128            # 03's complex step


def test_cross_entropy_of_saturated_outputs_is_finite_and_checked_by_gradient_check():
    o, y = np.array([[1.0, 0.0, 0.5]]), np.array([[1.0, 0.0, 1.0]])
    assert bh.cross_entropy_loss(o, y) == -np.log(0.5)
    params = bh.init_params(3, seed=4)
    x, t = bh.addition_batch([3, 60], [9, 27], 8)
    assert bh.gradient_check(params, x, t, cross_entropy=True) < 1e-7


BAD_WEIGHTS = [   # (U, W, V) for H = 4 with one bad array, the field named, the error
    ((np.full((2, 4), np.nan), np.zeros((4, 4)), np.zeros((4, 1))), ValueError,
     "Params.U must hold finite numbers, got NaN or inf"),
    ((np.zeros((2, 4)), np.zeros((4, 4)), np.full((4, 1), -np.inf)), ValueError,
     "Params.V must hold finite numbers, got NaN or inf"),
    ((np.zeros((2, 4)), np.zeros((4, 4), dtype=object), np.zeros((4, 1))), TypeError,
     "Params.W must be a float64 numpy array, got an array of dtype object"),
    ((np.zeros((2, 4), dtype=np.float32), np.zeros((4, 4)), np.zeros((4, 1))), TypeError,
     "Params.U must be a float64 numpy array, got an array of dtype float32"),
    ((np.zeros((2, 4)), np.zeros((4, 4)), np.zeros((1, 4))), ValueError,
     "Params.V must have shape (4, 1) for H = 4 hidden units"),
    ((np.zeros((2, 4)), np.zeros((4, 3)), np.zeros((4, 1))), ValueError,
     f"Params.W must have shape (H, H) with 1 <= H <= {bh.model.MAX_HIDDEN_SIZE}, got (4, 3)"),
]


@pytest.mark.parametrize("arrays, exc, message", BAD_WEIGHTS)
def test_params_refuses_what_load_params_refuses(tmp_path, arrays, exc, message):
    """Built or assigned, Params holds only what a weights file may hold (issue 15, case 7)."""
    path = tmp_path / "bad.npz"
    np.savez(path, **dict(zip("UWV", arrays)))
    with pytest.raises(ValueError):
        bh.load_params(path)
    with pytest.raises(exc) as info:
        bh.Params(*arrays)
    assert str(info.value).startswith(message)
    p = bh.init_params(4, seed=0)
    field = message.split()[0]                          # Params.U, Params.W or Params.V
    bad, before = arrays["UWV".index(field[-1])], p.copy()
    with pytest.raises(exc) as info:
        setattr(p, field[-1], bad)                      # p.U = ..., p.W = ..., p.V = ...
    assert str(info.value).startswith(f"{field} must ") and "\n" not in str(info.value)
    assert all(np.array_equal(getattr(p, n), getattr(before, n)) for n in "UWV")   # kept


def test_params_assignment_keeps_its_hidden_size_and_type():
    p = bh.init_params(4, seed=0)
    p.U = np.ones((2, 4))                               # a valid array is taken
    p.W -= 0.5                                          # as the post's loop updates
    assert np.array_equal(p.U, np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"^Params.W must have shape \(4, 4\) for H = 4 hidden units"):
        p.W = np.zeros((8, 8))
    with pytest.raises(TypeError, match="^Params.V must be a float64 numpy array, got list$"):
        p.V = [[0.0]] * 4
    with pytest.raises(TypeError, match="^Params.U must be a float64 numpy array, got MaskedArray$"):
        p.U = np.ma.zeros((2, 4))
    with pytest.raises(ValueError, match=r"^Params.W must have shape \(H, H\) with 1 <= H <= 4096, got \(0, 0\)"):
        bh.Params(np.zeros((2, 0)), np.zeros((0, 0)), np.zeros((0, 1)))


def test_hidden_size_and_seed_are_bounded_in_one_line():
    """Issue 15, case 9: init_params(2**200) and a hidden size that cannot fit memory."""
    with pytest.raises(ValueError) as info:
        bh.init_params(16, 2**200)
    assert str(info.value) == "seed must be <= 4294967295 (allowed: 0 to 4294967295), got a 61-digit number"
    with pytest.raises(ValueError) as info:
        bh.init_params(10**6)
    assert str(info.value) == "hidden_size must be <= 4096 (allowed: 1 to 4096), got 1000000"
    assert bh.model.MAX_HIDDEN_SIZE == 4096


@pytest.mark.parametrize("eps, exc, message", [
    (0, ValueError, "eps must be a number in [1e-10, 0.1], got 0"),
    (1e-300, ValueError, "eps must be a number in [1e-10, 0.1], got 1e-300"),
    (-1e-5, ValueError, "eps must be a number in [1e-10, 0.1], got -1e-05"),
    (0.5, ValueError, "eps must be a number in [1e-10, 0.1], got 0.5"),
    (float("nan"), ValueError, "eps must be a number in [1e-10, 0.1], got nan"),
    ("1e-5", TypeError, "eps must be a number in [1e-10, 0.1], got '1e-5' (str)"),
])
def test_gradient_check_eps_is_checked(eps, exc, message):
    """Issue 15, case 9: eps = 0 divided by zero; eps = 1e-300 returned 1.0 (a wrong 'all fine')."""
    p = bh.init_params(3, seed=1)
    x, y = bh.addition_batch([3], [5], 4)
    for check in (bh.gradient_check, bh.gradient_check_table, bh.numerical_gradient):
        with pytest.raises(exc) as info:
            check(p, x, y, eps=eps)
        assert str(info.value) == message
    assert bh.gradient_check(p, x, y, eps=np.float32(1e-4)) < 1e-7    # numpy floats count
    bh.numerical_gradient(p, x, y, eps=1e-10)                            # the smallest allowed


def test_a_trace_from_another_network_is_named_on_every_route():
    """Issue 15, case 9: backward, backward_steps (when called, not when first iterated) and the
    backprop view all say which trace does not fit."""
    p4, p8 = bh.init_params(4, seed=0), bh.init_params(8, seed=0)
    x, y = bh.addition_batch([9, 1], [60, 2], 8)
    other = bh.forward(p8, x)
    for route in (bh.backward, bh.backward_steps, bh.show_backprop.backward_steps):
        with pytest.raises(ValueError) as info:
            route(p4, other, y)
        assert str(info.value) == ("trace has 8 hidden units but params has 4: "
                                   "use the trace forward made with these params")
    shorter = bh.forward(p4, x[:5])
    with pytest.raises(ValueError, match=r"^targets must have shape \(T, N\) = \(5, 2\)"):
        bh.backward(p4, shorter, y)
    broken = bh.Trace(other.inputs, other.hidden[1:], other.output)
    with pytest.raises(ValueError) as info:
        bh.backward(p8, broken, y)
    assert str(info.value) == ("trace must be the Trace forward returned: inputs (T, N, 2), hidden "
                               "(T+1, N, H), output (T, N); got (8, 2, 2), (8, 2, 8), (8, 2)")


def _net_and_sums():
    p = bh.init_params(3, seed=1)
    x, y = bh.addition_batch([3, 5], [9, 2], 8)
    return p, x, y, bh.forward(p, x)


@pytest.mark.parametrize("targets, cross_entropy, message", [
    (np.nan, False, "targets must hold finite numbers, got NaN or inf"),
    (np.inf, True, "targets must hold finite numbers, got NaN or inf"),
    (2, False, "targets must hold values in [0, 1], got 2.0"),
    (-0.5, False, "targets must hold values in [0, 1], got -0.5"),
    (0.5, True, "targets must hold only 0 and 1 for the cross-entropy, got 0.5"),
])
def test_targets_are_checked_not_blamed_on_the_weights(targets, cross_entropy, message):
    """Bad-input probe: NaN targets in backward used to end in "Params.W must hold finite numbers"."""
    p, x, _, trace = _net_and_sums()
    y = np.full((8, 2), targets)
    for route in (lambda: bh.backward(p, trace, y, cross_entropy),
                  lambda: bh.backward_steps(p, trace, y, cross_entropy),
                  lambda: bh.gradient_check(p, x, y, cross_entropy=cross_entropy),
                  lambda: bh.numerical_gradient(p, x, y, cross_entropy=cross_entropy)):
        with pytest.raises(ValueError) as info:
            route()
        assert str(info.value) == message
    assert np.isfinite(bh.backward(p, trace, np.full((8, 2), 0.5)).W).all()   # [0, 1] for the post's loss


@pytest.mark.parametrize("flag", ["no", 1, None, 0.0])
def test_cross_entropy_must_be_a_bool(flag):
    """Bad-input probe: cross_entropy="no" was truthy and picked the cross-entropy."""
    p, x, y, trace = _net_and_sums()
    routes = [lambda: bh.backward(p, trace, y, flag), lambda: bh.backward_steps(p, trace, y, flag),
              lambda: bh.gradient_check(p, x, y, cross_entropy=flag),
              lambda: bh.gradient_check_table(p, x, y, cross_entropy=flag),
              lambda: bh.numerical_gradient(p, x, y, cross_entropy=flag)]
    for route in routes:
        with pytest.raises(TypeError) as info:
            route()
        assert str(info.value) == f"cross_entropy must be True or False, got {flag!r} ({type(flag).__name__})"
    assert bh.gradient_check(p, x, y, cross_entropy=np.bool_(True)) < 1e-7


@pytest.mark.parametrize("output, targets, exc, message", [
    (None, None, TypeError, "output must be numeric (real numbers), got None"),
    (["a"], [1], TypeError, "output must be numeric (real numbers), got ['a']"),
    ([1 + 1j], [1], TypeError, "output must be numeric (real numbers), got [(1+1j)]"),
    ([0.5], np.array(["1"]), TypeError, "targets must be numeric (real numbers), got dtype <U1"),
    ([[0.5], [0.5, 0.5]], [1], ValueError,
     "output must be an array of numbers, got nested sequences of different lengths"),
    ([np.nan], [1], ValueError, "output must hold finite numbers, got NaN or inf"),
    ([0.5], [np.inf], ValueError, "targets must hold finite numbers, got NaN or inf"),
    ([0.5, 0.5], [1], ValueError, "output and targets must have the same shape, got (2,) and (1,)"),
])
def test_losses_check_output_and_targets(output, targets, exc, message):
    """Bad-input probe: loss(None, None) was nan; strings and complex numbers raised numpy's errors."""
    for f in (bh.loss, bh.cross_entropy_loss):
        with pytest.raises(exc) as info:
            f(output, targets)
        assert str(info.value) == message


def test_cross_entropy_loss_takes_probabilities_and_bits_only():
    """Bad-input probe: cross_entropy_loss([1.5], [1]) was negative; targets 0.5 or 2 were taken."""
    with pytest.raises(ValueError, match=r"^output must hold values in \[0, 1\], got 1.5$"):
        bh.cross_entropy_loss([1.5], [1])
    with pytest.raises(ValueError, match="^targets must hold only 0 and 1 for the cross-entropy, got 0.5$"):
        bh.cross_entropy_loss([0.5], [0.5])
    with pytest.raises(ValueError, match="^targets must hold only 0 and 1 for the cross-entropy, got 2.0$"):
        bh.cross_entropy_loss([0.5], [2])
    with pytest.raises(ValueError, match=r"^targets must hold values in \[0, 1\], got 2.0$"):
        bh.loss([0.5], [2])
    assert bh.loss([1.5], [0.5]) == 0.5                # the squared error takes any finite output
    assert bh.cross_entropy_loss([0.5, 1.0], [1, 1]) == -np.log(0.5)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_forward_refuses_inputs_that_are_not_finite(bad):
    """Bad-input probe: NaN inputs gave NaN outputs silently, and predict_bits 0 bits."""
    p, x, _, _ = _net_and_sums()
    x = x.copy()
    x[3, 1, 0] = bad
    for route in (bh.forward, bh.predict_bits):
        with pytest.raises(ValueError) as info:
            route(p, x)
        assert str(info.value) == "inputs must hold finite numbers, got NaN or inf"
    with pytest.raises(TypeError, match=r"^inputs must be numeric \(real numbers\), got None$"):
        bh.forward(p, None)
