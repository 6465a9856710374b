"""Notebook 05, what the network learned: the carry units, the hidden states in two dimensions,
the extracted automaton, the benchmark results, and a widget frame that retrains live."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.ticker import FuncFormatter, NullFormatter, NullLocator

from .analysis import Automaton, CarryProbe
from .encoding import check_int, shown
from .fast import LEARNING_RATE, train_fast
from .show_training import check_fields, read_results
from .style import COLORS, TEXT
from .widgets import freeze_layout

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0)  #: the widget's choices
GROUP_COLORS = [COLORS["blue"], COLORS["sky"], COLORS["vermillion"], COLORS["orange"]]


def _plain_log_labels(axis):
    """Label a log axis 0.001, 0.01, ... in plain text, not mathtext 10^k (slow to lay out)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _logit_ticks(axis, lo, hi):
    """Plain labels on a logit axis from lo to hi: 1e-12, 1e-09, ..., 0.5, 0.999, ... (every 3
    decades), no minor ticks."""
    ticks = [10.0 ** -k for k in range(30, 2, -3)] + [0.5] + [1 - 10.0 ** -k for k in range(3, 16, 3)]
    ticks = [t for t in ticks if lo <= t <= hi]
    axis.set_ticks(ticks, [f"{t:g}" for t in ticks])
    axis.set_minor_locator(NullLocator())


def plot_carry_units(probe, hidden, carry, bins=60):
    """Every unit's correlation with the carry, sorted, and the best unit's activation split by
    carry on a logit axis (even steps in z = log(h / (1 - h)), the sigmoid's input), so that values
    like 1e-6 and 1e-5 lie apart; the empty gap between the two groups is shaded and the threshold
    drawn in it.  probe: ``bh.carry_probe`` of hidden (T, N, H) and carry (T, N)."""
    if not isinstance(probe, CarryProbe):
        raise TypeError(f"probe must be bh.carry_probe(params), got {type(probe).__name__}")
    hidden, carry, H = np.asarray(hidden), np.asarray(carry), len(probe.correlations)
    if hidden.ndim != 3 or hidden.shape[2] != H or carry.shape != hidden.shape[:2]:
        raise ValueError(f"hidden must be (T, N, {H}) and carry (T, N), as bh.analysis.hidden_and_carry "
                         f"gives them, got {hidden.shape} and {carry.shape}")
    bins = check_int(bins, "bins", minimum=1)
    # 9.3 x 4.5 in: under the 942 x 470 px a deck shows at full size (so its 12 pt text stays readable),
    # with the padding of the inline backend's tight bounding box
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.3, 4.5), layout="constrained", width_ratios=(2, 3))
    order = np.argsort(probe.correlations, kind="stable")[::-1]
    r = probe.correlations[order]
    # horizontal bars, the most correlated unit on top: 16 unit numbers fit one under another
    ax1.barh(np.arange(H), r, color="0.5")            # grey: blue and vermillion mean the carry on the right
    ax1.set_yticks(np.arange(H), [str(j) for j in order])
    ax1.invert_yaxis()
    ax1.axvline(0, color="black", lw=0.8)
    ax1.set_xticks([-1, -0.5, 0, 0.5, 1], ["−1", "−0.5", "0", "0.5", "1"])
    ax1.set(xlim=(-1, 1), ylabel="hidden unit (sorted by correlation)",
            xlabel="correlation with the carry", title="Which units track the carry?")
    j = probe.best_unit
    v = np.clip(hidden[..., j].astype(np.float64), 1e-300, 1 - 2.0 ** -53)   # finite logits
    z = np.log(v) - np.log1p(-v)
    edges = 1 / (1 + np.exp(-np.linspace(z.min(), z.max(), bins + 1)))      # even steps in z
    edges[0], edges[-1] = v.min(), v.max()
    for value, color in ((0, COLORS["blue"]), (1, COLORS["vermillion"])):
        ax2.hist(v[carry == value], bins=edges, color=color, alpha=0.7, histtype="stepfilled",
                 label=f"carry = {value} ({np.sum(carry == value):,})")
    low, high = (v[carry == 1], v[carry == 0]) if probe.best_sign < 0 else (v[carry == 0], v[carry == 1])
    if low.max() < high.min():
        ax2.axvspan(low.max(), high.min(), color="0.85", zorder=0, label="empty gap: no sample")
    ax2.axvline(probe.best_threshold, color="black", ls="--", lw=1, label="threshold")
    ax2.set_xscale("logit")
    ax2.set_yscale("log")
    ax2.set_xlim(edges[0] / 3, 1 - (1 - edges[-1]) / 3)
    _logit_ticks(ax2.xaxis, *ax2.get_xlim())
    _plain_log_labels(ax2.yaxis)
    ax2.set(xlabel=f"activation h of unit {j} (logit axis)", ylabel="number of (pair, step) samples",
            title=f"Unit {j} alone: one threshold, {probe.best_unit_accuracy:.2%} right")
    fig.legend(*ax2.get_legend_handles_labels(), loc="outside lower center", ncols=4)   # below: off the bars
    return fig


def plot_state_pca(projected, carry, sum_bit, explained, marked=None, marked_label=None):
    """Hidden states on two principal axes, projected (M, 2), one colour per (carry, sum bit) of
    the step that made each (carry, sum_bit: (M,)); explained (2,): each axis's share of variance.
    Each distinct point is drawn once.  marked (K, 2), optional: points to ring in black, with
    ``marked_label`` in the legend."""
    P, carry, sum_bit = np.asarray(projected, dtype=np.float64), np.asarray(carry), np.asarray(sum_bit)
    fig, ax = plt.subplots(figsize=(9.3, 4.5), layout="constrained")   # at most 942 x 470 px: see plot_carry_units
    for c, s in ((0, 0), (0, 1), (1, 0), (1, 1)):
        m = (carry == c) & (sum_bit == s)
        pts = np.unique(np.round(P[m], 3), axis=0)    # many states coincide: draw each once
        ax.scatter(pts[:, 0], pts[:, 1], s=6, color=GROUP_COLORS[2 * c + s], alpha=0.6, rasterized=True,
                   marker="o" if c == 0 else "^", label=f"carry {c}, sum bit {s}\n({m.sum():,} samples)")
    if marked is not None:
        mk = np.asarray(marked, dtype=np.float64)
        ax.scatter(mk[:, 0], mk[:, 1], s=110, facecolors="none", edgecolors="black", lw=1.2, label=marked_label)
    ax.set(xlabel=f"principal component 1 ({explained[0]:.0%} of the variance)",
           ylabel=f"principal component 2 ({explained[1]:.0%} of the variance)",
           title="Every hidden state over all 16,384 sums, in two dimensions\n"
                 "(each distinct state drawn once)")
    # the legend right of the plot, off the dots (a 12 pt legend inside would hide some)
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), markerscale=2.5)
    if marked is not None:
        legend.legend_handles[-1].set_sizes([50])       # the ring, not scaled up with the dots
    return fig


def draw_automaton(automaton, names=None):
    """The state diagram of a one- or two-state automaton: a circle per state (names: a label each),
    an arrow per pair of states labelled with its transitions "ab/s" (input bits a, b; output bit s)."""
    if not isinstance(automaton, Automaton):
        raise TypeError(f"automaton must be bh.analysis.extract_automaton(params), got {type(automaton).__name__}")
    n = automaton.n_states
    names = names or [f"state {s}" for s in range(n)]
    if n > 2 or len(names) != n:
        raise ValueError(f"draws automata of at most 2 states, with names for each; got {n} states, names {names}")
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    pos, r, arrow = [np.array([-1.6, 0.0]), np.array([1.6, 0.0])], 0.45, dict(arrowstyle="->", mutation_scale=14)
    for s in range(n):
        ax.add_patch(Circle(pos[s], r, facecolor=GROUP_COLORS[0 if s == 0 else 2], alpha=0.25,
                            edgecolor="black", lw=2 if s == automaton.start else 1))
        ax.text(*pos[s], names[s], ha="center", va="center")
    ax.annotate("start", xy=pos[automaton.start] - [r, 0], xytext=pos[automaton.start] - [r + 0.7, 0], ha="right",
                va="center", arrowprops=dict(arrowstyle="->", lw=1.5))
    edges = {}                                             # (from, to): labels "ab/s"
    for s, i in np.ndindex(n, 4):
        edges.setdefault((s, automaton.transitions[s, i]), []).append(f"{i >> 1}{i & 1}/{automaton.outputs[s, i]}")
    for (a, b), labels in edges.items():
        pa, pb, text = pos[a], pos[b], "\n".join(labels)
        if a == b:                                         # self-loop above the state
            ax.add_patch(FancyArrowPatch(pa + [-0.25, r * 0.9], pa + [0.25, r * 0.9],
                                         connectionstyle="arc3,rad=-1.9", lw=1.2, **arrow))
            ax.text(pa[0], r + 0.75, text, ha="center", va="bottom", family="monospace")
        else:
            d = (pb - pa) / np.linalg.norm(pb - pa)
            ax.add_patch(FancyArrowPatch(pa + d * r, pb - d * r, connectionstyle="arc3,rad=0.35", lw=1.2, **arrow))
            ax.text(*(pa + pb) / 2 + np.array([d[1], -d[0]]) * 0.55, text, ha="center", va="center",
                    family="monospace", bbox=dict(facecolor="white", edgecolor="none", pad=1))
    ax.set(xlim=(-3.2, 3.0), ylim=(-1.0, 1.9), aspect="equal")
    ax.axis("off")
    ax.set_title(f"The extracted automaton: {n} state{'s' if n != 1 else ''}\n"
                 "arrow labels ab/s: input bits a, b / output bit s")
    return fig


#: what notebook 05 reads from where_it_breaks.json and from long_sums.json
WHERE_IT_BREAKS_FIELDS = """date seeds max_steps curves.label curves.steps curves.loss curves.converged
    curves.accuracy""".split() + [
    f"{group}.{sweep}.{field}" for group, sweep, fields in (
        ("summary", "hidden_size", "hidden_size runs converged median_steps_converged median_accuracy"),
        ("summary", "learning_rate", "learning_rate runs converged median_steps_converged median_accuracy"),
        ("summary", "msb_first", "hidden_size runs converged median_accuracy max_accuracy"),
        ("runs", "hidden_size", "hidden_size seed converged steps")) for field in fields.split()]
LONG_SUMS_FIELDS = """date profiles.profile profiles.failing_seeds profiles.worst_accuracy_62
    profiles.worst_accuracy_95 profiles.worst_accuracy_64""".split()


def load_results(path):
    """``benchmarks/results/where_it_breaks.json`` as a dict with every WHERE_IT_BREAKS_FIELDS field."""
    return read_results(path, WHERE_IT_BREAKS_FIELDS)


def load_long_sums(path):
    """``benchmarks/results/long_sums.json`` as a dict with every LONG_SUMS_FIELDS field."""
    return read_results(path, LONG_SUMS_FIELDS)


def plot_where_it_breaks(results):
    """The fraction of seeds that converged, and the median accuracy, by hidden size and by
    learning rate (``load_results``); one legend below both panels, off the data."""
    check_fields(results, [f for f in WHERE_IT_BREAKS_FIELDS if f == "seeds" or f.startswith(
        ("summary.hidden_size.", "summary.learning_rate."))], "results (from load_results)")
    fig, axes = plt.subplots(1, 2, figsize=(9.3, 4.2), layout="constrained")   # at most 942 x 470 px
    n = len(results["seeds"])
    for ax, key, xlabel, title in (
            (axes[0], "hidden_size", "hidden size H", f"Hidden size ({n} seeds each, rate {LEARNING_RATE:g})"),
            (axes[1], "learning_rate", "learning rate (log scale)",
             f"Learning rate ({n} seeds each, hidden size 16)")):
        rows = results["summary"][key]
        x = [r[key] for r in rows]
        ax.plot(x, [r["converged"] / r["runs"] for r in rows], "o-", color=COLORS["blue"],
                label="fraction of seeds converged")
        ax.plot(x, [r["median_accuracy"] for r in rows], "s--", color=COLORS["orange"],
                label="median exhaustive accuracy at the end")
        ax.set(xlabel=xlabel, ylabel="fraction", ylim=(-0.05, 1.05), title=title)
        if key == "learning_rate":
            ax.set_xscale("log")
            _plain_log_labels(ax.xaxis)
        else:
            ax.set_xticks(x)                               # every hidden size measured
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def plot_loss_curves(curves, reference=0, ncols=3):
    """Loss per sum against update steps, both log scale, one panel per curve (a dict with "label",
    "steps", "loss", "converged", as in the results file or ``RetrainFrame.result``): blue if it
    converged, vermillion if not, with ``curves[reference]`` drawn grey and dashed in every other
    panel for comparison."""
    if not isinstance(curves, (list, tuple)):
        raise TypeError(f"curves must be a list of curves, got {type(curves).__name__}")
    if not curves:
        raise ValueError("curves must hold at least one curve, got an empty list")
    for k, c in enumerate(curves):
        if not (isinstance(c, dict) and {"label", "steps", "loss", "converged"} <= set(c)
                and np.ndim(c["steps"]) == 1 and np.size(c["steps"])):
            raise TypeError(f"curves[{k}] must be a dict with keys label, steps, loss, converged "
                            f"(at least one step), got {shown(c)}")
    reference = check_int(reference, "reference", minimum=0, maximum=len(curves) - 1)
    ncols = check_int(ncols, "ncols", minimum=1)
    nrows = -(-len(curves) // ncols)
    # two rows (the notebook's six curves) make 9.3 x 4.55 in: under the 942 x 470 px of plot_carry_units
    fig, axes = plt.subplots(nrows, ncols, figsize=(9.3, 1.85 * nrows + 0.85), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    ref = curves[reference]
    for k, (ax, c) in enumerate(zip(axes.flat, curves)):
        if k != reference:
            ax.plot(ref["steps"], ref["loss"], color="0.55", ls="--", lw=1, label=f"{ref['label']}, for comparison")
        ax.plot(c["steps"], c["loss"], color=COLORS["blue"] if c["converged"] else COLORS["vermillion"], lw=1.1,
                label="converged" if c["converged"] else "did not converge")
        end = f"converged after {c['steps'][-1]} updates" if c["converged"] else \
            f"not converged in {c['steps'][-1]} updates"
        ax.set_title(f"{c['label']}\n{end}", fontsize=TEXT)       # not the larger title size: room for the curve
        ax.grid(True, which="major", lw=0.4, alpha=0.5)
    for ax in axes.flat[len(curves):]:
        ax.axis("off")
    ax = axes.flat[0]
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=10)
    _plain_log_labels(ax.yaxis)
    _plain_log_labels(ax.xaxis)
    ax.set_xlim(0, max(c["steps"][-1] for c in curves))
    for k, ax in enumerate(axes.flat[:len(curves)]):
        if k + ncols >= len(curves):                       # nothing drawn below it
            ax.xaxis.set_tick_params(labelbottom=True)
    last_row = axes[-1][:len(curves) - ncols * (nrows - 1)]
    last_row[min(ncols // 2, len(last_row) - 1)].set_xlabel(   # once, mid-bottom: the same for every panel
        "update steps (log scale after 10)")
    fig.supylabel("loss per sum, ½·Σ(y − o)² (log scale)")
    fig.suptitle("Loss curves: which configurations learn to add (seed 0)")
    handles = {}
    for a in axes.flat:
        for h, lab in zip(*a.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    labels = sorted(handles, key=lambda lab: ("for comparison" in lab, lab != "converged"))
    fig.legend([handles[lab] for lab in labels], labels, loc="outside lower center", ncols=len(labels))
    return fig


class RetrainFrame:
    """``update(hidden_size, learning_rate, seed, bit_order)`` trains with ``bh.train_fast`` for at most
    ``max_steps`` (once: ``result`` caches it), draws the loss curve and returns an HTML line."""

    def __init__(self, max_steps=800):                     # room to converge, short to wait for
        self.max_steps, self.cache = check_int(max_steps, "max_steps", minimum=1), {}
        self.fig = Figure(figsize=(7.5, 3.2), layout="constrained")
        ax = self.fig.subplots()
        (self.loss_line,) = ax.plot([], [], color=COLORS["blue"], lw=1.3)
        ax.set(yscale="log", xlim=(0, self.max_steps), ylim=(1e-3, 10), xticks=np.linspace(0, self.max_steps, 5),
               xlabel="update steps", ylabel="loss per sum (log scale)")
        ticks = [0.001, 0.01, 0.1, 1, 10]                  # few plain tick labels: text redraws slowly
        ax.set_yticks(ticks, [f"{v:g}" for v in ticks])
        ax.yaxis.set_minor_locator(NullLocator())
        self.title = ax.set_title("Loss during training")
        freeze_layout(self.fig)

    def result(self, hidden_size, learning_rate, seed, bit_order):
        """{"label", "steps", "loss", "check_steps", "accuracy", "converged"} of one configuration
        (``bh.train_fast`` checks the arguments)."""
        h, lr, s, order = config = hidden_size, learning_rate, seed, bit_order
        if config not in self.cache:
            _, hist = train_fast(hidden_size=h, seed=s, learning_rate=lr, bit_order=order,
                                 max_steps=self.max_steps)
            self.cache[config] = {
                "label": f"hidden {h}, rate {lr:g}, seed {s}" + (", MSB first" if order == "msb_first" else ""),
                "steps": list(hist.steps), "loss": list(hist.loss), "check_steps": list(hist.check_steps),
                "accuracy": list(hist.accuracy), "converged": hist.converged}
        return self.cache[config]

    def update(self, hidden_size, learning_rate, seed, bit_order):
        r = self.result(hidden_size, learning_rate, seed, bit_order)
        self.loss_line.set_data(r["steps"], np.maximum(np.asarray(r["loss"]), 1e-3))   # clipped to the axis
        self.loss_line.set_color(COLORS["blue"] if r["converged"] else COLORS["vermillion"])
        steps, accuracy = r["check_steps"][-1], r["accuracy"][-1]
        self.title.set_text(f"{'Converged' if r['converged'] else 'Not converged'} after {steps} "
                            f"updates: {accuracy:.2%} of all 16,384 sums right")
        verdict = (f"<b>converged</b> after {steps} updates" if r["converged"]
                   else f"<b>did not converge</b> within {self.max_steps} updates")
        return f"{r['label']}: {verdict}; {accuracy:.2%} of the 16,384 sums right"
