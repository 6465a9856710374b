"""Figures and widgets for notebook 01, binary encoding: column addition with its carry.

Columns are drawn as people write a number, most significant bit on the left; the network
reads them right to left, bit 0 first (time step t reads bit t).  Bit t of ``n`` is
``(n >> t) & 1`` throughout.
"""
import functools
from collections import namedtuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from .encoding import all_pairs, check_int, check_operands
from .style import COLORS
from .widgets import freeze_layout

#: One column of a column addition: bit t of a and of b, the carry coming in from column t-1,
#: the sum bit written under the column, and the carry going out to column t+1.
Step = namedtuple("Step", "t a_bit b_bit carry_in sum_bit carry_out")

_GREY = "#999999"
_LIGHT = "#DDDDDD"


def column_addition_steps(a, b, width=8):
    """The ``width`` columns of ``a + b`` as done on paper, rightmost (bit 0) first.

    a, b: non-negative integers with ``a + b < 2**width`` (the sum must fit ``width`` bits).
    Returns a list of ``width`` Step(t, a_bit, b_bit, carry_in, sum_bit, carry_out), all ints.
    """
    width = check_int(width, "width", minimum=1, maximum=63)
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    if a + b >= 2**width:
        raise ValueError(f"a + b must be < 2**width = {2**width} to fit {width} bits, "
                         f"got {a} + {b} = {a + b}")
    steps, carry = [], 0
    for t in range(width):
        a_bit, b_bit = (a >> t) & 1, (b >> t) & 1
        column = a_bit + b_bit + carry              # 0, 1, 2 or 3
        steps.append(Step(t, a_bit, b_bit, carry, column % 2, column // 2))
        carry = column // 2
    return steps


def carry_bits(a, b, width=8):
    """The carry out of every column, for many pairs at once, time-major like ``addition_batch``.

    a, b: (N,) non-negative integers.  Returns uint8 (width, N): ``carries[t, i]`` is 1 when
    column t of ``a[i] + b[i]`` carries into column t+1, i.e. when the low t+1 bits of a[i]
    and b[i] add up to 2**(t+1) or more.  (A sum that needs more than ``width`` bits shows
    as a carry out of the last column.)
    """
    width = check_int(width, "width", minimum=1, maximum=62)
    a, b = check_operands(a, b)
    m = 2 ** np.arange(1, width + 1, dtype=np.int64)[:, None]     # (width, 1): 2**(t+1)
    return ((a % m + b % m) >= m).astype(np.uint8)


def carry_statistics(a=None, b=None, width=8):
    """How often each column carries, and how many carries each sum has.

    a, b: (N,) pairs; default ``all_pairs(width)``.  Returns ``(rate, counts)``:
    ``rate`` (width,) float, the fraction of pairs whose column t carries out (LSB first);
    ``counts`` (width+1,) int, ``counts[k]`` = number of pairs whose addition carries k times.
    """
    if a is None and b is None:
        a, b = all_pairs(width)
    elif a is None or b is None:
        raise TypeError("pass both a and b, or neither (then all_pairs(width) is used)")
    carries = carry_bits(a, b, width)
    n = carries.shape[1]
    if n == 0:
        raise ValueError("a and b must hold at least one pair")
    rate = carries.sum(axis=1) / n
    counts = np.bincount(carries.sum(axis=0), minlength=width + 1)
    return rate, counts


def carry_statistics_figure(a=None, b=None, width=8):
    """Two panels over the pairs (default all 16,384): carry rate per column; carries per sum."""
    if a is None and b is None:
        a, b = all_pairs(width)
    rate, counts = carry_statistics(a, b, width)
    n = int(counts.sum())
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    t = np.arange(width)
    ax1.bar(t, rate, color=COLORS["blue"], label="counted over the pairs")
    for x, r in zip(t, rate):
        ax1.text(x, r + 0.01, f"{r:.3f}", ha="center", va="bottom", fontsize=8)
    ax1.axhline(0.5, color=COLORS["vermillion"], ls="--", lw=1, label="1/2")
    if rate[-1] == 0:
        ax1.annotate("never: the sum\nfits the bits", (width - 1, 0.03), xytext=(width - 1.5, 0.2),
                     ha="center", fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.8))
    ax1.set_xticks(t)
    ax1.set_ylim(0, 0.6)
    ax1.set_xlabel("column t (bit position; 0 = least significant, read first)")
    ax1.set_ylabel("fraction of pairs with carry out = 1")
    ax1.set_title(f"How often column t carries ({n:,} pairs)")
    ax1.legend(loc="upper left", fontsize=8)
    k = np.arange(width + 1)
    ax2.bar(k, counts, color=COLORS["orange"])
    for x, c in zip(k, counts):
        ax2.text(x, c, f"{c:,}", ha="center", va="bottom", fontsize=8)
    ax2.set_xticks(k)
    ax2.set_ylim(0, counts.max() * 1.15)
    ax2.set_xlabel("number of columns that carry, in one sum")
    ax2.set_ylabel("number of pairs")
    ax2.set_title("Carries per sum")
    return fig


@functools.lru_cache(maxsize=512)
def _glyph_path(string, size, ha):
    """The outline of ``string`` at ``size`` points, aligned ``ha`` and centred on digit height."""
    path = TextPath((0, 0), string, prop=FontProperties(size=size))
    x0, x1 = path.vertices[:, 0].min(), path.vertices[:, 0].max()   # control points: close enough
    dx = -(x0 + x1) / 2 if ha == "center" else -x1
    return path.transformed(Affine2D().translate(dx, -0.36 * size))


@functools.lru_cache(maxsize=8)
def _digit_marker(digit, bold):
    """A MarkerStyle drawing the digit (parsing mathtext once, not for every Line2D)."""
    return MarkerStyle(f"$\\mathbf{{{digit}}}$" if bold else f"${digit}$")


def _static_text(ax, items, size):
    """Fixed labels drawn as one PathCollection of glyph outlines instead of many Text artists.

    items: [(x, y, string, color, ha)] with x, y in data coordinates, ha "center"/"right";
    ``size`` in points; strings are single lines, vertically centred on their digits' height.
    A Text costs about a millisecond per redraw; this costs one draw call for all of them.
    """
    paths, offsets, colors = [], [], []
    for x, y, string, color, ha in items:
        paths.append(_glyph_path(string, size, ha))
        offsets.append((x, y))
        colors.append(color)
    coll = PathCollection(paths, offsets=offsets, offset_transform=ax.transData,
                          transform=Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans,
                          facecolors=colors, edgecolors="none", clip_on=False)
    ax.add_collection(coll, autolim=False)
    return coll


class _BitRow:
    """One row of bits drawn as digit markers: a Line2D of 0s and a Line2D of 1s.

    Markers (``"$0$"``, ``"$1$"``) redraw far faster than one Text per bit; ``set`` moves them.
    """

    def __init__(self, ax, y, size, color0, color1, weight="normal"):
        self.y = y
        style = dict(ls="none", ms=size, markeredgewidth=0)
        zero, one = _digit_marker(0, weight == "bold"), _digit_marker(1, weight == "bold")
        self.lines = (ax.plot([], [], marker=zero, color=color0, **style)[0],
                      ax.plot([], [], marker=one, color=color1, **style)[0])

    def set(self, xs, bits):
        xs, bits = np.asarray(xs, dtype=float), np.asarray(bits)
        for value, line in enumerate(self.lines):
            keep = bits == value
            line.set_data(xs[keep], np.full(keep.sum(), self.y))

    def read(self):
        """``{x: bit}`` for every bit drawn."""
        out = {}
        for value, line in enumerate(self.lines):
            for x in line.get_xdata():
                out[float(x)] = value
        return out


class _ColumnAdditionDrawing:
    """Column addition of a + b on one Axes, with its artists kept for redrawing.

    Columns left to right: a 9th column (place value 2**width, where a carry out of the last
    column would go), then bit width-1 ... bit 0 (x = width-1-bit).  Rows top to bottom:
    place value and the time step t that reads the column; the carry into each column; a;
    b; the sum bits written so far.  Bits are markers (see _BitRow); every Text costs about
    a millisecond per redraw, so the figure has few.
    """

    #: the y position of each row, in data coordinates
    ROWS = {"place": 5.05, "t": 4.55, "carry": 3.75, "a": 2.85, "b": 2.05, "line": 1.4, "sum": 0.6}

    def __init__(self, ax, width=8, fontsize=13, side_text=True, note=True):
        self.ax, self.width = ax, width
        ax.set_xlim(-2.9, width + (1.5 if side_text else 0.1))
        ax.set_ylim(-0.75 if note else -0.2, 5.4)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        small, label_size = fontsize * 0.62, fontsize * 0.85
        y = self.ROWS
        self.highlight = Rectangle((0, 0.15), 0.9, 4.0, facecolor=COLORS["sky"], alpha=0.3,
                                   edgecolor=COLORS["blue"], lw=1.2)
        ax.add_patch(self.highlight)
        ax.plot([-1.45, width - 0.5], [y["line"]] * 2, color="black", lw=1.2)
        heads = [(-1.5, y["place"], "place value", _GREY, "right"),
                 (-1.5, y["t"], "step t", _GREY, "right")]
        for col in range(-1, width):            # col -1 is the 9th column, place 2**width
            bit = width - 1 - col
            heads.append((col, y["place"], f"{2**bit}", _GREY, "center"))
            if bit < width:
                heads.append((col, y["t"], f"{bit}", _GREY, "center"))
        self.header = _static_text(ax, heads, small)
        labels = [(-1.5, y["carry"], "carry", COLORS["vermillion"], "right")]
        labels += [(-1.5, y[row], label, "black", "right")
                   for row, label in (("a", "a"), ("b", "+ b"), ("sum", "sum"))]
        if note:
            labels.append(((width - 3.5) / 2, -0.45, "\u2190 the network reads the columns "
                           "right to left: bit t at step t", "#444444", "center"))
        self.labels = _static_text(ax, labels, label_size)
        digit = fontsize * 0.75                 # marker size giving digits of the font's size
        self.carry = _BitRow(ax, y["carry"], digit * 0.85, _GREY, COLORS["vermillion"], "bold")
        self.a = _BitRow(ax, y["a"], digit, "black", "black")
        self.b = _BitRow(ax, y["b"], digit, "black", "black")
        self.sum = _BitRow(ax, y["sum"], digit, "black", "black")
        self.sum_now = _BitRow(ax, y["sum"], digit, COLORS["blue"], COLORS["blue"], "bold")
        self.side_a = self.side_b = self.side_sum = None
        if side_text:
            self.side_a, self.side_b, self.side_sum = (
                ax.text(width - 0.25, y[row], "", ha="left", va="center", fontsize=label_size)
                for row in ("a", "b", "sum"))

    def x(self, bit):
        """The x position of the column of ``bit`` (bit == width: the 9th column)."""
        return self.width - 1 - np.asarray(bit)

    def show(self, a, b, t):
        """Draw the state after column t of a + b has been added; return its Steps."""
        width = self.width
        steps = column_addition_steps(a, b, width)
        t = check_int(t, "t", minimum=0, maximum=width - 1)
        bits = np.arange(width)
        self.highlight.set_x(self.x(t) - 0.45)
        self.a.set(self.x(bits), [s.a_bit for s in steps])
        self.b.set(self.x(bits), [s.b_bit for s in steps])
        done = bits[:t]                         # columns finished before this step
        self.sum.set(self.x(done), [steps[i].sum_bit for i in done])
        self.sum_now.set([self.x(t)], [steps[t].sum_bit])
        # the carry row holds the carry *into* each column: known for columns 0..t+1
        carries = [s.carry_in for s in steps[:t + 1]] + [steps[t].carry_out]
        self.carry.set(self.x(np.arange(t + 2)), carries)
        if self.side_a is not None:
            self.side_a.set_text(f"= {a}")
            self.side_b.set_text(f"= {b}")
            low = (a + b) % 2 ** (t + 1)
            self.side_sum.set_text(f"= {a + b}" if t == width - 1 else f"so far {low}")
        return steps

    def shown(self):
        """What the drawing shows now, read back from its artists, as lists indexed by bit
        (None where nothing is drawn), plus the bit whose column is highlighted (for tests)."""
        width = self.width

        def by_bit(row, n):
            drawn = {}
            for r in (row,) if not isinstance(row, tuple) else row:
                drawn.update(r.read())
            return [drawn.get(float(self.x(bit))) for bit in range(n)]

        return {"carry": by_bit(self.carry, width + 1), "a": by_bit(self.a, width),
                "b": by_bit(self.b, width), "sum": by_bit((self.sum, self.sum_now), width),
                "sum_current": by_bit(self.sum_now, width),
                "highlighted_bit": int(round(width - 1 - (self.highlight.get_x() + 0.45)))}


class ColumnAdditionFrame:
    """Widget frame: a + b added column by column; ``update(a, b, t)`` shows the state after step t.

    The current column is highlighted; the carry row shows the carry into every column added
    so far and the carry just produced; the sum row shows the sum bits written so far.
    """

    def __init__(self, width=8):
        self.width = check_int(width, "width", minimum=1, maximum=16)
        self.fig = Figure(figsize=(7.6, 3.4), dpi=80, layout="constrained")
        ax = self.fig.add_subplot()
        self.drawing = _ColumnAdditionDrawing(ax, self.width)
        self.title = ax.set_title(" ", fontsize=12)
        self.ax = ax
        self.drawing.show(0, 0, 0)
        freeze_layout(self.fig)
        # no layout engine at all (not even the placeholder that freeze_layout leaves): with
        # one, every savefig draws the figure twice and a redraw costs ~25% more
        self.fig.set_layout_engine(None)

    def update(self, a, b, t):
        steps = self.drawing.show(a, b, t)
        s = steps[t]
        self.title.set_text(f"{a} + {b}, step t = {t}")
        written = "".join(str(x.sum_bit) for x in reversed(steps[:t + 1]))
        return (f"step {t}: a<sub>{t}</sub>={s.a_bit}, b<sub>{t}</sub>={s.b_bit}, "
                f"carry in {s.carry_in} &rarr; sum bit {s.sum_bit}, carry out {s.carry_out}"
                f" &nbsp;|&nbsp; sum bits written so far (bit {t}..0): <code>{written}</code>")


def column_addition_filmstrip(a=9, b=60, width=8):
    """All ``width`` steps of a + b, one panel per step (the static page's widget)."""
    width = check_int(width, "width", minimum=1, maximum=16)
    column_addition_steps(a, b, width)                     # validates a, b before drawing
    ncols = 2
    nrows = -(-width // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(12, 2.6 * nrows), layout="constrained")
    axes = np.atleast_1d(axes).ravel()
    for t, ax in enumerate(axes):
        if t >= width:
            ax.set_visible(False)
            continue
        bottom = t >= width - ncols
        steps = _ColumnAdditionDrawing(ax, width, fontsize=11, note=bottom).show(a, b, t)
        s = steps[t]
        ax.set_title(f"step t = {t}: {s.a_bit} + {s.b_bit} + carry {s.carry_in} "
                     f"= {s.a_bit + s.b_bit + s.carry_in} \u2192 sum bit {s.sum_bit}, "
                     f"carry out {s.carry_out}", fontsize=10)
    fig.suptitle(f"Column addition of {a} + {b} = {a + b}, one column (one time step) at a time",
                 fontsize=13)
    return fig


def example_frames():
    """``[(name, frame, states)]`` for the redraw benchmark and browser tests.

    The sliders span 128 x 128 x 8 states; ``states`` holds every step t of a few telling
    pairs: the post's first logged example, the longest carry chain, the largest sum, no carry.
    """
    pairs = [(9, 60), (127, 1), (127, 127), (85, 42), (0, 0)]
    states = [(a, b, t) for a, b in pairs for t in range(8)]
    return [("column addition", ColumnAdditionFrame(), states)]
