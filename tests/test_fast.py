import json
import os
import subprocess
import sys

import numpy as np
import pytest

import binrnn_helpers as bh
from binrnn_helpers import fast
from conftest import numpy_dispatch, python_sums


@pytest.mark.parametrize("seed", range(5))
def test_reaches_100_percent_on_all_pairs(seed):
    params, history = bh.train_fast(seed=seed)
    assert history.converged, history.message
    assert bh.exhaustive_accuracy(params) == 1.0          # measured in float64, independently
    assert history.accuracy[-1] == 1.0
    assert history.check_steps[-1] == history.steps[-1] < 3000
    assert len(history.steps) == len(history.loss) and history.steps == list(range(len(history.steps)))
    assert history.loss[-1] < history.loss[0]
    assert 0 < history.check_seconds < history.seconds


def test_every_network_for_seeds_0_to_49_adds_long_numbers():
    """The stopping rule (a margin on fixed and fresh long sums) is what makes 8-bit training
    generalise: every network adds 2,000 random 62-bit and 200 random 95-bit sums exactly, the
    targets being Python's own a + b (benchmarks/long_sums.py measures it on every dispatch profile)."""
    tests = [bh.long_sums(2000, 62, seed=7), bh.long_sums(200, 95, seed=11)]
    failures = []
    for seed in range(50):
        params, history = bh.train_fast(seed=seed)
        wrong = [int((bh.predict_bits(params, x) != y).any(axis=0).sum()) for x, y in tests]
        if not history.converged or any(wrong):
            failures.append((seed, history.converged, wrong))
    assert failures == []


def test_another_cpus_rounding_trains_the_same_networks(tmp_path):
    """numpy with its SIMD dispatch off rounds differently in the last bits, like another CPU:
    train_fast (float64 inside) must stop after the same number of steps with weights that agree
    to 1e-5, far below any margin the checks ask for."""
    features = numpy_dispatch.dispatched()
    if not features:
        pytest.skip("numpy dispatches to no SIMD feature here (or it is switched off already)")
    seeds = range(10)
    script = ("import json, sys, binrnn_helpers as bh\n"
              "runs = [bh.train_fast(seed=s) for s in map(int, sys.argv[2:])]\n"
              "json.dump([[h.steps[-1], p.U.tolist(), p.W.tolist(), p.V.tolist()] for p, h in runs], "
              "open(sys.argv[1], 'w'))\n")
    out = tmp_path / "off.json"
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(features))
    subprocess.run([sys.executable, "-c", script, str(out), *map(str, seeds)], env=env, check=True)
    for seed, (steps, U, W, V) in zip(seeds, json.loads(out.read_text())):
        params, history = bh.train_fast(seed=seed)
        assert steps == history.steps[-1], seed
        for name, other in zip("UWV", (U, W, V)):
            np.testing.assert_allclose(getattr(params, name), other, rtol=0, atol=1e-5, err_msg=f"seed {seed} {name}")


def test_check_sums_are_added_right_and_fresh_ones_new_each_check():
    rng = np.random.RandomState(0)
    (x1, y1), (x2, _) = fast.fresh_long_sums(rng), fast.fresh_long_sums(rng)
    n = sum(count for count, _ in fast.FRESH_SUMS)
    assert x1.shape == (64, n, 2) and not np.array_equal(x1, x2)
    fixed_x, fixed_y = fast.fixed_long_sums()
    for x, y in ((x1, y1), (fixed_x, fixed_y)):
        a, b, total = python_sums(x[..., 0]), python_sums(x[..., 1]), python_sums(y)
        assert [p + q for p, q in zip(a, b)] == total and not x[-1].any()
    propagate = x1[:-1, :, 0] != x1[:-1, :, 1]                  # (0, 1) or (1, 0): the carry passes on
    counts = np.cumsum([0] + [count for count, _ in fast.FRESH_SUMS])
    for (count, chance), lo, hi in zip(fast.FRESH_SUMS, counts, counts[1:]):
        assert abs(propagate[:, lo:hi].mean() - chance) < 0.02
    # the fixed set holds runs of 32 propagating steps, which random sums almost never do
    runs = (fixed_x[20:52, :, 0] != fixed_x[20:52, :, 1]).all(axis=0)
    assert runs.sum() >= 32


def test_checks_decide_only_when_to_stop():
    """The same seed with a looser or a stricter margin follows the same path, only stopping elsewhere."""
    _, loose = bh.train_fast(seed=1, margin=0.1)
    _, strict = bh.train_fast(seed=1, margin=0.4)
    assert loose.converged and strict.converged
    assert loose.steps[-1] < strict.steps[-1]
    assert loose.loss == strict.loss[:len(loose.loss)]


def test_first_update_is_adams_step_on_the_cross_entropy_gradient():
    """Adam's first step is lr * g / (|g| + eps), i.e. lr * sign(g) for each weight: it shows the
    sign of each of the 304 partial derivatives, against finite differences of the cross-entropy
    on the first minibatch."""
    lr, B = 1e-3, 32
    seen = []
    bh.train_fast(seed=4, learning_rate=lr, batch_size=B, on_step=lambda step, p: seen.append(p) or step == 1)
    before, after = seen
    idx = np.random.RandomState([4, 1]).randint(128 * 128, size=B)          # its first minibatch
    a, b = bh.tree_pairs(8)
    x, y = bh.addition_batch(a[idx], b[idx], 8)
    gradient = bh.numerical_gradient(before, x, y, eps=1e-6, cross_entropy=True)
    checked = 0
    for name in "UWV":
        numeric = getattr(gradient, name)
        step = getattr(before, name) - getattr(after, name)
        clear = np.abs(numeric) > 1e-3 * np.abs(numeric).max()          # signs of tiny entries are noise
        assert np.array_equal(np.sign(step[clear]), np.sign(numeric[clear])), name
        np.testing.assert_allclose(np.abs(step[clear]), lr, rtol=1e-3)
        checked += clear.sum()
    assert checked > 250                                               # of the 304 weights


def test_adam_step_matches_the_papers_formula_and_leaves_its_inputs_alone():
    rng = np.random.RandomState(1)
    w, m, v = rng.uniform(-1, 1, (3, 4)), np.zeros((3, 4)), np.zeros((3, 4))
    w_ref = w.copy()
    for n in range(1, 4):
        g = rng.normal(0, 1, (3, 4))
        inputs = (w, g, m, v)
        before = [a.copy() for a in inputs]
        w, m, v = fast.adam_step(w, g, m, v, n, 0.05, beta1=0.9, beta2=0.999, epsilon=1e-8)
        assert all(np.array_equal(a, b) for a, b in zip(inputs, before))
        m_hat = m / (1 - 0.9 ** n)
        v_hat = v / (1 - 0.999 ** n)
        np.testing.assert_allclose(m, 0.9 * before[2] + 0.1 * g, rtol=1e-12)
        np.testing.assert_allclose(v, 0.999 * before[3] + 0.001 * g ** 2, rtol=1e-12)
        w_ref = w_ref - 0.05 * m_hat / (np.sqrt(v_hat) + 1e-8 / np.sqrt(1 - 0.999 ** n))
        np.testing.assert_allclose(w, w_ref, rtol=1e-12)        # epsilon beside sqrt(v), not sqrt(v_hat)


def test_margin_is_met_on_every_output():
    params, history = bh.train_fast(seed=3, margin=0.2)
    x, y = bh.addition_batch(*bh.all_pairs(8), 8)
    o = bh.forward(params, x).output
    assert np.abs(o - y).max() <= 0.3 + 1e-4               # float32 check, float64 forward


def test_same_seed_same_network_and_global_state_untouched():
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    p1, _ = bh.train_fast(seed=7)
    assert np.random.random() == expected
    p2, _ = bh.train_fast(seed=7)
    assert np.array_equal(p1.W, p2.W)
    p3, _ = bh.train_fast(seed=8)
    assert not np.array_equal(p1.W, p3.W)


def test_starts_from_the_posts_initial_weights_and_on_step_gets_a_copy():
    seen = []
    bh.train_fast(seed=0, on_step=lambda step, p: seen.append(p) or step == 3)
    init = bh.init_params(16, seed=0)
    assert np.array_equal(seen[0].W, init.W) and not np.array_equal(seen[3].W, init.W)


def test_msb_first_does_not_learn_and_says_so():
    params, history = bh.train_fast(seed=0, bit_order="msb_first", max_steps=400)
    assert not history.converged
    assert "max_steps=400" in history.message
    assert history.accuracy[-1] < 0.2
    assert history.check_steps[-1] == 400 and len(history.loss) == 401


def test_step_limit_is_reported():
    params, history = bh.train_fast(seed=0, max_steps=5)
    assert not history.converged and history.check_steps == [5]
    assert "not converged" in history.message
    assert history.accuracy[-1] == bh.exhaustive_accuracy(params)


def _nets():
    """Networks at several stages of training: untrained, partly trained, trained."""
    return [bh.init_params(16, seed=2)] + [bh.train_fast(seed=0, max_steps=k)[0] for k in (60, 112, 3000)]


@pytest.mark.parametrize("bit_order", fast.BIT_ORDERS)
def test_the_all_pairs_check_agrees_with_the_plain_forward_pass(bit_order):
    rule = fast.StoppingRule(8, bit_order, 0.25, seed=0)
    seen = set()
    for params in _nets():
        o = bh.forward(params, rule.inputs).output                          # (T, N), float64
        history = bh.History()
        met = rule.measure(0, params, history)
        assert history.accuracy == [float(((o > 0.5) == (rule.targets > 0.5)).all(axis=0).mean())]
        assert met == (np.abs(o - rule.targets).max() <= 0.25)
        seen.add(met)
    assert seen == ({True, False} if bit_order == "lsb_first" else {False})   # msb_first never learns


def test_long_check_matches_a_plain_loop():
    x, y = fast.fixed_long_sums()
    seen = set()
    for params in _nets():
        U, W, V = (getattr(params, n).astype(np.float32) for n in "UWV")
        h, worst = np.zeros((x.shape[1], 16), np.float32), 0.0
        for t in range(len(x)):                          # every step, one at a time, in float32
            h = 1 / (1 + np.exp(-(x[t] @ U + h @ W)))
            worst = max(worst, float(np.abs(1 / (1 + np.exp(-(h @ V)))[:, 0] - y[t]).max()))
        for margin in (0.2, 0.35, 0.45):
            ok = fast.right_by((U, W, V), x, y, margin)
            assert ok == (worst <= 0.5 - margin)
            seen.add(ok)
    assert seen == {True, False}


def test_huge_weights_give_no_overflow():
    """Large weights make exp(-z) overflow; the tests turn warnings into errors."""
    params = bh.init_params(16, seed=2)
    big = bh.Params(100 * params.U, 100 * params.W, 100 * params.V)
    x, y = fast.fixed_long_sums()
    assert fast.right_by([m.astype(np.float32) for m in (big.U, big.W, big.V)], x, y, 0.4) is False
    _, history = bh.train_fast(seed=0, learning_rate=10.0, max_steps=50)      # weights grow fast
    assert not history.converged and np.isfinite(history.loss).all()


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"hidden_size": 0}, ValueError, "hidden_size must be >= 1"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"learning_rate": 0}, ValueError, "learning_rate must be a number in (0, inf)"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate must be a number in (0, inf), got 'fast' (str)"),
    ({"learning_rate": float("nan")}, ValueError, "learning_rate must be a number in (0, inf), got nan"),
    ({"hidden_size": 10**6}, ValueError, "hidden_size must be <= 4096 (allowed: 1 to 4096), got 1000000"),
    ({"margin": 0.45}, ValueError, "margin must be a number in [0, 0.45)"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ({"max_steps": 0}, ValueError, "max_steps must be >= 1"),
    ({"width": 13}, ValueError, "width must be <= 12"),
    ({"bit_order": "backwards"}, ValueError, "bit_order must be one of ('lsb_first', 'msb_first')"),
    ({"on_step": 1}, TypeError, "on_step must be callable"),
])
def test_bad_arguments(kwargs, exc, message):
    with pytest.raises(exc) as info:
        bh.train_fast(**kwargs)
    assert message in str(info.value)


def test_numpy_floats_are_learning_rates_and_an_overflow_names_it():
    """Issue 15, case 9: np.float32(0.3) was refused; a learning rate so large that the weights
    overflow now stops with that said, instead of training on NaN."""
    ours, _ = bh.train_fast(seed=0, learning_rate=np.float32(0.3), max_steps=5)
    same, _ = bh.train_fast(seed=0, learning_rate=float(np.float32(0.3)), max_steps=5)
    assert all(np.array_equal(getattr(ours, n), getattr(same, n)) for n in "UWV")
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError) as info:
        bh.train_fast(seed=0, learning_rate=1.7e308, max_steps=5)
    assert str(info.value) == ("learning_rate=1.7e+308 is too large: the weights overflowed "
                               "to inf or NaN at update 1")


@pytest.mark.parametrize("argument, value, message", [
    ("batch_size", 10**9, "batch_size must be <= 100000 (allowed: 1 to 100000), got 1000000000"),
    ("max_steps", 10**12, "max_steps must be <= 1000000 (allowed: 1 to 1000000), got 1000000000000"),
])
def test_batch_size_and_max_steps_are_bounded(argument, value, message):
    """Bad-input probe: batch_size=10**9 ended in a MemoryError, max_steps=10**12 ran for ever."""
    with pytest.raises(ValueError) as info:
        bh.train_fast(**{argument: value})
    assert str(info.value) == message
