"""Figures, widgets and reference derivatives for notebook 03, backpropagation through time.

Notation (as in the notebook): T time steps t = 0..T-1, N examples, H hidden units.

    z^h_t = x_t @ U + h_{t-1} @ W   (N, H)   h_t = sigmoid(z^h_t), h_{-1} = 0
    z^o_t = h_t @ V                 (N, 1)   o_t = sigmoid(z^o_t)
    L = 0.5 * sum_t sum_n (y_t - o_t)**2

    delta_out[t] = dL/dz^o_t = (o_t - y_t) * o_t (1 - o_t)                             (N, 1)
    delta_h[t]   = dL/dz^h_t = (delta_h[t+1] @ W.T + delta_out[t] @ V.T) * h_t (1 - h_t)  (N, H)
                   with delta_h[T] = 0

In a ``Trace`` the hidden states are shifted by one: ``trace.hidden[t + 1]`` is h_t and
``trace.hidden[0]`` is h_{-1} = 0.
"""
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from . import style
from .encoding import addition_batch, check_int
from .model import Params, Trace, check_inputs, check_params, check_targets, forward

WIDTH = 8  # bits per sum in this notebook's examples


# --------------------------------------------------------------------------------------------
# The backward pass, step by step (what the widget and the static figure show)
# --------------------------------------------------------------------------------------------
@dataclass
class BackwardSteps:
    """Every intermediate of one backward pass through time.

    delta_out (T, N): dL/dz^o_t.  delta_h (T, N, H): dL/dz^h_t.
    via_W (T, N, H): (delta_h[t+1] @ W.T) * h_t (1 - h_t), the part of delta_h[t] that arrived
    from later steps through W (zero at t = T-1).  via_V (T, N, H): (delta_out[t] @ V.T) *
    h_t (1 - h_t), the part from this step's own output.  delta_h = via_W + via_V (up to rounding).
    dU_so_far (T, 2, H), dW_so_far (T, H, H), dV_so_far (T, H, 1): the gradients accumulated
    after the backward pass has processed steps T-1, T-2, ..., t (so index 0 is the full gradient).
    """
    delta_out: np.ndarray
    delta_h: np.ndarray
    via_W: np.ndarray
    via_V: np.ndarray
    dU_so_far: np.ndarray
    dW_so_far: np.ndarray
    dV_so_far: np.ndarray


def backward_steps(params, trace, targets):
    """Run backpropagation through time and keep every step's deltas and running gradients.

    params: Params.  trace: the Trace from ``forward(params, inputs)``.  targets: (T, N).
    Returns a ``BackwardSteps``; ``dU_so_far[0]`` etc. equal ``bh.backward``'s gradients.
    """
    check_params(params)
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be the Trace returned by forward, got {type(trace).__name__}")
    y = check_targets(targets, trace.inputs)
    x, hid, o = trace.inputs, trace.hidden, trace.output
    T, N, _ = x.shape
    H = params.hidden_size
    if hid.shape != (T + 1, N, H):
        raise ValueError(f"trace.hidden must have shape {(T + 1, N, H)} for these params, "
                         f"got {hid.shape}")
    delta_out = np.zeros((T, N))
    delta_h, via_W, via_V = (np.zeros((T, N, H)) for _ in range(3))
    dU, dW, dV = np.zeros((T, 2, H)), np.zeros((T, H, H)), np.zeros((T, H, 1))
    gU, gW, gV = np.zeros((2, H)), np.zeros((H, H)), np.zeros((H, 1))
    later = np.zeros((N, H))                                   # delta_h[T] = 0
    for t in reversed(range(T)):
        slope_out = o[t] * (1 - o[t])
        d_out = ((o[t] - y[t]) * slope_out)[:, None]              # (N, 1)
        slope_h = hid[t + 1] * (1 - hid[t + 1])                   # (N, H)
        from_W, from_V = np.dot(later, params.W.T), np.dot(d_out, params.V.T)
        d_h = (from_W + from_V) * slope_h                         # (N, H)
        gV += np.dot(hid[t + 1].T, d_out)
        gW += np.dot(hid[t].T, d_h)
        gU += np.dot(x[t].T, d_h)
        delta_out[t], delta_h[t] = d_out[:, 0], d_h
        via_W[t], via_V[t] = from_W * slope_h, from_V * slope_h
        dU[t], dW[t], dV[t] = gU, gW, gV
        later = d_h
    return BackwardSteps(delta_out, delta_h, via_W, via_V, dU, dW, dV)


def _one_sum(params, a, b):
    check_params(params)
    half = 2 ** (WIDTH - 1)
    a = check_int(a, "a", minimum=0, maximum=half - 1)
    b = check_int(b, "b", minimum=0, maximum=half - 1)
    x, y = addition_batch(np.array([a]), np.array([b]), WIDTH)
    trace = forward(params, x)
    return a, b, x, y, trace, backward_steps(params, trace, y)


# --------------------------------------------------------------------------------------------
# Independent references: derivatives by the complex-step method
# --------------------------------------------------------------------------------------------
_STEP = 1e-30  # complex step; the derivative is Im(f(z + i*STEP)) / STEP, exact to rounding


def _csigmoid(z):
    return 1 / (1 + np.exp(-z))


def complex_step_output_delta(o, y):
    """dL/dz^o for L = 0.5 (y - sigmoid(z))**2 at z = logit(o), element-wise, by complex step.

    Independent of the formula (o - y) o (1 - o): it differentiates the loss itself.  Unlike a
    finite difference, f(z + i h) has no subtraction, so h can be tiny and the derivative is
    right to the last few digits.  o: outputs strictly between 0 and 1; y: targets, same shape.
    """
    o = np.asarray(o, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if o.shape != y.shape:
        raise ValueError(f"o and y must have the same shape, got {o.shape} and {y.shape}")
    if not np.all((o > 0) & (o < 1)):
        raise ValueError("o must hold outputs strictly between 0 and 1")
    z = np.log(o) - np.log1p(-o)
    return np.imag(0.5 * (y - _csigmoid(z + 1j * _STEP)) ** 2) / _STEP


def complex_step_hidden_deltas(params, inputs, targets):
    """dL/dz^h_t for every step, example and hidden unit, by complex step: (T, N, H).

    For each (t, j) the forward pass is re-run with i*STEP added to the pre-activation z^h_t[:, j]
    of every example at once (examples do not interact, and each example's loss is kept
    separate), so no backward recursion is involved at all.
    """
    check_params(params)
    x = check_inputs(inputs)
    y = check_targets(targets, x)
    trace = forward(params, x)
    T, N, _ = x.shape
    H = params.hidden_size
    out = np.zeros((T, N, H))
    for t in range(T):
        z = np.dot(x[t], params.U) + np.dot(trace.hidden[t], params.W)        # (N, H)
        for j in range(H):
            zc = z.astype(np.complex128)
            zc[:, j] += 1j * _STEP
            h = _csigmoid(zc)
            per_example = 0.5 * (y[:t] - trace.output[:t]) ** 2               # real, (t, N)
            total = per_example.sum(axis=0).astype(np.complex128)
            for s in range(t, T):
                if s > t:
                    h = _csigmoid(np.dot(x[s], params.U) + np.dot(h, params.W))
                o = _csigmoid(np.dot(h, params.V))[:, 0]
                total = total + 0.5 * (y[s] - o) ** 2
            out[t, :, j] = np.imag(total) / _STEP
    return out


# --------------------------------------------------------------------------------------------
# How far back does the error reach?
# --------------------------------------------------------------------------------------------
def reach_back(params, inputs):
    """Mean over examples of |d o_{T-1} / d h_{T-1-k}| (Euclidean norm) for k = 0..T-1: (T,).

    How strongly the last step's output responds to the hidden state k steps earlier; the same
    chain of factors carries the last step's error back to step T-1-k in the backward pass.
    g_0 = o (1 - o) V.T, then g_{k+1} = (g_k * h_s (1 - h_s)) @ W.T with s = T-1-k.
    """
    check_params(params)
    x = check_inputs(inputs)
    trace = forward(params, x)
    T = x.shape[0]
    h = trace.hidden[1:]                                       # (T, N, H): h[t] = h_t
    o_last = trace.output[-1]                                  # (N,)
    g = (o_last * (1 - o_last))[:, None] * params.V.T          # (N, H): d o_{T-1} / d h_{T-1}
    norms = [np.linalg.norm(g, axis=1).mean()]
    for k in range(1, T):
        s = T - k                                              # g is d o / d h_s
        g = np.dot(g * (h[s] * (1 - h[s])), params.W.T)        # d o / d h_{s-1}
        norms.append(np.linalg.norm(g, axis=1).mean())
    return np.array(norms)


# --------------------------------------------------------------------------------------------
# Static figures
# --------------------------------------------------------------------------------------------
def _check_vector_pair(o, y, name_o="o", name_y="y"):
    o = np.asarray(o, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if o.ndim != 1 or o.size == 0:
        raise ValueError(f"{name_o} must be a non-empty 1-D array (one value per time step), "
                         f"got shape {o.shape}")
    if y.shape != o.shape:
        raise ValueError(f"{name_y} must have the same shape as {name_o} {o.shape}, got {y.shape}")
    return o, y


def plot_loss_and_error(o, y):
    """The loss the post descends and the error it prints, for one sum.

    o, y: (T,) outputs and target bits, LSB first.  Left: per step, |y - o| (the printed error
    adds these) and 0.5 (y - o)**2 (the loss adds these).  Right: both as functions of the gap
    |y - o|, with this sum's steps marked.
    """
    import matplotlib.pyplot as plt
    o, y = _check_vector_pair(o, y)
    gap = np.abs(y - o)
    T = o.size
    c = style.COLORS
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained",
                                      width_ratios=[1.4, 1])
    t = np.arange(T)
    left.bar(t - 0.2, gap, width=0.4, color=c["orange"],
             label=f"|y - o|  (printed error adds to {gap.sum():.4f})")
    left.bar(t + 0.2, 0.5 * gap ** 2, width=0.4, color=c["blue"],
             label=f"0.5 (y - o)²  (loss adds to {0.5 * np.sum(gap ** 2):.4f})")
    left.set_xticks(t)
    left.set_xlabel("time step t (bit position, LSB first)")
    left.set_ylabel("contribution of step t")
    left.set_title("Per step: what the printed error and the loss add up")
    left.set_ylim(0, 1.3 * max(1e-12, gap.max()))
    left.legend(loc="upper left", fontsize=8, frameon=False)
    e = np.linspace(0, 1, 201)
    right.plot(e, e, color=c["orange"], label="|y - o|   (printed, slope ±1)")
    right.plot(e, 0.5 * e ** 2, color=c["blue"], label="0.5 (y - o)²   (descended, slope y - o)")
    right.plot(gap, gap, "o", color=c["orange"], ms=5)
    right.plot(gap, 0.5 * gap ** 2, "o", color=c["blue"], ms=5)
    right.set_xlabel("gap |y - o| at one step")
    right.set_ylabel("contribution")
    right.set_title("The same gap, counted two ways")
    right.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def plot_difference_errors(eps, one_sided_error, central_error):
    """|numerical - analytic| for one weight against the step eps, for both difference formulas.

    eps, one_sided_error, central_error: (K,) arrays.  Log-log axes.
    """
    import matplotlib.pyplot as plt
    eps = np.asarray(eps, dtype=np.float64)
    errs = []
    for name, v in (("one_sided_error", one_sided_error), ("central_error", central_error)):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != eps.shape or eps.ndim != 1 or eps.size < 2:
            raise ValueError(f"{name} must be a 1-D array of the same shape as eps "
                             f"(at least 2 values), got {v.shape} and eps {eps.shape}")
        errs.append(v)
    if not np.all(eps > 0):
        raise ValueError("eps must hold positive step sizes")
    c = style.COLORS
    fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
    floor = 1e-18  # an error of exactly 0 cannot sit on a log axis
    ax.loglog(eps, np.maximum(errs[0], floor), "o-", color=c["orange"],
              label="one-sided  (L(w+ε) - L(w)) / ε")
    ax.loglog(eps, np.maximum(errs[1], floor), "s-", color=c["blue"],
              label="central  (L(w+ε) - L(w-ε)) / 2ε")
    ax.set_xlabel("step ε")
    ax.set_ylabel("|numerical - analytic gradient|")
    ax.set_title("Why central differences: error against step size")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def _lay_out_and_bake(fig, live):
    """Lay the figure out once, render everything but the ``live`` artists once, and from then
    on show that picture behind the live artists.  Returns the background axes.

    Why: text is what makes matplotlib slow (every tick label is laid out and rasterised on every
    draw), and a frame changes only a few artists.  So the rest -- axes, ticks, labels, titles,
    colour bars, legends -- is drawn once into an RGBA image, which a full-figure background axes
    shows; those static artists are then hidden.  A redraw draws one image plus the live artists.

    It also does the job of ``widgets.freeze_layout`` (run the layout engine once, then remove the
    engine entirely so that every ``savefig`` draws the figure once), in the same Agg pass that
    renders the background, so building a frame costs one full draw, not two.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    live = list(live)
    for artist in live:
        artist.set_visible(False)
    canvas = FigureCanvasAgg(fig)            # a private Agg canvas, just for this one picture
    canvas.draw()                            # runs the layout engine, then renders
    background = np.asarray(canvas.buffer_rgba()).copy()
    fig.set_layout_engine(None)              # keep this layout; no engine, no second draw
    fig.set_canvas(FigureCanvasBase(fig))    # back to a plain canvas, as built
    keep = set(map(id, live))
    for artist in live:
        artist.set_visible(True)
    for ax in fig.axes:
        for child in ax.get_children():
            if id(child) not in keep:
                child.set_visible(False)
    for child in fig.get_children():
        if child not in fig.axes:
            child.set_visible(False)
    back = fig.add_axes((0, 0, 1, 1), zorder=-100)
    back.imshow(background, aspect="auto", interpolation="nearest")
    back.set_axis_off()
    return back


def _diverging_cmap():
    return matplotlib.colormaps[style.DIVERGING].with_extremes(bad="#ececec")


def plot_backward_overview(params, a, b, label="untrained network"):
    """The whole backward pass for a + b at once (the static counterpart of the widget).

    Top: the output delta delta_out[t] at every step.  Middle: the hidden deltas delta_h[t] as a
    heatmap, hidden unit x time step.  Bottom: per step, the size (Euclidean norm) of delta_h[t]
    and of its two parts: arrived through W from later steps, and from this step's output.
    """
    import matplotlib.pyplot as plt
    a, b, x, y, trace, st = _one_sum(params, a, b)
    T, H = WIDTH, params.hidden_size
    c = style.COLORS
    fig, (ax_o, ax_h, ax_n) = plt.subplots(3, 1, figsize=(8, 8.2), sharex=True,
                                           height_ratios=[1, 2.1, 1.2], layout="constrained")
    t = np.arange(T)
    ax_o.bar(t, st.delta_out[:, 0], color=c["vermillion"], width=0.6)
    ax_o.axhline(0, color="black", lw=0.6)
    for ti in t:
        ax_o.text(ti, 0, f"y={int(y[ti, 0])}\no={trace.output[ti, 0]:.2f}", ha="center",
                  va="bottom" if st.delta_out[ti, 0] < 0 else "top", fontsize=7)
    lim = 1.5 * np.abs(st.delta_out).max()
    ax_o.set_ylim(-lim, lim)
    ax_o.set_ylabel("δo_t = ∂L/∂z^o_t")
    ax_o.set_title(f"Output delta at each step: (o - y) o (1 - o)   [{a} + {b} = {a + b}, {label}]")
    vmax = np.abs(st.delta_h).max()
    im = ax_h.imshow(st.delta_h[:, 0, :].T, cmap=style.DIVERGING, vmin=-vmax, vmax=vmax,
                     aspect="auto", interpolation="nearest")
    ax_h.set_ylabel("hidden unit i")
    ax_h.set_yticks(range(0, H, 2))
    ax_h.set_title("Hidden delta δh_t = ∂L/∂z^h_t, computed right to left (t = 7 first)")
    cax = ax_h.inset_axes((1.015, 0.0, 0.025, 1.0))   # beside the heatmap; keeps the columns aligned
    fig.colorbar(im, cax=cax, label="δh_t[i]")
    norm = lambda v: np.linalg.norm(v[:, 0, :], axis=1)  # noqa: E731
    ax_n.plot(t, norm(st.delta_h), "o-", color=c["black"], label="‖δh_t‖ (total)")
    ax_n.plot(t, norm(st.via_W), "s--", color=c["blue"], label="‖part via W from step t+1‖")
    ax_n.plot(t, norm(st.via_V), "^--", color=c["orange"], label="‖part via V from o_t‖")
    ax_n.set_xlabel("time step t (bit position, LSB first)")
    ax_n.set_ylabel("Euclidean norm")
    ax_n.set_xticks(t)
    ax_n.set_ylim(bottom=0)
    ax_n.set_title("Where each step's hidden delta comes from")
    ax_n.legend(fontsize=8, frameon=False, ncols=3, loc="upper center")
    ax_n.set_ylim(0, 1.35 * max(norm(st.delta_h).max(), norm(st.via_W).max(), norm(st.via_V).max()))
    return fig


def plot_reach_back(norms_by_length):
    """How far back each step's error reaches: one log-scale panel per sequence length.

    norms_by_length: {T: {label: (T,) array}} with the mean |d o_{T-1} / d h_{T-1-k}| for
    k = 0..T-1 (as ``reach_back`` returns).  A grey line halves per step, for reference.
    """
    import matplotlib.pyplot as plt
    if not isinstance(norms_by_length, dict) or not norms_by_length:
        raise TypeError("norms_by_length must be a non-empty dict {T: {label: norms}}")
    colors = [style.COLORS[k] for k in ("blue", "vermillion", "green", "purple")]
    fig, axes = plt.subplots(1, len(norms_by_length), figsize=(5 * len(norms_by_length), 3.8),
                             layout="constrained", squeeze=False)
    for ax, (T, curves) in zip(axes[0], norms_by_length.items()):
        k = np.arange(T)
        first = None
        for color, (label, v) in zip(colors, curves.items()):
            v = np.asarray(v, dtype=np.float64)
            if v.shape != (T,):
                raise ValueError(f"norms for T = {T}, {label!r} must have shape ({T},), got {v.shape}")
            ax.semilogy(k, np.where(v > 0, v, np.nan), "o-", ms=3, color=color, label=label)
            first = v[0] if first is None else max(first, v[0])
        ax.semilogy(k, first * 0.5 ** k, color="grey", lw=1, ls=":", label="halving per step")
        ax.set_xlabel("distance back in time k (steps)")
        ax.set_ylabel("mean ‖∂o_t / ∂h_(t-k)‖,  t = T-1")
        ax.set_title(f"Sequences of T = {T} steps")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    fig.suptitle("How strongly the last output depends on the hidden state k steps earlier")
    return fig


# --------------------------------------------------------------------------------------------
# The widget frame
# --------------------------------------------------------------------------------------------
class BackwardStepFrame:
    """Scrub backward through time for one sum a + b (a, b < 128).

    ``update(t)`` shows the backward pass after it has processed steps 7, 6, ..., t: the output
    delta of every step (processed ones coloured, step t highlighted); the hidden deltas computed
    so far (hidden unit x time step; steps before t still blank); the hidden delta delta_h[t]
    split into the part that arrived through W from step t+1 and the part from this step's
    output through V; the running gradient dW as a heatmap; and, as text, this step's numbers
    and the norms of dU, dW, dV accumulated so far.
    """

    def __init__(self, params, a, b, label="untrained network"):
        self.a, self.b, self.inputs, self.targets, self.trace, self.steps = _one_sum(params, a, b)
        self.params = params
        self.label = str(label)
        st, T, H = self.steps, WIDTH, params.hidden_size
        c = style.COLORS
        self.fig = fig = Figure(figsize=(10, 5.5), dpi=80, layout="constrained")
        gs = GridSpec(2, 3, figure=fig, height_ratios=[1, 2.3], width_ratios=[1.45, 1, 1.15])
        self.ax_heat = fig.add_subplot(gs[1, 0])
        self.ax_out = fig.add_subplot(gs[0, 0], sharex=self.ax_heat)
        self.ax_split = fig.add_subplot(gs[1, 1])
        self.ax_dW = fig.add_subplot(gs[1, 2])
        self.ax_norm = fig.add_subplot(gs[0, 1])
        ax_key = fig.add_subplot(gs[0, 2])
        ax_key.axis("off")
        fig.suptitle(f"Backward through time for {self.a} + {self.b} = {self.a + self.b} "
                     f"({self.label})")
        steps_t = np.arange(T)

        # output deltas
        self.out_bars = self.ax_out.bar(steps_t, st.delta_out[:, 0], width=0.6, color=c["sky"])
        self.zero_out = self.ax_out.axhline(0, color="black", lw=0.6)
        lim = 1.25 * max(np.abs(st.delta_out).max(), 1e-12)
        self.ax_out.set_ylim(-lim, lim)
        self.ax_out.tick_params(labelbottom=False)
        self.ax_out.yaxis.set_major_locator(MaxNLocator(4))
        self.ax_out.set_ylabel("δo_t")
        self.ax_out.set_title("Output delta (o - y) o (1 - o) per step", fontsize=10)

        # hidden delta heatmap, filled right to left
        self.vmax_h = max(np.abs(st.delta_h).max(), 1e-12)
        self.heat = self.ax_heat.imshow(np.full((H, T), np.nan), cmap=_diverging_cmap(),
                                        vmin=-self.vmax_h, vmax=self.vmax_h, aspect="auto",
                                        interpolation="nearest")
        self.cursor = Rectangle((T - 1.5, -0.5), 1, H, fill=False, ec="black", lw=2)
        self.ax_heat.add_patch(self.cursor)
        self.ax_heat.set_xticks(steps_t)
        self.ax_heat.set_yticks(range(0, H, 3))
        self.ax_heat.set_xlabel("time step t (bit position, LSB first)")
        self.ax_heat.set_ylabel("hidden unit i")
        self.ax_heat.set_title("Hidden deltas δh_t computed so far", fontsize=10)
        cb = fig.colorbar(self.heat, ax=self.ax_heat, label="δh_t[i]", pad=0.01)
        cb.locator = MaxNLocator(5)

        # delta_h[t] split into its two sources
        units = np.arange(H)
        self.bars_W = self.ax_split.barh(units - 0.2, np.zeros(H), height=0.4, color=c["blue"],
                                         label="via W (from t+1)")
        self.bars_V = self.ax_split.barh(units + 0.2, np.zeros(H), height=0.4, color=c["orange"],
                                         label="via V (from o_t)")
        (self.total_dots,) = self.ax_split.plot(np.zeros(H), units, "o", color="black", ms=4,
                                                label="sum: δh_t")
        lim = 1.15 * max(np.abs(st.via_W).max(), np.abs(st.via_V).max(), self.vmax_h)
        self.ax_split.set_xlim(-lim, lim)
        self.ax_split.xaxis.set_major_locator(MaxNLocator(3))
        self.ax_split.set_ylim(H - 0.5, -0.5)          # unit 0 on top, as in the heatmap
        self.ax_split.set_yticks(range(0, H, 3))
        self.zero_split = self.ax_split.axvline(0, color="black", lw=0.6)
        self.ax_split.set_xlabel("contribution to δh_t[i]")
        self.ax_split.set_ylabel("hidden unit i")
        self.ax_split.set_title("δh_t at the current step t", fontsize=10)

        # running dW
        self.vmax_g = max(np.abs(st.dW_so_far).max(), 1e-12)
        self.img_dW = self.ax_dW.imshow(np.zeros((H, H)), cmap=style.DIVERGING,
                                        vmin=-self.vmax_g, vmax=self.vmax_g, aspect="auto",
                                        interpolation="nearest")
        self.ax_dW.set_xticks(range(0, H, 5))
        self.ax_dW.set_yticks(range(0, H, 5))
        self.ax_dW.set_xlabel("hidden unit j (receiving, at step t)")
        self.ax_dW.set_ylabel("hidden unit i (sending, from step t-1)")
        self.ax_dW.set_title("dL/dW accumulated so far", fontsize=10)
        cb = fig.colorbar(self.img_dW, ax=self.ax_dW, label="dW[i, j]", pad=0.01)
        cb.locator = MaxNLocator(5)

        # norms of the three gradients so far, the final values as dashed outlines
        finals = [np.linalg.norm(st.dU_so_far[0]), np.linalg.norm(st.dW_so_far[0]),
                  np.linalg.norm(st.dV_so_far[0])]
        self.ax_norm.bar(range(3), finals, width=0.6, fill=False, ec="grey", ls="--")
        self.norm_bars = self.ax_norm.bar(range(3), [0, 0, 0], width=0.6,
                                          color=[c["green"], c["blue"], c["purple"]])
        self.ax_norm.set_xticks(range(3), ["‖dU‖", "‖dW‖", "‖dV‖"])
        top = max(np.linalg.norm(g, axis=(1, 2)).max()
                  for g in (st.dU_so_far, st.dW_so_far, st.dV_so_far))  # norms need not grow
        self.ax_norm.set_ylim(0, 1.15 * max(top, 1e-12))
        self.ax_norm.yaxis.set_major_locator(MaxNLocator(4))
        self.ax_norm.set_ylabel("norm")
        self.ax_norm.set_title("Gradient norms so far (dashed: final)", fontsize=10)

        ax_key.legend(handles=[self.bars_W, self.bars_V, self.total_dots], loc="center left",
                      fontsize=9, frameon=False, borderaxespad=0,
                      title="middle panel: δh_t split\nby where it came from", title_fontsize=9,
                      alignment="left")
        _lay_out_and_bake(fig, [*self.out_bars, self.zero_out, self.heat, self.cursor, *self.bars_W,
                           *self.bars_V, self.total_dots, self.zero_split, self.img_dW,
                           *self.norm_bars])

    def update(self, t):
        """Show the backward pass after processing steps 7 down to t; returns an HTML line."""
        t = check_int(t, "t", minimum=0, maximum=WIDTH - 1)
        st, c = self.steps, style.COLORS
        for s, bar in enumerate(self.out_bars):
            bar.set_color(c["vermillion"] if s == t else c["blue"] if s > t else "#cccccc")
        shown = np.full((self.params.hidden_size, WIDTH), np.nan)
        shown[:, t:] = st.delta_h[t:, 0, :].T
        self.heat.set_data(shown)
        self.cursor.set_x(t - 0.5)
        for bar, v in zip(self.bars_W, st.via_W[t, 0]):
            bar.set_width(v)
        for bar, v in zip(self.bars_V, st.via_V[t, 0]):
            bar.set_width(v)
        self.total_dots.set_xdata(st.delta_h[t, 0])
        self.img_dW.set_data(st.dW_so_far[t])
        n = np.linalg.norm
        for bar, g in zip(self.norm_bars, (st.dU_so_far[t], st.dW_so_far[t], st.dV_so_far[t])):
            bar.set_height(n(g))
        y, o = int(self.targets[t, 0]), self.trace.output[t, 0]
        return (f"<b>t = {t}</b> (bit {t}, LSB first): target y = {y}, output o = {o:.3f}, "
                f"δo = {st.delta_out[t, 0]:+.4f} &nbsp;|&nbsp; ‖δh_t‖ = "
                f"{n(st.delta_h[t, 0]):.4f} (via W: {n(st.via_W[t, 0]):.4f}, via output: "
                f"{n(st.via_V[t, 0]):.4f}) &nbsp;|&nbsp; gradient so far: ‖dU‖ = "
                f"{n(st.dU_so_far[t]):.4f}, ‖dW‖ = {n(st.dW_so_far[t]):.4f}, "
                f"‖dV‖ = {n(st.dV_so_far[t]):.4f}")


def example_frames():
    """[(name, frame, states)] for the redraw benchmark and the browser test."""
    from .model import init_params
    frame = BackwardStepFrame(init_params(16, seed=0), 9, 60)
    return [("BackwardStepFrame", frame, [(t,) for t in range(WIDTH - 1, -1, -1)])]
