"""Training: the post's loop, one example per step, kept bit for bit."""
from dataclasses import dataclass

import numpy as np

from .encoding import addition_batch, all_pairs, check_int, from_bits
from .model import _draw_params


@dataclass
class LogEntry:
    """One block of the post's printed log.

    step: the training step (0, 1000, ...).  error: the post's printed error, the sum over the
    8 steps of |true bit - output| (not the loss it descends).  predicted, true: (width,) bits,
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
    """Train exactly as the post does; for seed 0 this prints the post's log digit for digit.

    One random example per step (a, b < 2**(width-1), drawn a then b), plain gradient descent
    with learning rate ``alpha`` on 0.5 * sum((y - o)**2).  The random stream is the post's:
    ``np.random.RandomState(seed)`` gives U, V, W, then per step a and b -- the same numbers as
    the post's ``np.random.seed(seed)``, without touching numpy's global state.

    on_step: optional ``on_step(step, params)``, called after each update (step counts from 0);
    if it returns True, training stops there.

    Returns (params, log): the trained Params and a list of LogEntry, one every ``log_every``
    steps (step 0, log_every, ...).
    """
    steps = check_int(steps, "steps", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    log_every = check_int(log_every, "log_every", minimum=1)
    width = check_int(width, "width", minimum=1, maximum=12)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0 \
            or not np.isfinite(alpha):
        raise ValueError(f"alpha must be a positive finite number, got {alpha!r}")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be callable or None, got {type(on_step).__name__}")

    rng = np.random.RandomState(seed)
    params = _draw_params(rng, hidden_size)
    half = 2 ** (width - 1)
    # every example the loop can draw, encoded once (the post's int2binary table plays this role)
    all_inputs, all_targets = addition_batch(*all_pairs(width), width)
    log = []
    for step in range(steps):
        a = rng.randint(half)
        b = rng.randint(half)
        i = a * half + b                                   # all_pairs' order: b runs fastest
        x, y = all_inputs[:, i:i + 1], all_targets[:, i:i + 1]     # (T, 1, 2), (T, 1)
        with np.errstate(over="ignore"):
            output, dU, dW, dV = _one_example(params.U, params.W, params.V, x, y)
        # the post adds alpha * update with update = -gradient; subtracting is the same, exactly
        params.U -= dU * alpha
        params.V -= dV * alpha
        params.W -= dW * alpha
        if step % log_every == 0:
            error = 0.0
            for t in range(width):  # summed in time order, as the post does
                error += abs(y[t, 0] - output[t, 0])
            predicted = np.round(output[::-1, 0]).astype(np.uint8)
            true = y[::-1, 0].astype(np.uint8)
            log.append(LogEntry(step, float(error), predicted, true, int(a), int(b),
                                from_bits(predicted)))
        if on_step is not None and on_step(step, params):
            break
    return params, log


def _one_example(U, W, V, x, y):
    """``forward`` then ``backward`` for one example, bit for bit, with fewer numpy calls: this
    runs 10,000 times in notebook 04, where call overhead, not arithmetic, sets the pace.

    x (T, 1, 2), y (T, 1).  Returns output (T, 1) and dL/dU, dL/dW, dL/dV.
    Why the bits stay the same although the code differs from forward/backward:
    - x @ U adds at most two products of a weight with a bit 0 or 1: exact in any grouping, so
      all T steps can be projected at once;
    - every other product with an inner dimension of 1 (the output's V.T, the outer products
      that make the gradients) is a single multiplication, so it can be broadcast;
    - each gradient is still summed from t = T-1 down to 0, one term at a time (a reduction
      over the first axis adds whole slices in order);
    - h @ W (16 terms) and h @ V stay the post's dot products, one step at a time.
    The caller silences overflow: where exp(-z) overflows (z < -709) the sigmoid here gives 0.0
    and ``sigmoid`` a number below 1e-307.
    """
    T, H = len(x), len(W)
    hidden = np.zeros((T + 1, 1, H))
    xu = np.dot(x[:, 0], U)                                              # (T, H)
    h = hidden[0]
    for t in range(T):
        h = hidden[t + 1] = 1 / (1 + np.exp(-(xu[t] + np.dot(h, W))))
    output = (1 / (1 + np.exp(-np.dot(hidden[1:], V))))[:, :, 0]         # (T, 1)
    delta_out = ((output - y) * (output * (1 - output)))[:, :, None]     # (T, 1, 1)
    from_output = delta_out * V.T                                        # (T, 1, H)
    slope_h = hidden * (1 - hidden)                                      # (T+1, 1, H)
    delta_hidden = np.empty((T, 1, H))
    later = np.zeros((1, H))                     # the hidden delta one step later (none at T-1)
    for t in reversed(range(T)):
        later = delta_hidden[t] = (np.dot(later, W.T) + from_output[t]) * slope_h[t + 1]
    back = slice(None, None, -1)                                         # t = T-1, ..., 0

    def summed(left, right):   # sum over t, from T-1 down, of the outer products left[t].T right[t]
        return np.add.reduce(left[back].transpose(0, 2, 1) * right[back], axis=0)
    return output, summed(x, delta_hidden), summed(hidden[:T], delta_hidden), \
        summed(hidden[1:], delta_out)

def format_log(log):
    """The log as text, one block per entry, in the post's shape with English labels."""
    return "\n".join(line for entry in log for line in entry.lines()) + "\n"
