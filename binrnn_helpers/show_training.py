"""Notebook 04: the post's log, an update recorder, scores, figures, the frame (T bits, S steps, K snapshots)."""
import json
import os
import pathlib
import re
from collections import namedtuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullLocator

from .encoding import addition_batch, check_float, check_int, from_bits, one_sum, shown
from .evaluation import tree_outputs, tree_pairs
from .model import Params, check_params, forward, sigmoid
from .storage import shown_path
from .style import COLORS, SEQUENTIAL
from .widgets import bake_background, freeze_layout


#: a block of the post's log: the error as printed ("[3.45638663]") and as a number, predicted and
#: true bits (8,) MSB first, the sum
PublishedBlock = namedtuple("PublishedBlock", "error_text error predicted true a b decoded")


# 损失值 "loss value" (in fact the error sum |y - o|), 预测值 "predicted value", 正确值 "correct value"
_BLOCK = re.compile(r"损失值:(\[[-+.e0-9]+\])\n预测值:\[([01 ]+)\]\n正确值:\[([01 ]+)\]\n"
                    r"(\d+) \+ (\d+) = (\d+)\n-{12}")


def read_published_log(path):
    """The post's published log (blocks of five lines; ``#`` starts a comment) as PublishedBlocks."""
    with open(path, encoding="utf-8") as f:
        lines = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    blocks = []
    for i in range(0, len(lines), 5):
        text = "\n".join(lines[i:i + 5])
        if (match := _BLOCK.fullmatch(text)) is None:
            raise ValueError(f"{path}: block {i // 5} is not five lines 损失值:[error], "
                             f"预测值:[bits], 正确值:[bits], a + b = sum, ------------; got {text!r}")
        error, predicted, true, a, b, decoded = match.groups()
        bits = [np.array(s.split(), dtype=np.uint8) for s in (predicted, true)]
        blocks.append(PublishedBlock(error, float(error[1:-1]), *bits, int(a), int(b), int(decoded)))
    return blocks


class StepRecorder:
    """An ``on_step`` hook keeping the weights after each of ``steps`` updates, from ``initial``:
    U (S+1, 2, H), W (S+1, H, H), V (S+1, H, 1); ``progress`` shows a bar in a notebook."""

    def __init__(self, initial, steps, progress=False):
        check_params(initial, "initial")
        self.steps, H = check_int(steps, "steps", minimum=1), initial.hidden_size
        self.U, self.W, self.V = (np.empty((self.steps + 1, *shape)) for shape in ((2, H), (H, H), (H, 1)))
        self.U[0], self.W[0], self.V[0] = initial.U, initial.W, initial.V
        self.count, self.bar = 0, None                   # updates recorded so far
        if progress:
            import ipywidgets
            from IPython.display import display
            self.bar = ipywidgets.IntProgress(value=0, max=self.steps, description="training")
            display(self.bar)

    def __call__(self, step, params):
        if step != self.count or step >= self.steps:
            raise ValueError(f"step must count 0, 1, ..., {self.steps - 1}, one call per update; "
                             f"expected {self.count}, got {step}")
        self.count = n = step + 1
        self.U[n], self.W[n], self.V[n] = params.U, params.W, params.V
        if self.bar is not None and (n % 100 == 0 or n == self.steps):
            self.bar.value = n

    def params_after(self, n):
        """A copy of the weights after ``n`` updates (0: before training)."""
        n = check_int(n, "n", minimum=0, maximum=self.count)
        return Params(self.U[n].copy(), self.W[n].copy(), self.V[n].copy())

    def snapshots(self, every):
        """(steps, params): the update counts 0, every, 2 every, ... and the weights at each."""
        steps = list(range(0, self.count + 1, check_int(every, "every", minimum=1)))
        return steps, [self.params_after(n) for n in steps]


def post_examples(steps, seed=0):
    """(a, b), each (steps,) int64: the sums ``train_like_the_post(steps, seed)`` draws."""
    rng = np.random.RandomState(check_int(seed, "seed", minimum=0, maximum=2**32 - 1))
    rng.random_sample(2 * 16 + 16 + 16 * 16)           # U (2, 16), V (16, 1), W (16, 16) come first
    draws = rng.randint(2 ** 7, size=2 * check_int(steps, "steps", minimum=1)).astype(np.int64)
    return draws[0::2], draws[1::2]


def step_errors(recorder, a, b):
    """(error, loss), each (S,): the post's printed error sum |y - o| and its loss 0.5 sum (y - o)**2
    at every step s of a recorded run, on a[s] + b[s] with the weights after s updates."""
    x, y = addition_batch(a, b)                             # (T, S, 2), (T, S)
    S = x.shape[1]
    if S != recorder.count:
        raise ValueError(f"a and b must hold one sum per recorded step ({recorder.count}), got {S}")
    U, W, V = recorder.U[:S], recorder.W[:S], recorder.V[:S]
    h, out = np.zeros((S, U.shape[2])), np.empty((x.shape[0], S))
    for t in range(x.shape[0]):      # not bh.forward: each sum has its own weights (S calls: seconds)
        h = sigmoid(np.einsum("si,sih->sh", x[t], U) + np.einsum("sh,shk->sk", h, W))
        out[t] = sigmoid(np.einsum("sh,sh->s", h, V[:, :, 0]))
    return np.abs(y - out).sum(axis=0), 0.5 * ((y - out) ** 2).sum(axis=0)


def running_mean(values, window):
    """(S,): the mean of the last ``window`` values at each position (fewer at the start)."""
    window = check_int(window, "window", minimum=1)
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"values must be a 1-D array, got shape {v.shape}")
    c, i = np.concatenate([[0.0], np.cumsum(v)]), np.arange(1, v.size + 1)
    lo = np.maximum(i - window, 0)
    return (c[i] - c[lo]) / (i - lo)


#: accuracy (K,) and bit_accuracy (K, T), LSB first
SnapshotScores = namedtuple("SnapshotScores", "accuracy bit_accuracy")


def evaluate_snapshots(snapshots):
    """SnapshotScores of each Params in ``snapshots`` on all 16,384 pairs, as ``bh.exhaustive_accuracy``
    and ``bh.bit_accuracy`` count them (by ``bh.tree_outputs``)."""
    _check_snapshots(snapshots)
    _, targets = addition_batch(*tree_pairs())               # (T, P), pairs in tree_forward's order
    right = [(tree_outputs(params) > 0.5) == (targets > 0.5) for params in snapshots]    # (T, P) each
    return SnapshotScores(np.array([r.all(axis=0).mean() for r in right]),
                          np.array([r.mean(axis=1) for r in right]))


def first_step_reaching(steps, accuracy, level=1.0):
    """(first, stays): the first step with accuracy >= level, and the step from which it stays
    there to the end; None where there is none."""
    level = check_float(level, "level", 0, 1, include_low=True, include_high=True)
    s, ok = np.asarray(steps), np.asarray(accuracy) >= level
    if s.shape != ok.shape or s.ndim != 1:
        raise ValueError(f"steps and accuracy must be 1-D of the same length, got {s.shape} and {ok.shape}")
    after_last_miss = 0 if ok.all() else ok.size - np.argmax(~ok[::-1])
    first = int(s[np.argmax(ok)]) if ok.any() else None
    return first, int(s[after_last_miss]) if after_last_miss < ok.size else None


#: the results files in benchmarks/results/ that the notebooks read, and the script that writes each
RESULT_SCRIPTS = {"train_speed.json": "benchmarks/train_speed.py",
                  "where_it_breaks.json": "benchmarks/where_it_breaks.py",
                  "long_sums.json": "benchmarks/long_sums.py"}


def check_fields(results, fields, name):
    """Raise a ValueError naming the first of ``fields`` ("key.key", where a list on the way stands
    for each of its items) that the dict ``results`` lacks; ``name`` says where it came from."""
    if not isinstance(results, dict):
        raise TypeError(f"{name} must be a dict of benchmark results, got {type(results).__name__}")
    for field in fields:
        values = [results]
        for key in field.split("."):
            values = [v for d in values for v in (d if isinstance(d, list) else [d])]
            if not values or not all(isinstance(d, dict) and key in d for d in values):
                raise ValueError(f"{name}: no {key!r} for {field}")
            values = [d[key] for d in values]


def read_results(path, fields):
    """A benchmark's JSON results as a dict, refused with a ValueError naming the first of ``fields``
    that the file lacks (see ``check_fields``), and the script to re-run when it is one of
    benchmarks/results/ (RESULT_SCRIPTS)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path), got {type(path).__name__}")
    name, where = pathlib.Path(path).name, shown_path(path)
    hint = (f"re-run {RESULT_SCRIPTS[name]}" if name in RESULT_SCRIPTS else
            f"not a benchmark results file ({', '.join(RESULT_SCRIPTS)})")
    try:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)
    except FileNotFoundError:
        raise ValueError(f"path: there is no file {where}") from None
    except IsADirectoryError:
        raise ValueError(f"path: {where} is a folder, not a results file") from None
    except OSError as err:
        raise ValueError(f"path: cannot read {where}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where}: not valid JSON ({err}); {hint}") from None
    try:
        check_fields(results, fields, where)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{err}; {hint}") from None
    return results


#: what notebook 04 reads from train_speed.json
TRAIN_SPEED_FIELDS = ["date", "machine", "ratio", "post_loop.runs.seed", "train_fast.runs.seed"]


def load_benchmark(path):
    """``benchmarks/results/train_speed.json`` as a dict, with every field of TRAIN_SPEED_FIELDS."""
    return read_results(path, TRAIN_SPEED_FIELDS)


def network_answer(params, a, b):
    """(probabilities, predicted, true), each (8,) in time order, step t = 0 (the bit worth 1)
    first: how ``params`` answers a + b.  ``from_bits(predicted[::-1])`` reads the number."""
    x, y = one_sum(a, b, 8)
    o = forward(params, x).output[:, 0]
    return o, (o > 0.5).astype(np.uint8), y[:, 0].astype(np.uint8)


#: the x axis of a figure with one column per bit, in the order the network reads and writes them
STEP_AXIS = "step t (bit worth $2^t$)"


def _check_snapshots(snapshots, steps=None):
    if not (isinstance(snapshots, (list, tuple)) and snapshots and all(isinstance(p, Params) for p in snapshots)):
        raise TypeError("snapshots must be a non-empty list of Params")
    if steps is not None:
        steps = [check_int(s, "steps[i]", minimum=0) for s in steps]
        if len(steps) != len(snapshots) or any(s2 <= s1 for s1, s2 in zip(steps, steps[1:])):
            raise ValueError(f"steps must increase, one update count per snapshot ({len(snapshots)}), got {steps}")
    return steps


def plot_post_training(errors, window, log, snap_steps, scores):
    """The post's loop in three panels over the step axis: errors (S,) with their running mean and
    the printed LogEntries, the accuracy and the accuracy per bit of the snapshots (SnapshotScores)."""
    errors = np.asarray(errors, dtype=np.float64)
    steps, T = np.arange(errors.size), scores.bit_accuracy.shape[1]
    fig, axd = plt.subplot_mosaic([["error", "."], ["accuracy", "."], ["bits", "bar"]], figsize=(9, 7.6),
                                  gridspec_kw=dict(height_ratios=[3, 2, 2], width_ratios=[1, 0.025], left=0.11,
                                                   right=0.87, top=0.95, bottom=0.07, hspace=0.08, wspace=0.04))
    ax_err, ax_acc, ax_bits = axd["error"], axd["accuracy"], axd["bits"]
    for ax in (ax_err, ax_acc):
        ax.sharex(ax_bits)
        ax.tick_params(labelbottom=False)
    ax_err.plot(steps, errors, ".", ms=1.5, color="0.75", label="printed error, every step")
    ax_err.plot(steps, running_mean(errors, window), color=COLORS["blue"], lw=2,
                label=f"printed error, mean of the last {window} steps")
    ax_err.plot([e.step for e in log], [e.error for e in log], "D", color=COLORS["vermillion"],
                ms=6, label="the ten values the post printed")
    ax_err.set(ylabel="error of one sum\nΣ over bits of |true − output|", ylim=(0, 8),
               title="The post's loop: error, accuracy and accuracy per bit while it trains (seed 0)")
    ax_err.legend(loc="upper right", fontsize=8)
    ax_acc.plot(snap_steps, 100 * scores.accuracy, "o-", color=COLORS["green"], ms=4)
    ax_acc.set(ylabel="sums exactly right\n(% of all 16,384)", ylim=(-3, 103))
    ax_acc.grid(alpha=0.3)
    half = (snap_steps[1] - snap_steps[0]) / 2 if len(snap_steps) > 1 else 0.5
    im = ax_bits.imshow(scores.bit_accuracy.T, aspect="auto", origin="lower", cmap=SEQUENTIAL,
                        vmin=0.5, vmax=1, interpolation="nearest",
                        extent=(snap_steps[0] - half, snap_steps[-1] + half, -0.5, T - 0.5))
    ax_bits.set(yticks=range(T), ylabel="bit position\n(0 = least significant)",
                xlabel="training step (updates so far, one sum per update)")
    # cells below 0.5 (worse than a coin toss) take the bottom colour; the arrow at the foot says so
    fig.colorbar(im, cax=axd["bar"], extend="min",
                 label="pairs with this bit right\n(≤ 0.5: coin toss or worse)")
    return fig


def plot_bit_accuracy(bit_accuracies):
    """Grouped bars: the accuracy per bit of each network in {label: (T,) LSB first}."""
    if not isinstance(bit_accuracies, dict):
        raise TypeError("bit_accuracies must be a dict {label: accuracy per bit (T,)}, got "
                        f"{shown(bit_accuracies)}")
    if not bit_accuracies:
        raise ValueError("bit_accuracies must hold at least one network, got {}")
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in bit_accuracies.items()}
    if len(shapes := {v.shape for v in arrays.values()}) != 1 or len(next(iter(shapes))) != 1:
        raise ValueError(f"every per-bit accuracy must be a 1-D array of the same length, got {shapes}")
    for label, acc in arrays.items():
        if not np.all((acc >= 0) & (acc <= 1)):
            raise ValueError(f"bit_accuracies[{label!r}] must hold fractions in [0, 1], got {shown(acc.tolist())}")
    (T,), n = shapes.pop(), len(arrays)
    colors = [COLORS[c] for c in ("sky", "orange", "blue", "green", "purple", "vermillion")]
    fig, ax = plt.subplots(figsize=(9, 3.6), gridspec_kw=dict(left=0.08, right=0.98, top=0.91, bottom=0.27))
    for i, (label, acc) in enumerate(arrays.items()):
        ax.bar(np.arange(T) + (i - (n - 1) / 2) * 0.8 / n, 100 * acc, 0.8 / n,
               color=colors[i % len(colors)], label=label)
    ax.axhline(50, color="0.3", ls="--", lw=1, label="50 %: a coin toss")
    ax.set_xticks(range(T), [f"bit {t}" + (" (LSB)" if t == 0 else " (MSB)" if t == T - 1 else "")
                             for t in range(T)])
    ax.set(xlabel="bit position of the sum (the network writes bit 0 first)",
           ylabel="pairs with this bit right (%)", ylim=(0, 105), title="Accuracy per bit on all 16,384 pairs")
    fig.legend(loc="lower center", fontsize=8, ncol=n + 1)
    return fig


def plot_fast_vs_post(post_loss, history, batch_size, window):
    """Loss per sum of the post's loop, ``post_loss`` (S,), and of train_fast's History (a minibatch
    of ``batch_size`` sums per step), against update steps and against sums seen, both log x."""
    post_loss = np.asarray(post_loss, dtype=np.float64)
    # ~400 of the post's steps, evenly spaced on the log axis, which starts at 1 update
    steps = np.unique(np.geomspace(1, post_loss.size - 1, 400).astype(int))
    post_mean = running_mean(post_loss, window)[steps]
    fast_steps = np.asarray(history.steps)
    fast_loss, fast_steps = np.asarray(history.loss)[fast_steps >= 1], fast_steps[fast_steps >= 1]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True,
                             gridspec_kw=dict(left=0.08, right=0.98, top=0.84, bottom=0.14, wspace=0.06))
    for ax, scale, xlabel, title in ((axes[0], 1, "update steps", "against update steps"),
                                     (axes[1], batch_size, "sums seen (steps x sums per step)",
                                      "against sums seen")):
        ax.plot(steps, post_mean, color=COLORS["blue"], lw=2,
                label=f"post's loop: 1 sum per step (mean of last {window})")
        ax.plot(fast_steps * scale, fast_loss, "o-", ms=3,
                color=COLORS["orange"], label=f"train_fast: {batch_size} sums per step")
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())                              # plain labels "100",
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # not mathtext 10^2
        ax.set(xlabel=xlabel, title=title)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("loss per sum, ½ Σ (true − output)²")
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle("The same loss, two trainers (seed 0)")
    return fig


def plot_answer_filmstrip(snapshots, steps, a, b, show=None):
    """The answer to a + b after each update count in ``show`` (default: all ``steps``): a row per
    snapshot, a column per step t (t = 0, the bit worth 1, on the left, as in notebooks 02 and 03),
    colour P(bit = 1), digit the predicted bit."""
    steps = _check_snapshots(snapshots, steps)
    show = steps if show is None else show
    if missing := [s for s in show if s not in steps]:
        raise ValueError(f"show: step {missing[0]} is not one of the snapshot steps")
    rows = [network_answer(snapshots[steps.index(s)], a, b) for s in show]
    true, T = rows[0][2], rows[0][2].size
    height = 0.42 * (len(rows) + 1) + 1.6
    fig, ax = plt.subplots(figsize=(7.2, height))
    fig.subplots_adjust(left=0.17, right=0.72, top=1 - 0.45 / height, bottom=0.75 / height)
    grid = [(true.astype(float), true)] + [(o, pred) for o, pred, _ in rows]     # row 0: the true bits
    im = ax.imshow([o for o, _ in grid], cmap=SEQUENTIAL, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    for i, (o, bits) in enumerate(grid):
        for j in range(T):
            ax.text(j, i, str(bits[j]), ha="center", va="center", fontsize=9 if i else 10,
                    fontweight="normal" if i else "bold", color="black" if o[j] > 0.55 else "white")
            if bits[j] != true[j]:
                ax.add_patch(Rectangle((j - 0.44, i - 0.4), 0.88, 0.8, fill=False, lw=2.2, ec=COLORS["orange"]))
        value = from_bits(bits[::-1])                      # bits are in time order, LSB first
        ax.text(T - 0.4, i, f" = {value}, {'right' if value == a + b else 'wrong'}" if i else f" = {a + b}",
                va="center", fontsize=9, fontweight="normal" if i else "bold")
    ax.axhline(0.5, color="white", lw=3)
    ax.set_xticks(range(T), [str(t) for t in range(T)])
    ax.set_yticks(range(len(rows) + 1), ["true bits"] + [f"step {s}" for s in show])
    ax.set(xlabel=f"{STEP_AXIS}\ndigit: predicted bit; framed: wrong",
           ylabel="after this many updates", title=f"The post's network answering {a} + {b} as it trains")
    fig.colorbar(im, cax=fig.add_axes((0.88, 0.75 / height, 0.025, 1 - 1.2 / height)),
                 label="output: P(bit = 1)")
    return fig


class TrainingFrame:
    """Scrub through training: ``update(step)`` shows how the snapshot after ``step`` updates answers
    a + b, marked on the optional ``curve`` (S,) and on the snapshots' ``accuracy`` (K,; computed if None)."""

    def __init__(self, snapshots, steps, a, b, accuracy=None, curve=None, curve_label="error"):
        self.steps, self.snapshots = _check_snapshots(snapshots, steps), list(snapshots)
        self.answers = [network_answer(p, a, b) for p in self.snapshots]        # checks a and b
        self.a, self.b = a, b
        acc = evaluate_snapshots(self.snapshots).accuracy if accuracy is None else accuracy
        self.accuracy = np.asarray(acc, dtype=np.float64)
        if self.accuracy.shape != (len(self.steps),):
            raise ValueError(f"accuracy must have one value per snapshot ({len(self.steps)}), got {acc!r}")
        self.fig = Figure(figsize=(9.6, 3.8))
        gs = self.fig.add_gridspec(2, 2, width_ratios=[1.15, 1], hspace=0.15, left=0.1,
                                   right=0.98, top=0.9, bottom=0.19, wspace=0.3)
        self._draw_answer(self.fig.add_subplot(gs[:, 0]), self.answers[0][2])
        self.ax_curve = self.fig.add_subplot(gs[0, 1])
        if curve is not None:
            self.ax_curve.plot(np.asarray(curve, dtype=np.float64), color=COLORS["blue"], lw=1.5)
            self.ax_curve.set_ylabel(curve_label, fontsize=8)
        else:
            self.ax_curve.set_axis_off()
        self.ax_curve.tick_params(labelbottom=False)
        self.ax_curve.set_title("where this snapshot sits in training", fontsize=10)
        ax = self.fig.add_subplot(gs[1, 1], sharex=self.ax_curve)      # every snapshot's accuracy, one marked
        ax.plot(self.steps, 100 * self.accuracy, "o-", ms=3, color=COLORS["green"])
        ax.set(ylim=(-5, 105), xlabel="training step (updates)")
        ax.set_ylabel("sums right (%)", fontsize=8)
        self.vlines = [a.axvline(self.steps[0], color=COLORS["vermillion"], lw=1.5) for a in (self.ax_curve, ax)]
        self.dot, = ax.plot([self.steps[0]], [100 * self.accuracy[0]], "o", ms=9, mfc="none",
                            mew=2, color=COLORS["vermillion"])
        self.acc_text = ax.text(0.02, 0.9, "", transform=ax.transAxes, fontsize=8, va="top")
        freeze_layout(self.fig)
        bake_background(self.fig, keep=[*self.bars, *self.pred_texts, self.title, self.threshold,
                                        *self.vlines, self.dot, self.acc_text])

    def _draw_answer(self, ax, true):
        """Left: one bar per bit, P(bit = 1), under the true and the predicted bits."""
        T = true.size
        self.bars = ax.bar(np.arange(T), np.zeros(T), 0.7, color=COLORS["blue"])
        self.threshold = ax.axhline(0.5, color="0.4", ls="--", lw=1)
        ax.set_xticks(np.arange(T), [str(t) for t in range(T)])
        ax.set(yticks=[0, 0.25, 0.5, 0.75, 1], xlim=(-0.6, T - 0.4), ylim=(0, 1.42),
               xlabel=f"{STEP_AXIS}\nblue: bit right, vermillion: bit wrong",
               ylabel="output: P(bit = 1)")
        ax.text(-0.55, 1.31, "true", fontsize=8, ha="right", va="center")
        ax.text(-0.55, 1.13, "predicted", fontsize=8, ha="right", va="center")
        for j in range(T):
            ax.text(j, 1.31, str(true[j]), ha="center", va="center", fontsize=11, fontweight="bold")
        self.pred_texts = [ax.text(j, 1.13, "", ha="center", va="center", fontsize=11,
                                   fontweight="bold") for j in range(T)]
        ax.axhline(1.03, color="0.6", lw=0.8)
        self.title = ax.set_title("", fontsize=10)

    def update(self, step):
        """Show the snapshot after ``step`` updates; returns the text line."""
        if check_int(step, "step", minimum=0) not in self.steps:
            raise ValueError(f"step must be one of the snapshot steps {self.steps}, got {step}")
        k = self.steps.index(step)
        probs, pred, true = self.answers[k]
        for bar, text, p, bit, ok in zip(self.bars, self.pred_texts, probs, pred, pred == true):
            color = COLORS["blue"] if ok else COLORS["vermillion"]
            bar.set(height=p, color=color)
            text.set(text=str(bit), color=color)
        for line in self.vlines:
            line.set_xdata([step, step])
        self.dot.set_data([step], [100 * self.accuracy[k]])
        self.acc_text.set_text(f"{100 * self.accuracy[k]:.1f} % of all sums right")
        # the bars are in time order (t = 0 on the left); the number is written MSB first, as usual
        value, total, bits = from_bits(pred[::-1]), self.a + self.b, "".join(map(str, pred[::-1]))
        verdict = "right" if value == total else "wrong"
        self.title.set_text(f"{self.a} + {self.b} after {step} updates: answers {value} ({verdict})")
        return (f"step {step}: predicted <code>{bits}</code> (MSB first) = {value}, "
                f"true {total}, {verdict} ({int((pred == true).sum())} of {pred.size} bits right)")
