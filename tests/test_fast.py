import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import binrnn_helpers as bh
from binrnn_helpers import fast, model
from conftest import numpy_dispatch


@pytest.mark.parametrize("seed", range(5))
def test_reaches_100_percent_on_all_pairs(seed):
    params, history = bh.train_fast(seed=seed)
    assert history.converged, history.message
    assert bh.exhaustive_accuracy(params) == 1.0          # measured in float64, independently
    assert history.accuracy[-1] == 1.0
    assert history.check_steps[-1] == history.steps[-1] < 3000
    assert len(history.steps) == len(history.loss) and history.steps == list(range(len(history.steps)))
    assert history.loss[-1] < history.loss[0]


def test_every_network_for_seeds_0_to_49_adds_long_numbers():
    """The stopping rule (a margin on fixed and fresh long sums) is what makes 8-bit training
    generalise: every network adds 2,000 random 62-bit and 200 random 95-bit sums exactly, the
    targets being Python's own a + b (benchmarks/long_sums.py measures it on every dispatch profile)."""
    tests = [bh.evaluation.long_sums(2000, 62, seed=7), bh.evaluation.long_sums(200, 95, seed=11)]
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
    to 1e-5 (measured: 2e-6 at most over seeds 0-49), far below any margin the checks ask for."""
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


def test_long_sums_are_random_sums_with_pythons_answers():
    inputs, targets = bh.evaluation.long_sums(300, 95, seed=3)
    assert inputs.shape == (96, 300, 2) and targets.shape == (96, 300) and not inputs[-1].any()
    for i in range(300):
        a, b, total = (sum(int(v) << t for t, v in enumerate(col)) for col in
                       (inputs[:, i, 0], inputs[:, i, 1], targets[:, i]))
        assert a + b == total and max(a, b) < 2**95
    assert 0.45 < inputs[:-1].mean() < 0.55 and (inputs[-2] == 1).any()       # random bits, top bits too
    assert np.array_equal(bh.evaluation.long_sums(300, 95, seed=3)[0], inputs)


def test_fresh_check_sums_are_new_each_check_and_added_right():
    rng = np.random.RandomState(0)
    (x1, y1), (x2, _) = fast._fresh_long_sums(rng, "lsb_first"), fast._fresh_long_sums(rng, "lsb_first")
    n = sum(count for count, _ in fast.FRESH_SUMS)
    assert x1.shape == (64, n, 2) and not np.array_equal(x1, x2)
    for i in range(0, n, 7):
        a, b, total = (sum(int(v) << t for t, v in enumerate(col)) for col in (x1[:, i, 0], x1[:, i, 1], y1[:, i]))
        assert a + b == total
    propagate = x1[:-1, :, 0] != x1[:-1, :, 1]                  # (0, 1) or (1, 0): the carry passes on
    counts = np.cumsum([0] + [count for count, _ in fast.FRESH_SUMS])
    for (count, chance), lo, hi in zip(fast.FRESH_SUMS, counts, counts[1:]):
        assert abs(propagate[:, lo:hi].mean() - chance) < 0.02


def test_checks_decide_only_when_to_stop():
    """The same seed with a looser or a stricter margin follows the same path, only stopping elsewhere."""
    _, loose = bh.train_fast(seed=1, margin=0.1)
    _, strict = bh.train_fast(seed=1, margin=0.4)
    assert loose.converged and strict.converged
    assert loose.steps[-1] < strict.steps[-1]
    assert loose.loss == strict.loss[:len(loose.loss)]


def test_first_update_follows_the_cross_entropy_gradient():
    """train_fast's own backward pass (packed weights, one product per step) against finite
    differences in float64.  Adam's first step is lr * g / (|g| + eps), i.e. lr * sign(g) for every
    weight, so it shows the sign of each of the 304 partial derivatives.  (Their sizes cannot matter
    more than that: Adam's steps do not change when one weight's gradient is scaled by a constant.)"""
    lr, B = 1e-3, 32
    seen = []
    bh.train_fast(seed=4, learning_rate=lr, batch_size=B, on_step=lambda step, p: seen.append(p) or step == 1)
    before, after = seen
    idx = np.random.RandomState([4, 1]).randint(128 * 128, size=(fast._DRAW_BLOCK, B))[0]   # its first minibatch
    a, b = fast._prefix_tree_pairs(8, "lsb_first")
    x, y = bh.addition_batch(a[idx], b[idx], 8)

    def cross_entropy(p):
        o = bh.forward(p, x).output
        return -np.sum(y * np.log(o) + (1 - y) * np.log(1 - o))
    gradient = model._central_differences(before, cross_entropy, 1e-6)
    checked = 0
    for name in "UWV":
        numeric = getattr(gradient, name)
        step = getattr(before, name) - getattr(after, name)
        clear = np.abs(numeric) > 1e-3 * np.abs(numeric).max()          # signs of tiny entries are noise
        assert np.array_equal(np.sign(step[clear]), np.sign(numeric[clear])), name
        np.testing.assert_allclose(np.abs(step[clear]), lr, rtol=1e-3)
        checked += clear.sum()
    assert checked > 250                                               # of the 304 weights


def test_margin_is_met_on_every_output():
    params, history = bh.train_fast(seed=3, margin=0.2)
    x, y = bh.addition_batch(*bh.all_pairs(8), 8)
    o = bh.forward(params, x).output
    assert np.abs(o - y).max() <= 0.3 + 1e-4               # float32 training, float64 check


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


def test_starts_from_the_posts_initial_weights():
    seen = []
    bh.train_fast(seed=0, on_step=lambda step, p: seen.append(p) or True)
    init = bh.init_params(16, seed=0)
    np.testing.assert_allclose(seen[0].W, init.W, rtol=1e-6)   # float32 inside


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


def test_check_seconds_counts_the_time_spent_in_the_checks(monkeypatch):
    calls = []

    def slow(checker):                  # each check takes at least 20 ms more than it would
        def run(*args):
            calls.append(checker.__name__)
            time.sleep(0.02)
            return checker(*args)
        return run
    for name in ("_within_margin", "_exhaustive_check"):
        monkeypatch.setattr(fast, name, slow(getattr(fast, name)))
    for kwargs in ({"seed": 0}, {"seed": 0, "max_steps": 5}):    # converged; stopped by the limit
        calls.clear()
        history = bh.train_fast(**kwargs)[1]
        assert "_exhaustive_check" in calls
        assert 0.02 * len(calls) <= history.check_seconds < history.seconds


def test_prefix_tree_outputs_match_the_plain_forward_pass():
    params = bh.init_params(16, seed=2)
    U, W, V = (getattr(params, n).astype(np.float32) for n in "UWV")
    for order in fast.BIT_ORDERS:
        a, b = fast._prefix_tree_pairs(8, order)
        assert sorted(zip(a.tolist(), b.tolist())) == sorted(zip(*(x.tolist() for x in bh.all_pairs(8))))
        x, _ = bh.addition_batch(a, b, 8)
        if order == "msb_first":
            x = x[::-1]
        np.testing.assert_allclose(fast._exhaustive_outputs(U, W, V, 8, order),
                                   bh.forward(params, x).output, atol=2e-6)


def _nets():
    """Networks at several stages of training, float32 (U, W, V): untrained, partly trained, trained."""
    nets = [bh.init_params(16, seed=2)] + [bh.train_fast(seed=0, max_steps=k)[0] for k in (60, 112, 3000)]
    return [tuple(getattr(p, n).astype(np.float32) for n in "UWV") for p in nets]


def test_exhaustive_check_matches_the_full_outputs():
    for order in fast.BIT_ORDERS:
        _, Y = fast._all_pairs(8, order)
        for U, W, V in _nets():
            o = fast._exhaustive_outputs(U, W, V, 8, order)                       # (T, N)
            acc, outside = fast._exhaustive_check(U, W, V, Y, order, 0.25)
            assert acc == float(((o > 0.5) == (Y > 0.5)).all(axis=0).mean())
            assert np.array_equal(outside, (np.abs(o - Y) > 0.25).any(axis=0))


def test_long_check_matches_a_plain_loop():
    x, y = fast._long_check_sums("lsb_first")
    seen = set()
    for U, W, V in _nets():
        h, worst = np.zeros((x.shape[1], 16), np.float32), 0.0
        for t in range(len(x)):                          # every step, one at a time, in float32
            h = 1 / (1 + np.exp(-(x[t] @ U + h @ W)))
            worst = max(worst, float(np.abs(1 / (1 + np.exp(-(h @ V)))[:, 0] - y[t]).max()))
        for margin in (0.2, 0.35, 0.45):
            ok = fast._within_margin(U, W, V, x, y, margin)
            assert ok == (worst <= 0.5 - margin)
            seen.add(ok)
    assert seen == {True, False}


def test_huge_weights_give_no_overflow():
    """Large weights make exp(-z) overflow unless z is clamped; the tests turn warnings into errors."""
    params = bh.init_params(16, seed=2)
    U, W, V = (100 * getattr(params, n).astype(np.float32) for n in "UWV")
    x, _ = bh.addition_batch(*fast._prefix_tree_pairs(8, "lsb_first"), 8)
    big = bh.Params(U.astype(np.float64), W.astype(np.float64), V.astype(np.float64))
    np.testing.assert_allclose(fast._exhaustive_outputs(U, W, V, 8, "lsb_first"), bh.forward(big, x).output,
                               atol=0.05)                    # weights this large amplify float32 rounding
    _, history = bh.train_fast(seed=0, learning_rate=10.0, max_steps=50)      # weights grow fast
    assert not history.converged and np.isfinite(history.loss).all()


def test_tables_are_built_once_and_read_only():
    for order in fast.BIT_ORDERS:
        for table in fast._all_pairs(8, order) + fast._long_check_sums(order):
            assert not table.flags.writeable and table.dtype == np.float32
        assert fast._all_pairs(8, order)[0] is fast._all_pairs(8, order)[0]


def test_minibatches_drawn_in_blocks_are_the_same_numbers():
    one_by_one = np.random.RandomState([3, 1])
    block = np.random.RandomState([3, 1]).randint(16384, size=(fast._DRAW_BLOCK, 64))
    assert np.array_equal(block, [one_by_one.randint(16384, size=64) for _ in range(fast._DRAW_BLOCK)])


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"hidden_size": 0}, ValueError, "hidden_size must be >= 1"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"learning_rate": 0}, ValueError, "learning_rate must be a number in (0, inf)"),
    ({"learning_rate": "fast"}, ValueError, "learning_rate must be a number"),
    ({"margin": 0.5}, ValueError, "margin must be a number in [0, 0.5)"),
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
