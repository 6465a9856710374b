"""Figures, widgets and small helpers for notebook 04, on training.

What is here:

- ``read_published_log(path)``: the post's published log (Chinese labels) as numbers.
- ``StepRecorder``: an ``on_step`` hook for ``train_like_the_post`` that keeps the weights after
  every update (so one run gives every snapshot) and, in a notebook, drives a progress bar.
- ``post_examples``, ``step_errors``: the sums the post's loop drew at each step, and the error it
  would have printed at every step (it prints only every 1000th).
- ``evaluate_snapshots``: exhaustive accuracy, accuracy per bit and mean loss of many networks.
- ``load_benchmark``: reads and validates ``benchmarks/results/train_speed.json``.
- static figures (``plot_*``), the widget frame ``TrainingFrame`` and ``example_frames()``.

Shapes: T time steps (bits), S training steps, K snapshots, H hidden units.
"""
import json
import math
import numbers
import os

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullLocator
import matplotlib.pyplot as plt

from .encoding import addition_batch, check_int, from_bits
from .model import Params, check_params, forward, init_params, sigmoid
from .style import COLORS, SEQUENTIAL
from .widgets import bake_background, freeze_layout

# The labels of the post's published log, and what they mean.
PUBLISHED_LABELS = {"损失值": "loss value", "预测值": "predicted value", "正确值": "correct value"}


# --------------------------------------------------------------------------- the published log

class PublishedBlock:
    """One block of the post's published log.

    error_text: the error exactly as printed, e.g. "[3.45638663]"; error: it as a float.
    predicted, true: (8,) uint8 bits, MSB first.  a, b: the operands.  decoded: the printed sum.
    """

    def __init__(self, error_text, predicted, true, a, b, decoded):
        self.error_text = error_text
        self.error = float(error_text.strip("[]"))
        self.predicted = predicted
        self.true = true
        self.a, self.b, self.decoded = a, b, decoded

    def __repr__(self):
        return (f"PublishedBlock(error={self.error_text}, predicted={self.predicted}, "
                f"true={self.true}, {self.a} + {self.b} = {self.decoded})")


def _parse_bits(text, where):
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise ValueError(f"{where}: expected bits like [0 1 0 1], got {text!r}")
    parts = inner[1:-1].split()
    if not parts or any(p not in ("0", "1") for p in parts):
        raise ValueError(f"{where}: expected bits like [0 1 0 1], got {text!r}")
    return np.array([int(p) for p in parts], dtype=np.uint8)


def read_published_log(path):
    """The post's published log as a list of ``PublishedBlock``, one per printed block.

    The file holds blocks of five lines: ``损失值:[error]``, ``预测值:[bits]``, ``正确值:[bits]``,
    ``a + b = decoded`` and ``------------``; lines starting with ``#`` are comments.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    with open(path, encoding="utf-8") as f:
        lines = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    if len(lines) % 5:
        raise ValueError(f"path {os.fspath(path)!r}: expected blocks of 5 lines, got {len(lines)} lines")
    blocks = []
    for i in range(0, len(lines), 5):
        err, pred, true, total, rule = lines[i:i + 5]
        where = f"{os.fspath(path)} block {i // 5}"
        labels = [ln.split(":", 1)[0] for ln in (err, pred, true)]
        if labels != list(PUBLISHED_LABELS) or rule != "------------":
            raise ValueError(f"{where}: expected the labels {list(PUBLISHED_LABELS)} and a rule "
                             f"of dashes, got {labels} and {rule!r}")
        try:
            lhs, decoded = total.split(" = ")
            a, b = lhs.split(" + ")
            a, b, decoded = int(a), int(b), int(decoded)
        except ValueError:
            raise ValueError(f"{where}: expected a line 'a + b = sum', got {total!r}") from None
        error_text = err.split(":", 1)[1]
        try:
            float(error_text.strip("[]"))
        except ValueError:
            raise ValueError(f"{where}: expected an error like [3.456], got {error_text!r}") from None
        blocks.append(PublishedBlock(error_text, _parse_bits(pred.split(":", 1)[1], where),
                                     _parse_bits(true.split(":", 1)[1], where), a, b, decoded))
    return blocks


# --------------------------------------------------------------------------- recording a run

class StepRecorder:
    """An ``on_step`` hook that keeps the weights after every update of a training run.

    initial: the Params before training (``init_params(hidden_size, seed)`` for the post's loop).
    steps: how many updates the run will make.
    progress: show an ``ipywidgets.IntProgress`` bar (for notebooks; tests leave it off), moved
    every ``progress_every`` steps.

    After the run, ``U`` (S+1, 2, H), ``W`` (S+1, H, H), ``V`` (S+1, H, 1) hold the weights after
    0, 1, ..., S updates; ``params_after(n)`` and ``snapshots(every)`` hand them out as Params.
    Copying three small arrays per step costs a few microseconds.
    """

    def __init__(self, initial, steps, progress=False, progress_every=100):
        check_params(initial, "initial")
        self.steps = check_int(steps, "steps", minimum=1)
        self.progress_every = check_int(progress_every, "progress_every", minimum=1)
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True or False, got {progress!r}")
        H = initial.hidden_size
        self.U = np.empty((self.steps + 1, 2, H))
        self.W = np.empty((self.steps + 1, H, H))
        self.V = np.empty((self.steps + 1, H, 1))
        self.U[0], self.W[0], self.V[0] = initial.U, initial.W, initial.V
        self.count = 0  # updates recorded so far
        self.bar = None
        if progress:
            import ipywidgets
            from IPython.display import display
            self.bar = ipywidgets.IntProgress(value=0, min=0, max=self.steps,
                                              description="training")
            display(self.bar)

    def __call__(self, step, params):
        if step != self.count:
            raise ValueError(f"step must count 0, 1, 2, ... one call per update; expected "
                             f"{self.count}, got {step}")
        if self.count >= self.steps:
            raise ValueError(f"this recorder holds {self.steps} steps; step {step} is one too many")
        n = step + 1
        self.U[n], self.W[n], self.V[n] = params.U, params.W, params.V
        self.count = n
        if self.bar is not None and (n % self.progress_every == 0 or n == self.steps):
            self.bar.value = n
        return None  # never stop the run

    def params_after(self, n):
        """A copy of the weights after ``n`` updates (n = 0: before training)."""
        n = check_int(n, "n", minimum=0, maximum=self.count)
        return Params(self.U[n].copy(), self.W[n].copy(), self.V[n].copy())

    def snapshots(self, every):
        """(steps, params): the update counts 0, every, 2*every, ... up to the last recorded
        one, and a copy of the weights at each."""
        every = check_int(every, "every", minimum=1)
        steps = list(range(0, self.count + 1, every))
        return steps, [self.params_after(n) for n in steps]


def post_examples(steps, seed=0, hidden_size=16, width=8):
    """(a, b): the sums ``train_like_the_post(steps, seed, hidden_size=..., width=...)`` draws.

    The post's random stream: ``RandomState(seed)`` first fills U (2, H), V (H, 1), W (H, H),
    then draws a and b (each below 2**(width-1)) once per step.  Returns two (steps,) int64 arrays.
    """
    steps = check_int(steps, "steps", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    width = check_int(width, "width", minimum=1, maximum=63)
    rng = np.random.RandomState(seed)
    rng.random_sample(2 * hidden_size + hidden_size + hidden_size * hidden_size)  # U, V, W
    draws = rng.randint(2 ** (width - 1), size=2 * steps).astype(np.int64).reshape(steps, 2)
    return draws[:, 0].copy(), draws[:, 1].copy()


def step_errors(recorder, a, b, width=8):
    """The post's printed error and its loss at every step of a recorded run.

    Step s trains on a[s] + b[s] with the weights after s updates; this recomputes that forward
    pass for all steps at once (each with its own weights).  Returns (error, loss), two (S,)
    arrays: error = sum over the bits of |true - output| (what the post prints every 1000 steps),
    loss = 0.5 * sum of (true - output)**2 (what it descends).
    """
    if not isinstance(recorder, StepRecorder):
        raise TypeError(f"recorder must be a StepRecorder, got {type(recorder).__name__}")
    x, y = addition_batch(a, b, width)                      # (T, S, 2), (T, S)
    S = x.shape[1]
    if S != recorder.count:
        raise ValueError(f"a and b must hold one sum per recorded step ({recorder.count}), got {S}")
    U, W, V = recorder.U[:S], recorder.W[:S], recorder.V[:S]
    h = np.zeros((S, U.shape[2]))
    out = np.empty((x.shape[0], S))
    for t in range(x.shape[0]):
        h = sigmoid(np.einsum("si,sih->sh", x[t], U) + np.einsum("sh,shk->sk", h, W))
        out[t] = sigmoid(np.einsum("sh,sh->s", h, V[:, :, 0]))
    return np.abs(y - out).sum(axis=0), 0.5 * ((y - out) ** 2).sum(axis=0)


def running_mean(values, window):
    """(S,) mean of the last ``window`` values at each position (fewer at the start)."""
    window = check_int(window, "window", minimum=1)
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {v.shape}")
    c = np.concatenate([[0.0], np.cumsum(v)])
    i = np.arange(1, v.size + 1)
    lo = np.maximum(i - window, 0)
    return (c[i] - c[lo]) / (i - lo)


class SnapshotScores:
    """What ``evaluate_snapshots`` measured: accuracy (K,), bit_accuracy (K, T) LSB first,
    loss (K,) the post's loss per sum averaged over all pairs."""

    def __init__(self, accuracy, bit_accuracy, loss):
        self.accuracy, self.bit_accuracy, self.loss = accuracy, bit_accuracy, loss


def evaluate_snapshots(snapshots, width=8):
    """Score each network in ``snapshots`` (a list of Params) on all pairs a, b < 2**(width-1).

    For each network: its exhaustive accuracy (as ``exhaustive_accuracy``), its accuracy per bit
    (as ``bit_accuracy``) and its mean loss per sum.  Returns a ``SnapshotScores``.

    A shortcut makes this about 3x cheaper than a forward pass over all pairs, with the same
    numbers: after t + 1 steps the network has read only the lowest t + 1 bits of a and of b, so
    all pairs that agree there share one hidden state.  Step t computes 4**(t+1) hidden states
    instead of 16,384 (38,228 in all instead of 131,072 for width 8); the last step, where both
    input bits are 0 because a, b < 2**(width-1), needs one per pair.
    """
    if isinstance(snapshots, Params) or not isinstance(snapshots, (list, tuple)) or not snapshots:
        raise TypeError("snapshots must be a non-empty list of Params")
    for i, p in enumerate(snapshots):
        check_params(p, f"snapshots[{i}]")
    width = check_int(width, "width", minimum=1, maximum=12)
    acc, bits, loss = [], [], []
    for p in snapshots:
        a, b_, c = _score_by_shared_prefixes(p, width)
        acc.append(a)
        bits.append(b_)
        loss.append(c)
    return SnapshotScores(np.array(acc), np.array(bits), np.array(loss))


def _dot_in_slices(h, M, rows=1024):
    """np.dot(h, M), 1024 rows at a time: a bigger product makes OpenBLAS start threads, which is
    several times slower on a busy 2-core machine.  Each row's result is the same either way."""
    if len(h) <= rows:
        return np.dot(h, M)
    return np.concatenate([np.dot(h[i:i + rows], M) for i in range(0, len(h), rows)])


def _sigmoid_in_place(z):
    """sigmoid(z) written into z: the same numbers as ``sigmoid`` (1 / (1 + exp(-z))) without its
    temporary arrays; z below -700 is treated as -700 (the output, ~1e-304, is 0 for every use here)."""
    np.negative(z, out=z)
    np.minimum(z, 700.0, out=z)
    np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def _score_by_shared_prefixes(params, width):
    """(accuracy, bit accuracy (width,), mean loss) of one network on all pairs; see above."""
    H = params.hidden_size
    half = 2 ** (width - 1)
    h = np.zeros((1, 1, H))            # h[a_low, b_low]: the hidden state of every prefix so far
    all_right = np.ones((half, half), dtype=bool)
    bit_acc = np.empty(width)
    loss = 0.0
    for t in range(width):
        m = h.shape[0]                 # prefixes of t bits: a_low, b_low < m = 2**t
        hw = _dot_in_slices(h.reshape(-1, H), params.W).reshape(m, m, H)
        if t < width - 1:              # bit t of a and of b: four cases, each extends every prefix
            new = np.empty((2 * m, 2 * m, H))
            for abit in (0, 1):
                for bbit in (0, 1):
                    x = np.array([[abit, bbit]], dtype=np.float64)
                    new[abit * m:(abit + 1) * m, bbit * m:(bbit + 1) * m] = \
                        _sigmoid_in_place(np.dot(x, params.U) + hw)
            h = new
        else:                          # the last step: both input bits are 0 (a, b < 2**(width-1))
            h = _sigmoid_in_place(np.dot(np.zeros((1, 2)), params.U) + hw)
        n = h.shape[0]
        o = _sigmoid_in_place(_dot_in_slices(h.reshape(-1, H), params.V)).reshape(n, n)
        lows = np.arange(n)
        y = ((lows[:, None] + lows[None, :]) >> t) & 1        # bit t of the sum of the two prefixes
        right = (o > 0.5) == (y == 1)
        bit_acc[t] = right.mean()     # every prefix stands for the same number of pairs
        loss += float(0.5 * np.mean((y - o) ** 2))
        all_right &= np.tile(right, (half // n, half // n))   # pair (a, b) has prefix (a % n, b % n)
    return float(all_right.mean()), bit_acc, loss


def first_step_reaching(steps, accuracy, level=1.0):
    """(first, stays): the first step whose accuracy is >= level, and the step from which it
    stays >= level to the end; None where there is none."""
    s = np.asarray(steps)
    ok = np.asarray(accuracy) >= level
    if s.shape != ok.shape or s.ndim != 1:
        raise ValueError(f"steps and accuracy must be 1-D of the same length, got {s.shape} and {ok.shape}")
    first = int(s[np.argmax(ok)]) if ok.any() else None
    if not ok.any() or not ok[-1]:
        return first, None
    bad = np.flatnonzero(~ok)
    return first, int(s[bad[-1] + 1]) if bad.size else int(s[0])


# --------------------------------------------------------------------------- the benchmark file

def _need(obj, key, where, kind):
    if not isinstance(obj, dict) or key not in obj:
        raise ValueError(f"benchmark file: {where} must have the key {key!r}")
    value = obj[key]
    ok = {"str": isinstance(value, str),
          "int": isinstance(value, numbers.Integral) and not isinstance(value, bool),
          "num": isinstance(value, numbers.Real) and not isinstance(value, bool)
          and math.isfinite(value),
          "dict": isinstance(value, dict),
          "list": isinstance(value, list) and len(value) > 0}[kind]
    if not ok:
        kinds = {"str": "a string", "int": "an integer", "num": "a finite number",
                 "dict": "an object", "list": "a non-empty list"}
        raise ValueError(f"benchmark file: {where}.{key} must be {kinds[kind]}, got {value!r}")
    if kind in ("int", "num") and value < 0:
        raise ValueError(f"benchmark file: {where}.{key} must be >= 0, got {value!r}")
    return value


def load_benchmark(path):
    """Read ``benchmarks/results/train_speed.json`` (written by ``benchmarks/train_speed.py``)
    and check its schema; returns the dict.

    Schema: {"date": str, "machine": str,
             "post_loop": {"check_every": int, "runs": [{"seed": int, "steps": int,
                           "seconds": float}, ...], "median_steps": float, "median_seconds": float,
                           "median_check_seconds": float (the part of the seconds spent checking)},
             "train_fast": {"runs": [...], "median_steps": float, "median_seconds": float,
                            "median_check_seconds": float},
             "ratio": float (each side with its own checks), "same_checker_ratio": float (the post
             loop checked with train_fast's checker), "training_only_ratio": float (the post
             loop's checks left out), "no_checks_ratio": float (both sides' checks left out),
             "long_sums": {"seeds": int, "bits": int, "pairs": int, "all_exact": int}}
    Raises FileNotFoundError when the file is missing, ValueError naming the first bad field.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no benchmark results at {os.fspath(path)!r}; "
                                f"run `make benchmark` (benchmarks/train_speed.py) to measure them")
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"benchmark file {os.fspath(path)!r} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ValueError("benchmark file: the top level must be an object")
    _need(data, "date", "top level", "str")
    _need(data, "machine", "top level", "str")
    for key in ("ratio", "same_checker_ratio", "training_only_ratio", "no_checks_ratio"):
        _need(data, key, "top level", "num")
    for name in ("post_loop", "train_fast"):
        part = _need(data, name, "top level", "dict")
        if name == "post_loop" and _need(part, "check_every", name, "int") < 1:
            raise ValueError("benchmark file: post_loop.check_every must be >= 1")
        _need(part, "median_check_seconds", name, "num")
        for i, run in enumerate(_need(part, "runs", name, "list")):
            where = f"{name}.runs[{i}]"
            if not isinstance(run, dict):
                raise ValueError(f"benchmark file: {where} must be an object")
            _need(run, "seed", where, "int")
            _need(run, "steps", where, "int")
            _need(run, "seconds", where, "num")
        _need(part, "median_steps", name, "num")
        _need(part, "median_seconds", name, "num")
    sums = _need(data, "long_sums", "top level", "dict")
    for key in ("seeds", "bits", "pairs", "all_exact"):
        _need(sums, key, "long_sums", "int")
    if sums["all_exact"] > sums["seeds"]:
        raise ValueError(f"benchmark file: long_sums.all_exact ({sums['all_exact']}) cannot exceed "
                         f"long_sums.seeds ({sums['seeds']})")
    return data


# --------------------------------------------------------------------------- one network's answer

def network_answer(params, a, b, width=8):
    """How ``params`` answers a + b: (probabilities, predicted, true), each (width,), MSB first.

    probabilities: the output o for each bit, the network's P(bit = 1); predicted: 1 where o > 0.5.
    """
    check_params(params)
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    width = check_int(width, "width", minimum=1, maximum=63)
    x, y = addition_batch(np.array([a]), np.array([b]), width)
    o = forward(params, x).output[::-1, 0]
    return o, (o > 0.5).astype(np.uint8), y[::-1, 0].astype(np.uint8)


def _check_snapshots(snapshots, steps):
    if not isinstance(snapshots, (list, tuple)) or not snapshots:
        raise TypeError("snapshots must be a non-empty list of Params")
    for i, p in enumerate(snapshots):
        check_params(p, f"snapshots[{i}]")
    if not isinstance(steps, (list, tuple, np.ndarray)) or len(steps) != len(snapshots):
        raise ValueError(f"steps must list one update count per snapshot ({len(snapshots)}), "
                         f"got {steps!r}")
    steps = [check_int(s, "steps[i]", minimum=0) for s in steps]
    if any(s2 <= s1 for s1, s2 in zip(steps, steps[1:])):
        raise ValueError(f"steps must increase, got {steps}")
    return steps


def _bitstring(bits):
    return "".join(str(int(v)) for v in bits)


# --------------------------------------------------------------------------- static figures

def plot_post_training(errors, window, log, snap_steps, scores):
    """The post's loop over its 10,000 steps, in three panels sharing the step axis.

    errors: (S,) the printed error at every step (``step_errors``); window: running-mean width;
    log: the LogEntry list (its printed errors are marked); snap_steps (K,) and scores
    (``SnapshotScores``) of the snapshots.  Returns the Figure.
    """
    errors = np.asarray(errors, dtype=np.float64)
    steps = np.arange(errors.size)
    # A fixed layout (no layout engine: it would cost more than drawing the figure itself).
    fig, axd = plt.subplot_mosaic([["error", "."], ["accuracy", "."], ["bits", "bar"]],
                                  figsize=(9, 7.6),
                                  gridspec_kw={"height_ratios": [3, 2, 2], "width_ratios": [1, 0.025],
                                               "left": 0.11, "right": 0.87, "top": 0.95,
                                               "bottom": 0.07, "hspace": 0.08, "wspace": 0.04})
    axes = [axd["error"], axd["accuracy"], axd["bits"]]
    for ax in axes[:2]:
        ax.sharex(axes[2])
        ax.tick_params(labelbottom=False)
    ax = axes[0]
    ax.plot(steps, errors, ".", ms=1.5, color="0.75", label="printed error, every step")
    ax.plot(steps, running_mean(errors, window), color=COLORS["blue"], lw=2,
            label=f"printed error, mean of the last {window} steps")
    ax.plot([e.step for e in log], [e.error for e in log], "D", color=COLORS["vermillion"],
            ms=6, label="the ten values the post printed")
    ax.set_ylabel("error of one sum\nΣ over bits of |true − output|")
    ax.set_ylim(0, 8)
    ax.set_title("The post's loop: error, accuracy and accuracy per bit while it trains (seed 0)")
    ax.legend(loc="upper right", fontsize=8)
    ax = axes[1]
    ax.plot(snap_steps, 100 * scores.accuracy, "o-", color=COLORS["green"], ms=4)
    ax.set_ylabel("sums exactly right\n(% of all 16,384)")
    ax.set_ylim(-3, 103)
    ax.grid(alpha=0.3)
    ax = axes[2]
    half = (snap_steps[1] - snap_steps[0]) / 2 if len(snap_steps) > 1 else 0.5
    im = ax.imshow(scores.bit_accuracy.T, aspect="auto", origin="lower", cmap=SEQUENTIAL,
                   vmin=0.5, vmax=1, interpolation="nearest",
                   extent=(snap_steps[0] - half, snap_steps[-1] + half, -0.5,
                           scores.bit_accuracy.shape[1] - 0.5))
    ax.set_yticks(range(scores.bit_accuracy.shape[1]))
    ax.set_ylabel("bit position\n(0 = least significant)")
    ax.set_xlabel("training step (updates so far, one sum per update)")
    fig.colorbar(im, cax=axd["bar"], label="pairs with\nthis bit right\n(0.5 = coin toss)")
    return fig


def plot_bit_accuracy(bit_accuracies):
    """Grouped bars: accuracy per bit position for each network in {label: (T,) LSB first}."""
    if not isinstance(bit_accuracies, dict) or not bit_accuracies:
        raise TypeError("bit_accuracies must be a non-empty dict {label: per-bit accuracy}")
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in bit_accuracies.items()}
    T = {v.shape for v in arrays.values()}
    if len(T) != 1 or len(next(iter(T))) != 1:
        raise ValueError(f"every per-bit accuracy must be a 1-D array of the same length, got {T}")
    T = next(iter(T))[0]
    colors = [COLORS[c] for c in ("sky", "orange", "blue", "green", "purple", "vermillion")]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.91, bottom=0.27)
    n = len(arrays)
    width = 0.8 / n
    for i, (label, acc) in enumerate(arrays.items()):
        ax.bar(np.arange(T) + (i - (n - 1) / 2) * width, 100 * acc, width,
               color=colors[i % len(colors)], label=label)
    ax.axhline(50, color="0.3", ls="--", lw=1, label="50 %: a coin toss")
    ax.set_xticks(range(T), [f"bit {t}" + (" (LSB)" if t == 0 else " (MSB)" if t == T - 1 else "")
                             for t in range(T)])
    ax.set_xlabel("bit position of the sum (the network writes bit 0 first)")
    ax.set_ylabel("pairs with this bit right (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Accuracy per bit on all 16,384 pairs")
    fig.legend(loc="lower center", fontsize=8, ncol=n + 1)
    return fig


def plot_fast_vs_post(post_loss, history, batch_size, window):
    """Loss per sum while training: the post's loop against ``train_fast``.

    post_loss: (S,) the post's loss at every step (one sum per step, ``post_loss[s]`` measured
    after s updates); history: train_fast's History (its ``loss`` is averaged over a minibatch of
    ``batch_size`` sums).  Left: against update steps; right: against sums seen.  Both x axes
    are logarithmic, so they start at 1 update.
    """
    post_loss = np.asarray(post_loss, dtype=np.float64)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    # x = updates made before the loss was measured; the log axis starts at 1 update.
    # The post's running mean at ~400 steps spaced evenly on that axis (all 10,000 look the same).
    steps = np.unique(np.geomspace(1, post_loss.size - 1, 400).astype(int))
    post_mean = running_mean(post_loss, window)[steps]
    fast_steps = np.asarray(history.steps)
    fast_loss = np.asarray(history.loss)[fast_steps >= 1]
    fast_steps = fast_steps[fast_steps >= 1]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.84, bottom=0.14, wspace=0.06)
    for ax, scale, xlabel in ((axes[0], 1, "update steps"),
                              (axes[1], batch_size, "sums seen (steps x sums per step)")):
        ax.plot(steps, post_mean, color=COLORS["blue"], lw=2,
                label=f"post's loop: 1 sum per step (mean of last {window})")
        ax.plot(fast_steps * scale, fast_loss, "o-", ms=3,
                color=COLORS["orange"], label=f"train_fast: {batch_size} sums per step")
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())                      # plain tick labels: "100",
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # not 10^2 in mathtext
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("loss per sum, ½ Σ (true − output)²")
    axes[0].set_title("against update steps")
    axes[1].set_title("against sums seen")
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle("The same loss, two trainers (seed 0)")
    return fig


def plot_answer_filmstrip(snapshots, steps, a, b, show=None):
    """The network's answer to a + b at several snapshots: one row per snapshot, one column per
    bit (MSB first), colour = output probability P(bit = 1), the digit = the predicted bit.

    show: the update counts to draw (default: all).  The top row holds the true bits.
    """
    steps = _check_snapshots(snapshots, steps)
    if show is None:
        show = steps
    rows = []
    for s in show:
        if s not in steps:
            raise ValueError(f"show: step {s} is not one of the snapshot steps")
        rows.append(network_answer(snapshots[steps.index(s)], a, b))
    true = rows[0][2]
    T = true.size
    probs = np.array([r[0] for r in rows])
    height = 0.42 * (len(rows) + 1) + 1.6
    fig, ax = plt.subplots(figsize=(7.2, height))
    fig.subplots_adjust(left=0.17, right=0.72, top=1 - 0.45 / height, bottom=0.75 / height)
    im = ax.imshow(np.vstack([true[None, :].astype(float), probs]), cmap=SEQUENTIAL, vmin=0, vmax=1,
                   aspect="auto", interpolation="nearest")
    for j in range(T):
        ax.text(j, 0, str(true[j]), ha="center", va="center", fontsize=10, fontweight="bold",
                color="black" if true[j] else "white")
    for i, (o, pred, _) in enumerate(rows, start=1):
        for j in range(T):
            ax.text(j, i, str(pred[j]), ha="center", va="center", fontsize=9,
                    color="black" if o[j] > 0.55 else "white")
            if pred[j] != true[j]:
                ax.add_patch(Rectangle((j - 0.44, i - 0.4), 0.88, 0.8, fill=False, lw=2.2,
                                       ec=COLORS["orange"]))
        value = from_bits(pred)
        ax.text(T - 0.4, i, f" = {value}, {'right' if value == a + b else 'wrong'}", va="center",
                fontsize=9)
    ax.text(T - 0.4, 0, f" = {a + b}", va="center", fontsize=9, fontweight="bold")
    ax.axhline(0.5, color="white", lw=3)
    ax.set_xticks(range(T), [f"{T - 1 - j}" for j in range(T)])
    ax.set_yticks(range(len(rows) + 1), ["true bits"] + [f"step {s}" for s in show])
    ax.set_xlabel("bit position (7 = most significant); digit = predicted bit, framed = wrong")
    ax.set_ylabel("after this many updates")
    ax.set_title(f"The post's network answering {a} + {b} as it trains")
    cax = fig.add_axes((0.88, 0.75 / height, 0.025, 1 - 1.2 / height))
    fig.colorbar(im, cax=cax, label="output: P(bit = 1)")
    return fig


# --------------------------------------------------------------------------- the widget frame

class TrainingFrame:
    """Scrub through training: the answer of each snapshot to a + b, and where it sits on the curves.

    snapshots: list of Params; steps: the update count of each (increasing); a, b: the sum;
    accuracy: optional (K,) exhaustive accuracy of each snapshot (computed if not given);
    curve: optional (S,) per-step curve (e.g. the running-mean printed error) drawn above it.
    ``update(step)`` takes one of ``steps``.

    baked: draw everything that never changes (axes, ticks, labels, curves, the true bits) once
    into a background image, so that a redraw only draws the bars, texts and markers that move
    (several times faster; the picture is the same).  The background is drawn for PNGs at
    ``widgets.PNG_DPI`` dots per inch, the resolution ``widgets.figure_png`` uses.
    """

    def __init__(self, snapshots, steps, a, b, accuracy=None, curve=None, curve_label="error",
                 baked=True):
        self.steps = _check_snapshots(snapshots, steps)
        self.snapshots = list(snapshots)
        self.a = check_int(a, "a", minimum=0, maximum=127)
        self.b = check_int(b, "b", minimum=0, maximum=127)
        if accuracy is None:
            accuracy = evaluate_snapshots(self.snapshots).accuracy
        self.accuracy = np.asarray(accuracy, dtype=np.float64)
        if self.accuracy.shape != (len(self.steps),):
            raise ValueError(f"accuracy must have one value per snapshot ({len(self.steps)}), "
                             f"got shape {self.accuracy.shape}")
        self.answers = [network_answer(p, self.a, self.b) for p in self.snapshots]
        self.true = self.answers[0][2]
        T = self.true.size

        fig = Figure(figsize=(9.6, 3.8))
        self.fig = fig
        gs = fig.add_gridspec(2, 2, width_ratios=[1.15, 1], hspace=0.15, left=0.1, right=0.98,
                              top=0.9, bottom=0.19, wspace=0.3)
        ax = fig.add_subplot(gs[:, 0])
        self.ax_bits = ax
        x = np.arange(T)
        self.bars = ax.bar(x, np.zeros(T), 0.7, color=COLORS["blue"])
        self.threshold = ax.axhline(0.5, color="0.4", ls="--", lw=1)
        ax.set_xticks(x, [str(T - 1 - j) for j in range(T)])
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xlim(-0.6, T - 0.4)
        ax.set_ylim(0, 1.42)
        ax.set_xlabel("bit position (7 = most significant)\nblue: bit right, vermillion: bit wrong")
        ax.set_ylabel("output: P(bit = 1)")
        ax.text(-0.55, 1.31, "true", fontsize=8, ha="right", va="center")
        ax.text(-0.55, 1.13, "predicted", fontsize=8, ha="right", va="center")
        for j in range(T):
            ax.text(j, 1.31, str(self.true[j]), ha="center", va="center", fontsize=11,
                    fontweight="bold")
        self.pred_texts = [ax.text(j, 1.13, "", ha="center", va="center", fontsize=11,
                                   fontweight="bold") for j in range(T)]
        ax.axhline(1.03, color="0.6", lw=0.8)
        self.title = ax.set_title("", fontsize=10)

        self.ax_curve = fig.add_subplot(gs[0, 1])
        self.ax_acc = fig.add_subplot(gs[1, 1], sharex=self.ax_curve)
        if curve is not None:
            curve = np.asarray(curve, dtype=np.float64)
            self.ax_curve.plot(np.arange(curve.size), curve, color=COLORS["blue"], lw=1.5)
            self.ax_curve.set_ylabel(curve_label, fontsize=8)
        else:
            self.ax_curve.set_axis_off()
        self.ax_curve.tick_params(labelbottom=False)
        self.ax_curve.set_title("where this snapshot sits in training", fontsize=10)
        self.ax_acc.plot(self.steps, 100 * self.accuracy, "o-", ms=3, color=COLORS["green"])
        self.ax_acc.set_ylim(-5, 105)
        self.ax_acc.set_ylabel("sums right (%)", fontsize=8)
        self.ax_acc.set_xlabel("training step (updates)")
        self.vlines = [ax_.axvline(self.steps[0], color=COLORS["vermillion"], lw=1.5)
                       for ax_ in (self.ax_curve, self.ax_acc)]
        self.dot, = self.ax_acc.plot([self.steps[0]], [100 * self.accuracy[0]], "o", ms=9,
                                     mfc="none", mew=2, color=COLORS["vermillion"])
        self.acc_text = self.ax_acc.text(0.02, 0.9, "", transform=self.ax_acc.transAxes,
                                         fontsize=8, va="top")
        freeze_layout(fig)
        self.baked = bool(baked)
        if self.baked:
            bake_background(fig, keep=[*self.bars, *self.pred_texts, self.title, self.threshold,
                                        *self.vlines, self.dot, self.acc_text])

    def update(self, step):
        """Show the snapshot after ``step`` updates; returns the text line."""
        step = check_int(step, "step", minimum=0)
        if step not in self.steps:
            raise ValueError(f"step must be one of the snapshot steps {self.steps[0]}, "
                             f"{self.steps[1] if len(self.steps) > 1 else ''}, ..., "
                             f"{self.steps[-1]}; got {step}")
        k = self.steps.index(step)
        probs, pred, true = self.answers[k]
        for bar, text, p, bit, ok in zip(self.bars, self.pred_texts, probs, pred, pred == true):
            color = COLORS["blue"] if ok else COLORS["vermillion"]
            bar.set_height(p)
            bar.set_color(color)
            text.set_text(str(bit))
            text.set_color(color)
        for line in self.vlines:
            line.set_xdata([step, step])
        self.dot.set_data([step], [100 * self.accuracy[k]])
        self.acc_text.set_text(f"{100 * self.accuracy[k]:.1f} % of all sums right")
        value, total = from_bits(pred), self.a + self.b
        verdict = "right" if value == total else "wrong"
        self.title.set_text(f"{self.a} + {self.b} after {step} updates: "
                            f"{_bitstring(pred)} = {value} ({verdict})")
        return (f"step {step}: predicted <code>{_bitstring(pred)}</code> = {value}, "
                f"true {total}, {verdict} ({int((pred == true).sum())} of {pred.size} bits right)")


def example_frames():
    """[(name, frame, states)]: a TrainingFrame on a short post-loop run (600 steps, a snapshot
    every 100), for the redraw benchmark and the browser test."""
    from .training import train_like_the_post
    recorder = StepRecorder(init_params(16, 0), 600)
    train_like_the_post(steps=600, seed=0, on_step=recorder)
    steps, snaps = recorder.snapshots(100)
    frame = TrainingFrame(snaps, steps, 9, 60)
    return [("training", frame, [(s,) for s in steps])]


# --------------------------------------------------------------------------- exercise references

def adam_reference(w, g, m, v, t, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update, computed number by number in plain Python floats (a reference for the
    exercise; ``train_fast`` does the same with whole arrays).

    w, g, m, v: arrays of the same shape (weights, gradient, first and second moments);
    t: the update's number, counting from 1.  Returns (w, m, v) after the update, new arrays:
    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
    w = w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps).
    """
    t = check_int(t, "t", minimum=1)
    arrays = [np.asarray(z, dtype=np.float64) for z in (w, g, m, v)]
    if len({z.shape for z in arrays}) != 1:
        raise ValueError(f"w, g, m, v must have the same shape, got {[z.shape for z in arrays]}")
    out_w, out_m, out_v = (np.empty_like(arrays[0]) for _ in range(3))
    for i in np.ndindex(arrays[0].shape):
        wi, gi, mi, vi = (float(z[i]) for z in arrays)
        mi = beta1 * mi + (1 - beta1) * gi
        vi = beta2 * vi + (1 - beta2) * gi * gi
        m_hat = mi / (1 - beta1 ** t)
        v_hat = vi / (1 - beta2 ** t)
        out_w[i] = wi - lr * m_hat / (math.sqrt(v_hat) + eps)
        out_m[i], out_v[i] = mi, vi
    return out_w, out_m, out_v
