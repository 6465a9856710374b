import numpy as np
import pytest

import binrnn_helpers as bh


def test_untrained_network_is_not_perfect():
    acc = bh.exhaustive_accuracy(bh.init_params(16, seed=0))
    assert 0 <= acc < 0.05


def test_exhaustive_accuracy_counts_exactly_right_pairs():
    params = bh.init_params(4, seed=2)
    a, b = bh.all_pairs(8)
    x, y = bh.addition_batch(a, b, 8)
    out = bh.forward(params, x).output
    right = np.all((out > 0.5) == (y == 1), axis=0)
    assert bh.exhaustive_accuracy(params) == right.mean()
    # and per bit
    np.testing.assert_array_equal(bh.bit_accuracy(params), ((out > 0.5) == (y == 1)).mean(axis=1))


def test_trained_network_adds_every_pair_and_long_numbers(trained):
    assert bh.exhaustive_accuracy(trained) == 1.0
    assert bh.bit_accuracy(trained).tolist() == [1.0] * 8
    assert bh.long_sum_accuracy(trained, bits=62, n=500, seed=2024) == 1.0
    rng = np.random.RandomState(11)
    for _ in range(20):   # Python ints of 100-300 bits, checked against Python's own +
        a = int.from_bytes(rng.bytes(int(rng.randint(13, 38))), "little")
        b = int.from_bytes(rng.bytes(int(rng.randint(13, 38))), "little")
        assert bh.add(trained, a, b) == a + b
    assert bh.add(trained, 0, 0) == 0
    assert bh.add(trained, 2**200 - 1, 1) == 2**200     # a 200-step carry chain


def test_add_runs_one_step_more_than_the_longer_operand(monkeypatch, trained):
    seen = []
    real = bh.evaluation.predict_bits
    monkeypatch.setattr(bh.evaluation, "predict_bits",
                        lambda p, x: seen.append(x.shape) or real(p, x))
    bh.add(trained, 5, 300)
    assert seen == [(10, 1, 2)]


def test_random_pairs_reproducible_and_in_range():
    a, b = bh.random_pairs(1000, 62, seed=1)
    a2, _ = bh.random_pairs(1000, 62, seed=1)
    assert np.array_equal(a, a2)
    assert a.min() >= 0 and max(a.max(), b.max()) < 2**62 and a.max() > 2**61


@pytest.mark.parametrize("call, exc, message", [
    (lambda p: bh.add(p, -1, 2), ValueError, "a must be >= 0"),
    (lambda p: bh.add(p, 1, 2.5), TypeError, "b must be an integer"),
    (lambda p: bh.add(p, "1", 2), TypeError, "a must be an integer"),
    (lambda p: bh.add("p", 1, 2), TypeError, "params must be a binrnn_helpers.Params"),
    (lambda p: bh.exhaustive_accuracy(p, width=0), ValueError, "width must be >= 1"),
    (lambda p: bh.exhaustive_accuracy(p, width=13), ValueError, "width must be <= 12"),
    (lambda p: bh.random_pairs(5, 63, 0), ValueError, "bits must be <= 62"),
])
def test_bad_input(call, exc, message):
    with pytest.raises(exc) as info:
        call(bh.init_params(4))
    assert message in str(info.value)


@pytest.mark.parametrize("bit_order", ["lsb_first", "msb_first"])
def test_tree_forward_gives_every_pairs_forward_pass(bit_order):
    params = bh.init_params(16, seed=2)
    a, b = bh.tree_pairs(8, bit_order)
    assert sorted(zip(a.tolist(), b.tolist())) == sorted(zip(*(v.tolist() for v in bh.all_pairs(8))))
    x, _ = bh.addition_batch(a, b, 8)
    trace = bh.forward(params, x if bit_order == "lsb_first" else x[::-1])
    hidden, output = bh.tree_forward(params, 8, bit_order)
    assert sum(len(o) for o in output) == (38228 if bit_order == "lsb_first" else 21845)
    pair = np.arange(len(a))
    for t in range(8):
        np.testing.assert_allclose(output[t][pair % len(output[t])], trace.output[t], rtol=0, atol=1e-12)
        np.testing.assert_allclose(hidden[t][pair % len(hidden[t])], trace.hidden[t + 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(bh.tree_outputs(params, 8, bit_order), trace.output, rtol=0, atol=1e-12)
    _, output32 = bh.tree_forward(params, 8, bit_order, np.float32)
    assert output32[-1].dtype == np.float32
    np.testing.assert_allclose(output32[-1][pair % len(output32[-1])], trace.output[-1], atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda p: bh.random_pairs(10**12, 62, 0), "n must be <= 10000000 (allowed: 1 to 10000000), got 1000000000000"),
    (lambda p: bh.long_sums(10**12, 62, 0), "n must be <= 15873 (allowed: 1 to 15873), got 1000000000000"),
    (lambda p: bh.long_sum_accuracy(p, n=10**12), "n must be <= 15873 (allowed: 1 to 15873), got 1000000000000"),
    (lambda p: bh.long_sums(1, 10**6, 0), "bits must be <= 100000 (allowed: 1 to 100000), got 1000000"),
])
def test_sizes_are_bounded(call, message):
    """Bad-input probe: n = 10**12 ended in a raw MemoryError.  (bits + 1) * n <= 10**6 in long_sums."""
    with pytest.raises(ValueError) as info:
        call(bh.init_params(4))
    assert str(info.value) == message
    assert bh.long_sums(15873, 62, 0)[0].shape == (63, 15873, 2)        # the largest allowed
    assert bh.evaluation.MAX_LONG_SUM_STEPS == 10**6


@pytest.mark.parametrize("dtype, shown", [(np.int64, "int64"), (object, "object"), (np.float16, "float16"),
                                          ("no such type", "'no such type'")])
def test_tree_forward_takes_float32_or_float64_only(dtype, shown):
    """Bad-input probe: dtype=np.int64 or object raised numpy's UFuncTypeError."""
    p = bh.init_params(4)
    for route in (bh.tree_forward, bh.tree_outputs):
        with pytest.raises(TypeError) as info:
            route(p, 3, dtype=dtype)
        assert str(info.value) == f"dtype must be np.float32 or np.float64, got {shown}"
    assert bh.tree_outputs(p, 3, dtype="float32").dtype == np.float32     # numpy's names count


def test_bit_accuracy_holds_every_pair_so_its_width_is_bounded():
    """Its forward pass on every pair at once would need 7 GB at width 12."""
    with pytest.raises(ValueError) as info:
        bh.bit_accuracy(bh.init_params(4), 11)
    assert str(info.value) == "width must be <= 10 (allowed: 1 to 10), got 11"
