"""Figures and the retraining widget for notebook 05, what the network learned.

- ``plot_carry_units(probe, hidden, carry)``: correlation of each hidden unit with the carry, and
  the best unit's activation split by carry.
- ``plot_state_pca(projected, carry, sum_bit, explained)``: hidden states on two principal axes.
- ``draw_automaton(automaton)``: the state diagram (circles, arrows labelled "ab/s").
- ``load_results(path)``: reads ``benchmarks/results/where_it_breaks.json``.
- ``plot_where_it_breaks(results)``: converged runs by hidden size and by learning rate.
- ``plot_loss_curves(curves, max_steps=None)``: loss curves of a few configurations.
- ``RetrainFrame``: the widget frame that retrains live; ``example_frames()``.
"""
import json
import math
import numbers
import os

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter, NullFormatter, NullLocator
import matplotlib.pyplot as plt

from .analysis import Automaton, CarryProbe
from .encoding import check_int
from .fast import BIT_ORDERS, LEARNING_RATE, train_fast
from .style import COLORS
from .widgets import freeze_layout

#: the learning rates the widget offers (and the sweep measures)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)
#: updates the widget allows per run, so that a run returns within a second or two
WIDGET_MAX_STEPS = 800
GROUP_COLORS = [COLORS["blue"], COLORS["sky"], COLORS["vermillion"], COLORS["orange"]]


def _plain_log_labels(axis):
    """Label a log-scaled axis 0.001, 0.01, ..., 1000 in plain text: the default 10^k labels are
    mathtext, which is slow to lay out."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


# --------------------------------------------------------------------------- the carry

def plot_carry_units(probe, hidden, carry):
    """Left: every unit's correlation with the carry, sorted.  Right: the best unit's activation
    over all samples, one histogram per carry value, with its threshold.

    probe: a CarryProbe; hidden (T, N, H) and carry (T, N): the samples it was computed on.
    """
    if not isinstance(probe, CarryProbe):
        raise TypeError(f"probe must be a CarryProbe, got {type(probe).__name__}")
    hidden, carry = np.asarray(hidden), np.asarray(carry)
    if hidden.ndim != 3 or carry.shape != hidden.shape[:2] or hidden.shape[2] != len(probe.correlations):
        raise ValueError(f"hidden must be (T, N, H) and carry (T, N) with H = {len(probe.correlations)}, "
                         f"got {hidden.shape} and {carry.shape}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    order = np.argsort(probe.correlations, kind="stable")[::-1]
    r = probe.correlations[order]
    ax1.bar(np.arange(len(r)), r, color=[COLORS["vermillion"] if v > 0 else COLORS["blue"] for v in r])
    ax1.set_xticks(np.arange(len(r)), [str(j) for j in order], fontsize=8)
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_ylim(-1, 1)
    ax1.set_xlabel("hidden unit (sorted by correlation)")
    ax1.set_ylabel("correlation with the carry")
    ax1.set_title("Which units track the carry?")
    j = probe.best_unit
    v = hidden[..., j].ravel()
    c = carry.ravel()
    bins = np.linspace(0, 1, 51)
    for value, color in ((0, COLORS["blue"]), (1, COLORS["vermillion"])):
        ax2.hist(v[c == value], bins=bins, color=color, alpha=0.7, histtype="stepfilled",
                 label=f"carry = {value}")
    ax2.axvline(probe.best_threshold, color="black", ls="--", lw=1, label="best threshold")
    ax2.set_yscale("log")
    _plain_log_labels(ax2.yaxis)
    ax2.set_xlabel(f"activation of unit {j}")
    ax2.set_ylabel("number of (pair, step) samples")
    ax2.set_title(f"Unit {j} alone: {probe.best_unit_accuracy:.2%} right")
    ax2.legend(fontsize=8, loc="upper center")
    return fig


def plot_state_pca(projected, carry, sum_bit, explained):
    """Hidden states on the first two principal components, one colour per (carry, sum bit).

    projected (M, 2), carry (M,), sum_bit (M,): the carry out of and the sum bit output at the
    step that produced each state; explained (2,): the fraction of variance of each component.
    """
    P = np.asarray(projected, dtype=np.float64)
    carry, sum_bit = np.asarray(carry), np.asarray(sum_bit)
    if P.ndim != 2 or P.shape[1] != 2 or carry.shape != (len(P),) or sum_bit.shape != (len(P),):
        raise ValueError(f"projected must be (M, 2) and carry, sum_bit (M,), got {P.shape}, "
                         f"{carry.shape}, {sum_bit.shape}")
    fig, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
    for c in (0, 1):
        for s in (0, 1):
            m = (carry == c) & (sum_bit == s)
            pts = np.unique(np.round(P[m], 3), axis=0)    # many states coincide: draw each once
            ax.scatter(pts[:, 0], pts[:, 1], s=6, color=GROUP_COLORS[2 * c + s], alpha=0.6,
                       marker="o" if c == 0 else "^", label=f"carry {c}, sum bit {s} ({m.sum():,} samples)",
                       rasterized=True)
    ax.set_xlabel(f"principal component 1 ({explained[0]:.0%} of the variance)")
    ax.set_ylabel(f"principal component 2 ({explained[1]:.0%} of the variance)")
    ax.set_title("Every hidden state over all 16,384 sums, in two dimensions")
    ax.legend(fontsize=8, loc="best", markerscale=2)
    return fig


# --------------------------------------------------------------------------- the automaton

def _edge_labels(automaton):
    """{(from, to): ["ab/s", ...]} for every transition."""
    labels = {}
    for s in range(automaton.n_states):
        for i in range(4):
            key = (s, int(automaton.transitions[s, i]))
            labels.setdefault(key, []).append(f"{i >> 1}{i & 1}/{automaton.outputs[s, i]}")
    return labels


def draw_automaton(automaton, names=None, title="The extracted automaton"):
    """The state diagram: a circle per state, an arrow per (from, to) pair labelled with its
    transitions "ab/s" (input bits a, b; output bit s).  names: optional label per state."""
    if not isinstance(automaton, Automaton):
        raise TypeError(f"automaton must be an Automaton, got {type(automaton).__name__}")
    n = automaton.n_states
    if n > 6:
        raise ValueError(f"automaton must have at most 6 states to be drawn, it has {n}")
    names = names or [f"state {s}" for s in range(n)]
    if len(names) != n:
        raise ValueError(f"names must have {n} entries, got {len(names)}")
    fig, ax = plt.subplots(figsize=(7, 3.6) if n <= 2 else (7, 6), layout="constrained")
    angles = [math.pi] if n == 1 else np.linspace(math.pi, -math.pi, n, endpoint=False)
    radius = 0 if n == 1 else (1.6 if n == 2 else 2.0)
    pos = {s: np.array([radius * math.cos(a), radius * math.sin(a)]) for s, a in enumerate(angles)}
    r = 0.45
    for s, p in pos.items():
        ax.add_patch(Circle(p, r, facecolor=GROUP_COLORS[0] if s == 0 else GROUP_COLORS[2], alpha=0.25,
                            edgecolor="black", lw=2 if s == automaton.start else 1))
        ax.text(*p, names[s], ha="center", va="center", fontsize=10)
    s0 = pos[automaton.start]
    ax.annotate("start", xy=s0 + [-r, 0], xytext=s0 + [-r - 0.7, 0], ha="right", va="center",
                arrowprops=dict(arrowstyle="->", lw=1.5))
    for (a, b), labs in _edge_labels(automaton).items():
        text = "\n".join(labs)
        if a == b:                                         # self-loop above (or below) the state
            up = 1 if pos[a][1] >= 0 else -1
            p = pos[a]
            ax.add_patch(FancyArrowPatch(p + [-0.25, up * r * 0.9], p + [0.25, up * r * 0.9],
                                         connectionstyle="arc3,rad=-1.9" if up > 0 else "arc3,rad=1.9",
                                         arrowstyle="->", mutation_scale=14, lw=1.2))
            ax.text(p[0], p[1] + up * (r + 0.75), text, ha="center", va="bottom" if up > 0 else "top",
                    fontsize=9, family="monospace")
        else:
            pa, pb = pos[a], pos[b]
            d = (pb - pa) / np.linalg.norm(pb - pa)
            ax.add_patch(FancyArrowPatch(pa + d * r, pb - d * r, connectionstyle="arc3,rad=0.35",
                                         arrowstyle="->", mutation_scale=14, lw=1.2))
            normal = np.array([d[1], -d[0]])
            mid = (pa + pb) / 2 + normal * 0.55
            ax.text(*mid, text, ha="center", va="center", fontsize=9, family="monospace",
                    bbox=dict(facecolor="white", edgecolor="none", pad=1))
    ax.set_xlim(-radius - 1.6, radius + 1.4)
    ax.set_ylim(-radius - 1.5 if n > 2 else -1.0, radius + 1.9 if n > 2 else 1.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{title}: {n} state{'s' if n != 1 else ''}\n"
                 "arrow labels ab/s: input bits a, b / output bit s")
    return fig


# --------------------------------------------------------------------------- where it breaks

def load_results(path):
    """``benchmarks/results/where_it_breaks.json`` as a dict, checked for the keys the notebook uses."""
    return _load_benchmark(path, ("summary", "runs", "curves", "max_steps", "seeds"), "where_it_breaks.py")


def load_long_sums(path):
    """``benchmarks/results/long_sums.json`` as a dict, checked for the keys the notebook uses."""
    results = _load_benchmark(path, ("date", "profiles", "tests", "train_fast_same_steps_between_profiles",
                                     "train_fast_max_difference_between_profiles"), "long_sums.py")
    keys = ("profile", "failing_seeds", "worst_accuracy_62", "worst_accuracy_95", "worst_accuracy_64")
    for profile in results["profiles"]:
        if not isinstance(profile, dict) or any(key not in profile for key in keys):
            raise ValueError(f"path {os.fspath(path)!r}: every profile needs {', '.join(keys)}; "
                             f"re-run benchmarks/long_sums.py")
    return results


def _load_benchmark(path, keys, script):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    for key in keys:
        if key not in results:
            raise ValueError(f"path {os.fspath(path)!r}: no {key!r} in the results; re-run benchmarks/{script}")
    return results


def plot_where_it_breaks(results):
    """Two panels: the fraction of seeds that converged, by hidden size and by learning rate."""
    summ = results["summary"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    for ax, key, rows, xlabel in ((ax1, "hidden_size", summ["hidden_size"], "hidden size H"),
                                  (ax2, "learning_rate", summ["learning_rate"], "learning rate (log scale)")):
        x = [r[key] for r in rows]
        frac = [r["converged"] / r["runs"] for r in rows]
        acc = [r["median_accuracy"] for r in rows]
        ax.plot(x, frac, "o-", color=COLORS["blue"], label="fraction of seeds converged")
        ax.plot(x, acc, "s--", color=COLORS["orange"], label="median exhaustive accuracy at the end")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("fraction")
        ax.set_ylim(-0.05, 1.05)
        if key == "learning_rate":
            ax.set_xscale("log")
            _plain_log_labels(ax.xaxis)
        ax.legend(fontsize=8, loc="center right" if key == "hidden_size" else "lower center")
    n = len(results["seeds"])
    ax1.set_title(f"Hidden size ({n} seeds each, rate {LEARNING_RATE:g})")
    ax2.set_title(f"Learning rate ({n} seeds each, hidden size 16)")
    return fig


def plot_loss_curves(curves, max_steps=None):
    """Loss per sum against update steps (log scale) for each curve: a dict with "label", "steps",
    "loss", "converged" (as in the results file, or from ``RetrainFrame.result``)."""
    if not curves:
        raise ValueError("curves must be a non-empty list")
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    colors = list(COLORS.values())
    for k, c in enumerate(curves):
        end = "converged" if c["converged"] else "did not converge"
        ax.plot(c["steps"], c["loss"], color=colors[k % len(colors)], lw=1.2,
                label=f"{c['label']}: {end} ({c['steps'][-1]} updates)")
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=10)
    _plain_log_labels(ax.yaxis)
    _plain_log_labels(ax.xaxis)
    ax.set_xlim(0, max_steps or max(c["steps"][-1] for c in curves))
    ax.set_xlabel("update steps (log scale after 10)")
    ax.set_ylabel("loss per sum, ½·Σ(y − o)² (log scale)")
    ax.set_title("Loss curves: which configurations learn to add (seed 0)")
    ax.legend(fontsize=8, loc="lower left")
    return fig


# --------------------------------------------------------------------------- the widget

def _check_config(hidden_size, learning_rate, seed, bit_order):
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1, maximum=64)
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
            or not 0 < learning_rate < math.inf:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if bit_order not in BIT_ORDERS:
        raise ValueError(f"bit_order must be one of {BIT_ORDERS}, got {bit_order!r}")
    return hidden_size, float(learning_rate), seed, bit_order


class RetrainFrame:
    """Retrains the network for one configuration and shows its loss curve and final accuracy.

    update(hidden_size, learning_rate, seed, bit_order) trains with ``bh.train_fast(...,
    max_steps=max_steps)`` (once per configuration: results are cached, so going back is
    instant), redraws the loss curve (blue if it converged, vermillion if not) and writes the
    final exhaustive accuracy in the title, and returns a line of HTML: converged or not,
    updates made, final accuracy.
    ``result(config)`` is the cached {"label", "steps", "loss", "check_steps", "accuracy",
    "converged", "message"} of a configuration; ``seconds`` the wall time of each training run.
    """

    def __init__(self, max_steps=WIDGET_MAX_STEPS):
        self.max_steps = check_int(max_steps, "max_steps", minimum=1)
        self.cache, self.seconds = {}, {}
        self.fig = Figure(figsize=(7.5, 3.2), layout="constrained")
        ax = self.fig.subplots()
        (self.loss_line,) = ax.plot([], [], color=COLORS["blue"], lw=1.3)
        ax.set_yscale("log")
        ax.set_xlim(0, self.max_steps)
        ax.set_ylim(1e-3, 10)
        ticks = [0.001, 0.01, 0.1, 1, 10]                  # plain labels: mathtext ones redraw slowly
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(FixedFormatter([f"{v:g}" for v in ticks]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xticks(np.linspace(0, self.max_steps, 5))   # few tick labels: text redraws slowly
        ax.set_xlabel("update steps")
        ax.set_ylabel("loss per sum (log scale)")
        self.title = ax.set_title("Loss during training")
        self.ax = ax
        freeze_layout(self.fig)

    def result(self, hidden_size, learning_rate, seed, bit_order):
        config = _check_config(hidden_size, learning_rate, seed, bit_order)
        if config not in self.cache:
            h, lr, s, order = config
            params, hist = train_fast(hidden_size=h, seed=s, learning_rate=lr, bit_order=order,
                                      max_steps=self.max_steps)
            self.seconds[config] = hist.seconds
            label = f"hidden {h}, rate {lr:g}, seed {s}" + (", MSB first" if order == "msb_first" else "")
            self.cache[config] = {"label": label, "steps": list(hist.steps), "loss": list(hist.loss),
                                  "check_steps": list(hist.check_steps), "accuracy": list(hist.accuracy),
                                  "converged": hist.converged, "message": hist.message}
        return self.cache[config]

    def update(self, hidden_size, learning_rate, seed, bit_order):
        r = self.result(hidden_size, learning_rate, seed, bit_order)
        loss = np.maximum(np.asarray(r["loss"]), 1e-3)          # clipped to the axis
        self.loss_line.set_data(r["steps"], loss)
        self.loss_line.set_color(COLORS["blue"] if r["converged"] else COLORS["vermillion"])
        self.title.set_text(f"{'Converged' if r['converged'] else 'Not converged'} after "
                            f"{r['check_steps'][-1]} updates: {r['accuracy'][-1]:.2%} of all 16,384 sums right")
        verdict = (f"<b>converged</b> after {r['check_steps'][-1]} updates" if r["converged"]
                   else f"<b>did not converge</b> within {self.max_steps} updates")
        return f"{r['label']}: {verdict}; {r['accuracy'][-1]:.2%} of the 16,384 sums right"


def example_frames():
    """[(name, frame, states)]: the retraining frame and a few configurations (for benchmarks
    and tests)."""
    lr = LEARNING_RATE
    states = [(16, lr, 0, "lsb_first"), (4, lr, 0, "lsb_first"), (16, lr, 0, "msb_first"),
              (16, 10.0, 0, "lsb_first"), (8, lr, 1, "lsb_first")]
    return [("retrain", RetrainFrame(), states)]
