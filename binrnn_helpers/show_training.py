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
from .style import COLORS, SEQUENTIAL, TITLE
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
    """The post's loop in three panels side by side, over the same step axis: errors (S,) with their
    running mean and the printed LogEntries, the accuracy and the accuracy per bit of the snapshots
    (SnapshotScores)."""
    errors = np.asarray(errors, dtype=np.float64)
    steps, T = np.arange(errors.size), scores.bit_accuracy.shape[1]
    # side by side, not stacked: three panels one above another would not fit 470 px with 12 pt text;
    # 9.3 x 4.5 in: with the saved PNG's margins at most 942 x 470 px, which a deck shows at full size
    fig, (ax_err, ax_acc, ax_bits) = plt.subplots(1, 3, figsize=(9.3, 4.5), sharex=True, layout="constrained",
                                                  width_ratios=[1.3, 1, 1])      # the first holds a legend
    ax_err.plot(steps, errors, ".", ms=1.5, color="0.75", label="every step")
    ax_err.plot(steps, running_mean(errors, window), color=COLORS["blue"], lw=2, label=f"mean of last {window}")
    ax_err.plot([e.step for e in log], [e.error for e in log], "D", color=COLORS["vermillion"],
                ms=6, label="printed by the post")
    # room above the data (at most about 5) for the legend
    ax_err.set(ylabel="Σ over bits of |true − output|", ylim=(0, 8.5), yticks=range(0, 9, 2),
               title="printed error of one sum")
    ax_err.legend(loc="upper right", handlelength=1.2, borderaxespad=0.3)
    ax_acc.plot(snap_steps, 100 * scores.accuracy, "o-", color=COLORS["green"], ms=4)
    ax_acc.set(ylabel="% of all 16,384 sums", ylim=(-3, 103), yticks=[0, 25, 50, 75, 100],
               title="sums exactly right")
    ax_acc.grid(alpha=0.3)
    half = (snap_steps[1] - snap_steps[0]) / 2 if len(snap_steps) > 1 else 0.5
    im = ax_bits.imshow(scores.bit_accuracy.T, aspect="auto", origin="lower", cmap=SEQUENTIAL,
                        vmin=0.5, vmax=1, interpolation="nearest",
                        extent=(snap_steps[0] - half, snap_steps[-1] + half, -0.5, T - 0.5))
    ax_bits.set(yticks=range(T), ylabel="bit position (0 = LSB)", title="pairs with each bit right")
    # cells below 0.5 (worse than a coin toss) take the bottom colour; the arrow at the foot says so
    fig.colorbar(im, ax=ax_bits, extend="min", fraction=0.08, aspect=25,
                 label="fraction (≤ 0.5: a coin toss or worse)")
    last = snap_steps[-1]
    ax_bits.set_xticks([0, last // 2, last])              # three labels fit a narrow panel
    fig.supxlabel("training step (updates so far, one sum per update)")
    fig.suptitle("The post's loop while it trains (seed 0)")
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
    # at most 9.3 x 4.5 in (942 x 470 px with the saved PNG's margins): a deck shows it at full size
    fig, ax = plt.subplots(figsize=(9.3, 4), layout="constrained")
    for i, (label, acc) in enumerate(arrays.items()):
        ax.bar(np.arange(T) + (i - (n - 1) / 2) * 0.8 / n, 100 * acc, 0.8 / n,
               color=colors[i % len(colors)], label=label)
    ax.axhline(50, color="0.3", ls="--", lw=1, label="50 %: a coin toss")
    ax.set_xticks(range(T), [f"bit {t}" + (" (LSB)" if t == 0 else " (MSB)" if t == T - 1 else "")
                             for t in range(T)])
    ax.set(xlabel="bit position of the sum (the network writes bit 0 first)",
           ylabel="pairs with this bit right (%)", ylim=(0, 105), title="Accuracy per bit on all 16,384 pairs")
    fig.legend(loc="outside lower center", ncols=n + 1, handlelength=1.2, columnspacing=1.2)   # below: off the bars
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
    # at most 9.3 x 4.5 in (942 x 470 px with the saved PNG's margins): a deck shows it at full size
    fig, axes = plt.subplots(1, 2, figsize=(9.3, 4.3), sharey=True, layout="constrained")
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
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)   # below: off the curves
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
    # at most 9.3 x 4.5 in (942 x 470 px with the saved PNG's margins): a deck shows it at full size;
    # 11 snapshots under the true bits leave each row about 27 px, room for a 12 pt digit
    fig, ax = plt.subplots(figsize=(9.3, 4.5), layout="constrained")
    grid = [(true.astype(float), true)] + [(o, pred) for o, pred, _ in rows]     # row 0: the true bits
    im = ax.imshow([o for o, _ in grid], cmap=SEQUENTIAL, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    for i, (o, bits) in enumerate(grid):
        for j in range(T):
            ax.text(j, i, str(bits[j]), ha="center", va="center",
                    fontweight="normal" if i else "bold", color="black" if o[j] > 0.55 else "white")
            if bits[j] != true[j]:
                ax.add_patch(Rectangle((j - 0.44, i - 0.4), 0.88, 0.8, fill=False, lw=2.2, ec=COLORS["orange"]))
        value = from_bits(bits[::-1])                      # bits are in time order, LSB first
        ax.text(T - 0.4, i, f" = {value}, {'right' if value == a + b else 'wrong'}" if i else f" = {a + b}",
                va="center", fontweight="normal" if i else "bold")
    ax.axhline(0.5, color="white", lw=3)
    ax.set_xticks(range(T), [str(t) for t in range(T)])
    ax.set_yticks(range(len(rows) + 1), ["true bits"] + [f"step {s}" for s in show])
    ax.set(xlabel=f"{STEP_AXIS};  digit: predicted bit, framed: wrong",
           ylabel="after this many updates", title=f"The post's network answering {a} + {b} as it trains")
    fig.colorbar(im, ax=ax, fraction=0.04, aspect=25, label="output: P(bit = 1)")
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
        # 8 x 3.3 in at 100 dpi, 800 x 330 px: under the deck's 938 x 360 px for a frame, so shown at
        # full size with its 12 pt text; about the pixels it had at 80 dpi (41 frames are saved in 04)
        self.fig = Figure(figsize=(8, 3.3))
        left = self.fig.add_gridspec(1, 1, left=0.13, right=0.5, top=0.87, bottom=0.25)
        right = self.fig.add_gridspec(2, 1, left=0.64, right=0.97, top=0.87, bottom=0.25, hspace=0.15)
        self._draw_answer(self.fig.add_subplot(left[0, 0]), self.answers[0][2])
        self.ax_curve = self.fig.add_subplot(right[0, 0])
        if curve is not None:
            self.ax_curve.plot(np.asarray(curve, dtype=np.float64), color=COLORS["blue"], lw=1.5)
            self.ax_curve.set_ylabel(curve_label)
        else:
            self.ax_curve.set_axis_off()
        self.ax_curve.tick_params(labelbottom=False)
        ax = self.fig.add_subplot(right[1, 0], sharex=self.ax_curve)    # every snapshot's accuracy, one marked
        ax.plot(self.steps, 100 * self.accuracy, "o-", ms=3, color=COLORS["green"])
        ax.set(ylim=(-5, 105), yticks=[0, 50, 100], xlabel="training step (updates)", ylabel="% right",
               xticks=[0, self.steps[-1] // 2, self.steps[-1]])        # three labels fit the small panel
        self.vlines = [a.axvline(self.steps[0], color=COLORS["vermillion"], lw=1.5) for a in (self.ax_curve, ax)]
        self.dot, = ax.plot([self.steps[0]], [100 * self.accuracy[0]], "o", ms=9, mfc="none",
                            mew=2, color=COLORS["vermillion"])
        # the accuracy above the curves, level with the answer's title: inside the small panels it
        # would cover the curve
        self.acc_text = self.fig.text(0.805, 0.98, "", ha="center", va="top", fontsize=TITLE)
        freeze_layout(self.fig)
        bake_background(self.fig, keep=[*self.bars, *self.pred_texts, self.title, self.threshold,
                                        *self.vlines, self.dot, self.acc_text])

    def _draw_answer(self, ax, true):
        """Left: one bar per bit, P(bit = 1), under the true and the predicted bits."""
        T = true.size
        self.bars = ax.bar(np.arange(T), np.zeros(T), 0.7, color=COLORS["blue"])
        self.threshold = ax.axhline(0.5, color="0.4", ls="--", lw=1)
        ax.set_xticks(np.arange(T), [str(t) for t in range(T)])
        ax.set(yticks=[0, 0.5, 1], xlim=(-0.6, T - 0.4), ylim=(0, 1.42),
               xlabel=f"{STEP_AXIS}\nblue: bit right, vermillion: wrong")
        ax.set_ylabel("P(bit = 1)", y=0.35)                 # level with the bars, below the bit rows
        ax.text(-0.75, 1.31, "true", ha="right", va="center")
        ax.text(-0.75, 1.13, "predicted", ha="right", va="center")
        for j in range(T):
            ax.text(j, 1.31, str(true[j]), ha="center", va="center", fontweight="bold")
        self.pred_texts = [ax.text(j, 1.13, "", ha="center", va="center", fontweight="bold") for j in range(T)]
        ax.axhline(1.03, color="0.6", lw=0.8)
        # the answer's title starts at the figure's left edge: centred on this panel, it is wider
        # than the panel and would run into the curves' labels
        self.title = self.fig.text(0.01, 0.98, "", va="top", fontsize=TITLE)

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
