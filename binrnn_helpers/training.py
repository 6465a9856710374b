"""Training: the post's loop, one example per step, built from ``forward`` and ``backward``."""
import math
from dataclasses import dataclass

import numpy as np

from .encoding import addition_batch, all_pairs, check_float, check_int, from_bits
from .model import backward, forward, init_params

MAX_STEPS = 1_000_000       #: steps at most: a few minutes; the post runs 10,000


@dataclass
class LogEntry:
    """One block of the post's printed log.

    step: the training step (0, 1000, ...).  error: the post's printed error, the sum over the
    ``width`` steps of |true bit - output| (not the loss it descends).  predicted, true: (width,) bits,
    MSB first.  a, b: the operands.  decoded: the integer the predicted bits spell.
    """
    step: int
    error: float
    predicted: np.ndarray
    true: np.ndarray
    a: int
    b: int
    decoded: int

    def lines(self):
        """The block as the post prints it, in English: Error / Pred / True / sum / rule."""
        return [f"Error: {np.array([self.error])}",
                f"Pred: {self.predicted}",
                f"True: {self.true}",
                f"{self.a} + {self.b} = {self.decoded}",
                "------------"]


def train_like_the_post(steps=10000, seed=0, alpha=0.1, hidden_size=16, log_every=1000,
                        width=8, on_step=None):
    """Train exactly as the post does; for seed 0 its log is the post's, digit for digit.

    One random example per step (a, b < 2**(width-1), drawn a then b), plain gradient descent
    with learning rate ``alpha`` on 0.5 * sum((y - o)**2).  The random stream is the post's:
    ``np.random.RandomState(seed)`` gives U, V, W, then per step a and b -- the same numbers as
    the post's ``np.random.seed(seed)``, without touching numpy's global state.

    on_step: optional ``on_step(step, params)``, called after each update (step counts from 0);
    if it returns True, training stops there.

    1 <= steps <= ``MAX_STEPS``.  Returns (params, log): the trained Params and a list of LogEntry,
    one every ``log_every`` steps (step 0, log_every, ...).
    """
    steps = check_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    log_every = check_int(log_every, "log_every", minimum=1)
    width = check_int(width, "width", minimum=1, maximum=12)
    alpha = check_float(alpha, "alpha", 0, math.inf)
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be callable or None, got {type(on_step).__name__}")

    rng = np.random.RandomState(seed)
    params = init_params(hidden_size, rng=rng)
    half = 2 ** (width - 1)
    # every sum the loop can draw, encoded once (the post's int2binary table plays this role)
    all_inputs, all_targets = addition_batch(*all_pairs(width), width)
    log = []
    for step in range(steps):
        a = rng.randint(half)
        b = rng.randint(half)
        i = a * half + b                                   # all_pairs' order: b runs fastest
        x, y = all_inputs[:, i:i + 1], all_targets[:, i:i + 1]     # (T, 1, 2), (T, 1)
        trace = forward(params, x)
        grads = backward(params, trace, y)
        # the post adds alpha * update with update = -gradient; subtracting is the same, exactly
        params.U -= grads.U * alpha
        params.V -= grads.V * alpha
        params.W -= grads.W * alpha
        if step % log_every == 0:
            log.append(_log_entry(step, a, b, trace.output[:, 0], y[:, 0]))
        if on_step is not None and on_step(step, params):
            break
    return params, log


def _log_entry(step, a, b, output, target):
    error = 0.0
    for t in range(len(output)):                           # summed in time order, as the post does
        error += abs(target[t] - output[t])
    predicted = np.round(output[::-1]).astype(np.uint8)
    return LogEntry(step, float(error), predicted, target[::-1].astype(np.uint8), int(a), int(b),
                    from_bits(predicted))


def format_log(log):
    """The log as text, one block per entry, in the post's shape with English labels."""
    return "\n".join(line for entry in log for line in entry.lines()) + "\n"
