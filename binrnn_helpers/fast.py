"""``train_fast``: the same network, trained in about a hundred minibatch steps.

The post's loop needs ~7,000 steps because each step sees one sum and takes a small plain
gradient step.  This trainer sees 32 sums per step (their summed gradient is far less noisy),
uses Adam (a per-weight step size) on the cross-entropy of each output bit (its gradient does
not vanish when an output is confidently wrong), and stops as soon as the network is right, with
a margin, on long sums and on every pair, checked cheaply.  Its weights are packed into one
matrix so that each time step is one matrix product forward and one backward: at ~32 sums a
step, numpy's per-call overhead, not arithmetic, sets the pace.  Everything else -- the network,
its 304 weights, their initial values -- is the post's.

It trains in float64 so that every computer trains the same network.  CPUs round the last bit of
a float differently (another SIMD width, another BLAS kernel), and a hundred Adam steps amplify a
difference: in float32 (1e-7) that ends in a different network; in float64 (1e-16) the networks
for seeds 0-49 end at most 2e-6 apart, after the same number of steps (benchmarks/long_sums.py
measures it).  Runs of many hundreds of steps can still drift apart.

The checks that decide when to stop run in float32, for speed: their verdict could only differ
between computers where an output lands within a rounding error of the margin's edge.
"""
import functools
import math
import time
from dataclasses import dataclass

import numpy as np

from .encoding import addition_batch, check_int
from .model import Params, _draw_params

BIT_ORDERS = ("lsb_first", "msb_first")
LEARNING_RATE = 0.3                     #: train_fast's default
#: margin demanded on the long check sums: wider than the 8-bit one, because on a long sum a
#: hidden state that is only just right can drift over many steps (benchmarks/long_sums.py).
LONG_MARGIN = 0.4
#: fresh long sums drawn for every long check: (how many, chance that a step's bits propagate the
#: carry).  0.5 is uniformly random bits; 0.9 makes the long carry chains where drift shows.
FRESH_SUMS = ((2000, 0.5), (1000, 0.9))
_BIT_PAIRS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])      # the four possible (a_t, b_t)
BETA1, BETA2 = 0.5, 0.9                                      # Adam's decay rates for m and v
_ADAM_RATES = np.array([[1 - BETA1], [1 - BETA2]])                 # m += (1-b1) (g - m), likewise v
EPSILON = 1e-8                                               # Adam's epsilon
_DRAW_BLOCK = 32                                             # minibatches drawn per randint call


@dataclass
class History:
    """What ``train_fast`` recorded, for plotting.

    steps, loss: after ``steps[k]`` updates, the post's loss 0.5 * sum((y - o)**2) per example,
    averaged over that step's minibatch.  check_steps, accuracy: the exhaustive accuracy on all
    pairs where it was measured (always at the end: ``check_steps[-1]`` is the number of updates
    made).  converged: whether it stopped because every pair was right with the margin.
    seconds: wall time.  message: why it stopped, in words.  check_seconds: the part of
    ``seconds`` spent in the stopping checks (long sums, all pairs); the rest is training.
    """
    steps: list
    loss: list
    check_steps: list
    accuracy: list
    converged: bool
    seconds: float
    message: str
    check_seconds: float = 0.0


def train_fast(hidden_size=16, seed=0, *, learning_rate=LEARNING_RATE, batch_size=32, max_steps=3000,
               margin=0.3, width=8, bit_order="lsb_first", on_step=None):
    """Train with minibatch Adam until every pair a, b < 2**(width-1) is added right with a margin.

    Initial weights: ``init_params(hidden_size, seed)`` (the post's draw).  Minibatches of
    ``batch_size`` random pairs from ``RandomState([seed, 1])``; Adam (beta1 0.5, beta2 0.9) on
    the cross-entropy of the output bits; float64 inside (see the module's docstring).

    Stops when (a) every output on 146 fixed long sums (``_long_sums``: random 64-bit sums and
    long runs that must keep a carry) and on 3,000 64-bit sums drawn afresh for this check
    (``FRESH_SUMS``, from ``RandomState([seed, 2])``) is on the right side of 0.5 by
    ``LONG_MARGIN`` -- a network that is only barely right on 8 bits often fails on long
    numbers -- and then (b) every output for every pair is right by ``margin``
    (|o - y| <= 0.5 - margin).  The long sums go first because a network that is not ready
    mostly fails them within a few steps, which is far cheaper than one pass over all pairs.
    Checks run only when the minibatch itself passes with 0.05 to spare, and at most every 5
    updates; they never change the training, only when it stops.
    Otherwise it stops after ``max_steps`` updates with ``history.converged`` False.

    bit_order: "lsb_first" (the post's) or "msb_first" (bits fed the other way: the carry would
    have to travel backwards in time; it does not learn).  on_step: optional
    ``on_step(updates_so_far, params)`` called before each update; return True to stop.

    Returns (params, history): float64 Params and a History whose ``steps[k]`` / ``loss[k]`` are
    the post's loss per example (0.5 * sum over bits of (y - o)**2, averaged over the minibatch)
    after k updates, and whose ``check_steps`` / ``accuracy`` give the exhaustive accuracy where
    it was measured; ``check_steps[-1]`` is the number of updates made.
    """
    start = time.perf_counter()
    H = check_int(hidden_size, "hidden_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    B = check_int(batch_size, "batch_size", minimum=1)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    T = check_int(width, "width", minimum=1, maximum=12)
    for name, value, low, high in (("learning_rate", learning_rate, 0, np.inf), ("margin", margin, 0, 0.5)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value < high \
                or (name == "learning_rate" and value == 0):
            raise ValueError(f"{name} must be a number in {'(0, inf)' if low == 0 and high == np.inf else '[0, 0.5)'},"
                             f" got {value!r}")
    if bit_order not in BIT_ORDERS:
        raise ValueError(f"bit_order must be one of {BIT_ORDERS}, got {bit_order!r}")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be callable or None, got {type(on_step).__name__}")

    # The layout, chosen so that each time step costs one matrix product each way.  Step t's
    # column block S[t] = [h_t; x_t] holds, one column per sum, the hidden state h_t (H rows,
    # h_0 = 0) and the step's input bits x_t (2 rows).  All weights live in one float64 matrix
    # P = [[W.T, U.T], [V.T, 0, 0]], so -P[:H] @ S[t] = -(W.T h_t + U.T x_t) = -z_{t+1}, and
    # P[:, :H].T = [W V] sends dL/dz_{t+1} and the output error of step t back to h_t at once.
    # Adam updates P as one flat vector (its two unused corner entries get zero gradient).
    init = _draw_params(np.random.RandomState(seed), H)
    P = np.zeros((H + 1, H + 2), np.float64)
    P[:H, :H], P[:H, H:], P[H, :H] = init.W.T, init.U.T, init.V[:, 0]
    theta = P.ravel()                                  # a view: updating theta updates P
    nP = np.empty_like(P)                              # -P, refreshed every step
    nA, nV = nP[:H], nP[H:, :H]                        # -[W.T U.T] and -V.T
    back = P[:, :H].T                                  # [W V], (H, H+1)
    grads = np.zeros((2, theta.size), np.float64)     # [gradient, gradient**2]
    moments = np.zeros_like(grads)                     # Adam's [m, v]
    (g, g_squared), (m, v) = grads, moments
    G = g.reshape(H + 1, H + 2)                        # the gradient, laid out like P
    change, update = np.empty_like(grads), np.empty_like(theta)

    X, Y = _all_pairs(T, bit_order)                    # every pair, (T, N, 2) and (T, N), read-only
    long_x, long_y = _long_check_sums(bit_order)
    draw = np.random.RandomState([seed, 1])
    fresh_draw = np.random.RandomState([seed, 2])     # the fresh long sums of each check
    S = np.zeros((T + 1, H + 2, B), np.float64)        # S[t] = [h_t; x_t]
    E = np.zeros((T + 1, H + 1, B), np.float64)        # E[t] = [dL/dz_{t+1}; err_t], zero where absent
    hidden, inputs = S[1:, :H], S[:T, H:]              # h_1..h_T and x_0..x_{T-1}
    slopes = np.empty((T, H, B), np.float64)           # slopes[t-1] = h_t (1 - h_t), the sigmoid's slope
    forward = [(S[t], S[t + 1, :H]) for t in range(T)]
    backward = [(E[t], E[t - 1, :H], slopes[t - 1]) for t in range(T, 0, -1)]
    z = np.empty((H, B), np.float64)                   # one step's -z, then its W h + V err
    out = np.empty((T, 1, B), np.float64)              # the outputs o_0..o_{T-1} ...
    outputs = out[:, 0]                                # ... as (T, B)
    err = np.empty((T, B), np.float64)                 # o - y: dL/d(output logit) for cross-entropy
    per_step = np.empty((T + 1, H + 1, H + 2), np.float64)   # each step's share of the gradient
    S_T = S.transpose(0, 2, 1)
    err_rows, corner = E[1:, H], G[H, H:]
    gate = 0.45 - margin                               # the minibatch must pass with 0.05 to spare
    steps, losses, check_steps, accuracy = [], [], [], []
    next_check, check_seconds = 0, 0.0
    converged, message = False, f"not converged: the step limit max_steps={max_steps} was reached"
    with np.errstate(over="ignore"):                   # see _sigmoid_neg
        for step in range(max_steps + 1):
            if on_step is not None and on_step(step, _unpack(P, np.float64)):
                message = f"stopped by on_step after {step} updates"
                break
            k = step % _DRAW_BLOCK
            if k == 0:                                 # 32 minibatches at once, laid out as S wants
                idx = draw.randint(X.shape[1], size=(_DRAW_BLOCK, B))
                x_block = X.take(idx, axis=1).transpose(1, 0, 3, 2).copy()    # (32, T, 2, B)
                y_block = Y.take(idx, axis=1).transpose(1, 0, 2).copy()       # (32, T, B)
            np.copyto(inputs, x_block[k])
            np.negative(P, out=nP)
            for s, h_next in forward:                  # forward: the recurrence, one product a step
                _sigmoid_neg(np.dot(nA, s, out=z), out=h_next)     # -z_{t+1}, then h_{t+1}
            _sigmoid_neg(np.matmul(nV, hidden, out=out))   # the outputs, all steps at once
            np.subtract(outputs, y_block[k], out=err)
            squared = float(np.vdot(err, err))
            steps.append(step)
            losses.append(0.5 * squared / B)
            if step == max_steps:
                break
            # cheap tests first: the loss bounds the largest error (sum of squares >= max squared)
            if step >= next_check and squared <= T * B * gate**2 and np.abs(err).max() <= gate:
                check_start = time.perf_counter()
                U, W, V = _unpack(P)
                if _within_margin(U, W, V, long_x, long_y, LONG_MARGIN) and _within_margin(
                        U, W, V, *_fresh_long_sums(fresh_draw, bit_order), LONG_MARGIN):
                    acc, outside = _exhaustive_check(U, W, V, Y, bit_order, margin)
                    check_steps.append(step)
                    accuracy.append(acc)
                    converged = not outside.any()
                check_seconds += time.perf_counter() - check_start
                if converged:
                    message = f"converged after {step} updates"
                    break
                next_check = step + 5                  # a failed check: train a little first
            # backward through time, for the loss summed over the minibatch (the mean would give the
            # same Adam step: m / sqrt(v) does not change when every gradient is scaled alike)
            np.copyto(err_rows, err)
            np.subtract(1, hidden, out=slopes)
            slopes *= hidden
            for e, d, slope in backward:               # dL/dz_t = ([W V] @ [dL/dz_{t+1}; err_t]) * slope
                np.dot(back, e, out=z)
                np.multiply(z, slope, out=d)
            np.matmul(E, S_T, out=per_step)            # E[t] @ S[t].T: dL/dP from step t
            per_step.sum(axis=0, out=G)
            corner.fill(0)                             # the two unused corner entries of P
            n = step + 1                               # Adam, with BETA1 = 0.5, BETA2 = 0.9:
            np.multiply(g, g, out=g_squared)
            np.subtract(grads, moments, out=change)    # m += 0.5 (g - m), v += 0.1 (g**2 - v)
            change *= _ADAM_RATES
            moments += change
            np.sqrt(v, out=update)                     # theta -= lr * m_hat / (sqrt(v_hat) + eps)
            update += EPSILON
            np.divide(m, update, out=update)
            update *= learning_rate * math.sqrt(1 - BETA2**n) / (1 - BETA1**n)
            theta -= update
    if not check_steps or check_steps[-1] != step:    # step = the number of updates made
        check_start = time.perf_counter()
        check_steps.append(step)
        accuracy.append(_exhaustive_check(*_unpack(P), Y, bit_order, margin)[0])
        check_seconds += time.perf_counter() - check_start
    return _unpack(P, np.float64), History(steps, losses, check_steps, accuracy, converged,
                                            time.perf_counter() - start, message, check_seconds)


def _unpack(P, dtype=np.float32):
    """U, W, V (contiguous copies) from the packed matrix P = [[W.T, U.T], [V.T, 0, 0]];
    as Params when dtype is float64."""
    H = len(P) - 1
    U, W, V = (np.array(a, dtype, order="C") for a in (P[:H, H:].T, P[:H, :H].T, P[H:, :H].T))
    return Params(U, W, V) if dtype == np.float64 else (U, W, V)


def _sigmoid_neg(nz, out=None):
    """sigmoid(z) = 1 / (1 + exp(-z)), from ``nz``, which holds -z (so no negation pass); written
    into ``out``, or over ``nz`` when ``out`` is None (``nz`` is overwritten either way).

    Call it under ``np.errstate(over="ignore")``: where -z > 88 (float32) or 709 (float64), exp
    overflows to inf and the result is 1 / inf = 0, which is the right answer (sigmoid(-88) < 1e-38)."""
    np.exp(nz, out=nz)
    np.add(nz, 1, out=nz)
    return np.reciprocal(nz, out=nz if out is None else out)


def _in_order(x, y, bit_order):
    """Time-major arrays as fed to the network: reversed in time for "msb_first"."""
    return (x, y) if bit_order == "lsb_first" else (x[::-1], y[::-1])


@functools.lru_cache(maxsize=4)
def _all_pairs(T, bit_order):
    """Every pair in ``_prefix_tree_pairs`` order, as fed to the network: (T, N, 2) inputs and
    (T, N) targets, float32, read-only.  Built once and kept (1.5 MB for 8 bits)."""
    x, y = _in_order(*addition_batch(*_prefix_tree_pairs(T, bit_order), T), bit_order)
    return _frozen(x), _frozen(y)


@functools.lru_cache(maxsize=2)
def _long_check_sums(bit_order):
    """``_long_sums()`` as fed to the network, read-only (built once per bit order)."""
    x, y = _in_order(*_long_sums(), bit_order)
    return _frozen(x), _frozen(y)


def _frozen(a):
    a = np.ascontiguousarray(a, np.float32)
    a.flags.writeable = False
    return a


def _positions(T, bit_order):
    """Which bit position is fed at each time step."""
    return range(T) if bit_order == "lsb_first" else range(T - 1, -1, -1)


def _bits_at(position, T):
    """The (a_bit, b_bit) pairs that occur at a bit position: the top bit of a, b < 2**(T-1) is 0."""
    return _BIT_PAIRS[:1] if position == T - 1 else _BIT_PAIRS


def _prefix_tree_pairs(T, bit_order):
    """Every pair a, b < 2**(T-1), ordered so that pair i has seen, after t steps, the same bits
    as pair i % (the number of different t-step prefixes).  ``_exhaustive_outputs`` relies on it."""
    a = b = np.zeros(1, np.int64)
    for p in _positions(T, bit_order):
        c = _bits_at(p, T)
        a, b = (a + (c[:, :1] << p)).ravel(), (b + (c[:, 1:] << p)).ravel()
    return a, b


@np.errstate(over="ignore")                              # see _sigmoid_neg
def _prefix_tree_outputs(U, W, V, T, bit_order):
    """The outputs for every pair, computed on the prefix tree: a list of T arrays.

    After t steps the hidden state depends only on the t bit pairs read so far, so step t needs
    one row per distinct prefix, not one per pair: 38,228 rows in all for 8 bits (the last two
    steps 16,384 each) instead of 131,072.  Pair i of ``_prefix_tree_pairs`` gets step t's output
    ``outs[t][i % len(outs[t])]``.
    """
    nU, nW, nV = -U, -W, -V                              # work on -z, as in train_fast
    h, outs = np.zeros((1, len(W)), np.float32), []
    for p in _positions(T, bit_order):
        nz, nxu = _matmul(h, nW)[None], _bits_at(p, T).astype(np.float32) @ nU
        if nxu.any():                                    # (the top bits (0, 0) add nothing)
            nz = nxu[:, None, :] + nz                    # (k, prefixes, H): -z
        h = _sigmoid_neg(nz).reshape(-1, len(W))         # (k * prefixes, H)
        outs.append(_sigmoid_neg(_matmul(h, nV))[:, 0])
    return outs


def _exhaustive_outputs(U, W, V, T, bit_order):
    """Outputs (T, N) for every pair in ``_prefix_tree_pairs`` order, computed on the prefix tree
    (38,228 rows for 8 bits, see ``_prefix_tree_outputs``) and repeated out to one column per pair."""
    outs = _prefix_tree_outputs(U, W, V, T, bit_order)
    return np.stack([np.tile(o, len(outs[-1]) // len(o)) for o in outs])


def _exhaustive_check(U, W, V, Y, bit_order, margin):
    """(accuracy, outside) on every pair: the fraction of pairs with every output bit on the right
    side of 0.5, and a boolean (N,) mask of the pairs with some output off by more than 0.5 - margin.
    Y: the (T, N) targets of ``_all_pairs``.  No (T, N) array of outputs is built."""
    T, N = Y.shape
    outside, wrong = np.zeros(N, bool), np.zeros(N, bool)
    for o, y in zip(_prefix_tree_outputs(U, W, V, T, bit_order), Y):
        y = y.reshape(-1, len(o))            # pair i is row i // len(o), column i % len(o): no copy
        outside |= (np.abs(o - y) > 0.5 - margin).ravel()
        wrong |= ((o > 0.5) != (y > 0.5)).ravel()
    return (N - np.count_nonzero(wrong)) / N, outside


def _matmul(h, M, rows=1024):
    """h @ M in slices of ``rows`` rows: bigger products make OpenBLAS start threads, which is
    many times slower than one thread on a busy 2-core machine."""
    out = np.empty((len(h), M.shape[1]), np.float32)
    for i in range(0, len(h), rows):
        np.matmul(h[i:i + rows], M, out=out[i:i + rows])
    return out


def _long_sums(n=50, bits=64, seed=99):
    """Long additions to check a network on, LSB first: (bits, M, 2) inputs, (bits, M) targets.

    n random ``bits``-bit sums (a fixed stream, not the tests'), plus the hard cases that random
    sums rarely hold: a long run of one input pair (which settles the hidden state wherever
    that input leads it), then a long run of "propagate" inputs (1, 0) / (0, 1), which must
    keep the carry unchanged however long the run, then each of the four inputs.  The last
    input bits are 0, so the final carry has a step; a ripple carry gives the targets.
    """
    rng = np.random.RandomState(seed)
    x = rng.randint(2, size=(bits, n, 2))
    settle, run = 20, bits // 2
    middles = [np.tile([1, 0], (run, 1)), np.tile([0, 1], (run, 1)),
               np.where(np.arange(run)[:, None] % 2 == 0, [1, 0], [0, 1])]
    middles += [rng.randint(2, size=(run, 1)) * [1, -1] + [0, 1] for _ in range(3)]
    hard = [np.concatenate([np.tile(first, (settle, 1)), middle, [last],
                            np.zeros((bits - settle - run - 1, 2), int)])
            for first in _BIT_PAIRS for middle in middles for last in _BIT_PAIRS]
    x = np.concatenate([x, np.stack(hard, axis=1)], axis=1)
    x[-1] = 0
    return x.astype(np.float32), _ripple_carry(x)


def _fresh_long_sums(rng, bit_order, bits=64):
    """New long sums for one check, as fed to the network: ``FRESH_SUMS`` drawn from ``rng``.

    Each step's bit pair propagates the carry ((0, 1) or (1, 0)) with the given chance, else it
    kills or makes one ((0, 0) or (1, 1)); the last step is (0, 0), so the final carry has a step.
    Fresh sums every check: a network cannot pass by fitting one fixed set of long sums."""
    parts = []
    for n, chance in FRESH_SUMS:
        a = rng.randint(2, size=(bits, n), dtype=bool)
        propagate = rng.random_sample((bits, n)) < chance
        parts.append(np.stack([a, a ^ propagate], axis=-1))       # b = not a where it propagates
    x = np.concatenate(parts, axis=1).view(np.int8)              # 0 and 1, to add up
    x[-1] = 0
    return _in_order(x.astype(np.float32), _ripple_carry(x), bit_order)


def _ripple_carry(x):
    """The bits of each sum, (bits, M) float32, from its input bits x (bits, M, 2), LSB first."""
    y, carry = np.empty(x.shape[:2], np.float32), 0
    for t in range(len(x)):
        total = x[t, :, 0] + x[t, :, 1] + carry
        y[t], carry = total & 1, total >> 1
    return y


@np.errstate(over="ignore")                              # see _sigmoid_neg
def _within_margin(U, W, V, x, y, margin):
    """Is every output on the sums x, y (time-major) on the right side of 0.5 by ``margin``?

    Checked after 1, 3, 7, 15, ... steps: a network that fails mostly fails within the first few
    steps, so this stops early, yet checks the outputs of many steps with one comparison."""
    nU, nW, nV = -U, -W, -V                              # work on -z, as in train_fast
    h, start = np.zeros((x.shape[1], len(W)), np.float32), 0
    while start < len(x):
        stop = min(2 * start + 1, len(x))
        hs = x[start:stop] @ nU                          # (steps, M, H): -(input projections)
        for t in range(len(hs)):
            hs[t] += (hs[t - 1] if t else h) @ nW
            _sigmoid_neg(hs[t])
        o = _sigmoid_neg(hs @ nV)[..., 0]                # (steps, M)
        if np.abs(o - y[start:stop]).max() > 0.5 - margin:
            return False
        h, start = hs[-1], stop
    return True
