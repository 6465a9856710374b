"""Figures and widgets for notebook 02, the forward pass: one step, then eight.

Time steps are bit positions, least significant bit (LSB) first: step t reads bit t of a and
of b.  ``h_t`` is the hidden state *after* reading bit t; in ``bh.forward``'s trace it is
``trace.hidden[t + 1]`` (``trace.hidden[0]`` is the zero state before the first step).

Static figures (each returns a new pyplot Figure):
    hidden_heatmap(ax, params, a, b)              one heatmap, hidden unit x time step, on ``ax``
    plot_hidden_heatmaps({label: params}, a, b)   heatmaps side by side, one shared colour bar
    plot_sigmoid()                                the sigmoid and its slope s(1 - s)
    plot_unrolled()                               the network unrolled over 8 steps (a diagram)
    plot_carry_separation({label: separation})    how well the best single hidden unit tells
                                                  carry = 1 from carry = 0, over all 16,384 pairs
                                                  (separation = carry_separation(params))
    plot_forward_summary({label: params}, a, b)   inputs, hidden state and outputs at every step
                                                  (the static counterpart of ForwardStepFrame)
Widget frame:
    ForwardStepFrame({label: params}, a, b).update(t, label) -> str;  example_frames()
Numbers behind the figures:
    hidden_states, carry_bits, best_threshold_accuracy, carry_separation
"""
import html

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullFormatter

from . import style
from .encoding import addition_batch, all_pairs, check_int, check_operands
from .model import Params, forward
from .widgets import bake_background, freeze_layout

WIDTH = 8  # bits per number; the network runs one time step per bit


_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _sub(n):
    """An integer as Unicode subscript digits (cheaper to draw than mathtext): _sub(-1) == "₋₁"."""
    return str(n).translate(_SUBSCRIPT)


# ----------------------------------------------------------------------------- argument checks
def _check_params(params, name="params"):
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be a binrnn_helpers.Params, got {type(params).__name__}")
    return params


def _check_pair(a, b, width=WIDTH):
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    if a + b >= 2 ** width:
        raise ValueError(f"a + b must be < 2**{width} = {2 ** width} to fit {width} bits, "
                         f"got {a} + {b} = {a + b}")
    return a, b


def _check_params_by_label(params_by_label):
    if not isinstance(params_by_label, dict) or not params_by_label:
        raise TypeError("params_by_label must be a non-empty dict {label: Params}, got "
                        f"{type(params_by_label).__name__}"
                        + (" (empty)" if isinstance(params_by_label, dict) else ""))
    for label, p in params_by_label.items():
        if not isinstance(label, str):
            raise TypeError(f"params_by_label keys must be str labels, got {label!r}")
        _check_params(p, f"params_by_label[{label!r}]")
    return params_by_label


# ----------------------------------------------------------------------------- numbers
def hidden_states(params, a, b, width=WIDTH):
    """The hidden state for the single sum a + b as an (H, T) array.

    Row j is hidden unit j, column t the state after reading bit t (LSB first):
    ``forward(params, inputs).hidden[1:, 0, :].T``.
    """
    _check_params(params)
    a, b = _check_pair(a, b, width)
    x, _ = addition_batch(np.array([a]), np.array([b]), width)
    return forward(params, x).hidden[1:, 0, :].T.copy()


def carry_bits(a, b, width=WIDTH):
    """(T, N) uint8: the carry *out of* column t when adding a[i] + b[i] by hand, LSB first.

    Computed with integer arithmetic: the carry out of column t is 1 exactly when the low
    t + 1 bits of a and of b add up to 2**(t + 1) or more.
    """
    width = check_int(width, "width", minimum=1, maximum=62)
    a, b = check_operands(a, b)
    t = np.arange(width, dtype=np.int64)[:, None]
    mask = (np.int64(1) << (t + 1)) - 1
    return (((a & mask) + (b & mask)) >> (t + 1)).astype(np.uint8)


def best_threshold_accuracy(values, labels):
    """How well one number separates two classes: the best accuracy of any threshold rule.

    values: (M,) floats; labels: (M,) 0/1.  A rule says "class 1" for values above a threshold
    (or, flipped, below it); ties are never split.  Returns ``(accuracy, threshold, above)``
    with ``above`` True when class 1 lies above the threshold.  A value that carries no
    information scores the share of the larger class.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    y = np.asarray(labels).ravel()
    if v.size == 0 or v.shape != y.shape:
        raise ValueError(f"values and labels must be non-empty and of the same size, got "
                         f"{np.shape(values)} and {np.shape(labels)}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must hold only 0 and 1")
    y = y.astype(bool)
    order = np.argsort(v, kind="stable")
    vs, ys = v[order], y[order]
    n, n1 = ys.size, int(ys.sum())
    ones_below = np.concatenate([[0], np.cumsum(ys)])          # k = 0..n items below the cut
    zeros_below = np.arange(n + 1) - ones_below
    acc_above = (zeros_below + (n1 - ones_below)) / n          # class 1 above the cut
    valid = np.ones(n + 1, dtype=bool)                          # never cut between equal values
    valid[1:n] = vs[1:] > vs[:-1]
    best_up = np.where(valid, acc_above, -1.0)
    best_down = np.where(valid, 1.0 - acc_above, -1.0)
    k_up, k_down = int(np.argmax(best_up)), int(np.argmax(best_down))
    above = best_up[k_up] >= best_down[k_down]
    k = k_up if above else k_down
    acc = float(best_up[k_up] if above else best_down[k_down])
    if k == 0:
        threshold = vs[0] - 1.0
    elif k == n:
        threshold = vs[-1] + 1.0
    else:
        threshold = 0.5 * (vs[k - 1] + vs[k])
    return acc, float(threshold), bool(above)


def carry_separation(params, width=WIDTH):
    """For every hidden unit, how well its activation h_t[j] alone tells the carry out of step t.

    Runs the network on all pairs (16,384 for 8 bits) and pools every (pair, step).
    Returns a dict: ``accuracy`` (H,) best threshold accuracy per unit, ``best_unit``,
    ``threshold`` and ``above`` of the best unit, ``hidden`` (T, N, H), ``carry`` (T, N),
    and ``baseline``: the accuracy of always guessing the more common carry value.
    """
    _check_params(params)
    a, b = all_pairs(width)
    x, _ = addition_batch(a, b, width)
    hidden = forward(params, x).hidden[1:]                     # (T, N, H): h_t for every pair
    carry = carry_bits(a, b, width)                            # (T, N)
    flat_h = hidden.reshape(-1, hidden.shape[2])
    flat_c = carry.ravel()
    results = [best_threshold_accuracy(flat_h[:, j], flat_c) for j in range(flat_h.shape[1])]
    acc = np.array([r[0] for r in results])
    best = int(np.argmax(acc))
    share = float(flat_c.mean())
    return {"accuracy": acc, "best_unit": best, "threshold": results[best][1],
            "above": results[best][2], "hidden": hidden, "carry": carry,
            "baseline": max(share, 1.0 - share)}


def _single_run(params, a, b, width=WIDTH):
    """Inputs (T, 2), hidden (T, H) = h_t, outputs (T,), predicted and true bits (T,), LSB first."""
    x, y = addition_batch(np.array([a]), np.array([b]), width)
    trace = forward(params, x)
    out = trace.output[:, 0]
    return {"inputs": x[:, 0, :].astype(int), "hidden": trace.hidden[1:, 0, :], "output": out,
            "predicted": (out > 0.5).astype(int), "true": y[:, 0].astype(int)}


# ----------------------------------------------------------------------------- static figures
def hidden_heatmap(ax, params, a, b, title="", mark_carry=False):
    """Draw on ``ax`` the hidden state of the network for the single sum a + b.

    y axis: hidden unit 0..H-1; x axis: time step t = 0..7 (bit position, LSB first).
    Colour: activation in [0, 1] (``style.SEQUENTIAL``, vmin 0, vmax 1); no colour bar (the
    caller adds one, as ``plot_hidden_heatmaps`` does).  ``mark_carry=True`` writes the true
    carry out of each step under its tick.
    Returns the (H, T) array drawn (``forward(...).hidden[1:, 0, :].T``).
    """
    h = hidden_states(params, a, b)
    H, T = h.shape
    ax.imshow(h, cmap=style.SEQUENTIAL, vmin=0.0, vmax=1.0, aspect="auto",
              interpolation="nearest", origin="upper")
    ax.set_xticks(range(T))
    if mark_carry:
        c = carry_bits(np.array([a]), np.array([b]), T)[:, 0]
        ax.set_xticklabels([f"{t}\ncarry {c[t]}" for t in range(T)], fontsize=8)
    ax.set_yticks(range(0, H, 2 if H > 10 else 1))
    ax.set_xlabel("time step t (bit position, LSB first)")
    ax.set_ylabel("hidden unit j")
    ax.set_title(title if title else f"hidden state for {a} + {b}")
    return h


def plot_hidden_heatmaps(params_by_label, a, b, mark_carry=False):
    """One hidden-state heatmap per entry of ``{label: Params}``, side by side, one shared colour bar.

    Returns the Figure; panel titles read ``"<label>: hidden state for a + b"``.
    """
    _check_params_by_label(params_by_label)
    a, b = _check_pair(a, b)
    n = len(params_by_label)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n + 1.0, 4.6 if mark_carry else 4.4),
                             squeeze=False, layout="constrained")
    for ax, (label, p) in zip(axes[0], params_by_label.items()):
        hidden_heatmap(ax, p, a, b, title=f"{label}: hidden state for {a} + {b}",
                       mark_carry=mark_carry)
    fig.colorbar(axes[0][-1].images[0], ax=list(axes[0]), label="activation h_t[j] (0 to 1)",
                 shrink=0.9)
    return fig


def plot_sigmoid(z_max=8.0):
    """The sigmoid s(z) = 1 / (1 + exp(-z)) and its slope s(z) * (1 - s(z)) on [-z_max, z_max]."""
    if isinstance(z_max, bool) or not isinstance(z_max, (int, float)) or not z_max > 0:
        raise ValueError(f"z_max must be a positive number, got {z_max!r}")
    z = np.linspace(-z_max, z_max, 401)
    s = 1 / (1 + np.exp(-z))
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    ax.plot(z, s, color=style.COLORS["blue"], lw=2.2, label="sigmoid $s(z) = 1/(1+e^{-z})$")
    ax.plot(z, s * (1 - s), color=style.COLORS["vermillion"], lw=2.2, ls="--",
            label="slope $s'(z) = s(z)\\,(1 - s(z))$")
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.axvline(0.0, color="0.6", lw=0.8, ls=":")
    ax.annotate("steepest at z = 0:\nslope 0.5 x 0.5 = 0.25", xy=(0, 0.25), xytext=(1.6, 0.3),
                arrowprops=dict(arrowstyle="->", color="0.3"), fontsize=9)
    ax.set_xlim(-z_max, z_max)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("pre-activation z")
    ax.set_ylabel("value")
    ax.set_title("The sigmoid squashes any z into (0, 1); its slope is largest at z = 0")
    ax.legend(loc="upper left", fontsize=9)
    return fig


def plot_unrolled(steps=WIDTH):
    """A diagram of the network unrolled over ``steps`` time steps (default 8).

    Bottom row: inputs x_t = (a_t, b_t); middle: hidden states h_t, each fed by x_t through U
    and by h_{t-1} through W (h_{-1} = 0); top: outputs o_t read from h_t through V.
    """
    steps = check_int(steps, "steps", minimum=1, maximum=12)
    fig, ax = plt.subplots(figsize=(1.15 * steps + 2.4, 3.6), layout="constrained")
    colours = {"x": style.COLORS["sky"], "h": style.COLORS["green"], "o": style.COLORS["orange"]}

    def node(x, y, text, kind):
        ax.text(x, y, text, ha="center", va="center", fontsize=12,
                bbox=dict(boxstyle="round,pad=0.45", facecolor=colours[kind], edgecolor="0.2"))

    def arrow(x0, y0, x1, y1, label, offset, shrink=15):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.15", lw=1.2, shrinkA=shrink,
                                    shrinkB=shrink))
        ax.text((x0 + x1) / 2 + offset[0], (y0 + y1) / 2 + offset[1], label, fontsize=10,
                ha="center", va="center", color="0.1", fontweight="bold")

    node(-1, 1, f"h{_sub(-1)} = 0", "h")
    for t in range(steps):
        node(t, 0, f"x{_sub(t)}", "x")
        node(t, 1, f"h{_sub(t)}", "h")
        node(t, 2, f"o{_sub(t)}", "o")
        arrow(t, 0, t, 1, "U", (-0.17, 0))
        arrow(t, 1, t, 2, "V", (-0.17, 0))
        arrow(t - 1, 1, t, 1, "W", (0, 0.14), shrink=18 if t else 30)
        ax.text(t, -0.38, f"(a{_sub(t)}, b{_sub(t)})", ha="center", va="center", fontsize=9)
        ax.text(t, 2.38, f"bit {t} of sum", ha="center", va="center", fontsize=8)
    for y, text in ((0, "input x_t\n(2 bits)"), (1, "hidden h_t\n(H = 16 units)"),
                    (2, "output o_t\n(1 probability)")):
        ax.text(-2.55, y, text, ha="left", va="center", fontsize=9, color="0.25")
    ax.set_xlim(-2.6, steps - 0.5)
    ax.set_ylim(-0.6, 2.6)
    ax.set_axis_off()
    ax.set_title(f"The network unrolled over {steps} time steps (LSB first): "
                 "the same U, W, V at every step")
    return fig


def plot_carry_separation(separations, width=WIDTH):
    """For each network, the activation of its best carry unit, split by the true carry.

    separations: ``{label: carry_separation(params)}`` (or ``{label: Params}``, computed here).
    Pools every (pair, step) of all pairs; one histogram panel per network, titled with the
    unit and its best threshold accuracy.  Returns the Figure.
    """
    if not isinstance(separations, dict) or not separations:
        raise TypeError("separations must be a non-empty dict {label: carry_separation(params)}")
    seps = {}
    for label, value in separations.items():
        if isinstance(value, Params):
            seps[label] = carry_separation(value, width)
        elif isinstance(value, dict) and {"accuracy", "best_unit", "hidden", "carry"} <= set(value):
            seps[label] = value
        else:
            raise TypeError(f"separations[{label!r}] must be a Params or the dict returned by "
                            f"carry_separation, got {type(value).__name__}")
    n = len(seps)
    fig, axes = plt.subplots(1, n, figsize=(4.8 * n, 3.6), squeeze=False, layout="constrained")
    # x axis in logit units, log(h / (1 - h)): it stretches the regions near 0 and near 1
    # (drawn on a linear axis with hand-placed ticks; matplotlib's "logit" scale is slow to draw)
    # (values beyond the axis, below 10^-10 or above 1 - 10^-10, are counted in the end bins)
    lim = 23.0
    bins = np.linspace(-lim, lim, 70)
    ticks = np.array([1e-10, 1e-6, 0.01, 0.5, 0.99, 1 - 1e-6, 1 - 1e-10])
    tick_labels = ["10⁻¹⁰", "10⁻⁶", "0.01", "0.5", "0.99", "1-10⁻⁶", "1-10⁻¹⁰"]

    def logit(v):
        v = np.clip(v, 1e-300, 1 - 1e-16)
        return np.clip(np.log(v) - np.log1p(-v), -lim, lim)

    for ax, (label, sep) in zip(axes[0], seps.items()):
        j = sep["best_unit"]
        h = logit(sep["hidden"][:, :, j].ravel())
        c = sep["carry"].ravel().astype(bool)
        ax.hist(h[~c], bins=bins, color=style.COLORS["blue"], histtype="step", lw=2,
                label="carry out = 0")
        ax.hist(h[c], bins=bins, color=style.COLORS["orange"], histtype="step", lw=2, ls="--",
                label="carry out = 1")
        if 0 < sep["threshold"] < 1:
            ax.axvline(logit(sep["threshold"]), color="black", ls=":", lw=1.2,
                       label="best threshold")
        ax.set_yscale("log")
        ax.set_xlim(-lim, lim)
        ax.set_xticks(logit(ticks))
        ax.set_xticklabels(tick_labels, fontsize=8)
        ax.set_xlabel(f"activation h_t[{j}] of unit {j} (logit scale)")
        ax.set_ylabel("number of (pair, step) cases")
        ax.set_title(f"{label}: best single unit {j}\nthreshold rule right on "
                     f"{sep['accuracy'][j]:.1%} of cases", fontsize=10)
        ax.yaxis.set_minor_formatter(NullFormatter())
    handles, labels = axes[0][-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
    fig.suptitle(f"Does one hidden unit hold the carry? (all {sep['carry'].shape[1]:,} pairs "
                 f"x {sep['carry'].shape[0]} steps)", fontsize=11)
    return fig


def plot_forward_summary(params_by_label, a, b):
    """Everything the forward pass does for one sum, at every step, for each network.

    One column per network: bottom tick labels give the inputs (a_t, b_t) per step, the middle
    is the hidden-state heatmap (hidden unit x step), the top strip the output probability o_t
    with the predicted and true bit.  Wrong predicted bits are written in vermillion.
    The static counterpart of ``ForwardStepFrame``.  Returns the Figure.
    """
    _check_params_by_label(params_by_label)
    a, b = _check_pair(a, b)
    n = len(params_by_label)
    fig, axes = plt.subplots(2, n, figsize=(4.9 * n + 1.0, 6.2), squeeze=False,
                             gridspec_kw=dict(height_ratios=[1.2, 6]), layout="constrained")
    for col, (label, p) in enumerate(params_by_label.items()):
        run = _single_run(p, a, b)
        T, H = run["hidden"].shape
        ax_o, ax_h = axes[0][col], axes[1][col]
        ax_o.imshow(run["output"][None, :], cmap=style.SEQUENTIAL, vmin=0, vmax=1, aspect="auto")
        for t in range(T):
            o = run["output"][t]
            ax_o.text(t, 0, f"{o:.2f}", ha="center", va="center", fontsize=8,
                      color="black" if o > 0.6 else "white")
        ax_o.set_yticks([0])
        ax_o.set_yticklabels(["o_t"])
        ax_o.set_xticks(range(T))
        ax_o.xaxis.tick_top()
        ax_o.set_xticklabels([f"pred {run['predicted'][t]}\ntrue {run['true'][t]}"
                              for t in range(T)], fontsize=8)
        for t, tick in enumerate(ax_o.get_xticklabels()):
            if run["predicted"][t] != run["true"][t]:
                tick.set_color(style.COLORS["vermillion"])
                tick.set_fontweight("bold")
        wrong = int(np.sum(run["predicted"] != run["true"]))
        ax_o.set_title(f"{label}: output probability per step ({wrong} wrong bit"
                       f"{'' if wrong == 1 else 's'})", fontsize=10)
        im = ax_h.imshow(run["hidden"].T, cmap=style.SEQUENTIAL, vmin=0, vmax=1, aspect="auto",
                         interpolation="nearest")
        ax_h.set_xticks(range(T))
        ax_h.set_xticklabels([f"t={t}\na{_sub(t)}={run['inputs'][t, 0]}\n"
                              f"b{_sub(t)}={run['inputs'][t, 1]}" for t in range(T)], fontsize=8)
        ax_h.set_yticks(range(0, H, 2 if H > 10 else 1))
        ax_h.set_ylabel("hidden unit j")
        ax_h.set_xlabel("time step t with its input bits (LSB first)")
        ax_h.set_title(f"hidden state h_t for {a} + {b}", fontsize=10)
    fig.colorbar(im, ax=list(axes[:, -1]), label="activation / probability (0 to 1)", shrink=0.9)
    fig.suptitle(f"The forward pass for {a} + {b} = {a + b}, step by step", fontsize=12)
    return fig


# ----------------------------------------------------------------------------- widget frame
def _text_ticks(ax, axis, positions, labels, pad=4, fontsize=9):
    """Tick labels drawn as plain texts (an axis's tick machinery costs several ms per redraw).

    axis "x": labels under the axes at data x positions; "y": left of the axes at data y.
    Returns the list of Text artists.
    """
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory
    if axis == "x":
        base = blended_transform_factory(ax.transData, ax.transAxes)
        shift = ScaledTranslation(0, -pad / 72, ax.figure.dpi_scale_trans)
        texts = [ax.text(p, 0, str(lab), ha="center", va="top", fontsize=fontsize,
                         transform=base + shift) for p, lab in zip(positions, labels)]
        ax.set_xticks([])
    else:
        base = blended_transform_factory(ax.transAxes, ax.transData)
        shift = ScaledTranslation(-pad / 72, 0, ax.figure.dpi_scale_trans)
        texts = [ax.text(0, p, str(lab), ha="right", va="center", fontsize=fontsize,
                         transform=base + shift) for p, lab in zip(positions, labels)]
        ax.set_yticks([])
    return texts


class ForwardStepFrame:
    """One time step of the forward pass for a + b, for one of several networks.

    Panels: the bits (a, b, true sum, predicted so far) with step t boxed; the hidden state
    h_t as bars (h_{t-1} as black ticks); the outputs o_0..o_t as bars with the 0.5 line and
    the true bits as rings.  ``update(t, label)`` shows step t of network ``label``.
    Built once on a bare ``Figure``; an update only changes artists (heights, texts, colours).
    Few artists by design: no tick machinery, tick labels and the table are plain texts.
    """

    def __init__(self, params_by_label, a, b):
        from matplotlib.transforms import blended_transform_factory
        _check_params_by_label(params_by_label)
        self.a, self.b = _check_pair(a, b)
        self.labels = list(params_by_label)
        self.runs = {label: _single_run(p, self.a, self.b) for label, p in params_by_label.items()}
        first = self.runs[self.labels[0]]
        self.steps, self.hidden_size = first["hidden"].shape
        T, H = self.steps, self.hidden_size
        self.fig = fig = Figure(figsize=(10.5, 3.4), dpi=80, layout="constrained")
        ax_bits, ax_h, ax_o = fig.subplots(1, 3, width_ratios=[1.1, 1.3, 1.05])
        self.ax_bits, self.ax_h, self.ax_o = ax_bits, ax_h, ax_o

        # bits table: one monospace text per row ("1 0 0 1 ..."), so the columns line up and the
        # table costs a few text lines per redraw; the predicted row is three overlaid texts
        # (right bits in black, wrong in vermillion, steps not yet taken in grey).
        ax_bits.set_xlim(0, 1)
        ax_bits.set_ylim(0, 1)
        ax_bits.set_axis_off()
        rows = {"step t": " ".join(str(t % 10) for t in range(T)),
                "a": " ".join(str(v) for v in first["inputs"][:, 0]),
                "b": " ".join(str(v) for v in first["inputs"][:, 1]),
                "true a+b": " ".join(str(v) for v in first["true"]),
                "predicted": ""}
        self.row_y = dict(zip(rows, np.linspace(0.88, 0.12, len(rows))))
        mono = dict(family="DejaVu Sans Mono", fontsize=12, va="center", ha="left")
        self.row_texts = {}
        for name, digits in rows.items():
            y = self.row_y[name]
            ax_bits.text(0.0, y, name, fontsize=11, va="center", ha="left")
            if digits:
                self.row_texts[name] = ax_bits.text(0.42, y, digits, **mono)
        y = self.row_y["predicted"]
        self.pred_texts = {key: ax_bits.text(0.42, y, "", color=colour, fontweight="bold", **mono)
                           for key, colour in (("right", "black"),
                                               ("wrong", style.COLORS["vermillion"]),
                                               ("future", "0.6"))}
        ax_bits.axhline(0.5 * (self.row_y["true a+b"] + y), xmin=0.0, xmax=1.0, color="0.7", lw=0.8)
        self.column_x = 0.42 + (np.arange(T) + 0.5) * 0.07    # replaced by measured ones below
        self.column_width = 0.07
        self.cursor = Rectangle((0, 0.02), 0.07, 0.96, fill=False, lw=2,
                                edgecolor=style.COLORS["orange"])
        ax_bits.add_patch(self.cursor)
        self.bits_title = ax_bits.set_title("", fontsize=10)

        # hidden state h_t as bars, h_{t-1} as ticks
        units = np.arange(H)
        self.h_bars = ax_h.bar(units, np.zeros(H), color=style.COLORS["green"], width=0.75)
        (self.h_prev,) = ax_h.plot(units, np.zeros(H), ls="none", marker="_", markersize=11,
                                   mew=2, color="black")
        ax_h.axhline(0.5, color="0.8", lw=0.8, zorder=0)
        ax_h.set_xlim(-0.6, H - 0.4)
        ax_h.set_ylim(0, 1.0)
        _text_ticks(ax_h, "x", range(0, H, 3 if H > 10 else 1), range(0, H, 3 if H > 10 else 1))
        _text_ticks(ax_h, "y", [0, 0.5, 1], ["0", "0.5", "1"])
        ax_h.set_xlabel("hidden unit j  (bars: hₜ, black ticks: hₜ₋₁)", labelpad=14)
        ax_h.set_ylabel("activation hₜ[j]", labelpad=18)
        self.h_title = ax_h.set_title("", fontsize=10)

        # outputs o_0..o_t with the threshold and the true bits
        steps = np.arange(T)
        self.o_bars = ax_o.bar(steps, np.zeros(T), color=style.COLORS["blue"], width=0.7)
        ax_o.axhline(0.5, color="0.4", lw=1, ls="--")
        ax_o.plot(steps, first["true"], ls="none", marker="o", mfc="none", mec="black", mew=1.5,
                  markersize=8, zorder=3, clip_on=False)
        ax_o.set_xlim(-0.6, T - 0.4)
        ax_o.set_ylim(0, 1.0)
        _text_ticks(ax_o, "x", steps, steps)
        _text_ticks(ax_o, "y", [0, 0.5, 1], ["0", "0.5", "1"])
        ax_o.set_xlabel("time step t  (rings: true bit)", labelpad=14)
        ax_o.set_ylabel("output oₜ = P(bit is 1)", labelpad=18)
        self.o_title = ax_o.set_title("", fontsize=10)
        self.suptitle = fig.suptitle("", fontsize=11)
        self.update(0, self.labels[0])
        freeze_layout(fig)
        self._measure_columns()
        # Everything that never changes (labels, ticks, the a / b / true rows) is drawn once into
        # a background image: a redraw then draws ~15 texts instead of ~50 (texts dominate).
        # The axes titles keep the height the layout gave them (with the axes off, matplotlib
        # would move them).
        heights = [ax.title.get_position()[1] for ax in (ax_bits, ax_h, ax_o)]
        bake_background(fig, keep=[*self.h_bars, self.h_prev, *self.o_bars, *self.pred_texts.values(),
                                    self.cursor, self.bits_title, self.h_title, self.o_title,
                                    self.suptitle])
        for ax, y in zip((ax_bits, ax_h, ax_o), heights):
            ax.set_title(ax.title.get_text(), y=y, fontsize=10)
        self.update(0, self.labels[0])

    def _measure_columns(self):
        """Where each digit of the monospace rows sits, in ax_bits coordinates (after layout)."""
        text = self.row_texts["a"]
        n = len(text.get_text())
        box = text.get_window_extent()                       # display pixels
        char = box.width / n
        to_axes = self.ax_bits.transAxes.inverted()
        centres = [box.x0 + (2 * t + 0.5) * char for t in range(self.steps)]
        self.column_x = np.array([to_axes.transform((x, 0))[0] for x in centres])
        self.column_width = 1.6 * char / self.ax_bits.bbox.width

    def states(self):
        """Every (t, label) the controls can take."""
        return [(t, label) for label in self.labels for t in range(self.steps)]

    def update(self, t, label):
        """Show step t of network ``label``; return one line of HTML saying what is shown."""
        t = check_int(t, "t", minimum=0, maximum=self.steps - 1)
        if label not in self.runs:
            raise ValueError(f"label must be one of {self.labels}, got {label!r}")
        run = self.runs[label]
        h = run["hidden"]
        prev = h[t - 1] if t > 0 else np.zeros(self.hidden_size)
        for bar, v in zip(self.h_bars, h[t]):
            bar.set_height(v)
        self.h_prev.set_ydata(prev)
        cells = {"right": [" "] * self.steps, "wrong": [" "] * self.steps,
                 "future": [" "] * self.steps}
        for s, bar in enumerate(self.o_bars):
            bar.set_height(run["output"][s] if s <= t else 0.0)
            bar.set_color(style.COLORS["orange"] if s == t else style.COLORS["blue"])
            if s > t:
                cells["future"][s] = "-"
            elif run["predicted"][s] == run["true"][s]:
                cells["right"][s] = str(run["predicted"][s])
            else:
                cells["wrong"][s] = str(run["predicted"][s])
        for key, text in self.pred_texts.items():
            text.set_text(" ".join(cells[key]))
        self.cursor.set_x(self.column_x[t] - self.column_width / 2)
        self.cursor.set_width(self.column_width)
        a_t, b_t = run["inputs"][t]
        p, pred, true = run["output"][t], run["predicted"][t], run["true"][t]
        # plain text (no mathtext) in the texts that change: parsing math costs milliseconds
        # (every glyph drawn costs time, so these stay short)
        self.bits_title.set_text(f"step {t} reads a{_sub(t)} = {a_t}, b{_sub(t)} = {b_t}")
        self.h_title.set_text(f"hidden state h{_sub(t)}")
        self.o_title.set_text(f"o{_sub(t)} = {p:.2f} → predicted {pred}, true {true}")
        self.suptitle.set_text(f"{label} network: {self.a} + {self.b} = {self.a + self.b}, "
                               f"step t = {t}")
        verdict = "right" if pred == true else "wrong"
        return (f"<b>{html.escape(label)}</b> network, t={t}: inputs a_{t}={a_t}, b_{t}={b_t}; "
                f"output p={p:.2f} &rarr; predicted {pred}, true {true} ({verdict})")


_EXAMPLE_CACHE = {}


def example_params():
    """{"untrained": init_params(16, seed=0), "trained": train_fast(seed=0)} (trained once, cached)."""
    if "params" not in _EXAMPLE_CACHE:
        from . import init_params, train_fast          # at call time: the package is loaded
        _EXAMPLE_CACHE["params"] = {"untrained": init_params(16, seed=0),
                                    "trained": train_fast(seed=0)[0]}
    return dict(_EXAMPLE_CACHE["params"])


def example_frames():
    """[(name, frame, states)]: the notebook's frame for 9 + 60 and every (t, label) it can show."""
    frame = ForwardStepFrame(example_params(), 9, 60)
    return [("forward_step_9_plus_60", frame, frame.states())]
