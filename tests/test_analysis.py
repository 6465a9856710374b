"""Tests of binrnn_helpers.analysis: the carry probe, PCA and the extracted automaton.

Every number the notebook states is asserted here against an independent computation: the true
carries of column addition, Python's +, numpy's own SVD and least squares."""
import json
import pathlib
import random

import numpy as np
import pytest

import binrnn_helpers as bh
from binrnn_helpers import analysis as an

RESULTS = pathlib.Path(__file__).parent.parent / "benchmarks" / "results" / "where_it_breaks.json"


@pytest.fixture(scope="module")
def trained_nets():
    nets = {}
    for seed in range(5):
        params, history = bh.train_fast(seed=seed)
        assert history.converged
        nets[seed] = params
    return nets


def test_carry_probe_trained(trained_nets):
    for seed, params in trained_nets.items():
        probe = bh.carry_probe(params)
        hidden, carry = an.hidden_and_carry(params)
        h, c = hidden.reshape(-1, 16), carry.ravel().astype(float)
        assert probe.n_samples == 131072
        np.testing.assert_allclose(probe.correlations, [np.corrcoef(h[:, j], c)[0, 1] for j in range(16)],
                                   atol=1e-12)
        ref = np.linalg.lstsq(np.column_stack([h, np.ones(len(h))]), c, rcond=None)[0]
        np.testing.assert_allclose(probe.readout_weights, ref[:16], atol=1e-6)
        # a linear readout of all 16 units reads the carry almost perfectly (which samples it
        # misreads, if any, depends on the network, and so on the CPU that trained it)
        assert probe.readout_accuracy > 0.999
        assert np.mean(probe.readout(h) == c) == probe.readout_accuracy
        # the best unit: recompute its accuracy from its threshold and sign
        j = probe.best_unit
        pred = (probe.best_sign * (h[:, j] - probe.best_threshold) > 0)
        assert np.mean(pred == (c == 1)) == probe.best_unit_accuracy == probe.unit_accuracy.max()
        assert 0.5 <= probe.best_unit_accuracy <= 1.0
        if probe.best_unit_accuracy == 1.0:       # then the threshold lies in an empty gap between the groups
            low, high = (h[c == 1, j], h[c == 0, j]) if probe.best_sign < 0 else (h[c == 0, j], h[c == 1, j])
            assert low.max() < probe.best_threshold < high.min()
        assert probe.carry_fraction == pytest.approx(c.mean())


def test_best_threshold_brute_force():
    rng = np.random.RandomState(1)
    v = rng.rand(200, 3)
    y = (v[:, 0] + 0.3 * rng.rand(200) > 0.6).astype(float)
    acc, thr, sign = an.best_threshold(v, y)
    for j in range(3):
        cuts = np.concatenate([[-1], np.sort(v[:, j]), [2]])
        best = max(max(np.mean((v[:, j] > t) == (y == 1)), np.mean((v[:, j] <= t) == (y == 1))) for t in cuts)
        assert acc[j] == pytest.approx(best)
        assert np.mean((sign[j] * (v[:, j] - thr[j]) > 0) == (y == 1)) == pytest.approx(acc[j])


def test_pca_against_svd():
    rng = np.random.RandomState(2)
    X = rng.randn(300, 5) @ rng.randn(5, 5)
    proj, explained, comps, mean = an.pca(X, k=2)
    _, s, vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
    np.testing.assert_allclose(np.abs(proj), np.abs((X - X.mean(0)) @ vt[:2].T), atol=1e-10)
    np.testing.assert_allclose(explained, s[:2] ** 2 / np.sum(s ** 2))
    np.testing.assert_allclose(comps @ comps.T, np.eye(2), atol=1e-12)
    with pytest.raises(ValueError, match="points"):
        an.pca(np.zeros(5))
    with pytest.raises(ValueError, match="k"):
        an.pca(X, k=6)


def test_visited_states_are_the_forward_states(trained_nets):
    params = trained_nets[0]
    visited = an.visited_states(params)
    assert visited.shape == (38229, 16)
    a, b = bh.all_pairs(8)
    fwd = bh.forward(params, bh.addition_batch(a, b)[0]).hidden
    # the state of pair (a, b) after t steps is in the tree: check a sample against the forward pass
    for t in (1, 4, 8):
        for i in (0, 5000, 16383):
            assert np.min(np.abs(visited - fwd[t, i]).max(axis=1)) < 1e-12


def test_two_states_for_trained_networks(trained_nets):
    adder = an.full_adder_automaton()
    a, b = bh.all_pairs(8)
    rng = random.Random(7)
    long_pairs = [(rng.getrandbits(500), rng.getrandbits(500)) for _ in range(50)]
    for seed, params in trained_nets.items():
        aut = bh.extract_automaton(params)
        assert aut.n_states == 2 and aut.stable and aut.closed, (seed, aut.message)
        assert aut.n_visited == 38229
        # the same machine as the full adder's, up to naming the states
        order = [aut.start, 1 - aut.start]
        assert np.array_equal(aut.outputs[order], adder.outputs)
        assert np.array_equal(np.array(order)[adder.transitions], aut.transitions[order])
        assert np.array_equal(aut.add_many(a, b, 8), a + b)
        assert all(aut.add(p, q) == p + q for p, q in long_pairs)
        # its state is the true carry on every hidden state
        hidden, carry = an.hidden_and_carry(params)
        state = aut.state_of(hidden.reshape(-1, 16))
        assert np.array_equal(state == 1 - aut.start, carry.ravel() == 1)


def test_untrained_network_is_a_trivial_machine():
    """Untrained networks give small machines that reproduce the network, and do not add."""
    a, b = bh.all_pairs(8)
    for seed in (0, 1):
        params = bh.init_params(seed=seed)
        aut = bh.extract_automaton(params)
        assert aut.stable and aut.n_states in (1, 2)
        net_bits = bh.predict_bits(params, bh.addition_batch(a, b)[0])
        got = aut.add_many(a, b, 8)
        aut_bits = (got[None, :] >> np.arange(8)[:, None]) & 1
        assert np.array_equal(aut_bits, net_bits)               # the automaton is the network
        assert np.mean(got == a + b) < 0.01                     # and it does not add


def test_failing_network_is_reported_plainly():
    """A network that did not learn (hidden size 3) is not passed off as the adder."""
    params, history = bh.train_fast(hidden_size=3, seed=0, max_steps=300)
    assert not history.converged
    aut = bh.extract_automaton(params, max_depth=2)
    a, b = bh.all_pairs(8)
    assert not np.array_equal(aut.add_many(a, b, 8), a + b)
    assert aut.message
    if not (aut.stable and aut.closed):
        assert "not a small finite machine" in aut.message


def test_full_adder_automaton_adds():
    adder = an.full_adder_automaton()
    assert adder.n_states == 2 and adder.start == 0
    rng = random.Random(3)
    for _ in range(200):
        p, q = rng.getrandbits(rng.randint(1, 300)), rng.getrandbits(rng.randint(1, 300))
        assert adder.add(p, q) == p + q
    assert adder.add(0, 0) == 0
    assert "state" in adder.table() and "1/0" in adder.table()


def test_automaton_bad_arguments():
    adder = an.full_adder_automaton()
    with pytest.raises(TypeError, match="a must"):
        adder.add(1.5, 2)
    with pytest.raises(TypeError, match="b must"):
        adder.add(1, True)
    with pytest.raises(ValueError, match="a must"):
        adder.add(-1, 2)
    with pytest.raises(ValueError, match="transitions"):
        bh.Automaton(np.zeros((2, 3), int), np.zeros((2, 3), int))
    with pytest.raises(ValueError, match="outputs"):
        bh.Automaton(np.zeros((2, 4), int), np.full((2, 4), 2))
    with pytest.raises(ValueError, match="transitions"):
        bh.Automaton(np.full((2, 4), 5), np.zeros((2, 4), int))
    with pytest.raises(ValueError, match="start"):
        bh.Automaton(np.zeros((2, 4), int), np.zeros((2, 4), int), start=2)
    with pytest.raises(ValueError, match="state_of"):
        adder.state_of(np.zeros((1, 16)))
    with pytest.raises(TypeError, match="params"):
        bh.extract_automaton("weights")
    with pytest.raises(TypeError, match="params"):
        bh.carry_probe(None)
    with pytest.raises(ValueError, match="width"):
        bh.extract_automaton(bh.init_params(), width=1)
    with pytest.raises(ValueError, match="max_depth"):
        bh.extract_automaton(bh.init_params(), max_depth=0)


def test_length_generalisation(trained_nets):
    params = trained_nets[0]
    assert bh.exhaustive_accuracy(params) == 1.0
    for bits in (16, 32, 62):
        assert bh.long_sum_accuracy(params, bits=bits, n=1000, seed=bits) == 1.0
    for bits in (64, 128):
        rng = random.Random(bits)
        pairs = [(rng.getrandbits(bits), rng.getrandbits(bits)) for _ in range(100)]
        assert all(bh.add(params, p, q) == p + q for p, q in pairs)
    a, b = bh.all_pairs(8)
    assert bh.correct_sums(params, a + 128, b + 128, 9).mean() == 1.0     # inputs it never saw


def test_where_it_breaks_results():
    results = json.loads(RESULTS.read_text())
    summ = results["summary"]
    rows = {r["hidden_size"]: r for r in summ["hidden_size"]}
    runs = results["runs"]["hidden_size"]
    for h, r in rows.items():    # the summary agrees with the runs
        assert r["converged"] == sum(x["converged"] for x in runs if x["hidden_size"] == h)
    full = [h for h, r in sorted(rows.items()) if r["converged"] == r["runs"]]
    assert summ["smallest_all_converged_hidden_size"] == (full[0] if full else None)
    sizes = sorted(rows)
    reliable = next((h for k, h in enumerate(sizes) if all(h2 in full for h2 in sizes[k:])), None)
    assert summ["smallest_reliable_hidden_size"] == reliable
    assert all(rows[h]["converged"] == 0 for h in (1, 2, 3))
    assert all(r["converged"] == 0 for r in summ["msb_first"])
    rates = {r["learning_rate"]: r for r in summ["learning_rate"]}
    assert rates[0.001]["converged"] == 0 and rates[10.0]["converged"] == 0
    default = rates[bh.fast.LEARNING_RATE]                      # train_fast's default rate
    assert default["converged"] == default["runs"] == 10


@pytest.mark.parametrize("seed", [0, 1])
def test_where_it_breaks_rerun(seed):
    """A row of the results file re-run now: train_fast's defaults converge on any CPU (the step
    count may differ in another CPU's last bits, so it is not compared)."""
    results = json.loads(RESULTS.read_text())
    row = next(r for r in results["runs"]["learning_rate"]
               if r["learning_rate"] == bh.fast.LEARNING_RATE and r["seed"] == seed)
    _, history = bh.train_fast(seed=seed)
    assert row["converged"] and history.converged and history.check_steps[-1] < results["max_steps"]


def test_msb_first_does_not_learn():
    _, history = bh.train_fast(seed=0, bit_order="msb_first", max_steps=300)
    assert not history.converged and "not converged" in history.message
    assert history.accuracy[-1] < 0.1


def test_carry_probe_of_a_network_that_holds_nothing():
    """Issue 15, case 9: all-zero weights (every hidden state 0.5) made the normal equations
    singular (LinAlgError).  The probe answers instead: nothing in the state predicts the carry,
    so the readout guesses the commoner carry, 0, and is right exactly as often as it is 0."""
    H = 16
    zero = bh.Params(np.zeros((2, H)), np.zeros((H, H)), np.zeros((H, 1)))
    probe = bh.carry_probe(zero)
    _, carry = an.hidden_and_carry(zero)
    share_of_zeros = float(np.mean(carry == 0))                 # counted independently
    assert probe.carry_fraction == 1 - share_of_zeros
    assert probe.readout_accuracy == share_of_zeros == probe.best_unit_accuracy
    assert not probe.readout(np.full((3, H), 0.5)).any()
    assert np.array_equal(probe.correlations, np.zeros(H))
    # units that copy each other (W = 0, equal columns of U) have the same fallback
    copies = bh.Params(np.ones((2, H)), np.zeros((H, H)), np.zeros((H, 1)))
    assert 0.5 < bh.carry_probe(copies).readout_accuracy < 1
