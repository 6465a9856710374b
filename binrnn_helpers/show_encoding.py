"""Figures and the widget frame of notebook 01: column addition with its carry.

Columns are drawn as people write a number, most significant bit on the left; the network reads
them right to left, bit t of ``n`` (``(n >> t) & 1``) at time step t.
"""
from collections import namedtuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .encoding import all_pairs, carries, check_int, one_sum, ripple_carry
from .style import COLORS
from .widgets import bake_background, freeze_layout

#: One column of a column addition: bit t of a and of b, the carry coming in from column t-1,
#: the sum bit written under the column, and the carry going out to column t+1.
Step = namedtuple("Step", "t a_bit b_bit carry_in sum_bit carry_out")

_GREY = "#999999"


def column_addition_steps(a, b, width=8):
    """The ``width`` columns of a + b (ints, a + b < 2**width), bit 0 first: a list of Steps."""
    inputs, _ = one_sum(a, b, width)                        # (width, 1, 2)
    sum_bits, carry_out = (bits[:, 0].tolist() for bits in ripple_carry(inputs))
    carry_in = [0] + carry_out[:-1]
    return [Step(t, int(x[0]), int(x[1]), carry_in[t], sum_bits[t], carry_out[t])
            for t, x in enumerate(inputs[:, 0])]


def carry_statistics(a=None, b=None, width=8):
    """Carries of the pairs a, b (N,) (default ``all_pairs(width)``): ``(rate, counts)``.

    rate (width,): fraction of pairs whose column t carries out; counts (width+1,): counts[k] =
    number of pairs whose addition carries k times.
    """
    if a is None and b is None:
        a, b = all_pairs(width)
    carry = carries(a, b, width)                            # (width, N)
    if carry.shape[1] == 0:
        raise ValueError("a and b must hold at least one pair")
    return carry.mean(axis=1), np.bincount(carry.sum(axis=0), minlength=width + 1)


def carry_statistics_figure(a=None, b=None, width=8):
    """Two bar charts over the pairs (default all 16,384): carry rate per column; carries per sum."""
    rate, counts = carry_statistics(a, b, width)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ax1.bar_label(ax1.bar(range(width), rate, color=COLORS["blue"], label="counted over the pairs"),
                  fmt="{:.3f}", fontsize=8, padding=3)
    ax1.axhline(0.5, color=COLORS["vermillion"], ls="--", lw=1, label="1/2")
    if rate[-1] == 0:
        ax1.annotate(f"never:\nthe sum\nfits {width} bits", (width - 1, 0.03), xytext=(width - 1, 0.2),
                     ha="center", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.8))
    ax1.set(xticks=range(width), ylim=(0, 0.6), ylabel="fraction of pairs with carry out = 1",
            xlabel="column t (bit position; 0 = least significant, read first)",
            title=f"How often column t carries ({counts.sum():,} pairs)")
    ax1.legend(loc="upper left", fontsize=8)
    ax2.bar_label(ax2.bar(range(width + 1), counts, color=COLORS["orange"]), fmt="{:,}", fontsize=8)
    ax2.set(xticks=range(width + 1), ylim=(0, counts.max() * 1.15), ylabel="number of pairs",
            xlabel="number of columns that carry, in one sum", title="Carries per sum")
    return fig


class _ColumnAddition:
    """Column addition of a + b drawn on one Axes; ``show(a, b, t)`` fills in its digits.

    Column of bit k at x = width-1-k (x = -1: place 2**width, where a last carry would go).
    Rows top to bottom (y in ROWS): place value and step t, carry into each column, a, b, sum.
    """

    ROWS = {"place": 5.05, "t": 4.55, "carry": 3.75, "a": 2.85, "b": 2.05, "line": 1.4, "sum": 0.6}

    def __init__(self, ax, width=8, fontsize=13, note=True):
        self.width, y = width, self.ROWS
        ax.set(xlim=(-2.9, width + 1.5), ylim=(-0.75 if note else -0.2, 5.4))
        ax.set_axis_off()
        self.highlight = ax.add_patch(Rectangle((0, 0.15), 0.9, 4.0, facecolor=COLORS["sky"],
                                                alpha=0.3, edgecolor=COLORS["blue"], lw=1.2))
        ax.plot([-1.45, width - 0.5], [y["line"]] * 2, color="black", lw=1.2)
        small, big = fontsize * 0.62, fontsize * 0.85
        grey = dict(fontsize=small, color=_GREY, ha="center", va="center")
        for k in range(width + 1):              # the header: place value and step of each column
            ax.text(width - 1 - k, y["place"], f"{2**k}", **grey)
            if k < width:
                ax.text(width - 1 - k, y["t"], f"{k}", **grey)
        for row, label in (("place", "place value"), ("t", "step t"), ("carry", "carry"),
                           ("a", "a"), ("b", "+ b"), ("sum", "sum")):
            head = row in ("place", "t")
            ax.text(-1.5, y[row], label, ha="right", va="center", fontsize=small if head else big,
                    color=_GREY if head else COLORS["vermillion"] if row == "carry" else "black")
        if note:
            ax.text((width - 3.5) / 2, -0.45, "\u2190 the network reads the columns right to left: "
                    "bit t at step t", ha="center", va="center", fontsize=big, color="#444")

        def row(name, n, size=fontsize, **kw):
            return [ax.text(width - 1 - k, y[name], "", ha="center", va="center", fontsize=size, **kw)
                    for k in range(n)]

        self.carry = row("carry", width + 1, big, fontweight="bold")
        self.a, self.b, self.sum = row("a", width), row("b", width), row("sum", width)
        self.side = [ax.text(width - 0.25, y[r], "", ha="left", va="center", fontsize=big)
                     for r in ("a", "b", "sum")]

    def show(self, a, b, t):
        """Draw a + b after column t has been added: carries into columns 0..t+1, sum bits 0..t."""
        steps = column_addition_steps(a, b, self.width)
        t = check_int(t, "t", minimum=0, maximum=self.width - 1)
        self.highlight.set_x(self.width - 1 - t - 0.45)
        for s in steps:
            self.a[s.t].set_text(s.a_bit)
            self.b[s.t].set_text(s.b_bit)
            self.sum[s.t].set(text=s.sum_bit if s.t <= t else "", fontweight=(
                "bold" if s.t == t else "normal"), color=COLORS["blue"] if s.t == t else "black")
        carry = [s.carry_in for s in steps] + [steps[-1].carry_out]
        for k, text in enumerate(self.carry):
            text.set(text=carry[k] if k <= t + 1 else "", color=COLORS["vermillion"] if carry[k] else _GREY)
        so_far = f"= {a + b}" if t == self.width - 1 else f"so far {(a + b) % 2 ** (t + 1)}"
        for text, value in zip(self.side, (f"= {a}", f"= {b}", so_far)):
            text.set_text(value)
        return steps


class ColumnAdditionFrame:
    """Widget frame: ``update(t)`` shows a + b after column (time step) t has been added, that
    column highlighted and the carry into every column so far."""

    def __init__(self, a=9, b=60, width=8):
        self.width = check_int(width, "width", minimum=1, maximum=16)
        column_addition_steps(a, b, self.width)                # validates a and b
        self.a, self.b = a, b
        self.fig = Figure(figsize=(7.6, 3.4), dpi=80, layout="constrained")
        self.ax = self.fig.add_subplot()
        self.drawing = _ColumnAddition(self.ax, self.width)
        self.title = self.ax.set_title(" ", fontsize=12)
        self.drawing.show(0, 0, 0)
        freeze_layout(self.fig)
        d = self.drawing                        # the header, labels and rule go into the background
        bake_background(self.fig, keep=[d.highlight, *d.carry, *d.a, *d.b, *d.sum, *d.side, self.title])

    def update(self, t):
        a, b = self.a, self.b
        steps = self.drawing.show(a, b, t)
        s = steps[t]
        self.title.set_text(f"{a} + {b}, step t = {t}")
        written = "".join(str(x.sum_bit) for x in reversed(steps[:t + 1]))
        return (f"step {t}: a<sub>{t}</sub>={s.a_bit}, b<sub>{t}</sub>={s.b_bit}, "
                f"carry in {s.carry_in} &rarr; sum bit {s.sum_bit}, carry out {s.carry_out}"
                f" &nbsp;|&nbsp; sum bits written so far (bit {t}..0): <code>{written}</code>")


def column_addition_filmstrip(a=9, b=60, width=8):
    """All ``width`` steps of a + b, one panel per step: the static counterpart of the frame."""
    width = check_int(width, "width", minimum=1, maximum=16)
    column_addition_steps(a, b, width)                     # validates a, b before drawing
    nrows = -(-width // 2)
    fig, axes = plt.subplots(nrows, 2, figsize=(12, 2.6 * nrows), layout="constrained", squeeze=False)
    for ax in axes.ravel()[width:]:
        ax.set_visible(False)
    for t, ax in enumerate(axes.ravel()[:width]):
        s = _ColumnAddition(ax, width, fontsize=11, note=t >= width - 2).show(a, b, t)[t]
        ax.set_title(f"step t = {t}: {s.a_bit} + {s.b_bit} + carry {s.carry_in} "
                     f"= {s.a_bit + s.b_bit + s.carry_in} \u2192 sum bit {s.sum_bit}, "
                     f"carry out {s.carry_out}", fontsize=10)
    fig.suptitle(f"Column addition of {a} + {b} = {a + b}, one column (one time step) at a time", fontsize=13)
    return fig
