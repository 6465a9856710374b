import numpy as np
import pytest

import binrnn_helpers as bh
from conftest import DATA, published_log


@pytest.fixture(scope="module")
def post_run():
    return bh.train_like_the_post(steps=10000, seed=0)


def test_log_matches_the_published_post_digit_for_digit(post_run):
    _, log = post_run
    published = published_log()
    assert len(log) == len(published) == 10
    for entry, (err, pred, true, a, b, decoded) in zip(log, published):
        assert str(np.array([entry.error])) == err          # printed to 8 decimals, as published
        assert str(entry.predicted) == pred
        assert str(entry.true) == true
        assert (entry.a, entry.b, entry.decoded) == (a, b, decoded)
    assert [e.step for e in log] == list(range(0, 10000, 1000))


def posts_algorithm(steps, seed=0, alpha=0.1, hidden=16, width=8):
    """The post's training loop written out plainly, one operation as the post orders it per line:
    the reference that train_like_the_post must match bit for bit on the same machine."""
    rng = np.random.RandomState(seed)
    U = 2 * rng.random_sample((2, hidden)) - 1
    V = 2 * rng.random_sample((hidden, 1)) - 1
    W = 2 * rng.random_sample((hidden, hidden)) - 1

    def sig(z):
        return 1 / (1 + np.exp(-z))
    half = 2 ** (width - 1)
    for _ in range(steps):
        a, b = rng.randint(half), rng.randint(half)
        xs = [np.array([[(a >> t) & 1, (b >> t) & 1]]) for t in range(width)]       # LSB first
        ys = [np.array([[((a + b) >> t) & 1]]) for t in range(width)]
        hs, out_deltas = [np.zeros(hidden)], []
        for t in range(width):
            h = sig(np.dot(xs[t], U) + np.dot(hs[-1], W))
            o = sig(np.dot(h, V))
            out_deltas.append((ys[t] - o) * (o * (1 - o)))
            hs.append(h)
        dU, dV, dW = np.zeros_like(U), np.zeros_like(V), np.zeros_like(W)
        later = np.zeros(hidden)
        for t in reversed(range(width)):
            delta = (later.dot(W.T) + out_deltas[t].dot(V.T)) * (hs[t + 1] * (1 - hs[t + 1]))
            dV += np.atleast_2d(hs[t + 1]).T.dot(out_deltas[t])
            dW += np.atleast_2d(hs[t]).T.dot(delta)
            dU += xs[t].T.dot(delta)
            later = delta
        U += dU * alpha
        V += dV * alpha
        W += dW * alpha
    return U, W, V


def test_final_weights_are_bit_identical_to_the_posts_algorithm_run_now(post_run):
    params, _ = post_run
    for name, want in zip("UWV", posts_algorithm(10000)):
        assert np.array_equal(getattr(params, name), want), name


def test_final_weights_equal_the_posts_script_to_1e_12(post_run):
    """Stored from the post's script on another machine; CPUs round the last bits differently:
    measured 9e-15 to 2e-14 apart here (benchmarks/long_sums.py), so 1e-12 leaves room."""
    params, _ = post_run
    with np.load(DATA / "post_final_weights.npz") as ref:
        for name in ("U", "W", "V"):
            np.testing.assert_allclose(getattr(params, name), ref[name], rtol=0, atol=1e-12, err_msg=name)


def test_log_entry_fields_agree():
    _, log = bh.train_like_the_post(steps=3, log_every=1, seed=5)
    assert [e.step for e in log] == [0, 1, 2]
    for e in log:
        assert bh.from_bits(e.true) == e.a + e.b
        assert bh.from_bits(e.predicted) == e.decoded
        assert 0 <= e.error <= 8


def test_on_step_can_stop_training_and_sees_every_step():
    seen = []
    params, log = bh.train_like_the_post(steps=100, on_step=lambda s, p: seen.append(s) or s == 9)
    assert seen == list(range(10))
    # the same ten steps without the hook give the same weights
    same, _ = bh.train_like_the_post(steps=10)
    assert np.array_equal(params.W, same.W)


def test_format_log_shape():
    _, log = bh.train_like_the_post(steps=1)
    assert bh.format_log(log) == ("Error: [3.45638663]\nPred: [0 0 0 0 0 0 0 1]\n"
                                  "True: [0 1 0 0 0 1 0 1]\n9 + 60 = 1\n------------\n")


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"steps": 0}, ValueError, "steps must be >= 1"),
    ({"steps": 2.0}, TypeError, "steps must be an integer"),
    ({"alpha": -0.1}, ValueError, "alpha must be a number in (0, inf), got -0.1"),
    ({"alpha": float("nan")}, ValueError, "alpha must be a number in (0, inf), got nan"),
    ({"alpha": "0.1"}, TypeError, "alpha must be a number in (0, inf), got '0.1' (str)"),
    ({"hidden_size": 5000}, ValueError, "hidden_size must be <= 4096 (allowed: 1 to 4096), got 5000"),
    ({"hidden_size": 0}, ValueError, "hidden_size must be >= 1"),
    ({"log_every": 0}, ValueError, "log_every must be >= 1"),
    ({"seed": -3}, ValueError, "seed must be >= 0"),
    ({"on_step": 3}, TypeError, "on_step must be callable"),
])
def test_bad_arguments(kwargs, exc, message):
    with pytest.raises(exc) as info:
        bh.train_like_the_post(**kwargs)
    assert message in str(info.value)


def test_a_numpy_float_is_a_learning_rate():
    """Issue 15, case 9: alpha=np.float32(0.1) was refused; it trains as its float64 value does."""
    ours, log = bh.train_like_the_post(steps=300, alpha=np.float32(0.1), log_every=100)
    same, same_log = bh.train_like_the_post(steps=300, alpha=float(np.float32(0.1)), log_every=100)
    assert all(np.array_equal(getattr(ours, n), getattr(same, n)) for n in "UWV")
    assert bh.format_log(log) == bh.format_log(same_log)


def test_steps_are_bounded_as_the_command_line_bounds_them():
    """Bad-input probe: steps=10**8 would run for hours; the CLI's reproduce --steps stops at 1,000,000."""
    with pytest.raises(ValueError) as info:
        bh.train_like_the_post(steps=10**8)
    assert str(info.value) == "steps must be <= 1000000 (allowed: 1 to 1000000), got 100000000"
    from binrnn_helpers.__main__ import MAX_STEPS
    assert bh.training.MAX_STEPS == MAX_STEPS
