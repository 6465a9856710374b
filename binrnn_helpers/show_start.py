"""Start here: the trained network's answer to any sum, as text, as HTML and in a small widget.

``read_sum(params, a, b)``     what the network reads and writes, step by step (LSB first)
``column_sum(params, a, b)``   one sum written as column addition: the network's answer and Python's
``parse_operand(text, name)``  a number typed into the widget, as a Python int (or a clear ValueError)
``adder_report(params, a, b)`` the widget's view of one sum, as HTML (a test can call it)
``adder_widget(params)``       two text boxes for a and b above that report

The widget has no matplotlib figure (it shows an HTML table), so ``example_frames()`` is empty:
there is nothing for the redraw benchmark to render.
"""
import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .encoding import check_int
from .model import check_params, forward
from .style import COLORS

#: Largest operand the widget accepts, in bits: the table has one column per bit.
WIDGET_MAX_BITS = 256


@dataclass
class SumReading:
    """One sum a + b as the network reads it, one bit of a and of b per time step, LSB first.

    Every list has one entry per time step t = 0 .. steps - 1 (step t holds the bits worth 2**t):
    a_bits, b_bits: the input bits; prob: the output probability o[t] that bit t of the sum is 1;
    net_bits: the network's bits (o[t] > 0.5); true_bits: the bits of a + b.
    network: the integer net_bits spell; true: a + b.
    """
    a: int
    b: int
    a_bits: list
    b_bits: list
    prob: list
    net_bits: list
    true_bits: list
    network: int
    true: int

    @property
    def steps(self):
        return len(self.a_bits)

    @property
    def wrong_steps(self):
        """The time steps whose bit the network got wrong."""
        return [t for t, (n, y) in enumerate(zip(self.net_bits, self.true_bits)) if n != y]


def read_sum(params, a, b):
    """Run the network on a + b for non-negative ints of any size; returns a SumReading.

    It reads max(bits of a, bits of b) + 1 steps (one more for the final carry), as ``bh.add`` does.
    """
    check_params(params)
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    steps = max(a.bit_length(), b.bit_length()) + 1
    a_bits = [(a >> t) & 1 for t in range(steps)]
    b_bits = [(b >> t) & 1 for t in range(steps)]
    inputs = np.array([a_bits, b_bits], dtype=np.float64).T.reshape(steps, 1, 2)   # (T, 1, 2)
    prob = forward(params, inputs).output[:, 0]                                    # (T,)
    net_bits = [int(p > 0.5) for p in prob]
    true = a + b
    return SumReading(a=a, b=b, a_bits=a_bits, b_bits=b_bits, prob=[float(p) for p in prob],
                      net_bits=net_bits, true_bits=[(true >> t) & 1 for t in range(steps)],
                      network=sum(bit << t for t, bit in enumerate(net_bits)), true=true)


def _bits(n):
    k = n.bit_length()
    return "1 bit" if k == 1 else f"{k} bits"


def column_sum(params, a, b):
    """a + b written as a schoolbook column addition, with the network's and Python's answers.

    Returns a few lines of text: a and b right-aligned (with their sizes in bits), a rule, the
    network's sum and Python's, and whether they agree.
    """
    r = read_sum(params, a, b)
    numbers = [f"{n:,}" for n in (r.a, r.b, r.network, r.true)]
    w = max(len(s) for s in numbers)
    verdict = "same" if r.network == r.true else f"DIFFERENT (wrong bits at steps {r.wrong_steps})"
    return "\n".join([
        f"    {numbers[0]:>{w}}   a  ({_bits(r.a)})",
        f"  + {numbers[1]:>{w}}   b  ({_bits(r.b)})",
        "  " + "-" * (w + 2),
        f"    {numbers[2]:>{w}}   the network's sum ({r.steps} steps)",
        f"    {numbers[3]:>{w}}   Python's a + b: {verdict}",
    ])


def parse_operand(text, name, max_bits=WIDGET_MAX_BITS):
    """The non-negative integer written in ``text`` ("1234", "1_000", "1,000", "0b1011", "0x2a").

    Raises ValueError naming ``name`` for anything else (empty, negative, not a number) or for a
    number of more than ``max_bits`` bits; TypeError if ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be typed as text (str), got {type(text).__name__}")
    max_bits = check_int(max_bits, "max_bits", minimum=1)
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise ValueError(f"{name} must be a non-negative integer, got {text.strip()!r}")
    try:
        if cleaned.isdigit():
            value = int(cleaned, 10)
        elif cleaned[:2].lower() in ("0b", "0x", "0o"):
            value = int(cleaned, 0)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name} must be a non-negative integer such as 45, 1_000 or 0b1011, "
                         f"got {text.strip()!r}") from None
    if value.bit_length() > max_bits:
        raise ValueError(f"{name} has {value.bit_length()} bits; this widget takes at most "
                         f"{max_bits} (bh.add itself takes any size)")
    return value


# Shared cell styles, once per report (scoped to the report's class); only marked cells carry their own.
_STYLE = ("<style>.binrnn-adder td{padding:1px 5px;text-align:center;font-family:monospace}"
          ".binrnn-adder th{padding:1px 8px;text-align:right;white-space:nowrap;font-weight:normal}"
          ".binrnn-adder tr.step td{color:#666}.binrnn-adder tr.out td{border-top:1px solid #999}</style>")
_WRONG = f"background:{COLORS['vermillion']};color:white;font-weight:bold"


def _row(key, label, cells, styles=None, css_class=None):
    styles = styles or [""] * len(cells)
    tds = "".join(f'<td style="{s}">{c}</td>' if s else f"<td>{c}</td>" for c, s in zip(cells, styles))
    cls = f' class="{css_class}"' if css_class else ""
    return f'<tr data-row="{key}"{cls}><th>{label}</th>{tds}</tr>'


def adder_report(params, a, b):
    """The network's a + b as HTML: its answer, Python's, and a table of what it read and wrote.

    The table has one column per time step t, in the order the network reads (LSB first, step t
    holds the bits worth 2**t).  Rows (each ``<tr data-row=...>``): "t" the step, "a" and "b"
    the input bits, "o" the output probability (2 decimals), "net" the network's bit, "true"
    the bit of a + b.  Wrong bits are marked in the "net" row (white on vermillion, and bold).
    """
    r = read_sum(params, a, b)
    if r.network == r.true:
        verdict = "&#10004; right"
    else:
        verdict = f"&#10008; wrong in {len(r.wrong_steps)} of {r.steps} bits"
    steps = list(range(r.steps))
    wrong = set(r.wrong_steps)
    net_styles = [_WRONG if t in wrong else "" for t in steps]
    table = "".join([
        _row("t", "time step t", steps, css_class="step"),
        _row("a", "bit t of a", r.a_bits),
        _row("b", "bit t of b", r.b_bits),
        _row("o", "output o = P(bit t is 1)", [f"{p:.2f}" for p in r.prob], css_class="out"),
        _row("net", "network's bit (o &gt; 0.5)", r.net_bits, net_styles),
        _row("true", "true bit t of a + b", r.true_bits),
    ])
    return (
        f'<div class="binrnn-adder">{_STYLE}'
        f'<p><b>network:</b> {r.a:,} + {r.b:,} = <b data-value="network">{r.network:,}</b>'
        f' &nbsp;|&nbsp; <b>Python:</b> <span data-value="true">{r.true:,}</span>'
        f' &nbsp;|&nbsp; {verdict}</p>'
        f'<p>What the network read and wrote, in its order: least significant bit first, '
        f'{r.steps} time steps (bits of the larger number + 1 for the last carry).</p>'
        f'<div style="overflow-x:auto"><table style="border-collapse:collapse">{table}</table></div>'
        '</div>')


def adder_widget(params, a=45, b=78, max_bits=WIDGET_MAX_BITS):
    """Two text boxes for a and b above ``adder_report``; returns an ``ipywidgets.VBox``.

    Text boxes rather than IntText: a browser holds an IntText value as a float64, which is exact
    only below 2**53; text carries a Python int of any size to the kernel.  Input that is not a
    non-negative integer of at most ``max_bits`` bits shows the reason instead of the report.
    """
    check_params(params)
    a = check_int(a, "a", minimum=0)
    b = check_int(b, "b", minimum=0)
    boxes = [widgets.Text(value=str(v), description=name, placeholder="a non-negative integer",
                          layout=widgets.Layout(width="28em"))
             for name, v in (("a", a), ("b", b))]
    out = widgets.HTML()
    out.add_class("binrnn-text")

    def redraw(_change=None):
        try:
            values = [parse_operand(box.value, box.description, max_bits) for box in boxes]
        except ValueError as err:
            out.value = f'<p style="color:{COLORS["vermillion"]}">{html.escape(str(err))}</p>'
            return
        out.value = adder_report(params, *values)

    for box in boxes:
        box.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(boxes), out])


def example_frames():
    """The frames of this notebook for the redraw benchmark: none (its widget is HTML only)."""
    return []
