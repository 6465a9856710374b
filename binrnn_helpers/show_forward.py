"""Figures and the widget frame of notebook 02, the forward pass: one step, then eight.

Step t reads bit t of a and of b (LSB first); h_t is the hidden state after it, which is
``trace.hidden[t + 1]`` in ``bh.forward``'s trace (``trace.hidden[0]`` is the zero state).
"""
import html

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .analysis import best_threshold, hidden_and_carry
from .encoding import addition_batch, all_pairs, carries, check_float, check_int, one_sum, shown
from .model import Params, check_params, forward, sigmoid
from .style import COLORS, SEQUENTIAL, TEXT
from .widgets import bake_background, freeze_layout

WIDTH = 8  # bits per number; the network runs one time step per bit
_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _sub(n):
    """An integer as Unicode subscript digits (no mathtext to parse): _sub(-1) == "₋₁"."""
    return str(n).translate(_SUBSCRIPT)


def _runs(params_by_label, a, b):
    """{label: _single_run(params, a, b)} for a non-empty dict {str label: Params}."""
    if not isinstance(params_by_label, dict):
        raise TypeError(f"params_by_label must be a dict {{str label: Params}}, got "
                        f"{type(params_by_label).__name__}")
    if not params_by_label:
        raise ValueError("params_by_label must hold at least one network, got {}")
    for label in params_by_label:
        if not isinstance(label, str):
            raise TypeError(f"params_by_label's labels must be str, got {shown(label)} "
                            f"({type(label).__name__})")
    return {label: _single_run(check_params(p, f"params_by_label[{label!r}]"), a, b)
            for label, p in params_by_label.items()}


def _single_run(params, a, b, width=WIDTH):
    """The forward pass on the one sum a + b: inputs (T, 2), hidden h_t (T, H), output (T,),
    predicted and true bits (T,)."""
    x, y = one_sum(a, b, width)                                # (T, 1, 2), (T, 1)
    trace = forward(params, x)
    out = trace.output[:, 0]
    return {"inputs": x[:, 0, :].astype(int), "hidden": trace.hidden[1:, 0, :], "output": out,
            "predicted": (out > 0.5).astype(int), "true": y[:, 0].astype(int)}


def hidden_states(params, a, b, width=WIDTH):
    """The hidden states h_t for the sum a + b as an (H, T) array: row j is unit j, column t step t."""
    return _single_run(params, a, b, width)["hidden"].T.copy()


def carry_separation(params, width=WIDTH):
    """How well each hidden unit alone tells the carry out of step t, over every (pair, step).

    Returns a dict: ``accuracy`` (H,) of ``bh.analysis.best_threshold``; ``best_unit`` and its
    ``threshold`` and ``above`` (carry 1 lies above it); ``hidden`` (T, N, H); ``carry`` (T, N);
    ``baseline``, the accuracy of always guessing the more common carry; ``bits_rule``, the
    accuracy of the memoryless rule "carry exactly when a_t = b_t = 1", which reads only the two
    current bits (a unit holds the carry only if it clearly beats this).
    """
    hidden, carry = hidden_and_carry(params, width)            # (T, N, H), (T, N)
    accuracy, threshold, sign = best_threshold(hidden.reshape(-1, hidden.shape[2]), carry.ravel())
    best = int(np.argmax(accuracy))
    share = float(carry.mean())
    a, b = all_pairs(width)
    x, _ = addition_batch(a, b, width)                         # (T, N, 2), the same samples
    both_ones = (x[:, :, 0] * x[:, :, 1]).astype(carry.dtype)
    return {"accuracy": accuracy, "best_unit": best, "threshold": float(threshold[best]),
            "above": bool(sign[best] > 0), "hidden": hidden, "carry": carry,
            "baseline": max(share, 1.0 - share), "bits_rule": float(np.mean(both_ones == carry))}


def _heatmap(ax, h):
    """Draw h (H, T) on ``ax``: hidden unit down, time step across, activations 0 to 1."""
    image = ax.imshow(h, cmap=SEQUENTIAL, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(h.shape[1]))
    ax.set_yticks(range(0, h.shape[0], 2 if h.shape[0] > 10 else 1))
    ax.set_ylabel("hidden unit j")
    return image


def _step_rows(ax, rows, names=None, top=False):
    """Tick each step t of ``ax`` with a small column of numbers, one line per row of ``rows``
    (sequences of T values), and write the rows' ``names`` left of those lines, as a table's first
    column.  Short digits under each step keep 12 pt text narrow enough for several panels."""
    T = len(rows[0])
    ax.set_xticks(range(T), ["\n".join(str(row[t]) for row in rows) for t in range(T)])
    if top:
        ax.xaxis.tick_top()
    if names:
        # the tick labels start this far from the axes (tick length + pad, in points): the names'
        # lines start there too, so each name sits on the line of numbers it names
        gap = plt.rcParams["xtick.major.size"] + plt.rcParams["xtick.major.pad"]
        ax.annotate("\n".join(names), xy=(0, 1 if top else 0), xycoords="axes fraction",
                    xytext=(-6, gap if top else -gap), textcoords="offset points",
                    ha="right", va="bottom" if top else "top", color="0.25")


def plot_hidden_heatmaps(params_by_label, a, b, mark_carry=False):
    """One heatmap of h_t (unit x step) for a + b per network, side by side, one colour bar.

    ``mark_carry=True`` writes the true carry out of each step under its step number.
    """
    if not isinstance(mark_carry, (bool, np.bool_)):
        raise TypeError(f"mark_carry must be True or False, got {shown(mark_carry)}")
    runs = _runs(params_by_label, a, b)
    n = len(runs)
    # at most 9.3 in (930 px) wide, so a deck shows it at full size and its text at 12 pt: the
    # panels share the unit axis, and one x label and one title serve them all
    fig, axes = plt.subplots(1, n, figsize=(min(9.3, 3.2 * n + 1.6), 4.5), sharey=True,
                             squeeze=False, layout="constrained")
    c = carries([a], [b], WIDTH)[:, 0]
    for i, (ax, (label, run)) in enumerate(zip(axes[0], runs.items())):
        image = _heatmap(ax, run["hidden"].T)
        if i:
            ax.set_ylabel("")
        if mark_carry:
            _step_rows(ax, [range(WIDTH), c], ["step t", "carry out"] if i == 0 else None)
        ax.set_title(label)
    fig.supxlabel("time step t (bit position, LSB first)")
    fig.suptitle(f"Hidden state h_t for {a} + {b}")
    fig.colorbar(image, ax=list(axes[0]), label="activation h_t[j] (0 to 1)", shrink=0.9)
    return fig


def plot_sigmoid(z_max=8.0):
    """The sigmoid s(z) = 1 / (1 + exp(-z)) and its slope s(z) * (1 - s(z)) on [-z_max, z_max]."""
    z_max = check_float(z_max, "z_max", 0, 1000, include_high=True)   # far past where s(z) is flat
    z = np.linspace(-z_max, z_max, 401)
    s = sigmoid(z)
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    ax.plot(z, s, color=COLORS["blue"], lw=2.2, label="sigmoid $s(z) = 1/(1+e^{-z})$")
    ax.plot(z, s * (1 - s), color=COLORS["vermillion"], lw=2.2, ls="--",
            label="slope $s'(z) = s(z)\\,(1 - s(z))$")
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.axvline(0.0, color="0.6", lw=0.8, ls=":")
    ax.annotate("steepest at z = 0:\nslope 0.5 x 0.5 = 0.25", xy=(0, 0.25), xytext=(1.6, 0.3),
                arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.set(xlim=(-z_max, z_max), ylim=(-0.02, 1.02), xlabel="pre-activation z", ylabel="value",
           title="The sigmoid squashes any z into (0, 1); its slope is largest at z = 0")
    ax.legend(loc="upper left")
    return fig


def plot_unrolled(steps=WIDTH):
    """A diagram of the network unrolled over ``steps`` time steps: x_t -U-> h_t -V-> o_t,
    h_{t-1} -W-> h_t, with h_{-1} = 0."""
    steps = check_int(steps, "steps", minimum=1, maximum=12)
    # 0.8 in a step: 8 steps and the row names fit 9.3 in (930 px) with 12 pt text
    fig, ax = plt.subplots(figsize=(0.8 * steps + 2.9, 3.5), layout="constrained")
    colours = {"x": COLORS["sky"], "h": COLORS["green"], "o": COLORS["orange"]}
    x_start = -1.35                                            # where h_{-1} sits, left of step 0

    def node(x, y, text, kind):
        ax.text(x, y, text, ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.45", facecolor=colours[kind], edgecolor="0.2"))

    def arrow(start, end, label, offset, shrink_start=15):
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(
            arrowstyle="-|>", color="0.15", lw=1.2, shrinkA=shrink_start, shrinkB=15))
        ax.text(*(np.add(start, end) / 2 + offset), label, ha="center", va="center",
                color="0.1", fontweight="bold")

    node(x_start, 1, f"h{_sub(-1)} = 0", "h")
    for t in range(steps):
        for y, kind in enumerate("xho"):
            node(t, y, f"{kind}{_sub(t)}", kind)
        arrow((t, 0), (t, 1), "U", (-0.2, 0))
        arrow((t, 1), (t, 2), "V", (-0.2, 0))
        arrow((t - 1 if t else x_start, 1), (t, 1), "W", (0, 0.16), shrink_start=15 if t else 30)
        ax.text(t, -0.4, f"(a{_sub(t)}, b{_sub(t)})", ha="center", va="center")
    for y, text in enumerate(["input x_t\n(2 bits)", "hidden h_t\n(16 units)",
                              "output o_t\nP(sum bit t = 1)"]):
        ax.text(-3.2, y, text, ha="left", va="center", color="0.25")
    ax.set(xlim=(-3.25, steps - 0.5), ylim=(-0.6, 2.4), title=f"The network unrolled over {steps} "
           "time steps (LSB first): the same U, W, V at every step")
    ax.set_axis_off()
    return fig


# The logit axis of the carry figures: log(h / (1 - h)), clipped to +-_LOGIT_LIM (h = 1e-13 or
# 1 - 1e-13), wide enough that no sample of the notebook's networks is clipped (the trained carry
# unit goes down to about 1e-12).  Near 0 it reads like a log axis, near 1 like a log axis of 1 - h.
# A linear axis with placed ticks, as matplotlib's "logit" scale is slow to draw.  Ticks six powers
# of ten apart: 0.01 and 0.99 sit too close to 0.5 for 12 pt labels.
_LOGIT_LIM = float(-np.log(1e-13) + np.log1p(-1e-13))       # 29.93: logit(1 - 1e-13)
_LOGIT_TICKS = np.array([1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12])
_LOGIT_LABELS = ["10⁻¹²", "10⁻⁶", "0.5", "1-10⁻⁶", "1-10⁻¹²"]


def _logit(v):
    """log(v / (1 - v)) for activations v in [0, 1], clipped to [-_LOGIT_LIM, _LOGIT_LIM]."""
    v = np.clip(v, 1e-300, 1 - 1e-16)
    return np.clip(np.log(v) - np.log1p(-v), -_LOGIT_LIM, _LOGIT_LIM)


def _counts_axis(ax):
    """A log y axis of counts from 1 up, ticked at whole decades written as plain numbers."""
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.7)
    ax.yaxis.set_major_locator(LogLocator(base=10))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_carry_separation(separations, width=WIDTH):
    """Per network, histograms of its best carry unit's activation over every (pair, step),
    split by the true carry, on a logit x axis and a log count axis (ticks 1, 10, 100, ...).

    separations: ``{label: carry_separation(params)}`` (a Params is measured here).
    """
    if not isinstance(separations, dict) or not separations:
        raise TypeError("separations must be a non-empty dict {label: carry_separation(params)}")
    width = check_int(width, "width", minimum=1)
    seps = {k: carry_separation(v, width) if isinstance(v, Params) else v for k, v in separations.items()}
    for label, sep in seps.items():
        if not (isinstance(sep, dict) and {"accuracy", "best_unit", "hidden", "carry"} <= set(sep)):
            raise TypeError(f"separations[{label!r}] must be carry_separation(params) or a Params")
        if np.shape(sep["carry"])[0] != width:
            raise ValueError(f"separations[{label!r}] was measured over {np.shape(sep['carry'])[0]} steps, "
                             f"not width={width}: pass the width it was measured at")
    fig, axes = plt.subplots(1, len(seps), figsize=(min(9.3, 4.65 * len(seps)), 4.6), squeeze=False,
                             layout="constrained")
    bins = np.linspace(-_LOGIT_LIM, _LOGIT_LIM, 121)           # half a logit unit per bin
    for ax, (label, sep) in zip(axes[0], seps.items()):
        j = sep["best_unit"]
        h, c = _logit(sep["hidden"][:, :, j].ravel()), sep["carry"].ravel().astype(bool)
        for cases, colour, ls, name in ((~c, "blue", "-", "carry out = 0"),
                                        (c, "orange", "--", "carry out = 1")):
            ax.hist(h[cases], bins=bins, color=COLORS[colour], histtype="step", lw=2, ls=ls, label=name)
        if 0 < sep["threshold"] < 1:
            ax.axvline(_logit(sep["threshold"]), color="black", ls=":", lw=1.2, label="best threshold")
        ax.set(xlim=(-_LOGIT_LIM, _LOGIT_LIM), xlabel=f"activation h_t[{j}] of unit {j} (logit scale)")
        _counts_axis(ax)
        ax.set_xticks(_logit(_LOGIT_TICKS), _LOGIT_LABELS)
        rule = f"\n(a_t = b_t = 1 rule: {sep['bits_rule']:.1%})" if "bits_rule" in sep else ""
        ax.set_title(f"{label}: best single unit {j},\nright on {sep['accuracy'][j]:.1%} of cases{rule}")
    axes[0][0].set_ylabel("number of (pair, step) cases")      # one label for the row of panels
    fig.legend(*axes[0][-1].get_legend_handles_labels(), loc="outside lower center", ncol=3)
    fig.suptitle(f"Does one hidden unit hold the carry? (all {sep['carry'].shape[1]:,} pairs "
                 f"x {sep['carry'].shape[0]} steps)")
    return fig


def plot_carry_unit(params, a, b, separation=None, label="trained"):
    """The carry unit of ``params`` in the heatmap of a + b, and its activation on a logit axis.

    Left: the heatmap of h_t (unit x step, linear colours 0 to 1) with the row of the unit
    ``separation["best_unit"]`` outlined.  Right: that unit's h_t for each step on the logit axis of
    ``plot_carry_separation``, each point coloured by the true carry out of step t, with the
    threshold found over all pairs.  Under both, each step's number and its true carry out.
    ``separation`` is ``carry_separation(params)`` (computed here when None).
    """
    params = check_params(params, "params")
    run = _single_run(params, a, b)
    sep = carry_separation(params) if separation is None else separation
    if not (isinstance(sep, dict) and {"best_unit", "threshold", "above"} <= set(sep)):
        raise TypeError("separation must be carry_separation(params) or None")
    j, T = sep["best_unit"], WIDTH
    c = carries([a], [b], WIDTH)[:, 0]
    v = run["hidden"][:, j]                                    # (T,) h_t[j]
    # side by side, not stacked: a deck shows a figure at most 470 px tall at full size
    fig, (ax_h, ax_v) = plt.subplots(1, 2, figsize=(9.3, 4.6), sharex=True, layout="constrained")
    image = _heatmap(ax_h, run["hidden"].T)
    ax_h.add_patch(Rectangle((-0.5, j - 0.5), T, 1, fill=False, lw=2.5, ec=COLORS["vermillion"],
                             clip_on=False))
    ax_h.set_yticks(sorted({*ax_h.get_yticks().astype(int), j}))
    for tick in ax_h.get_yticklabels():
        if tick.get_text() == str(j):
            tick.set(color=COLORS["vermillion"], fontweight="bold")
    ax_h.set_title(f"{label}: hidden state for {a} + {b},\ncarry unit {j} outlined")
    # an inset colour bar right next to the heatmap, between the two panels
    fig.colorbar(image, cax=ax_h.inset_axes((1.03, 0.0, 0.04, 1.0)), label="activation h_t[j] (0 to 1)")
    ax_v.plot(range(T), _logit(v), color="0.5", lw=1, zorder=1)
    for value, colour, marker, name in ((0, "blue", "o", "carry out = 0"), (1, "orange", "s", "carry out = 1")):
        steps = np.flatnonzero(c == value)
        ax_v.plot(steps, _logit(v[steps]), ls="none", marker=marker, markersize=8, color=COLORS[colour],
                  label=name, zorder=2)
    if 0 < sep["threshold"] < 1:
        ax_v.axhline(_logit(sep["threshold"]), color="black", ls=":", lw=1.2,
                     label=f"threshold {sep['threshold']:.2g}")
    ax_v.set(ylim=(-_LOGIT_LIM - 1, _LOGIT_LIM + 1), ylabel=f"h_t[{j}] (logit scale)")
    ax_v.set_yticks(_logit(_LOGIT_TICKS), _LOGIT_LABELS)
    _step_rows(ax_h, [range(T), c], ["step t", "carry out"])
    _step_rows(ax_v, [range(T), c], ["step t", "carry out"])
    ax_v.set_title(f"unit {j} alone, on the logit axis\nof the histogram")
    for ax in (ax_h, ax_v):
        ax.set_xlabel("time step t (LSB first)")
    fig.legend(*ax_v.get_legend_handles_labels(), loc="outside lower center", ncol=3)
    # room between the panels for the inset colour bar, which the layout engine does not see
    fig.get_layout_engine().set(wspace=0.08)
    return fig


def plot_forward_summary(params_by_label, a, b):
    """Per network, every step of a + b: the outputs o_t with predicted and true bits (wrong ones
    in vermillion) above the heatmap of h_t, ticked with the input bits.  Static ForwardStepFrame."""
    runs = _runs(params_by_label, a, b)
    n = len(runs)
    # 12 pt text in at most 9.2 x 4.5 in: under each step only its digits, named once on the left
    fig, axes = plt.subplots(2, n, figsize=(min(9.2, 3.9 * n + 1.4), 4.5), squeeze=False,
                             sharey="row", height_ratios=[1, 6], layout="constrained")
    for i, ((ax_o, ax_h), (label, run)) in enumerate(zip(axes.T, runs.items())):
        ax_o.imshow(run["output"][None, :], cmap=SEQUENTIAL, vmin=0, vmax=1, aspect="auto")
        for t, o in enumerate(run["output"]):
            ax_o.text(t, 0, f"{o:.2f}", ha="center", va="center", color="black" if o > 0.6 else "white")
        ax_o.set_yticks([0], ["o_t"])
        _step_rows(ax_o, [run["predicted"], run["true"]], ["predicted", "true"] if i == 0 else None,
                   top=True)
        wrong = run["predicted"] != run["true"]
        for tick in np.array(ax_o.get_xticklabels())[wrong]:
            tick.set(color=COLORS["vermillion"], fontweight="bold")
        ax_o.set_title(f"{label}: {wrong.sum()} wrong bit{'' if wrong.sum() == 1 else 's'}")
        image = _heatmap(ax_h, run["hidden"].T)
        _step_rows(ax_h, [range(WIDTH), *run["inputs"].T], ["step t", "a_t", "b_t"] if i == 0 else None)
        if i:
            ax_h.set_ylabel("")
    fig.supxlabel("time step t with its input bits (LSB first)")
    fig.colorbar(image, ax=list(axes[:, -1]), label="activation / probability", shrink=0.9)
    fig.suptitle(f"The forward pass for {a} + {b} = {a + b}: outputs o_t above the hidden state h_t")
    return fig


class ForwardStepFrame:
    """Widget frame: ``update(t, label)`` shows time step t of a + b in network ``label``.

    Panels: the bits (a, b, true sum, predicted so far) with column t boxed; h_t as bars (h_{t-1}
    as black ticks); o_0..o_t as bars, the true bits as rings.
    """

    def __init__(self, params_by_label, a, b):
        self.runs = _runs(params_by_label, a, b)
        self.a, self.b, self.labels = int(a), int(b), list(self.runs)
        first = self.runs[self.labels[0]]
        self.steps, self.hidden_size = first["hidden"].shape
        # 9.3 x 3.6 in at 100 dpi: a deck shows a frame at most 938 x 360 px at full size, so its
        # 12 pt text stays 12 pt
        self.fig = Figure(figsize=(9.3, 3.6), layout="constrained")
        self.ax_bits, self.ax_h, self.ax_o = self.fig.subplots(1, 3, width_ratios=[1.3, 1.05, 1.3])
        self._draw_bits_table(first)
        self.h_bars, self.h_title = self._bar_panel(
            self.ax_h, self.hidden_size, "green", 0.75, "unit j  (bars: hₜ, ticks: hₜ₋₁)",
            "activation hₜ[j]")
        (self.h_prev,) = self.ax_h.plot(range(self.hidden_size), np.zeros(self.hidden_size),
                                        ls="none", marker="_", markersize=10, mew=2, color="black")
        self.ax_h.axhline(0.5, color="0.8", lw=0.8, zorder=0)
        self.o_bars, self.o_title = self._bar_panel(
            self.ax_o, self.steps, "blue", 0.7, "time step t  (rings: true bit)", "output oₜ = P(bit is 1)")
        self.ax_o.axhline(0.5, color="0.4", lw=1, ls="--")
        self.ax_o.set_ylim(0, 1.08)                             # room for a ring at 1 under the title
        self.ax_o.tick_params(axis="x", pad=9)                   # and for a ring at 0 over the ticks
        self.ax_o.plot(range(self.steps), first["true"], ls="none", marker="o", mfc="none",
                       mec="black", mew=1.5, markersize=8, zorder=3, clip_on=False)
        self.suptitle = self.fig.suptitle("")
        self.update(0, self.labels[0])
        freeze_layout(self.fig)
        bake_background(self.fig, keep=[*self.h_bars, self.h_prev, *self.o_bars, self.cursor,
                                        *self.row_texts["predicted"], self.bits_title, self.h_title,
                                        self.o_title, self.suptitle])

    def _draw_bits_table(self, run):
        """Rows step t, a, b, true a+b, predicted: one text per digit, at ``column_x``."""
        ax, T = self.ax_bits, self.steps
        ax.set(xlim=(0, 1), ylim=(0, 1))
        ax.set_axis_off()
        self.column_x = 0.37 + 0.082 * np.arange(T)    # right of the row names, clear of the next panel
        rows = {"step t": range(T), "a": run["inputs"][:, 0], "b": run["inputs"][:, 1],
                "true a+b": run["true"], "predicted": [""] * T}
        mono = dict(family="DejaVu Sans Mono", fontsize=TEXT, va="center", ha="center")
        self.row_texts = {}
        for y, (name, digits) in zip(np.linspace(0.88, 0.12, len(rows)), rows.items()):
            ax.text(0.0, y, name, va="center", ha="left")
            self.row_texts[name] = [ax.text(x, y, d, fontweight="bold" if name == "predicted" else
                                            "normal", **mono) for x, d in zip(self.column_x, digits)]
        ax.axhline(0.215, color="0.7", lw=0.8)                # between true a+b and predicted
        self.cursor = ax.add_patch(Rectangle((0, 0.02), 0.065, 0.96, fill=False, lw=2, ec=COLORS["orange"]))
        self.bits_title = ax.set_title("")

    @staticmethod
    def _bar_panel(ax, n, colour, width, xlabel, ylabel):
        """n bars of height 0 on an Axes for activations 0 to 1; returns the bars and the title."""
        bars = ax.bar(range(n), np.zeros(n), color=COLORS[colour], width=width)
        ax.set(xlim=(-0.6, n - 0.4), ylim=(0, 1), xlabel=xlabel, ylabel=ylabel,
               xticks=range(0, n, 3 if n > 10 else 1))
        ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.tick_params(length=0)
        return bars, ax.set_title("")

    def states(self):
        """Every (t, label) the controls can take."""
        return [(t, label) for label in self.labels for t in range(self.steps)]

    def update(self, t, label):
        """Show step t of network ``label``; returns one line of HTML saying what is shown."""
        t = check_int(t, "t", minimum=0, maximum=self.steps - 1)
        if label not in self.runs:
            raise ValueError(f"label must be one of {self.labels}, got {label!r}")
        run = self.runs[label]
        out, pred, true = run["output"], run["predicted"], run["true"]
        for bar, v in zip(self.h_bars, run["hidden"][t]):
            bar.set_height(v)
        self.h_prev.set_ydata(run["hidden"][t - 1] if t > 0 else np.zeros(self.hidden_size))
        for s, (bar, digit) in enumerate(zip(self.o_bars, self.row_texts["predicted"])):
            bar.set(height=out[s] if s <= t else 0.0, color=COLORS["orange"] if s == t else COLORS["blue"])
            digit.set(text=pred[s] if s <= t else "-", color="0.6" if s > t else
                      "black" if pred[s] == true[s] else COLORS["vermillion"])
        self.cursor.set_x(self.column_x[t] - self.cursor.get_width() / 2)
        a_t, b_t = run["inputs"][t]
        # plain text (no mathtext) in the texts that change: mathtext is parsed on every redraw
        self.bits_title.set_text(f"step {t} reads a{_sub(t)} = {a_t}, b{_sub(t)} = {b_t}")
        self.h_title.set_text(f"hidden state h{_sub(t)}")
        self.o_title.set_text(f"o{_sub(t)} = {out[t]:.2f} → predicted {pred[t]}, true {true[t]}")
        self.suptitle.set_text(f"{label} network: {self.a} + {self.b} = {self.a + self.b}, step t = {t}")
        return (f"<b>{html.escape(label)}</b> network, t={t}: inputs a_{t}={a_t}, b_{t}={b_t}; "
                f"output o_{t} = {out[t]:.2f} &rarr; predicted {pred[t]}, true {true[t]} "
                f"({'right' if pred[t] == true[t] else 'wrong'})")
