"""``train_fast``: the same network, trained in about a hundred minibatch steps.

The post's loop needs ~7,000 steps because each step sees one sum and takes a small plain
gradient step.  ``train_fast`` keeps the network, its 304 weights and their first values, and
changes only how it learns:

- each step sees 32 sums, so the summed gradient points far more reliably downhill;
- Adam gives every weight its own step size (a running average of its gradient, divided by a
  running average of the gradient's size);
- it descends the cross-entropy of each output bit, whose gradient at the output is simply
  o - y: it does not vanish when an output is confidently wrong, as the squared error's does;
- it stops as soon as the network adds right, with a margin, every pair and long sums
  (``StoppingRule``).

The forward and backward passes are ``model.forward`` and ``model.backward``, the ones notebooks
02 and 03 derive.  The gradient is summed over the minibatch, not averaged: Adam's step is the
same either way.  Training runs in float64 because CPUs round the last bit differently, and a
hundred Adam steps amplify a difference of 1e-7 (float32) into another network but keep one of
1e-16 (float64) small; runs of many hundreds of steps can still drift apart.
"""
import functools
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .encoding import addition_batch, check_float, check_int, ripple_carry
from .evaluation import BIT_ORDERS, BIT_PAIRS, tree_outputs, tree_pairs
from .model import backward, forward, init_params, loss, sigmoid

LEARNING_RATE = 0.3                     #: train_fast's default
BETA1, BETA2, EPSILON = 0.5, 0.9, 1e-8  #: Adam's decay rates for m and v, and its epsilon
#: margin demanded on long sums: wider than the 8-bit one, because on a long sum a hidden state
#: that is only just right can drift over many steps.
LONG_MARGIN = 0.4
#: fresh long sums drawn for every long check: (how many, chance that a step's bits propagate the
#: carry).  0.5 is uniformly random bits; 0.9 makes the long carry chains where drift shows.
FRESH_SUMS = ((2000, 0.5), (1000, 0.9))
CHECK_PAUSE = 5                         #: updates between a failed check and the next
MAX_BATCH_SIZE = 100_000                #: batch_size at most: a step then takes a second or two
MAX_STEPS = 1_000_000                   #: max_steps at most (the default 3,000 is ample)


@dataclass
class History:
    """What ``train_fast`` recorded, for plotting.

    steps, loss: after ``steps[k]`` updates, the post's loss 0.5 * sum((y - o)**2) per example,
    averaged over that step's minibatch.  check_steps, accuracy: the exhaustive accuracy on all
    pairs (scored in float32 by ``StoppingRule.measure``) where it was measured (always at the end: ``check_steps[-1]`` is the number of updates
    made).  converged: whether it stopped because the stopping rule was met.  seconds: wall
    time.  message: why it stopped, in words.  check_seconds: the part of ``seconds`` spent in
    the stopping checks; the rest is training.
    """
    steps: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    check_steps: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    converged: bool = False
    seconds: float = 0.0
    message: str = ""
    check_seconds: float = 0.0


def train_fast(hidden_size=16, seed=0, *, learning_rate=LEARNING_RATE, batch_size=32, max_steps=3000,
               margin=0.3, width=8, bit_order="lsb_first", on_step=None):
    """Train with minibatch Adam until the network adds every pair a, b < 2**(width-1) right.

    Initial weights: ``init_params(hidden_size, seed)`` (the post's draw).  Each step: a
    minibatch of ``batch_size`` random pairs (from ``RandomState([seed, 1])``), ``forward``,
    ``backward`` of the cross-entropy, ``adam_step`` on U, W and V.  It stops when ``StoppingRule`` is met
    (every output right with room to spare, on all pairs and on 64-bit sums: a network trained
    on too few bits to learn the carry never stops early), or after ``max_steps`` updates with
    ``history.converged`` False.  margin: in [0, 0.45).  1 <= batch_size <= ``MAX_BATCH_SIZE``,
    1 <= max_steps <= ``MAX_STEPS``.

    bit_order: "lsb_first" (the post's) or "msb_first" (bits fed the other way: the carry would
    have to travel backwards in time; it does not learn).  on_step: optional
    ``on_step(updates_so_far, params)`` called before each update with a copy of the weights;
    return True to stop.

    Returns (params, history): the trained Params and a ``History``.
    """
    start = time.perf_counter()
    learning_rate = check_float(learning_rate, "learning_rate", 0, math.inf)
    margin = check_float(margin, "margin", 0, 0.45, include_low=True)
    _check_arguments(bit_order, on_step)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=MAX_BATCH_SIZE)
    max_steps = check_int(max_steps, "max_steps", minimum=1, maximum=MAX_STEPS)
    params = init_params(hidden_size, seed)
    rule = StoppingRule(width, bit_order, margin, seed)
    m = {name: 0.0 for name in "UWV"}                  # Adam's running averages of the
    v = {name: 0.0 for name in "UWV"}                  # gradient and of its square
    draw = np.random.RandomState([seed, 1])
    history = History(message=f"not converged: the step limit max_steps={max_steps} was reached")
    for step in range(max_steps + 1):
        if on_step is not None and on_step(step, params.copy()):
            history.message = f"stopped by on_step after {step} updates"
            break
        batch = draw.randint(rule.inputs.shape[1], size=batch_size)
        x, y = rule.inputs.take(batch, axis=1), rule.targets.take(batch, axis=1)   # (T, B, 2), (T, B)
        trace = forward(params, x)
        history.steps.append(step)
        history.loss.append(loss(trace.output, y) / batch_size)
        if step == max_steps:
            break
        if rule.met(step, params, trace.output, y, history):
            history.converged, history.message = True, f"converged after {step} updates"
            break
        grads = backward(params, trace, y, cross_entropy=True)
        for name in "UWV":
            w, m[name], v[name] = adam_step(getattr(params, name), getattr(grads, name),
                                            m[name], v[name], step + 1, learning_rate)
            if not np.isfinite(w).all():
                raise ValueError(f"learning_rate={learning_rate:g} is too large: the weights "
                                 f"overflowed to inf or NaN at update {step + 1}")
            setattr(params, name, w)
    if not history.check_steps or history.check_steps[-1] != step:   # step = updates made
        rule.measure(step, params, history)
    history.seconds = time.perf_counter() - start
    return params, history


def adam_step(w, g, m, v, n, learning_rate, beta1=BETA1, beta2=BETA2, epsilon=EPSILON):
    """One Adam update (Kingma & Ba, 2015) of the weights w with gradient g; returns (w, m, v).

    m and v are running averages of g and g**2 that start at 0 (before step n = 1).  Each weight
    moves by learning_rate * m_hat / (sqrt(v_hat) + epsilon), where m_hat = m / (1 - beta1**n)
    and v_hat = v / (1 - beta2**n) undo the pull towards that start: about learning_rate against
    the gradient's sign, whatever its size.  Computed in the paper's cheaper order, in which
    epsilon sits beside sqrt(v) rather than sqrt(v_hat) (it matters only for gradients near it).
    """
    m = m + (1 - beta1) * (g - m)                      # = beta1 m + (1 - beta1) g
    v = v + (1 - beta2) * (g * g - v)
    rate = learning_rate * math.sqrt(1 - beta2 ** n) / (1 - beta1 ** n)
    return w - rate * m / (np.sqrt(v) + epsilon), m, v


class StoppingRule:
    """When ``train_fast`` stops: when the network adds right, with room to spare.

    Checked only when the minibatch itself is right by ``margin`` + 0.05 (free: its outputs are
    computed anyway), and not within ``CHECK_PAUSE`` updates of a failed check:
      1. long sums: every output on 146 fixed 64-bit sums (``fixed_long_sums``) and on 3,000
         64-bit sums drawn afresh for this check (``FRESH_SUMS``) is on the right side of 0.5
         by ``LONG_MARGIN``.  A network only barely right on 8 bits often fails on long numbers,
         and fresh sums at each check keep it from passing by fitting one fixed set;
      2. every pair: every output for every pair a, b < 2**(width-1) is within 0.5 - ``margin``
         of its target.
    The long sums go first: a network that is not ready mostly fails them within a few steps,
    far cheaper than one pass over all pairs.  The checks run in float32, for speed; they never
    change the training, only when it stops.
    """

    def __init__(self, width, bit_order, margin, seed):
        self.width = check_int(width, "width", minimum=1, maximum=12)
        self.bit_order, self.margin = bit_order, margin
        self.inputs, self.targets = _every_pair(self.width, bit_order)
        self.long_sums = _fixed_check_sums(bit_order)
        self.fresh_draw = np.random.RandomState([seed, 2])
        self.next_check = 0

    def met(self, step, params, output, targets, history):
        if step < self.next_check or np.abs(output - targets).max() > 0.45 - self.margin:
            return False
        start = time.perf_counter()
        weights = [m.astype(np.float32) for m in (params.U, params.W, params.V)]
        met = (right_by(weights, *self.long_sums, LONG_MARGIN)
               and right_by(weights, *_in_order(fresh_long_sums(self.fresh_draw), self.bit_order),
                            LONG_MARGIN)
               and self._all_pairs_right(step, params, history))
        history.check_seconds += time.perf_counter() - start
        self.next_check = step + CHECK_PAUSE
        return met

    def measure(self, step, params, history):
        """Score every pair (float32), record the accuracy and its time; True if all are right by
        the margin."""
        start = time.perf_counter()
        right = self._all_pairs_right(step, params, history)
        history.check_seconds += time.perf_counter() - start
        return right

    def _all_pairs_right(self, step, params, history):
        o = tree_outputs(params, self.width, self.bit_order, np.float32)          # (T, N)
        history.check_steps.append(step)
        history.accuracy.append(((o > 0.5) == (self.targets > 0.5)).all(axis=0).mean())
        return bool(np.abs(o - self.targets).max() <= 0.5 - self.margin)


def right_by(weights, inputs, targets, margin):
    """Is every output on these sums on the right side of 0.5 by ``margin``?  ``forward`` in
    float32 with an early exit; weights (U, W, V); inputs (T, M, 2), targets (T, M), time-major.

    Checked after 1, 3, 7, 15, ... steps: a network that fails mostly fails within the first few
    steps, so this stops early, yet checks the outputs of many steps with one comparison."""
    U, W, V = weights
    h, start = np.zeros((inputs.shape[1], len(W)), np.float32), 0
    while start < len(inputs):
        stop = min(2 * start + 1, len(inputs))
        hs = inputs[start:stop] @ U                      # (steps, M, H): each step's x @ U
        for t in range(len(hs)):
            hs[t] += (hs[t - 1] if t else h) @ W
            sigmoid(hs[t], out=hs[t])
        o = sigmoid(hs @ V)[..., 0]                      # (steps, M)
        if np.abs(o - targets[start:stop]).max() > 0.5 - margin:
            return False
        h, start = hs[-1], stop
    return True


def fixed_long_sums(n=50, bits=64, seed=99):
    """Long additions to check a network on, LSB first: (bits, M, 2) inputs, (bits, M) targets.

    n random ``bits``-bit sums, plus the hard cases that random sums rarely hold: a long run of
    one input pair (which settles the hidden state wherever that input leads it), then a long
    run of "propagate" inputs (1, 0) / (0, 1), which must keep the carry unchanged however long
    the run, then each of the four inputs.  The last input bits are 0, so the final carry has a
    step.
    """
    rng = np.random.RandomState(seed)
    x = rng.randint(2, size=(bits, n, 2))
    settle, run = 20, bits // 2
    middles = [np.tile([1, 0], (run, 1)), np.tile([0, 1], (run, 1)),
               np.where(np.arange(run)[:, None] % 2 == 0, [1, 0], [0, 1])]
    middles += [rng.randint(2, size=(run, 1)) * [1, -1] + [0, 1] for _ in range(3)]
    hard = [np.concatenate([np.tile(first, (settle, 1)), middle, [last],
                            np.zeros((bits - settle - run - 1, 2), int)])
            for first in BIT_PAIRS for middle in middles for last in BIT_PAIRS]
    x = np.concatenate([x, np.stack(hard, axis=1)], axis=1)
    x[-1] = 0
    return x.astype(np.float32), ripple_carry(x)[0].astype(np.float32)


def fresh_long_sums(rng, bits=64):
    """New long sums for one check, LSB first: ``FRESH_SUMS`` drawn from ``rng``.

    Each step's bit pair propagates the carry ((0, 1) or (1, 0)) with the given chance, else it
    kills or makes one ((0, 0) or (1, 1)); the last step is (0, 0), so the final carry has a step.
    """
    parts = []
    for n, chance in FRESH_SUMS:
        a = rng.randint(2, size=(bits, n), dtype=bool)
        propagate = rng.random_sample((bits, n)) < chance
        parts.append(np.stack([a, a ^ propagate], axis=-1))       # b = not a where it propagates
    x = np.concatenate(parts, axis=1).view(np.int8)             # 0 and 1, to add up
    x[-1] = 0
    return x.astype(np.float32), ripple_carry(x)[0].astype(np.float32)


@functools.lru_cache(maxsize=4)
def _every_pair(width, bit_order):
    """Every pair, in ``tree_pairs`` order, as fed to the network; built once, read-only."""
    return _read_only(_in_order(addition_batch(*tree_pairs(width, bit_order), width), bit_order))


@functools.lru_cache(maxsize=2)
def _fixed_check_sums(bit_order):
    return _read_only(_in_order(fixed_long_sums(), bit_order))


def _read_only(arrays):
    """Contiguous read-only copies (a reversed view would make every minibatch draw slow)."""
    arrays = tuple(np.ascontiguousarray(a) for a in arrays)
    for a in arrays:
        a.flags.writeable = False
    return arrays


def _in_order(sums, bit_order):
    """Time-major (inputs, targets) as fed to the network: reversed in time for "msb_first"."""
    x, y = sums
    return (x, y) if bit_order == "lsb_first" else (x[::-1], y[::-1])


def _check_arguments(bit_order, on_step):
    if bit_order not in BIT_ORDERS:
        raise ValueError(f"bit_order must be one of {BIT_ORDERS}, got {bit_order!r}")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be callable or None, got {type(on_step).__name__}")
