"""How well does a network add?  Exhaustively on 8 bits, and on numbers of any size."""
import numpy as np

from .encoding import MAX_BITS, addition_batch, all_pairs, check_int, one_sum, shown
from .model import check_params, forward, sigmoid

BIT_ORDERS = ("lsb_first", "msb_first")
#: the four bit pairs (a_t, b_t) a step can read; row i = input number i = 2 * a_t + b_t
BIT_PAIRS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
MAX_PAIRS = 10**7           #: random_pairs' n at most: two arrays of 80 MB
#: long_sums' (bits + 1) * n at most: the hidden states of that many steps take 128 MB at H = 16
MAX_LONG_SUM_STEPS = 10**6


def predict_bits(params, inputs):
    """The network's bits, (T, N) uint8: 1 where the output probability is above 0.5.

    (The post rounds the output, ``np.round(o)``, which is the same: 0.5 rounds to 0.)
    """
    return (forward(params, inputs).output > 0.5).astype(np.uint8)


def correct_sums(params, a, b, width):
    """(N,) bool: whether the network adds each pair a[i] + b[i] right on all ``width`` bits."""
    inputs, targets = addition_batch(a, b, width)
    return np.all(predict_bits(params, inputs) == targets, axis=0)


def exhaustive_accuracy(params, width=8):
    """Fraction of all pairs a, b < 2**(width-1) (16,384 for width 8) added exactly right.

    1 <= width <= 12.  Each bit more is 4 times the pairs: width 8 takes about 0.05 s, width 10
    about half a second, width 12 (4,194,304 pairs) from 15 s to over a minute.
    """
    check_params(params)
    width = check_int(width, "width", minimum=1, maximum=12)
    a, b = all_pairs(width)
    chunk = 1 << 16
    right = sum(int(correct_sums(params, a[i:i + chunk], b[i:i + chunk], width).sum())
                for i in range(0, a.size, chunk))
    return right / a.size


def bit_accuracy(params, width=8):
    """(width,) fraction of all pairs whose bit t (LSB first) the network gets right.

    1 <= width <= 10: every pair's hidden states are held at once (370 MB at width 10, H = 16).
    """
    check_params(params)
    width = check_int(width, "width", minimum=1, maximum=10)
    inputs, targets = addition_batch(*all_pairs(width), width)
    return (predict_bits(params, inputs) == targets).mean(axis=1)


def add(params, a, b):
    """a + b as the network computes it, for non-negative Python ints of any size.

    The network reads one bit of each per step, LSB first, for as many steps as the longer
    operand has bits plus one (room for the final carry); the answer is the integer its output
    bits spell.  It does not look at the true sum.
    """
    check_params(params)
    inputs, _ = one_sum(a, b)
    out = predict_bits(params, inputs)[:, 0]
    return sum(int(bit) << t for t, bit in enumerate(out))


def _positions(width, bit_order):
    """The bit position read at each time step."""
    if bit_order not in BIT_ORDERS:
        raise ValueError(f"bit_order must be one of {BIT_ORDERS}, got {bit_order!r}")
    return range(width) if bit_order == "lsb_first" else range(width - 1, -1, -1)


def _pairs_at(position, width):
    """The bit pairs that occur at a bit position: the top bit of a, b < 2**(width-1) is 0."""
    return BIT_PAIRS[:1] if position == width - 1 else BIT_PAIRS


def tree_pairs(width=8, bit_order="lsb_first"):
    """Every pair a, b < 2**(width-1), in the order ``tree_forward`` scores them.

    Pair i has read, after its first t steps, the same bits as pair i % (the number of different
    t-step beginnings): the pairs form a tree of shared beginnings.  Two int64 arrays.
    """
    width = check_int(width, "width", minimum=1, maximum=12)
    a = b = np.zeros(1, np.int64)
    for p in _positions(width, bit_order):
        bits = _pairs_at(p, width)
        a = (a + (bits[:, :1] << p)).ravel()
        b = (b + (bits[:, 1:] << p)).ravel()
    return a, b


def tree_forward(params, width=8, bit_order="lsb_first", dtype=np.float64):
    """The network on every pair a, b < 2**(width-1), each shared beginning computed once.

    After t steps the hidden state depends only on the t bit pairs read so far, so step t needs
    one row per distinct beginning, not one per pair: 38,228 rows for width 8 instead of 131,072.
    Returns (hidden, output), two lists of ``width`` arrays: hidden[t] (M_t, H) and output[t]
    (M_t,) after step t, where pair i of ``tree_pairs`` is row i % M_t.  ``dtype`` float32 is
    cheaper, for checks that allow it (no other dtype is taken).
    """
    check_params(params)
    width = check_int(width, "width", minimum=1, maximum=12)
    dtype = _float_dtype(dtype)
    U, W, V = (m.astype(dtype) for m in (params.U, params.W, params.V))
    h = np.zeros((1, W.shape[0]), dtype)
    hidden, output = [], []
    for p in _positions(width, bit_order):
        xU = _pairs_at(p, width).astype(dtype) @ U                 # (k, H): each bit pair's input
        z = (xU[:, None, :] + (h @ W)[None]).reshape(-1, W.shape[0])         # (k * M, H)
        h = sigmoid(z, out=z)
        hidden.append(h)
        output.append(sigmoid(h @ V)[:, 0])
    return hidden, output


def tree_outputs(params, width=8, bit_order="lsb_first", dtype=np.float64):
    """Outputs (width, N) for every pair, in ``tree_pairs`` order, from ``tree_forward``: step t's
    rows repeated out to the pairs that share them."""
    _, output = tree_forward(params, width, bit_order, dtype)
    return np.stack([np.tile(o, len(output[-1]) // len(o)) for o in output])


def _float_dtype(dtype):
    """np.float32 or np.float64 (as a type, a name or a np.dtype), or a TypeError naming dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.float32, np.float64):
        got = shown(dtype) if dt is None else dt
        raise TypeError(f"dtype must be np.float32 or np.float64, got {got}")
    return dt


def random_pairs(n, bits, seed):
    """n pairs of random ints in [0, 2**bits) from RandomState(seed), as int64 arrays
    (1 <= n <= ``MAX_PAIRS``, bits <= 62)."""
    n = check_int(n, "n", minimum=1, maximum=MAX_PAIRS)
    bits = check_int(bits, "bits", minimum=1, maximum=62)
    rng = np.random.RandomState(check_int(seed, "seed", minimum=0, maximum=2**32 - 1))
    high = np.int64(1) << np.int64(bits)
    return (rng.randint(0, high, size=n, dtype=np.int64),
            rng.randint(0, high, size=n, dtype=np.int64))


def long_sums(n, bits, seed):
    """n random additions of two ``bits``-bit numbers (any size), as fed to the network.

    The operands' bits come from ``RandomState(seed)``; the targets are the bits of Python's own
    a + b.  Returns inputs (bits+1, n, 2) and targets (bits+1, n), float64, LSB first: the last
    step reads (0, 0) and writes the final carry.  1 <= bits <= ``MAX_BITS``, and
    (bits + 1) * n <= ``MAX_LONG_SUM_STEPS`` (10**6: n <= 15,873 for 62 bits).
    """
    bits = check_int(bits, "bits", minimum=1, maximum=MAX_BITS)
    n = check_int(n, "n", minimum=1, maximum=MAX_LONG_SUM_STEPS // (bits + 1))
    rng = np.random.RandomState(check_int(seed, "seed", minimum=0, maximum=2**32 - 1))
    inputs = np.zeros((bits + 1, n, 2))
    inputs[:bits] = rng.randint(2, size=(bits, n, 2))
    targets = np.empty((bits + 1, n))
    for i in range(n):
        a, b = (int("".join("01"[int(v)] for v in inputs[::-1, i, k]), 2) for k in (0, 1))
        targets[:, i] = [((a + b) >> t) & 1 for t in range(bits + 1)]
    return inputs, targets


def long_sum_accuracy(params, bits=62, n=500, seed=2024):
    """Fraction of ``n`` random pairs of ``bits``-bit numbers (``long_sums``) added exactly.

    The network runs bits + 1 steps, so the final carry has its own output bit.  Bounds as for
    ``long_sums``.
    """
    check_params(params)
    inputs, targets = long_sums(n, bits, seed)
    return float(np.all(predict_bits(params, inputs) == targets, axis=0).mean())
