"""Numbers as bits, and batches of additions for the network.

Bit order: an array of bits is written most significant bit (MSB) first, as a person
writes a number and as the original post stores it.  The network *reads* a number the
other way round, least significant bit (LSB) first, one bit per time step, because that
is the direction in which the carry travels.
"""
import contextlib
import math
import numbers
import sys

import numpy as np

#: the most bits ``to_bits`` writes and ``long_sums`` draws per number (a 30,103-digit number)
MAX_BITS = 100_000


def check_int(value, name, *, minimum=None, maximum=None):
    """Return ``value`` as a Python int, or raise a clear error naming ``name``.

    Accepts Python ints and numpy integers; refuses bools, floats (even 3.0), strings.
    ``maximum`` is inclusive.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {shown(value)} ({type(value).__name__})")
    value = int(value)
    both = f" (allowed: {minimum} to {maximum})" if None not in (minimum, maximum) else ""
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}{both}, got {shown(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}{both}, got {shown(value)}")
    return value


def check_float(value, name, low, high, *, include_low=False, include_high=False):
    """Return ``value`` as a Python float between ``low`` and ``high`` (ends excluded unless
    included), or raise a clear error naming ``name``.  Python and numpy ints and floats count
    (np.float32 too); bools, strings and NaN do not."""
    interval = f"{'[' if include_low else '('}{low:g}, {high:g}{']' if include_high else ')'}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}, got {shown(value)} "
                        f"({type(value).__name__})")
    try:
        number = float(value)
    except OverflowError:                                   # an int beyond float's range
        number = math.inf if value > 0 else -math.inf
    if not ((low <= number if include_low else low < number)
            and (number <= high if include_high else number < high)):
        raise ValueError(f"{name} must be a number in {interval}, got {shown(value)}")
    return number


def shown(value, limit=60):
    """``value`` as an error message shows it: a huge integer by its length ("a 4,301-digit
    number"), any other value by its repr, cut to ``limit`` characters."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        value = int(value)
        if value.bit_length() <= 64:
            return str(value)
        digits = int(value.bit_length() * 0.30102999566398120)     # log10(2): never too many
        while 10 ** digits <= abs(value):
            digits += 1
        return f"a {digits:,}-digit {'negative ' if value < 0 else ''}number"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


@contextlib.contextmanager
def long_ints(digits=0):
    """Inside the block, int() and str() convert integers of up to ``digits`` digits (0: any).

    Python refuses above 4,300 digits by default (a guard against slow conversions of untrusted
    text); the views and the command line write and read the sums of any size bh.add computes.
    """
    old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    lift = old != 0 and (digits == 0 or old < digits)       # 0: no limit, or no such guard
    if lift:
        sys.set_int_max_str_digits(digits)
    try:
        yield
    finally:
        if lift:
            sys.set_int_max_str_digits(old)


def to_bits(n, width=8):
    """The ``width`` bits of the non-negative integer ``n``, MSB first.

    Returns a uint8 array of shape (width,), 1 <= width <= ``MAX_BITS``.  ``to_bits(5, 4)`` is
    ``[0 1 0 1]``.  A number that needs more than ``width`` bits is refused (it never wraps around).
    """
    width = check_int(width, "width", minimum=1, maximum=MAX_BITS)
    n = check_int(n, "n", minimum=0)
    if n.bit_length() > width:
        raise ValueError(f"n must be < 2**width = {shown(2**width)} to fit {width} bits, got {shown(n)}")
    return np.frombuffer(format(n, "b").zfill(width).encode(), np.uint8) - ord("0")


def from_bits(bits):
    """The integer written by ``bits`` (MSB first, each 0 or 1); a Python int of any size.

    bits: a 1-D sequence or array of numbers (an object array of Python ints too)."""
    try:
        arr = np.asarray(bits)
    except ValueError:                                      # numpy refuses ragged nesting
        raise ValueError("bits must be a non-empty 1-D sequence of 0s and 1s, "
                         "got nested sequences of different lengths") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"bits must be a non-empty 1-D sequence of 0s and 1s, got shape {arr.shape}")
    if arr.dtype == object:                                 # Python ints, say: checked one by one
        bad = np.array([not (isinstance(v, numbers.Real) and v in (0, 1)) for v in arr])
    else:
        bad = np.ones(arr.shape, bool) if arr.dtype.kind not in "biuf" else ~np.isin(arr, (0, 1))
    if bad.any():
        i = int(np.argmax(bad))
        got = shown(arr.tolist()) if arr.size <= 20 else \
            f"{shown(arr.tolist()[i])} at index {i} of an array of {arr.size:,} values"
        raise ValueError(f"bits must hold only 0 and 1, got {got}")
    return int(np.where(arr != 0, b"1", b"0").tobytes(), 2)   # base 2: linear in the length


def check_operands(a, b, name_a="a", name_b="b"):
    """``a`` and ``b`` as equal-length 1-D int64 arrays of non-negative integers (empty ones too)."""
    out = []
    for name, x in ((name_a, a), (name_b, b)):
        arr = np.asarray(x)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array of integers, got shape {arr.shape}")
        if arr.dtype.kind not in "iu" and arr.size and not (arr.dtype == object and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in arr)):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= 2**63):
            raise ValueError(f"{name} must hold integers in [0, 2**63), got min {arr.min()}, max {arr.max()}")
        out.append(arr.astype(np.int64))
    if out[0].shape != out[1].shape:
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {out[0].size} and {out[1].size}")
    return out


def addition_batch(a, b, width=8):
    """Inputs and targets for adding ``a[i] + b[i]``, time-major, LSB first.

    a, b: (N,) non-negative integers with every sum below ``2**width``.
    Returns ``inputs`` float64 (width, N, 2) -- ``inputs[t, i]`` holds bit t of a[i] and
    of b[i] -- and ``targets`` float64 (width, N) -- bit t of a[i] + b[i].
    """
    width = check_int(width, "width", minimum=1, maximum=63)
    a, b = check_operands(a, b)
    total = a.astype(np.uint64) + b.astype(np.uint64)  # exact: both < 2**63
    if total.size and int(total.max()) >= 2**width:
        raise ValueError(f"every sum a + b must be < 2**width = {2**width}; "
                         f"the largest here is {int(total.max())}")
    total = total.astype(np.int64)
    shifts = np.arange(width, dtype=np.int64)[:, None]  # (width, 1): bit t is (n >> t) & 1
    inputs = np.stack([(a >> shifts) & 1, (b >> shifts) & 1], axis=-1).astype(np.float64)
    targets = ((total >> shifts) & 1).astype(np.float64)
    return inputs, targets


def one_sum(a, b, width=None):
    """Inputs (T, 1, 2) and targets (T, 1) for one addition of Python ints of any size, LSB first.

    ``width`` defaults to one more bit than the longer operand has, so the final carry gets its
    own step; a sum that needs more than ``width`` bits is refused.
    """
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    if width is None:
        width = max(a.bit_length(), b.bit_length()) + 1
    width = check_int(width, "width", minimum=1)
    if (a + b).bit_length() > width:
        raise ValueError(f"a + b = {shown(a + b)} needs {(a + b).bit_length():,} bits, "
                         f"more than width={width}")
    inputs = np.array([[[(a >> t) & 1, (b >> t) & 1]] for t in range(width)], dtype=np.float64)
    targets = np.array([[((a + b) >> t) & 1] for t in range(width)], dtype=np.float64)
    return inputs, targets


def ripple_carry(inputs):
    """Column addition done on bits, LSB first, as the network must learn it.

    inputs: (T, N, 2) bits of a and b.  Returns (sum_bits, carry_out), both (T, N) uint8:
    at step t, a_t + b_t + (carry into t) = sum_bits[t] + 2 * carry_out[t].
    """
    x = np.asarray(inputs).astype(np.int8)
    if x.ndim != 3 or x.shape[2] != 2 or x.size and (x.min() < 0 or x.max() > 1) \
            or not np.array_equal(x, inputs):
        raise ValueError(f"inputs must be 0/1 bits of shape (T, N, 2), got shape {np.shape(inputs)}")
    sum_bits = np.empty(x.shape[:2], np.uint8)
    carry_out = np.empty(x.shape[:2], np.uint8)
    carry = 0
    for t in range(len(x)):
        total = x[t, :, 0] + x[t, :, 1] + carry           # 0, 1, 2 or 3
        sum_bits[t], carry_out[t] = total & 1, total >> 1
        carry = carry_out[t]
    return sum_bits, carry_out


def carries(a, b, width=8):
    """(width, N) uint8: carries[t, i] = 1 when column t of a[i] + b[i] carries into column t+1."""
    return ripple_carry(addition_batch(a, b, width)[0])[1]


def all_pairs(width=8):
    """Every pair (a, b) with a, b < 2**(width-1), so that a + b fits ``width`` bits.

    Returns two int64 arrays of length 4**(width-1): 16,384 pairs for width 8, ordered
    a = 0, 0, ..., 1, ... with b running fastest.
    """
    width = check_int(width, "width", minimum=1, maximum=12)
    half = 2 ** (width - 1)
    a, b = np.divmod(np.arange(half * half, dtype=np.int64), half)
    return a, b
