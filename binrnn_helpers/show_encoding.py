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
from .style import COLORS, TEXT
from .widgets import bake_background, freeze_layout

#: One column of a column addition: bit t of a and of b, the carry coming in from column t-1,
#: the sum bit written under the column, and the carry going out to column t+1.
Step = namedtuple("Step", "t a_bit b_bit carry_in sum_bit carry_out")

_GREY = "#999999"
_LABEL = 14                 # row labels and values, a little larger than the 12 pt header
_DIGIT = 16                 # the digits of the addition, larger still


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
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.3, 4.5), layout="constrained")
    ax1.set(ylim=(0, 0.8), yticks=np.arange(0, 0.75, 0.1))    # room above the 1/2 line: legend, note
    bars = ax1.bar(range(width), rate, color=COLORS["blue"], label="counted")
    _label_bars(ax1, bars, [f"{r:.3f}" for r in rate], color="white")
    ax1.axhline(0.5, color=COLORS["vermillion"], ls="--", lw=1, label="limit 1/2")
    if rate[-1] == 0:       # the note sits above the 1/2 line; its arrow points down to the empty column
        ax1.annotate(f"never: the sum\nfits {width} bits", (width - 1, 0.14), xytext=(width - 0.4, 0.78),
                     ha="right", va="top", arrowprops=dict(arrowstyle="->", lw=0.8, relpos=(0.85, 0)))
    ax1.set(xticks=range(width), ylabel="fraction of pairs with carry out = 1",
            xlabel="column t\n(0 = least significant, read first)",
            title=f"How often column t carries ({counts.sum():,} pairs)")
    ax1.legend(loc="upper left")
    ax2.set(ylim=(0, counts.max() * 1.08))
    bars = ax2.bar(range(width + 1), counts, color=COLORS["orange"])
    _label_bars(ax2, bars, [f"{c:,}" for c in counts], color="black")
    ax2.set(xticks=range(width + 1), ylabel="number of pairs",
            xlabel="number of columns that carry,\nin one sum", title="Carries per sum")
    return fig


def _label_bars(ax, bars, labels, color):
    """Write each bar's value up along the bar, inside its top: 12 pt numbers written across would
    be wider than the bars.  A short bar (under a fifth of the axes' height) gets it just above."""
    top = ax.get_ylim()[1]
    for bar, label in zip(bars, labels):
        x, height = bar.get_x() + bar.get_width() / 2, bar.get_height()
        inside = height >= top / 5
        ax.annotate(label, (x, height), xytext=(0, -4 if inside else 4), textcoords="offset points",
                    rotation=90, ha="center", va="top" if inside else "bottom",
                    color=color if inside else "black")


class _ColumnAddition:
    """Column addition of a + b drawn on one Axes; ``show(a, b, t)`` fills in its digits.

    Column of bit k at x = width-1-k (x = -1: place 2**width, where a last carry would go).
    Rows top to bottom (y in ROWS): place value and step t, carry into each column, a, b, sum.
    """

    ROWS = {"place": 5.05, "t": 4.5, "carry": 3.7, "a": 2.85, "b": 2.05, "line": 1.4, "sum": 0.6}

    def __init__(self, ax, width=8):
        self.width, y = width, self.ROWS
        ax.set(xlim=(-3.1, width + 1.3), ylim=(-0.85, 5.45))
        ax.set_axis_off()
        self.highlight = ax.add_patch(Rectangle((0, 0.15), 0.9, 4.0, facecolor=COLORS["sky"],
                                                alpha=0.3, edgecolor=COLORS["blue"], lw=1.2))
        ax.plot([-1.45, width - 0.5], [y["line"]] * 2, color="black", lw=1.2)
        grey = dict(fontsize=TEXT, color=_GREY, ha="center", va="center")
        for k in range(width + 1):              # the header: place value and step of each column
            ax.text(width - 1 - k, y["place"], f"{2**k}", **grey)
            if k < width:
                ax.text(width - 1 - k, y["t"], f"{k}", **grey)
        for row, label in (("place", "place value"), ("t", "step t"), ("carry", "carry"),
                           ("a", "a"), ("b", "+ b"), ("sum", "sum")):
            head = row in ("place", "t")
            ax.text(-1.5, y[row], label, ha="right", va="center", fontsize=TEXT if head else _LABEL,
                    color=_GREY if head else COLORS["vermillion"] if row == "carry" else "black")
        ax.text((width - 3.5) / 2, -0.5, "\u2190 the network reads the columns right to left: "
                "bit t at step t", ha="center", va="center", color="#444")

        def row(name, n, size=_DIGIT, **kw):
            return [ax.text(width - 1 - k, y[name], "", ha="center", va="center", fontsize=size, **kw)
                    for k in range(n)]

        self.carry = row("carry", width + 1, _LABEL, fontweight="bold")
        self.a, self.b, self.sum = row("a", width), row("b", width), row("sum", width)
        self.side = [ax.text(width - 0.25, y[r], "", ha="left", va="center", fontsize=_LABEL)
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
        self.fig = Figure(figsize=(9.3, 3.6), layout="constrained")     # 930 x 360 px: a deck's widget
        self.ax = self.fig.add_subplot()
        self.drawing = _ColumnAddition(self.ax, self.width)
        self.title = self.ax.set_title(" ")
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


#: Where column_addition_filmstrip draws its rows (y): the header, a and b, the rule; the row of
#: step t is at y = -t, and the carry step t passes on sits CARRY_UP above it, one column left.
STAIRS = {"place": 3.75, "t": 3.2, "a": 2.35, "b": 1.5, "line": 0.75}
CARRY_UP = 0.45


def column_addition_filmstrip(a=9, b=60, width=8):
    """All ``width`` steps of a + b in one drawing, one row per step (the static counterpart of
    the frame): row t adds column t, writes its sum bit under the bits written before, and writes
    the carry it passes on, small, above the next column to the left.

    Columns as in the frame: bit k at x = width-1-k.  One row per step instead of one panel per
    step keeps every digit 12 pt or more in a figure a deck shows at full size (942 x 470 px).
    """
    width = check_int(width, "width", minimum=1, maximum=16)
    steps = column_addition_steps(a, b, width)             # validates a, b before drawing
    y, right = STAIRS, width - 0.25                        # right: where "= 9", "so far 5" start
    fig, ax = plt.subplots(figsize=(9.3, 1.7 + 0.36 * width), layout="constrained")
    ax.set(xlim=(-5.6, width + 1.4), ylim=(-width + 0.55, y["place"] + 0.4))
    ax.set_axis_off()
    ax.set_title(f"Column addition of {a} + {b} = {a + b}: one column (one time step) per row, "
                 "right to left")

    def label(row_y, text, **kw):               # a row's label, right-aligned left of the digits
        ax.text(-1.6, row_y, text, ha="right", va="center", **kw)

    def digit(t, row_y, bit, **kw):             # a digit in the column of bit t
        ax.text(width - 1 - t, row_y, bit, ha="center", va="center", fontsize=_DIGIT, **kw)

    for k in range(width + 1):                  # the header: place value and step of each column
        ax.text(width - 1 - k, y["place"], f"{2**k}", color=_GREY, ha="center", va="center")
        if k < width:
            ax.text(width - 1 - k, y["t"], f"{k}", color=_GREY, ha="center", va="center")
    label(y["place"], "place value", color=_GREY)
    label(y["t"], "step t", color=_GREY)
    label(y["a"], "a", fontsize=_LABEL)
    label(y["b"], "+ b", fontsize=_LABEL)
    for s in steps:
        digit(s.t, y["a"], s.a_bit)
        digit(s.t, y["b"], s.b_bit)
    ax.text(right, y["a"], f"= {a}", ha="left", va="center", fontsize=_LABEL)
    ax.text(right, y["b"], f"= {b}", ha="left", va="center", fontsize=_LABEL)
    ax.plot([-1.45, width - 0.5], [y["line"]] * 2, color="black", lw=1.2)
    label(y["line"], "step t:  a + b + carry in", color=_GREY)

    for s in steps:                             # the row of step t, at y = -t
        row = -s.t
        label(row, f"step {s.t}:  {s.a_bit} + {s.b_bit} + {s.carry_in} = {s.a_bit + s.b_bit + s.carry_in}",
              fontsize=_LABEL)
        ax.add_patch(Rectangle((width - 1 - s.t - 0.45, row - 0.42), 0.9, 0.84, facecolor=COLORS["sky"],
                               alpha=0.3, edgecolor=COLORS["blue"], lw=1.2))
        for done in steps[:s.t]:                # the sum bits written at the steps before
            digit(done.t, row, done.sum_bit)
        digit(s.t, row, s.sum_bit, fontweight="bold", color=COLORS["blue"])     # the new one
        ax.text(width - 2 - s.t, row + CARRY_UP, s.carry_out, ha="center", va="center", fontweight="bold",
                color=COLORS["vermillion"] if s.carry_out else _GREY)
        so_far = f"= {a + b}" if s.t == width - 1 else f"so far {(a + b) % 2 ** (s.t + 1)}"
        ax.text(right, row, so_far, ha="left", va="center", fontsize=_LABEL)
    ax.text(width - 2.3, CARRY_UP, "carry out \u2192", ha="right", va="center", color=COLORS["vermillion"])
    return fig
