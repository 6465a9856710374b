"""The post's network: 16 sigmoid hidden units, one sigmoid output, no biases.

Shapes used throughout (T time steps = bits, N examples, H hidden units):

    inputs  x  (T, N, 2)   bit t of a and of b, LSB first
    hidden  h  (T+1, N, H) h[0] = 0, h[t+1] = sigmoid(x[t] @ U + h[t] @ W)
    output  o  (T, N)      o[t] = sigmoid(h[t+1] @ V), the probability that bit t of a+b is 1

The post's names: ``layer_1`` is the hidden state h, ``layer_2`` the output o.
"""
from dataclasses import dataclass

import numpy as np

from .encoding import check_int


@dataclass
class Params:
    """The three weight matrices (float64, mutable).

    U: (2, H) input -> hidden.  W: (H, H) hidden -> hidden.  V: (H, 1) hidden -> output.
    """
    U: np.ndarray
    W: np.ndarray
    V: np.ndarray

    def __post_init__(self):
        for name in ("U", "W", "V"):
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.dtype != np.float64:
                raise TypeError(f"Params.{name} must be a float64 numpy array, got "
                                f"{getattr(arr, 'dtype', type(arr).__name__)}")
        H = self.W.shape[0] if self.W.ndim == 2 else -1
        expected = {"U": (2, H), "W": (H, H), "V": (H, 1)}
        for name, shape in expected.items():
            if H < 1 or getattr(self, name).shape != shape:
                raise ValueError(f"Params.{name} must have shape {shape} for H hidden units "
                                 f"(U (2, H), W (H, H), V (H, 1)); got U {self.U.shape}, "
                                 f"W {self.W.shape}, V {self.V.shape}")

    @property
    def hidden_size(self):
        return self.W.shape[0]

    def copy(self):
        return Params(self.U.copy(), self.W.copy(), self.V.copy())


def init_params(hidden_size=16, seed=0):
    """Weights uniform in [-1, 1), drawn as the post draws them: U, then V, then W.

    Uses a private ``np.random.RandomState(seed)``, which yields the same numbers as the
    post's ``np.random.seed(seed)`` without touching numpy's global random state.
    """
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    rng = np.random.RandomState(seed)
    return _draw_params(rng, hidden_size)


def _draw_params(rng, hidden_size):
    U = 2 * rng.random_sample((2, hidden_size)) - 1
    V = 2 * rng.random_sample((hidden_size, 1)) - 1
    W = 2 * rng.random_sample((hidden_size, hidden_size)) - 1
    return Params(U=U, W=W, V=V)


def sigmoid(z):
    """1 / (1 + exp(-z)), element-wise, without overflow warnings.

    Where exp(-z) would overflow (z < -700) the equal form exp(z) / (1 + exp(z)) is used;
    everywhere else this is exactly the post's formula, so its numbers stay digit for digit.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.size == 0 or np.minimum.reduce(z, axis=None) >= -700.0:   # the usual case, fast
        return 1 / (1 + np.exp(-z))
    low = z < -700.0
    out = np.empty_like(z)
    out[~low] = 1 / (1 + np.exp(-z[~low]))
    e = np.exp(z[low])
    out[low] = e / (1 + e)
    return out


def sigmoid_slope_from_output(s):
    """The derivative of the sigmoid, written with its output s = sigmoid(z): s * (1 - s)."""
    return s * (1 - s)


@dataclass
class Trace:
    """What ``forward`` saw and computed; ``backward`` consumes it.

    inputs (T, N, 2), hidden (T+1, N, H) with hidden[0] = 0, output (T, N).
    """
    inputs: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def check_params(params, name="params"):
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be a binrnn_helpers.Params, got {type(params).__name__}")
    return params


def check_inputs(inputs, name="inputs"):
    x = np.asarray(inputs)
    if x.ndim != 3 or x.shape[2] != 2 or x.shape[0] < 1:
        raise ValueError(f"{name} must have shape (T, N, 2) with T >= 1 (time-major, one bit of a "
                         f"and of b per step), got shape {x.shape}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}")
    return x.astype(np.float64, copy=False)


def check_targets(targets, inputs, name="targets"):
    y = np.asarray(targets)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {y.dtype}")
    if y.shape != inputs.shape[:2]:
        raise ValueError(f"{name} must have shape (T, N) = {inputs.shape[:2]} to match inputs "
                         f"{inputs.shape}, got {y.shape}")
    return y.astype(np.float64, copy=False)


def forward(params, inputs):
    """Run the network over every time step.

    params: Params with U (2, H), W (H, H), V (H, 1).
    inputs: (T, N, 2), LSB first.
    Returns a Trace: inputs (T, N, 2), hidden (T+1, N, H) with hidden[0] = 0, output (T, N).
    """
    check_params(params)
    x = check_inputs(inputs)
    U, W, V = params.U, params.W, params.V
    T, N, _ = x.shape
    hidden = np.zeros((T + 1, N, W.shape[0]))
    output = np.empty((T, N))
    h = hidden[0]
    for t in range(T):
        h = sigmoid(np.dot(x[t], U) + np.dot(h, W))         # (N, H): the new hidden state
        hidden[t + 1] = h
        output[t] = sigmoid(np.dot(h, V))[:, 0]            # (N,): P(bit t of the sum is 1)
    return Trace(inputs=x, hidden=hidden, output=output)


def loss(output, targets):
    """0.5 * sum((targets - output)**2) over all steps and examples: what the post descends.

    output, targets: arrays of the same shape, e.g. (T, N).
    """
    o, y = np.asarray(output, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    if o.shape != y.shape:
        raise ValueError(f"output and targets must have the same shape, got {o.shape} and {y.shape}")
    return float(0.5 * np.sum((y - o) ** 2))


def backward(params, trace, targets):
    """Backpropagation through time: the gradient of ``loss(trace.output, targets)``.

    params: the Params that produced ``trace``.  trace: from ``forward``.  targets: (T, N).
    Returns a Params holding dL/dU (2, H), dL/dW (H, H), dL/dV (H, 1).
    The post's ``U_update``, ``W_update``, ``V_update`` are the negatives of these.
    """
    check_params(params)
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be the Trace returned by forward, got {type(trace).__name__}")
    y = check_targets(targets, trace.inputs)
    x, h, o = trace.inputs, trace.hidden, trace.output
    U, W, V = params.U, params.W, params.V
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    # output units, all steps at once: dL/dz_out[t] = (o[t] - y[t]) * o[t] (1 - o[t])
    delta_out = ((o - y) * sigmoid_slope_from_output(o))[:, :, None]     # (T, N, 1)
    slope_h = sigmoid_slope_from_output(h)                               # (T+1, N, H)
    delta_next = np.zeros_like(h[0])  # dL/dz of the hidden pre-activation one step later
    for t in reversed(range(len(x))):
        # hidden units: error arriving from the hidden state later and from the output now
        delta_hidden = (np.dot(delta_next, W.T) + np.dot(delta_out[t], V.T)) * slope_h[t + 1]
        dV += np.dot(h[t + 1].T, delta_out[t])
        dW += np.dot(h[t].T, delta_hidden)
        dU += np.dot(x[t].T, delta_hidden)
        delta_next = delta_hidden
    return Params(U=dU, W=dW, V=dV)


def gradient_check(params, inputs, targets, eps=1e-5):
    """Largest relative error between ``backward`` and central finite differences.

    For each of U, W, V: max|numeric - analytic| / max(|numeric| + |analytic|), so that tiny
    entries (where any ratio measures float noise) do not dominate.  Returns the largest of
    the three; ``gradient_check_table`` gives them one by one.
    """
    return max(gradient_check_table(params, inputs, targets, eps).values())


def numerical_gradient(params, inputs, targets, eps=1e-5):
    """dL/dU, dL/dW, dL/dV by central differences: (L(w + eps) - L(w - eps)) / (2 eps)."""
    check_params(params)
    x = check_inputs(inputs)
    y = check_targets(targets, x)
    return _central_differences(params, lambda p: loss(forward(p, x).output, y), eps)


def _central_differences(params, f, eps):
    """The gradient of ``f(params) -> float`` by central differences, as a Params (tests also use
    it for other losses than ``loss``)."""
    probe = params.copy()
    numeric = Params(np.zeros_like(params.U), np.zeros_like(params.W), np.zeros_like(params.V))
    for name in ("U", "W", "V"):
        w, g = getattr(probe, name), getattr(numeric, name)
        for i in np.ndindex(w.shape):
            keep = w[i]
            w[i] = keep + eps
            up = f(probe)
            w[i] = keep - eps
            down = f(probe)
            w[i] = keep
            g[i] = (up - down) / (2 * eps)
    return numeric


def relative_error(numeric, analytic):
    """max|numeric - analytic| / max(|numeric| + |analytic|) over one array (0 if both are 0)."""
    scale = np.max(np.abs(numeric) + np.abs(analytic))
    return 0.0 if scale == 0 else float(np.max(np.abs(numeric - analytic)) / scale)


def gradient_check_table(params, inputs, targets, eps=1e-5):
    """{"U": err, "W": err, "V": err}: ``relative_error`` of each array's gradient."""
    x = check_inputs(inputs)
    y = check_targets(targets, x)
    analytic = backward(params, forward(params, x), y)
    numeric = numerical_gradient(params, x, y, eps)
    return {name: relative_error(getattr(numeric, name), getattr(analytic, name))
            for name in ("U", "W", "V")}
