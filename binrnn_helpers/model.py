"""The post's network: 16 sigmoid hidden units, one sigmoid output, no biases.

Shapes used throughout (T time steps = bits, N examples, H hidden units):

    inputs  x  (T, N, 2)   bit t of a and of b, LSB first
    hidden  h  (T+1, N, H) h[0] = 0, h[t+1] = sigmoid(x[t] @ U + h[t] @ W)
    output  o  (T, N)      o[t] = sigmoid(h[t+1] @ V), the probability that bit t of a+b is 1

The notebooks write the maths as h_t = sigmoid(x_t U + h_{t-1} W) from h_{-1} = 0 and
o_t = sigmoid(h_t V): the array h keeps the start state in front, so h[t+1] is h_t.
The post's names: ``layer_1`` is the hidden state h, ``layer_2`` the output o.
"""
from dataclasses import dataclass

import numpy as np

from .encoding import check_float, check_int, shown


#: the largest hidden size anything here builds or loads: W alone is then 128 MiB
MAX_HIDDEN_SIZE = 4096


@dataclass
class Params:
    """The three weight matrices (float64, mutable).

    U: (2, H) input -> hidden.  W: (H, H) hidden -> hidden.  V: (H, 1) hidden -> output.
    1 <= H <= MAX_HIDDEN_SIZE.  Every array given, when built or assigned (``p.U = ...``), must
    be a finite float64 numpy array of its shape, as ``load_params`` demands of a file; changing
    entries in place (``p.U[0, 0] = ...``, ``p.U -= ...``) is not checked.
    """
    U: np.ndarray
    W: np.ndarray
    V: np.ndarray

    def __post_init__(self):
        _check_weight("W", self.W)
        for name in ("U", "V"):
            _check_weight(name, getattr(self, name), self.hidden_size)

    def __setattr__(self, name, value):
        # once built, check each new array assigned (p.U -= ... changes the one held, in place)
        if name in ("U", "W", "V") and "V" in self.__dict__ and value is not self.__dict__[name]:
            _check_weight(name, value, self.hidden_size)
        object.__setattr__(self, name, value)

    @property
    def hidden_size(self):
        return self.W.shape[0]

    def copy(self):
        return Params(self.U.copy(), self.W.copy(), self.V.copy())


def _check_weight(name, value, H=None):
    """Refuse, in one line naming Params.<name>, what cannot be that array for H hidden units
    (H None: W, which sets H)."""
    if type(value) is not np.ndarray or value.dtype != np.float64:
        got = f"an array of dtype {value.dtype}" if type(value) is np.ndarray else type(value).__name__
        raise TypeError(f"Params.{name} must be a float64 numpy array, got {got}")
    if H is None:
        if value.ndim != 2 or value.shape[0] != value.shape[1] or \
                not 1 <= value.shape[0] <= MAX_HIDDEN_SIZE:
            raise ValueError(f"Params.W must have shape (H, H) with 1 <= H <= {MAX_HIDDEN_SIZE}, "
                             f"got {value.shape}")
    else:
        shape = {"U": (2, H), "W": (H, H), "V": (H, 1)}[name]
        if value.shape != shape:
            raise ValueError(f"Params.{name} must have shape {shape} for H = {H} hidden units "
                             f"(U (2, H), W (H, H), V (H, 1)), got {value.shape}")
    if not np.isfinite(value).all():
        raise ValueError(f"Params.{name} must hold finite numbers, got NaN or inf")


def init_params(hidden_size=16, seed=0, *, rng=None):
    """Weights uniform in [-1, 1), drawn as the post draws them: U, then V, then W.

    Draws from a private ``np.random.RandomState(seed)`` -- the same numbers as the post's
    ``np.random.seed(seed)``, without touching numpy's global random state -- or from ``rng``,
    a RandomState that the caller keeps drawing from (the post's loop draws its sums next).
    """
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1, maximum=MAX_HIDDEN_SIZE)
    if rng is None:
        rng = np.random.RandomState(check_int(seed, "seed", minimum=0, maximum=2**32 - 1))
    elif not isinstance(rng, np.random.RandomState):
        raise TypeError(f"rng must be a numpy RandomState or None, got {type(rng).__name__}")
    U = 2 * rng.random_sample((2, hidden_size)) - 1
    V = 2 * rng.random_sample((hidden_size, 1)) - 1
    W = 2 * rng.random_sample((hidden_size, hidden_size)) - 1
    return Params(U=U, W=W, V=V)


def sigmoid(z, out=None):
    """1 / (1 + exp(-z)), element-wise: the post's formula, so its numbers stay digit for digit.

    Floats keep their precision (float32 for the stopping checks) and complex numbers stay complex
    (03's complex-step derivative); anything else is computed in float64.  out: optionally, an array of z's shape to write the result into (z itself is
    allowed), which spares big checks a new array per step.  Below z = -709 (float64), exp(-z)
    overflows to inf and the result is 0.0 instead of a number below 1e-308: numpy's overflow
    warning is silenced for that.
    """
    z = np.asarray(z)
    if z.dtype.kind not in "fc":
        z = z.astype(np.float64)
    with np.errstate(over="ignore"):
        if out is None:
            return 1 / (1 + np.exp(-z))
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1
        return np.divide(1, out, out=out)


@dataclass
class Trace:
    """What ``forward`` saw and computed; ``backward`` consumes it.

    inputs (T, N, 2), hidden (T+1, N, H), output (T, N).  In the notebooks' maths
    h_t = sigmoid(x_t U + h_{t-1} W) with h_{-1} = 0: hidden[0] is that start state h_{-1}, so
    hidden[t + 1] is h_t, and output[t] is o_t = sigmoid(h_t V).
    """
    inputs: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def check_params(params, name="params"):
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be a binrnn_helpers.Params, got {type(params).__name__}")
    return params


def check_numbers(value, name):
    """``value`` as a float64 array of finite real numbers, or a one-line error naming ``name``."""
    try:
        arr = np.asarray(value)
    except ValueError:                                      # numpy refuses ragged nesting
        raise ValueError(f"{name} must be an array of numbers, got nested sequences of "
                         "different lengths") from None
    if arr.dtype.kind not in "biuf":
        got = f"dtype {arr.dtype}" if isinstance(value, np.ndarray) else shown(value)
        raise TypeError(f"{name} must be numeric (real numbers), got {got}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers, got NaN or inf")
    return arr


def check_probabilities(arr, name, bits=False):
    """Refuse values of the float64 array ``arr`` outside [0, 1] (``bits``: other than 0 and 1)."""
    bad = (arr != 0) & (arr != 1) if bits else (arr < 0) | (arr > 1)
    if bad.any():
        allowed = "only 0 and 1 for the cross-entropy" if bits else "values in [0, 1]"
        raise ValueError(f"{name} must hold {allowed}, got {shown(arr[bad][0].item())}")


def check_inputs(inputs, name="inputs"):
    x = check_numbers(inputs, name)
    if x.ndim != 3 or x.shape[2] != 2 or x.shape[0] < 1:
        raise ValueError(f"{name} must have shape (T, N, 2) with T >= 1 (time-major, one bit of a "
                         f"and of b per step), got shape {x.shape}")
    return x


def check_targets(targets, inputs, name="targets", bits=False):
    """``targets`` as float64 (T, N) for ``inputs`` (T, N, 2): values in [0, 1], only 0 and 1
    when ``bits`` (for the cross-entropy)."""
    y = check_numbers(targets, name)
    if y.shape != inputs.shape[:2]:
        raise ValueError(f"{name} must have shape (T, N) = {inputs.shape[:2]} to match inputs "
                         f"{inputs.shape}, got {y.shape}")
    check_probabilities(y, name, bits)
    return y


def check_cross_entropy(cross_entropy):
    """``cross_entropy`` as a bool; anything but True or False (a truthy "no", say) is refused."""
    if not isinstance(cross_entropy, (bool, np.bool_)):
        raise TypeError(f"cross_entropy must be True or False, got {shown(cross_entropy)} "
                        f"({type(cross_entropy).__name__})")
    return bool(cross_entropy)


def check_trace(params, trace, targets, cross_entropy=False):
    """The targets as float64, after checking that ``trace`` came from ``forward`` with params of
    this hidden size and that the targets fit it (0 and 1 only for the cross-entropy)."""
    check_params(params)
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be the Trace returned by forward, got {type(trace).__name__}")
    x, h, o = (np.shape(a) for a in (trace.inputs, trace.hidden, trace.output))
    if len(x) != 3 or len(h) != 3 or h[:2] != (x[0] + 1, x[1]) or o != x[:2]:
        raise ValueError(f"trace must be the Trace forward returned: inputs (T, N, 2), hidden "
                         f"(T+1, N, H), output (T, N); got {x}, {h}, {o}")
    if trace.hidden.shape[2] != params.hidden_size:
        raise ValueError(f"trace has {trace.hidden.shape[2]} hidden units but params has "
                         f"{params.hidden_size}: use the trace forward made with these params")
    return check_targets(targets, trace.inputs, bits=cross_entropy)


def forward(params, inputs):
    """Run the network over every time step.

    params: Params with U (2, H), W (H, H), V (H, 1).
    inputs: (T, N, 2), LSB first: finite real numbers (bits, as a rule).
    Returns a Trace: inputs (T, N, 2), hidden (T+1, N, H) with hidden[0] = h_{-1} = 0 and
    hidden[t + 1] = h_t, output (T, N).
    """
    check_params(params)
    x = check_inputs(inputs)
    U, W, V = params.U, params.W, params.V
    T, N, _ = x.shape
    h = np.zeros((T + 1, N, W.shape[0]))
    xU = x @ U                                # (T, N, H): every step's input term, all at once
    for t in range(T):
        h[t + 1] = sigmoid(xU[t] + h[t] @ W)               # (N, H): h_t from h_{t-1}
    o = sigmoid(h[1:] @ V)[:, :, 0]                        # (T, N): P(bit t of the sum is 1)
    return Trace(inputs=x, hidden=h, output=o)


def loss(output, targets):
    """0.5 * sum((targets - output)**2) over all steps and examples: what the post descends.

    output, targets: arrays of finite numbers of the same shape, e.g. (T, N); targets in [0, 1].
    """
    o, y = _loss_arguments(output, targets)
    return float(0.5 * np.sum((y - o) ** 2))


def cross_entropy_loss(output, targets):
    """-sum(y log o + (1 - y) log(1 - o)) for 0/1 targets y: what ``train_fast`` descends (see
    ``backward``).  Only the term of the true bit is taken, so a saturated output gives no nan.
    output: probabilities in [0, 1]; targets: only 0 and 1, of the same shape."""
    o, y = _loss_arguments(output, targets, cross_entropy=True)
    with np.errstate(divide="ignore"):
        return float(-np.sum(np.where(y > 0.5, np.log(o), np.log1p(-o))))


def _loss_arguments(output, targets, cross_entropy=False):
    o, y = check_numbers(output, "output"), check_numbers(targets, "targets")
    if o.shape != y.shape:
        raise ValueError(f"output and targets must have the same shape, got {o.shape} and {y.shape}")
    if cross_entropy:
        check_probabilities(o, "output")
    check_probabilities(y, "targets", bits=cross_entropy)
    return o, y


def backward_steps(params, trace, targets, cross_entropy=False):
    """Backpropagation through time, one step at a time, from the last step back to the first.

    An iterator of (t, delta_o, delta_h) for t = T-1, ..., 0, where, with z_o and z_h the inputs of the
    output's and the hidden units' sigmoids,
      delta_o (N, 1) = dL/dz_o at step t: the output's own error;
      delta_h (N, H) = dL/dz_h at step t: the error that reaches the hidden units that made
               h[t+1] = h_t, from the output at step t (through V) and from step t+1 (through W).
    L is ``loss`` (the post's), or with ``cross_entropy=True`` the ``cross_entropy_loss`` of the
    outputs, whose delta_o is simply o - y.  targets: (T, N) in [0, 1] (0 and 1 for the cross-entropy).
    """
    cross_entropy = check_cross_entropy(cross_entropy)
    y = check_trace(params, trace, targets, cross_entropy)   # now, not when the first step is asked for
    return _backward_steps(params, trace, y, cross_entropy)


def _backward_steps(params, trace, y, cross_entropy):
    h, o = trace.hidden, trace.output
    W, V = params.W, params.V
    if cross_entropy:
        delta_o = (o - y)[:, :, None]                              # (T, N, 1)
    else:
        delta_o = ((o - y) * (o * (1 - o)))[:, :, None]            # sigmoid'(z_o) = o (1 - o)
    from_output = delta_o * V.T                # (T, N, H): back from each output through V
    slope = h * (1 - h)                        # (T+1, N, H): sigmoid'(z_h), from the outputs h
    delta_later = np.zeros_like(h[0])          # no error comes from after the last step
    for t in reversed(range(len(o))):
        delta_h = (delta_later @ W.T + from_output[t]) * slope[t + 1]
        yield t, delta_o[t], delta_h
        delta_later = delta_h                  # sent back through W to step t-1


def backward(params, trace, targets, cross_entropy=False):
    """The gradient of the loss (``loss``, or ``cross_entropy_loss``) by backpropagation through time.

    params: the Params that produced ``trace``.  trace: from ``forward``.  targets: (T, N).
    Returns a Params holding dL/dU (2, H), dL/dW (H, H), dL/dV (H, 1), summed over the examples
    and over time from the last step back to the first (the post's order).  The post's
    ``U_update``, ``W_update``, ``V_update`` are the negatives of these.
    """
    check_trace(params, trace, targets, check_cross_entropy(cross_entropy))
    x, h = trace.inputs, trace.hidden
    dU, dW, dV = np.zeros_like(params.U), np.zeros_like(params.W), np.zeros_like(params.V)
    for t, delta_o, delta_h in backward_steps(params, trace, targets, cross_entropy):
        dV += h[t + 1].T @ delta_o                     # z_o = h[t+1] @ V
        dW += h[t].T @ delta_h                         # z_h = x[t] @ U + h[t] @ W
        dU += x[t].T @ delta_h
    return Params(U=dU, W=dW, V=dV)


def gradient_check(params, inputs, targets, eps=1e-5, cross_entropy=False):
    """Largest relative error between ``backward`` and central finite differences.

    For each of U, W, V: max|numeric - analytic| / max(|numeric| + |analytic|), so that tiny
    entries (where any ratio measures float noise) do not dominate.  Returns the largest of
    the three; ``gradient_check_table`` gives them one by one.  cross_entropy: as for ``backward``.
    """
    return max(gradient_check_table(params, inputs, targets, eps, cross_entropy).values())


def numerical_gradient(params, inputs, targets, eps=1e-5, cross_entropy=False):
    """dL/dU, dL/dW, dL/dV by central differences: (L(w + eps) - L(w - eps)) / (2 eps), one
    weight at a time.  L is ``loss``, or ``cross_entropy_loss`` when asked (as for ``backward``).
    eps: in [1e-10, 0.1]; about 1e-5 is best (notebook 03: smaller, rounding grows)."""
    check_params(params)
    cross_entropy = check_cross_entropy(cross_entropy)
    x = check_inputs(inputs)
    y = check_targets(targets, x, bits=cross_entropy)
    eps = check_float(eps, "eps", 1e-10, 0.1, include_low=True, include_high=True)
    f = cross_entropy_loss if cross_entropy else loss
    probe = params.copy()
    numeric = Params(np.zeros_like(params.U), np.zeros_like(params.W), np.zeros_like(params.V))
    for name in ("U", "W", "V"):
        w, g = getattr(probe, name), getattr(numeric, name)
        for i in np.ndindex(w.shape):
            keep = w[i]
            w[i] = keep + eps
            up = f(forward(probe, x).output, y)
            w[i] = keep - eps
            down = f(forward(probe, x).output, y)
            w[i] = keep
            g[i] = (up - down) / (2 * eps)
    return numeric


def relative_error(numeric, analytic):
    """max|numeric - analytic| / max(|numeric| + |analytic|) over one array (0 if both are 0)."""
    scale = np.max(np.abs(numeric) + np.abs(analytic))
    return 0.0 if scale == 0 else float(np.max(np.abs(numeric - analytic)) / scale)


def gradient_check_table(params, inputs, targets, eps=1e-5, cross_entropy=False):
    """{"U": err, "W": err, "V": err}: ``relative_error`` of each array's gradient."""
    cross_entropy = check_cross_entropy(cross_entropy)
    x = check_inputs(inputs)
    y = check_targets(targets, x, bits=cross_entropy)
    analytic = backward(params, forward(params, x), y, cross_entropy)
    numeric = numerical_gradient(params, x, y, eps, cross_entropy)
    return {name: relative_error(getattr(numeric, name), getattr(analytic, name))
            for name in ("U", "W", "V")}
