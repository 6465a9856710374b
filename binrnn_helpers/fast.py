"""``train_fast``: the same network, trained in about a hundred minibatch steps.

The post's loop needs ~7,000 steps because each step sees one sum and takes a small plain
gradient step.  This trainer sees 64 sums per step (their average gradient is far less noisy),
uses Adam (a per-weight step size) on the cross-entropy of each output bit (its gradient does
not vanish when an output is confidently wrong), and stops as soon as the network is right on
every pair *with a margin*, checked cheaply.  Everything else -- the network, its 304 weights,
their initial values -- is the post's.
"""
import time
from dataclasses import dataclass

import numpy as np

from .encoding import addition_batch, check_int
from .model import Params, _draw_params

BIT_ORDERS = ("lsb_first", "msb_first")
#: margin demanded on the long check sums: wider than the 8-bit one, because on a long sum a
#: hidden state that is only just right can drift over many steps (measured in benchmarks/).
LONG_MARGIN = 0.35
_BIT_PAIRS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])      # the four possible (a_t, b_t)


@dataclass
class History:
    """What ``train_fast`` recorded, for plotting.

    steps, loss: after ``steps[k]`` updates, the post's loss 0.5 * sum((y - o)**2) per example,
    averaged over that step's minibatch.  check_steps, accuracy: the exhaustive accuracy on all
    pairs where it was measured (always at the end: ``check_steps[-1]`` is the number of updates
    made).  converged: whether it stopped because every pair was right with the margin.
    seconds: wall time.  message: why it stopped, in words.
    """
    steps: list
    loss: list
    check_steps: list
    accuracy: list
    converged: bool
    seconds: float
    message: str


def train_fast(hidden_size=16, seed=0, *, learning_rate=0.2, batch_size=64, max_steps=3000,
               margin=0.25, width=8, bit_order="lsb_first", on_step=None):
    """Train with minibatch Adam until every pair a, b < 2**(width-1) is added right with a margin.

    Initial weights: ``init_params(hidden_size, seed)`` (the post's draw).  Minibatches of
    ``batch_size`` random pairs from ``RandomState([seed, 1])``; Adam (beta1 0.5, beta2 0.9) on
    the cross-entropy of the output bits; float32 inside.

    Stops when (a) every output for every pair is on the right side of 0.5 by ``margin``
    (|o - y| <= 0.5 - margin) and (b) every output on 296 long sums (``_long_sums``: random
    100-bit sums and long runs that must keep a carry) is right by ``LONG_MARGIN`` -- a network
    that is only barely right on 8 bits often fails on long numbers.  The full check runs only when the minibatch itself passes with 0.05 to spare.
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

    # All weights live in one flat float32 vector (so Adam is a few whole-vector operations);
    # U, W, V (and gU, gW, gV) are views into it.
    init = _draw_params(np.random.RandomState(seed), H)
    theta = np.concatenate([init.U.ravel(), init.W.ravel(), init.V.ravel()]).astype(np.float32)
    grad, m, v = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    (U, W, V), (gU, gW, gV) = _split(theta, H), _split(grad, H)

    X, Y = _in_order(*addition_batch(*_prefix_tree_pairs(T, bit_order), T), bit_order)
    X, Y = X.astype(np.float32), Y.astype(np.float32)           # every pair, (T, N, 2) and (T, N)
    long_x, long_y = _in_order(*_long_sums(), bit_order)
    draw = np.random.RandomState([seed, 1])
    hard = np.zeros(0, int)                  # pairs the last full check found inside the margin
    next_check = 0
    hs = np.zeros((T + 1, B, H), np.float32)          # hs[0] = 0, hs[t+1] = hidden state after step t
    dz = np.zeros((T + 1, B, H), np.float32)          # dL/d(hidden pre-activation); dz[T] = 0
    steps, losses, check_steps, accuracy = [], [], [], []
    converged, message = False, f"not converged: the step limit max_steps={max_steps} was reached"
    for step in range(max_steps + 1):
        if on_step is not None and on_step(step, _to_params(U, W, V)):
            message = f"stopped by on_step after {step} updates"
            break
        idx = draw.randint(X.shape[1], size=B)
        idx[:len(hard)] = hard                         # replay the pairs the last check caught
        x, y = X[:, idx], Y[:, idx]
        xu = x @ U                                     # input projections, all steps at once
        for t in range(T):                             # forward: the recurrence
            _sigmoid(xu[t] + hs[t] @ W, out=hs[t + 1])
        h = hs[1:]
        err = _sigmoid(h @ V)[..., 0] - y              # (T, B): o - y, also dL/dz_out for cross-entropy
        steps.append(step)
        losses.append(0.5 * float(np.vdot(err, err)) / B)
        if step == max_steps:
            break
        if np.abs(err).max() <= 0.45 - margin and step >= next_check:   # cheap test, then the full one
            o = _exhaustive_outputs(U, W, V, T, bit_order)
            hard = np.flatnonzero((np.abs(o - Y) > 0.5 - margin).any(axis=0))[:B // 2]
            check_steps.append(step)
            accuracy.append(_accuracy(o, Y))
            if len(hard) == 0 and _within_margin(U, W, V, long_x, long_y, LONG_MARGIN):
                converged, message = True, f"converged after {step} updates"
                break
            next_check = step + 5                      # a failed check: train a little first
        err /= B                                       # gradient of the mean loss over the batch
        from_output = err[..., None] * V[:, 0]         # (T, B, H): dL/dh_t through the output
        slope = h * (1 - h)
        for t in reversed(range(T)):                   # backward through time
            np.multiply(dz[t + 1] @ W.T + from_output[t], slope[t], out=dz[t])
        d = dz[:T].reshape(-1, H)                      # each gradient: one product over all steps
        np.matmul(x.reshape(-1, 2).T, d, out=gU)
        np.matmul(hs[:T].reshape(-1, H).T, d, out=gW)
        np.matmul(h.reshape(-1, H).T, err.reshape(-1, 1), out=gV)
        n = step + 1                                   # Adam, beta1 = 0.5, beta2 = 0.9
        m += 0.5 * (grad - m)
        v += 0.1 * (grad * grad - v)
        theta -= (learning_rate * np.sqrt(1 - 0.9**n) / (1 - 0.5**n)) * m / (np.sqrt(v) + 1e-8)
    if not check_steps or check_steps[-1] != step:    # step = the number of updates made
        check_steps.append(step)
        accuracy.append(_accuracy(_exhaustive_outputs(U, W, V, T, bit_order), Y))
    return _to_params(U, W, V), History(steps, losses, check_steps, accuracy, converged,
                                         time.perf_counter() - start, message)


def _split(flat, H):
    return flat[:2 * H].reshape(2, H), flat[2 * H:-H].reshape(H, H), flat[-H:].reshape(H, 1)


def _to_params(U, W, V):
    return Params(U.astype(np.float64), W.astype(np.float64), V.astype(np.float64))


def _sigmoid(z, out=None):
    """1 / (1 + exp(-z)) in place; z is capped at -80 so exp never overflows (sigmoid(-80) = 2e-35)."""
    out = np.negative(z, out=out)
    np.minimum(out, 80.0, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _in_order(x, y, bit_order):
    """Time-major arrays as fed to the network: reversed in time for "msb_first"."""
    return (x, y) if bit_order == "lsb_first" else (x[::-1], y[::-1])


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


def _exhaustive_outputs(U, W, V, T, bit_order):
    """Outputs (T, N) for every pair in ``_prefix_tree_pairs`` order, computed on the prefix tree.

    After t steps the hidden state depends only on the t bit pairs read so far, so step t needs
    one row per distinct prefix, not one per pair: ~21,800 rows for 8 bits instead of 131,072.
    """
    h, outs = np.zeros((1, len(W)), np.float32), []
    for p in _positions(T, bit_order):
        xu = _bits_at(p, T).astype(np.float32) @ U                          # (k, H)
        h = _sigmoid(xu[:, None, :] + _matmul(h, W)).reshape(-1, len(W))    # (k * prefixes, H)
        outs.append(_sigmoid(_matmul(h, V))[:, 0])
    return np.stack([np.tile(o, len(outs[-1]) // len(o)) for o in outs])


def _matmul(h, M, rows=1024):
    """h @ M in slices of ``rows`` rows: bigger products make OpenBLAS start threads, which is
    many times slower than one thread on a busy 2-core machine."""
    return np.concatenate([h[i:i + rows] @ M for i in range(0, len(h), rows)])


def _accuracy(outputs, targets):
    """Fraction of pairs (columns) with every output bit on the right side of 0.5."""
    return float(((outputs > 0.5) == (targets > 0.5)).all(axis=0).mean())


def _long_sums(n=200, bits=100, seed=99):
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
    y, carry = np.empty(x.shape[:2], np.float32), 0
    for t in range(bits):
        total = x[t, :, 0] + x[t, :, 1] + carry
        y[t], carry = total & 1, total >> 1
    return x.astype(np.float32), y


def _within_margin(U, W, V, x, y, margin):
    """Is every output on the sums x, y (time-major) on the right side of 0.5 by ``margin``?"""
    xu, h = x @ U, np.zeros((x.shape[1], len(W)), np.float32)
    for t in range(len(x)):
        h = _sigmoid(xu[t] + h @ W)
        if np.abs(_sigmoid(h @ V)[:, 0] - y[t]).max() > 0.5 - margin:
            return False
    return True
