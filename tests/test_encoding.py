import numpy as np
import pytest

import binrnn_helpers as bh
from conftest import python_sums


def test_to_bits_msb_first_and_back():
    assert bh.to_bits(5, 4).tolist() == [0, 1, 0, 1]
    assert bh.to_bits(5).dtype == np.uint8 and bh.to_bits(5).shape == (8,)
    assert bh.to_bits(255).tolist() == [1] * 8
    for n in range(256):
        assert bh.from_bits(bh.to_bits(n)) == n
        assert bh.to_bits(n).tolist() == [int(c) for c in format(n, "08b")]


def test_from_bits_any_size():
    n = 2**100 + 12345
    bits = [int(c) for c in format(n, "b")]
    assert bh.from_bits(bits) == n


def test_addition_batch_time_major_lsb_first():
    a, b = np.array([9, 127, 0]), np.array([60, 127, 1])
    inputs, targets = bh.addition_batch(a, b, 8)
    assert inputs.shape == (8, 3, 2) and inputs.dtype == np.float64
    assert targets.shape == (8, 3) and targets.dtype == np.float64
    for i in range(3):
        assert [int(inputs[t, i, 0]) for t in range(8)] == bh.to_bits(a[i])[::-1].tolist()
        assert [int(inputs[t, i, 1]) for t in range(8)] == bh.to_bits(b[i])[::-1].tolist()
        assert bh.from_bits(targets[::-1, i].astype(int)) == a[i] + b[i]


def test_addition_batch_allows_wide_operand_when_sum_fits():
    inputs, targets = bh.addition_batch(np.array([200]), np.array([55]), 8)
    assert bh.from_bits(targets[::-1, 0].astype(int)) == 255


def test_ripple_carry_and_carries_agree_with_pythons_addition():
    a, b = bh.all_pairs(8)
    x, y = bh.addition_batch(a, b, 8)
    sum_bits, carry_out = bh.ripple_carry(x)
    assert python_sums(sum_bits) == (a + b).tolist()
    # the carry out of column t is bit t+1 of the sum of the low t+1 bits of a and b
    low = [(2 << t) - 1 for t in range(8)]
    want = np.array([(((a & m) + (b & m)) >> (t + 1)) & 1 for t, m in enumerate(low)])
    assert np.array_equal(carry_out, want) and np.array_equal(bh.carries(a, b, 8), want)
    assert bh.carries([127], [1], 8)[:, 0].tolist() == [1, 1, 1, 1, 1, 1, 1, 0]    # 127 + 1 = 128
    with pytest.raises(ValueError, match="inputs must be 0/1 bits"):
        bh.ripple_carry(x * 2)


@pytest.mark.parametrize("a, b, width", [(0, 0, None), (9, 60, 8), (2**100 - 1, 1, None), (5, 3, 4)])
def test_one_sum_spells_both_operands_and_the_sum(a, b, width):
    x, y = bh.one_sum(a, b, width)
    steps = width or max(a.bit_length(), b.bit_length()) + 1
    assert x.shape == (steps, 1, 2) and y.shape == (steps, 1)
    assert python_sums(x[:, 0, 0]) == [a] and python_sums(x[:, 0, 1]) == [b]
    assert python_sums(y) == [a + b]


def test_one_sum_refuses_a_sum_too_wide():
    with pytest.raises(ValueError, match="needs 4 bits, more than width=3"):
        bh.one_sum(7, 1, 3)


def test_all_pairs():
    a, b = bh.all_pairs(8)
    assert a.size == b.size == 16384
    assert a.max() == b.max() == 127
    assert len(set(zip(a.tolist(), b.tolist()))) == 16384
    assert bh.all_pairs(3)[0].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]


@pytest.mark.parametrize("call, exc, message", [
    (lambda: bh.to_bits(-1), ValueError, "n must be >= 0"),
    (lambda: bh.to_bits(256), ValueError, "n must be < 2**width = 256"),
    (lambda: bh.to_bits(3.5), TypeError, "n must be an integer, got 3.5"),
    (lambda: bh.to_bits("7"), TypeError, "n must be an integer, got '7'"),
    (lambda: bh.to_bits(True), TypeError, "n must be an integer"),
    (lambda: bh.to_bits(1, 0), ValueError, "width must be >= 1"),
    (lambda: bh.to_bits(1, 2.0), TypeError, "width must be an integer"),
    (lambda: bh.from_bits([0, 2, 1]), ValueError, "bits must hold only 0 and 1"),
    (lambda: bh.from_bits([]), ValueError, "bits must be a non-empty 1-D"),
    (lambda: bh.from_bits([[0, 1]]), ValueError, "bits must be a non-empty 1-D"),
    (lambda: bh.from_bits(["0", "1"]), ValueError, "bits must hold only 0 and 1"),
    (lambda: bh.addition_batch([1, 2], [3], 8), ValueError, "a and b must have the same length"),
    (lambda: bh.addition_batch([200], [100], 8), ValueError, "every sum a + b must be < 2**width = 256"),
    (lambda: bh.addition_batch([-1], [1], 8), ValueError, "a must hold integers in [0, 2**63)"),
    (lambda: bh.addition_batch([1.5], [1], 8), TypeError, "a must hold integers"),
    (lambda: bh.addition_batch([[1]], [1], 8), ValueError, "a must be a 1-D array"),
    (lambda: bh.addition_batch([1], [1], 0), ValueError, "width must be >= 1"),
    (lambda: bh.all_pairs(0), ValueError, "width must be >= 1"),
])
def test_bad_input_is_named(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_nothing_wraps_around():
    # numpy's uint8 would turn 256 into 0; we refuse instead
    with pytest.raises(ValueError):
        bh.to_bits(256, 8)
    with pytest.raises(ValueError):
        bh.addition_batch(np.array([128], dtype=np.uint8), np.array([128], dtype=np.uint8), 8)


def test_an_overflowing_sum_names_the_true_largest_sum():
    """Issue 15, case 9: a + b beyond int64 used to be reported by a wrapped-around value."""
    with pytest.raises(ValueError) as info:
        bh.addition_batch([2**62 + 5, 1], [2**62 + 7, 1], 8)
    assert str(info.value) == f"every sum a + b must be < 2**width = 256; the largest here is {2**63 + 12}"
    with pytest.raises(ValueError, match="the largest here is 201$"):
        bh.addition_batch([200, 3], [1, 4], 7)


def test_from_bits_keeps_its_message_short():
    """Issue 15, case 9: 100,000 bad bits used to be printed in full (300 KB)."""
    with pytest.raises(ValueError) as info:
        bh.from_bits([1] * 50_000 + [2] + [0] * 49_999)
    assert str(info.value) == "bits must hold only 0 and 1, got 2 at index 50000 of an array of 100,000 values"
    with pytest.raises(ValueError) as info:
        bh.from_bits(["0" * 100_000])
    assert str(info.value).startswith("bits must hold only 0 and 1, got ['000") and len(str(info.value)) < 100
    with pytest.raises(ValueError, match=r"^bits must hold only 0 and 1, got \[0, 2, 1\]$"):
        bh.from_bits([0, 2, 1])


def test_huge_numbers_are_shown_by_their_length():
    """A 5,001-digit int cannot even be printed by Python (its 4,300-digit limit): messages give
    its length instead."""
    with pytest.raises(ValueError) as info:
        bh.to_bits(10**5000, 8)
    assert str(info.value) == "n must be < 2**width = 256 to fit 8 bits, got a 5,001-digit number"
    with pytest.raises(ValueError, match="^a must be >= 0, got a 70-digit negative number$"):
        bh.one_sum(-10**69, 1)
    with pytest.raises(ValueError, match="^a \\+ b = a 20-digit number needs 65 bits, more than width=64$"):
        bh.one_sum(2**64 - 1, 1, 64)
    with pytest.raises(TypeError) as info:
        bh.to_bits("7" * 10_000)
    assert str(info.value) == f"n must be an integer, got '{'7' * 56}... (str)"
    assert [bh.encoding.shown(v) for v in (0, -5, 2**64 - 1, 2**64, 10**19, 10**20)] == \
        ["0", "-5", "18446744073709551615", "a 20-digit number", "10000000000000000000", "a 21-digit number"]


@pytest.mark.parametrize("value, exc, message", [
    (np.float32(0.25), None, 0.25),
    (np.int64(1), None, 1.0),
    (0, ValueError, "x must be a number in (0, 1], got 0"),
    (float("inf"), ValueError, "x must be a number in (0, 1], got inf"),
    (10**400, ValueError, "x must be a number in (0, 1], got a 401-digit number"),
    (True, TypeError, "x must be a number in (0, 1], got True (bool)"),
    (None, TypeError, "x must be a number in (0, 1], got None (NoneType)"),
])
def test_check_float(value, exc, message):
    if exc is None:
        assert bh.encoding.check_float(value, "x", 0, 1, include_high=True) == message
        return
    with pytest.raises(exc) as info:
        bh.encoding.check_float(value, "x", 0, 1, include_high=True)
    assert str(info.value) == message


def test_from_bits_reads_a_million_bits_and_object_arrays():
    """Bad-input probe: a million bits took over 20 s (quadratic); an object array of 0 and 1 was
    refused as if it held something else; nested lists of different lengths got numpy's message."""
    assert bh.from_bits(np.ones(10**6, int)) == 2**10**6 - 1
    assert bh.from_bits(np.array([1, 0], dtype=object)) == 2
    assert bh.from_bits([True, 0, 1.0]) == 5
    with pytest.raises(ValueError, match=r"^bits must hold only 0 and 1, got \[1, 2\]$"):
        bh.from_bits(np.array([1, 2], dtype=object))
    with pytest.raises(ValueError) as info:
        bh.from_bits([[1], [0, 1]])
    assert str(info.value) == ("bits must be a non-empty 1-D sequence of 0s and 1s, "
                               "got nested sequences of different lengths")


def test_to_bits_width_is_bounded_and_long_numbers_round_trip():
    """Bad-input probe: to_bits(5, width=10**9) tried to build a 1 GB list."""
    with pytest.raises(ValueError) as info:
        bh.to_bits(5, width=10**9)
    assert str(info.value) == "width must be <= 100000 (allowed: 1 to 100000), got 1000000000"
    n = 3**63_000                                       # 99,852 bits
    assert bh.from_bits(bh.to_bits(n, bh.encoding.MAX_BITS)) == n


def test_an_empty_batch_is_an_empty_batch():
    """Bad-input probe: addition_batch([], []) said "a must hold integers, got dtype float64"."""
    inputs, targets = bh.addition_batch([], [], 8)
    assert inputs.shape == (8, 0, 2) and targets.shape == (8, 0)
    assert bh.carries([], []).shape == (8, 0)
