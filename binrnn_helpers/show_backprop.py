"""Notebook 03: the backward pass kept step by step, complex-step references, the figures, the widget frame.

    delta_out[t] = (o_t - y_t) o_t (1 - o_t)                                   (N, 1)
    delta_h[t]   = (delta_h[t+1] @ W.T + delta_out[t] @ V.T) * h_t (1 - h_t)   (N, H), delta_h[T] = 0
"""
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from . import model
from .encoding import check_int, one_sum, shown
from .model import forward
from .style import COLORS, DIVERGING
from .widgets import bake_background, freeze_layout

WIDTH = 8  # bits per sum in this notebook's examples


@dataclass
class BackwardSteps:
    """Every intermediate of one backward pass; the ``*_so_far`` after steps T-1, ..., t."""
    delta_out: np.ndarray  # (T, N): dL/dz^o_t
    delta_h: np.ndarray    # (T, N, H): dL/dz^h_t = via_W + via_V
    via_W: np.ndarray      # (T, N, H): the part that came from step t+1 through W (0 at T-1)
    via_V: np.ndarray      # (T, N, H): the part from this step's output through V
    dU_so_far: np.ndarray  # (T, 2, H); index 0 is the whole gradient
    dW_so_far: np.ndarray  # (T, H, H)
    dV_so_far: np.ndarray  # (T, H, 1)


def backward_steps(params, trace, targets):
    """``bh.backward_steps`` of trace = ``forward(params, inputs)``, targets (T, N), all kept."""
    model.check_trace(params, trace, targets)
    x, hid = trace.inputs, trace.hidden                          # hid[t + 1] is h_t
    (T, N, _), H = x.shape, params.hidden_size
    delta_out, delta_h, via_W, via_V = np.zeros((T, N)), *(np.zeros((T, N, H)) for _ in range(3))
    dU, dW, dV = np.zeros((T, 2, H)), np.zeros((T, H, H)), np.zeros((T, H, 1))
    gU, gW, gV = np.zeros((2, H)), np.zeros((H, H)), np.zeros((H, 1))
    later = np.zeros((N, H))                                     # delta_h[T] = 0
    for t, d_out, d_h in model.backward_steps(params, trace, targets):
        slope = hid[t + 1] * (1 - hid[t + 1])                    # sigmoid'(z^h_t)
        via_W[t], via_V[t] = (later @ params.W.T) * slope, (d_out @ params.V.T) * slope
        gV += hid[t + 1].T @ d_out                               # in bh.backward's order
        gW += hid[t].T @ d_h
        gU += x[t].T @ d_h
        delta_out[t], delta_h[t], later = d_out[:, 0], d_h, d_h
        dU[t], dW[t], dV[t] = gU, gW, gV
    return BackwardSteps(delta_out, delta_h, via_W, via_V, dU, dW, dV)


def _one_sum(params, a, b):
    """a, b (each < 128), and for a + b: inputs, targets, the trace and the BackwardSteps."""
    a, b = (check_int(v, name, minimum=0, maximum=2 ** (WIDTH - 1) - 1) for v, name in ((a, "a"), (b, "b")))
    x, y = one_sum(a, b, WIDTH)
    trace = forward(params, x)
    return a, b, x, y, trace, backward_steps(params, trace, y)


def reach_back(params, inputs):
    """(T,): the mean over examples of ‖d o_{T-1} / d h_{T-1-k}‖ for k = 0..T-1."""
    trace = forward(params, inputs)
    h, o_last = trace.hidden, trace.output[-1]                   # h[s + 1] is h_s
    g = (o_last * (1 - o_last))[:, None] * params.V.T            # (N, H): d o_{T-1} / d h_{T-1}
    norms = [np.linalg.norm(g, axis=1).mean()]
    for s in range(len(trace.output) - 1, 0, -1):                # g: d o / d h_s -> d o / d h_{s-1}
        g = np.dot(g * (h[s + 1] * (1 - h[s + 1])), params.W.T)
        norms.append(np.linalg.norm(g, axis=1).mean())
    return np.array(norms)


def plot_loss_and_error(o, y):
    """The printed error |y - o| and the loss 0.5 (y - o)**2 of one sum (o, y: (T,)), per step
    and as functions of the gap."""
    o, y = np.asarray(o, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if o.ndim != 1 or o.size == 0 or y.shape != o.shape:
        raise ValueError(f"o and y must be 1-D, one value per time step, got {o.shape} and {y.shape}")
    gap, t, c = np.abs(y - o), np.arange(o.size), COLORS
    # within 942 x 470 px (9.4 x 4.7 in at 100 dpi) a deck shows a figure at full size: 12 pt stays 12 pt
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.3, 4.4), layout="constrained", width_ratios=[1.15, 1])
    left.bar(t - 0.2, gap, width=0.4, color=c["orange"],
             label=f"|y - o|  (printed error adds to {gap.sum():.4f})")
    left.bar(t + 0.2, 0.5 * gap ** 2, width=0.4, color=c["blue"],
             label=f"0.5 (y - o)²  (loss adds to {0.5 * np.sum(gap ** 2):.4f})")
    left.set(xticks=t, xlabel="time step t (bit position, LSB first)", ylabel="contribution of step t",
             title="Per step: what the printed error and the loss add up",
             ylim=(0, 1.5 * max(1e-12, gap.max())))                 # headroom for the legend
    e = np.linspace(0, 1, 201)
    # two lines a label: on one, the second would run past the panel's right edge
    right.plot(e, e, color=c["orange"], label="|y - o|\n(printed, slope ±1)")
    right.plot(e, 0.5 * e ** 2, color=c["blue"], label="0.5 (y - o)²\n(descended, slope y - o)")
    right.plot(gap, gap, "o", color=c["orange"], ms=5)
    right.plot(gap, 0.5 * gap ** 2, "o", color=c["blue"], ms=5)
    right.set(xlabel="gap |y - o| at one step", ylabel="contribution", title="The same gap, counted two ways",
              ylim=(-0.05, 1.4), yticks=np.linspace(0, 1, 6))       # headroom for the legend
    for ax in (left, right):
        ax.legend(loc="upper left", frameon=False)
    return fig


def plot_difference_errors(eps, one_sided_error, central_error):
    """|numerical - analytic| of one weight against the step eps (K,), for both formulas, log-log."""
    eps, *errors = (np.asarray(v, dtype=np.float64) for v in (eps, one_sided_error, central_error))
    if eps.ndim != 1 or eps.size == 0 or np.any(eps <= 0):
        raise ValueError(f"eps must be a 1-D list of positive step sizes, got {shown(eps.tolist())}")
    for name, v in zip(("one_sided_error", "central_error"), errors):
        if v.shape != eps.shape:
            raise ValueError(f"{name} must hold one error per step in eps ({eps.size}), got shape {v.shape}")
    fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
    for v, style, color, label in zip(errors, ("o-", "s-"), ("orange", "blue"),
                                      ("one-sided  (L(w+ε) - L(w)) / ε",
                                       "central  (L(w+ε) - L(w-ε)) / 2ε")):
        ax.loglog(eps, np.maximum(v, 1e-18), style, color=COLORS[color], label=label)  # 0: at a floor
    ax.set(xlabel="step ε", ylabel="|numerical - analytic gradient|",
           title="Why central differences: error against step size")
    ax.legend(loc="best", frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_backward_overview(params, a, b, label="untrained network"):
    """The whole backward pass for a + b (the widget's static counterpart): on the left delta_out
    per step above delta_h as a heatmap (unit x step), on the right the norms of delta_h and of
    its two parts."""
    a, b, x, y, trace, st = _one_sum(params, a, b)
    t, c = np.arange(WIDTH), COLORS
    # within 942 x 470 px (9.4 x 4.7 in at 100 dpi) a deck shows a figure at full size: 12 pt stays 12 pt
    fig = plt.figure(figsize=(9.3, 4.5), layout="constrained")
    fig.suptitle(f"The backward pass for {a} + {b} = {a + b} ({label})")
    # two columns, each laid out on its own: the legend under the right one takes no height from the left
    left, right = fig.subfigures(1, 2, width_ratios=[1.6, 1])
    ax_o, ax_h = left.subplots(2, 1, height_ratios=[1, 2.4])
    ax_n = right.subplots()
    ax_o.bar(t, st.delta_out[:, 0], color=c["vermillion"], width=0.6)
    ax_o.axhline(0, color="black", lw=0.6)
    lim = 1.15 * max(np.abs(st.delta_out).max(), 1e-12)
    # each step's target y and output o under its bar, as two rows of tick labels (not shared with
    # the heatmap's axis below, which keeps plain step numbers); the row names at the left
    ax_o.set(xlim=(-0.5, WIDTH - 0.5), ylim=(-lim, lim), ylabel=r"$\delta^o_t$",
             title=r"Output delta $\delta^o_t = (o - y)\,o\,(1 - o)$")
    ax_o.set_xticks(t, [f"{int(y[ti, 0])}\n{trace.output[ti, 0]:.2f}" for ti in t])
    ax_o.tick_params(axis="x", length=0)
    ax_o.yaxis.set_major_locator(MaxNLocator(3, symmetric=True))
    ax_o.annotate("y\no", xy=(0, 0), xycoords="axes fraction", xytext=(-6, -3.5),
                  textcoords="offset points", ha="right", va="top")
    im = _image(ax_h, st.delta_h[:, 0, :].T, st.delta_h)
    ax_h.set(xlabel="time step t (LSB first)", ylabel="hidden unit i", xticks=t,
             yticks=range(0, params.hidden_size, 5),
             title=r"Hidden delta $\delta^h_t$, computed right to left")
    # the colorbar in an inset: both panels of the column keep the same width, so steps line up
    bar = fig.colorbar(im, cax=ax_h.inset_axes((1.03, 0.0, 0.04, 1.0)), label=r"$\delta^h_t[i]$")
    bar.locator = MaxNLocator(4, symmetric=True)
    norms = [np.linalg.norm(v[:, 0, :], axis=1) for v in (st.delta_h, st.via_W, st.via_V)]
    names = (r"$\Vert\delta^h_t\Vert$ (total)", r"$\Vert$part via $W$ from step $t+1\Vert$",
             r"$\Vert$part via $V$ from $o_t\Vert$")
    for n, style, color, name in zip(norms, ("o-", "s--", "^--"), ("black", "blue", "orange"), names):
        ax_n.plot(t, n, style, color=c[color], label=name)
    ax_n.set(xlabel="time step t (LSB first)", ylabel="Euclidean norm", xticks=t,
             title=r"Where each $\delta^h_t$ comes from", ylim=(0, 1.1 * np.max(norms)))
    ax_n.yaxis.set_major_locator(MaxNLocator(4))
    ax_n.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2))   # under the x label
    return fig


def plot_reach_back(norms_by_length):
    """One log-scale panel per sequence length T of ``{T: {label: reach_back norms (T,)}}``, with
    a line that halves per step for reference."""
    colors = [COLORS[k] for k in ("blue", "vermillion", "green", "purple")]
    if not isinstance(norms_by_length, dict):
        raise TypeError("norms_by_length must be a dict {T: {label: reach_back norms (T,)}}, got "
                        f"{type(norms_by_length).__name__}")
    if not norms_by_length:
        raise ValueError("norms_by_length must hold at least one sequence length T, got {}")
    for T, curves in norms_by_length.items():
        check_int(T, "norms_by_length's keys (sequence lengths T)", minimum=1)
        if not isinstance(curves, dict):
            raise TypeError(f"norms_by_length[{T}] must be a dict {{label: norms (T,)}}, got {shown(curves)}")
        if not 1 <= len(curves) <= len(colors):
            raise ValueError(f"norms_by_length[{T}] must hold 1 to {len(colors)} curves, got {len(curves)}")
        for label, v in curves.items():
            if np.shape(v) != (T,):
                raise ValueError(f"norms_by_length[{T}][{label!r}] must have shape ({T},), got {np.shape(v)}")
    # two panels fill the width a deck shows at full size (942 px, 9.4 in at 100 dpi); more would share it
    n = len(norms_by_length)
    fig, axes = plt.subplots(1, n, figsize=(min(9.3, 4.65 * n), 4.4), layout="constrained", squeeze=False)
    for ax, (T, curves) in zip(axes[0], norms_by_length.items()):
        k, first = np.arange(T), 0
        for color, (label, v) in zip(colors, curves.items()):
            ax.semilogy(k, np.where(np.asarray(v) > 0, v, np.nan), "o-", ms=3, color=color, label=label)
            first = max(first, v[0])
        ax.semilogy(k, first * 0.5 ** k, color="grey", lw=1, ls=":", label="halving per step")
        ax.set(xlabel="distance back in time k (steps)", ylabel="mean ‖∂o_t / ∂h_(t-k)‖,  t = T-1",
               title=f"Sequences of T = {T} steps")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper right", frameon=False)
    fig.suptitle("How strongly the last output depends on the hidden state k steps earlier")
    return fig


def _image(ax, values, scale, cmap=DIVERGING):
    """A heatmap of signed values: white at 0, the colours as far either way as ``scale`` reaches."""
    vmax = max(np.abs(scale).max(), 1e-12)
    return ax.imshow(values, cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")


class BackwardStepFrame:
    """Scrub backward through time for one sum a + b (a, b < 128): ``update(t)`` shows the pass
    after steps 7, 6, ..., t and returns an HTML line."""

    def __init__(self, params, a, b, label="untrained network"):
        self.a, self.b, self.inputs, self.targets, self.trace, self.steps = _one_sum(params, a, b)
        # 9.3 x 3.6 in at 100 dpi: a deck shows a widget's picture at full size up to 938 x 360 px
        self.params, self.fig = params, Figure(figsize=(9.3, 3.6), layout="constrained")
        title = self.fig.suptitle(f"Backward through time for {self.a} + {self.b} = {self.a + self.b} ({label})")
        # left block, two rows that line up: output deltas above the heatmap, the key above the split;
        # right block, rows of its own: the gradient norms above dW
        outer = self.fig.add_gridspec(1, 2, width_ratios=[2.15, 1])
        left = outer[0].subgridspec(2, 2, height_ratios=[1, 2.6], width_ratios=[1.35, 1])
        right = outer[1].subgridspec(2, 1, height_ratios=[1.3, 2])
        ax_heat = self.fig.add_subplot(left[1, 0])
        self._draw_deltas(self.fig.add_subplot(left[0, 0], sharex=ax_heat), ax_heat)
        self._draw_split(self.fig.add_subplot(left[1, 1], sharey=ax_heat), self.fig.add_subplot(right[1]))
        self._draw_norms(self.fig.add_subplot(right[0]), self.fig.add_subplot(left[0, 1]))
        freeze_layout(self.fig)
        # only these change from one step to the next: the rest is baked into a background picture
        bake_background(self.fig, keep=[*self.out_bars, self.zero_out, self.heat, self.cursor,
                                        *self.bars_W, *self.bars_V, self.total_dots,
                                        self.zero_split, self.img_dW, *self.norm_bars])
        title.set_visible(False)        # the figure's own texts are no axes' children: hide it too

    def _draw_deltas(self, ax_out, ax_heat):
        """Left: delta_out per step (bars), the hidden deltas (heatmap, filled by ``update``)."""
        st, H = self.steps, self.params.hidden_size
        self.out_bars = ax_out.bar(np.arange(WIDTH), st.delta_out[:, 0], width=0.6, color=COLORS["sky"])
        self.zero_out = ax_out.axhline(0, color="black", lw=0.6)
        lim = 1.25 * max(np.abs(st.delta_out).max(), 1e-12)
        ax_out.set(ylim=(-lim, lim), ylabel="δo_t", title="Output delta δo_t = (o - y) o (1 - o)")
        ax_out.tick_params(labelbottom=False)
        ax_out.yaxis.set_major_locator(MaxNLocator(3, symmetric=True))
        gray_blank = matplotlib.colormaps[DIVERGING].with_extremes(bad="#ececec")   # NaN: not yet
        self.heat = _image(ax_heat, np.full((H, WIDTH), np.nan), st.delta_h, gray_blank)
        self.cursor = ax_heat.add_patch(Rectangle((WIDTH - 1.5, -0.5), 1, H, fill=False, ec="black", lw=2))
        ax_heat.set(xticks=np.arange(WIDTH), yticks=range(0, H, 5), ylabel="hidden unit i",
                    xlabel="time step t (LSB first)", title="Hidden deltas δh_t so far")
        # the colorbar in an inset: the bars above keep the heatmap's width, so the steps line up; no
        # label (the title names it), which would read as a label of the split panel next to it
        bar = self.fig.colorbar(self.heat, cax=ax_heat.inset_axes((1.03, 0, 0.05, 1)))
        bar.locator, bar.formatter = MaxNLocator(3, symmetric=True), "{x:g}"   # short labels: -0.02, 0, 0.02

    def _draw_split(self, ax, ax_dW):
        """Middle: delta_h[t] unit by unit as its parts via W and via V; right: the dW so far."""
        st, H, c = self.steps, self.params.hidden_size, COLORS
        units = np.arange(H)
        self.bars_W = ax.barh(units - 0.2, np.zeros(H), height=0.4, color=c["blue"], label="via W (from t+1)")
        self.bars_V = ax.barh(units + 0.2, np.zeros(H), height=0.4, color=c["orange"], label="via V (from o_t)")
        (self.total_dots,) = ax.plot(np.zeros(H), units, "o", color="black", ms=4, label="sum: δh_t")
        lim = 1.15 * max(np.abs(st.via_W).max(), np.abs(st.via_V).max(), np.abs(st.delta_h).max(), 1e-12)
        # the rows are the heatmap's (shared y: unit 0 on top), so its unit numbers serve both
        ax.set(xlim=(-lim, lim), xlabel="part of δh_t[i]", title="δh_t at step t")
        ax.tick_params(labelleft=False)
        ax.xaxis.set_major_locator(MaxNLocator(3, symmetric=True))
        ax.xaxis.set_major_formatter("{x:g}")
        self.zero_split = ax.axvline(0, color="black", lw=0.6)
        self.img_dW = _image(ax_dW, np.zeros((H, H)), st.dW_so_far)
        ax_dW.set(xticks=range(0, H, 5), yticks=range(0, H, 5), xlabel="unit j at t",
                  ylabel="unit i at t-1", title="dL/dW so far")
        bar = self.fig.colorbar(self.img_dW, ax=ax_dW, label="dW[i, j]", pad=0.02)
        bar.locator, bar.formatter = MaxNLocator(3, symmetric=True), "{x:g}"

    def _draw_norms(self, ax, ax_key):
        """Right, above dW: the norms of dU, dW, dV so far (dashed: final); above the split: its key."""
        so_far = (self.steps.dU_so_far, self.steps.dW_so_far, self.steps.dV_so_far)
        ax.bar(range(3), [np.linalg.norm(g[0]) for g in so_far], width=0.6, fill=False, ec="grey", ls="--")
        self.norm_bars = ax.bar(range(3), np.zeros(3), 0.6, color=[COLORS[k] for k in ("green", "blue", "purple")])
        ax.set_xticks(range(3), ["‖dU‖", "‖dW‖", "‖dV‖"])
        top = max(np.linalg.norm(g, axis=(1, 2)).max() for g in so_far)   # norms need not grow
        ax.set(ylim=(0, 1.15 * max(top, 1e-12)), title="Norms so far (dashed: final)")
        ax.yaxis.set_major_locator(MaxNLocator(2))
        ax_key.axis("off")
        ax_key.legend(handles=[self.bars_W, self.bars_V, self.total_dots], loc="center left",
                      frameon=False, borderaxespad=0, handlelength=1.2, labelspacing=0.25)

    def update(self, t):
        """Show the backward pass after processing steps 7 down to t; returns an HTML line."""
        t = check_int(t, "t", minimum=0, maximum=WIDTH - 1)
        st, c, n = self.steps, COLORS, np.linalg.norm
        for s, bar in enumerate(self.out_bars):
            bar.set_color(c["vermillion"] if s == t else c["blue"] if s > t else "#cccccc")
        self.heat.set_data(np.where(np.arange(WIDTH) >= t, st.delta_h[:, 0, :].T, np.nan))
        self.cursor.set_x(t - 0.5)
        for bar, v in zip([*self.bars_W, *self.bars_V], np.r_[st.via_W[t, 0], st.via_V[t, 0]]):
            bar.set_width(v)
        self.total_dots.set_xdata(st.delta_h[t, 0])
        self.img_dW.set_data(st.dW_so_far[t])
        grads = (st.dU_so_far[t], st.dW_so_far[t], st.dV_so_far[t])
        for bar, g in zip(self.norm_bars, grads):
            bar.set_height(n(g))
        y, o = int(self.targets[t, 0]), self.trace.output[t, 0]
        return (f"<b>t = {t}</b> (bit {t}, LSB first): target y = {y}, output o = {o:.3f}, "
                f"δo = {st.delta_out[t, 0]:+.4f} &nbsp;|&nbsp; ‖δh_t‖ = {n(st.delta_h[t, 0]):.4f} "
                f"(via W: {n(st.via_W[t, 0]):.4f}, via output: {n(st.via_V[t, 0]):.4f}) &nbsp;|&nbsp; "
                "gradient so far: " + ", ".join(f"‖d{k}‖ = {n(g):.4f}" for k, g in zip("UWV", grads)))
