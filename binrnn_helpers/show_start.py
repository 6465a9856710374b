"""Notebook 00: the trained network's answer to any sum, as text, as HTML and in a small widget.

The widget shows an HTML table (one column per time step), not a matplotlib figure.
"""
import html
import math
from collections import namedtuple

import ipywidgets as widgets

from .encoding import MAX_BITS, check_int, long_ints, one_sum, shown
from .model import check_params, forward
from .style import COLORS
from .widgets import needs_kernel_line

#: Largest operand the widget accepts, in bits: the table has one column per bit.
WIDGET_MAX_BITS = 256


#: a + b as the network reads it: lists with one entry per time step t (bit t, LSB first) of the
#: input bits, the output probability o_t, the network's bit (o_t > 0.5) and the true bit; the
#: integer the network's bits spell, a + b, the number of steps and the steps the network got wrong.
SumReading = namedtuple("SumReading", "a b a_bits b_bits prob net_bits true_bits network true "
                                      "steps wrong_steps")


def read_sum(params, a, b):
    """The network on a + b (ints >= 0 of any size) over ``bh.one_sum(a, b)``'s steps: a SumReading."""
    inputs, targets = one_sum(a, b)                     # (T, 1, 2), (T, 1)
    prob = forward(params, inputs).output[:, 0]         # (T,)
    net_bits = [int(p > 0.5) for p in prob]
    true_bits = targets[:, 0].astype(int).tolist()
    wrong = [t for t, (n, y) in enumerate(zip(net_bits, true_bits)) if n != y]
    return SumReading(int(a), int(b), *inputs[:, 0].T.astype(int).tolist(), prob.tolist(), net_bits,
                      true_bits, sum(bit << t for t, bit in enumerate(net_bits)), int(a) + int(b),
                      len(prob), wrong)


def _bits(n):
    k = n.bit_length()
    return "1 bit" if k == 1 else f"{k} bits"


def column_sum(params, a, b, width=64):
    """a + b as a schoolbook column addition (lines of text): a, b, a rule, the network's sum with
    the number of time steps it ran, and Python's a + b with whether the two agree.

    Digits are grouped by thousands (1,234) when every line then fits in ``width`` characters
    (a slide's output column is 64), else written plain.
    """
    width = check_int(width, "width", minimum=1)
    r = read_sum(params, a, b)
    if r.network == r.true:
        verdict = "same"
    elif len(r.wrong_steps) == 1:
        verdict = f"DIFFERENT (step {r.wrong_steps[0]} wrong)"
    else:
        verdict = f"DIFFERENT ({len(r.wrong_steps)} steps wrong, first {r.wrong_steps[0]})"
    labels = [f"a ({_bits(r.a)})", f"b ({_bits(r.b)})", f"network ({r.steps} steps)",
              f"Python: {verdict}"]
    values = (r.a, r.b, r.network, r.true)
    for pattern in ("{:,}", "{}"):
        with long_ints():
            numbers = [pattern.format(n) for n in values]
        w = max(len(s) for s in numbers)
        if 2 + w + 2 + max(len(s) for s in labels) <= width:
            break
    return "\n".join([
        f"  {numbers[0]:>{w}}  {labels[0]}",
        f"+ {numbers[1]:>{w}}  {labels[1]}",
        "-" * (w + 2),
        f"  {numbers[2]:>{w}}  {labels[2]}",
        f"  {numbers[3]:>{w}}  {labels[3]}",
    ])


def parse_operand(text, name, max_bits=WIDGET_MAX_BITS):
    """The integer >= 0 of at most ``max_bits`` bits written in ``text`` ("1_000", "1,000", "0b1011",
    "0x2a"); anything else raises an error naming ``name``."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be typed as text (str), got {type(text).__name__}")
    max_bits = check_int(max_bits, "max_bits", minimum=1, maximum=MAX_BITS)
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise ValueError(f"{name} must be a non-negative integer, got {shown(text.strip())}")
    digits = cleaned.lstrip("0") if cleaned.isdigit() else ""
    if len(digits) > MAX_BITS * math.log10(2) + 1:    # surely too many bits: not converted
        raise ValueError(f"{name} has {len(digits):,} digits; this widget takes at most {max_bits:,} "
                         "bits (bh.add itself takes any size)")
    try:
        if not (cleaned.isdigit() or cleaned[:2].lower() in ("0b", "0x", "0o")):
            raise ValueError
        with long_ints():
            value = int(cleaned, 10 if cleaned.isdigit() else 0)      # base 0 reads 0b, 0x, 0o
    except ValueError:
        raise ValueError(f"{name} must be a non-negative integer such as 45, 1_000 or 0b1011, "
                         f"got {shown(text.strip())}") from None
    if value.bit_length() > max_bits:
        raise ValueError(f"{name} has {value.bit_length():,} bits; this widget takes at most "
                         f"{max_bits:,} (bh.add itself takes any size)")
    return value


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
    """The network's a + b as HTML: its answer, Python's, and a table with one column per time
    step (LSB first) and rows (``<tr data-row=...>``) t, a, b, o (2 decimals), net, true; wrong
    bits of the network are marked in the net row."""
    r = read_sum(params, a, b)
    with long_ints():
        a_text, b_text, net_text, true_text = (f"{n:,}" for n in (r.a, r.b, r.network, r.true))
    verdict = ("&#10004; right" if r.network == r.true
               else f"&#10008; wrong in {len(r.wrong_steps)} of {r.steps} bits")
    net_styles = [_WRONG if t in r.wrong_steps else "" for t in range(r.steps)]
    table = "".join([
        _row("t", "time step t", range(r.steps), css_class="step"),
        _row("a", "bit t of a", r.a_bits),
        _row("b", "bit t of b", r.b_bits),
        _row("o", "output o = P(bit t is 1)", [f"{p:.2f}" for p in r.prob], css_class="out"),
        _row("net", "network's bit (o &gt; 0.5)", r.net_bits, net_styles),
        _row("true", "true bit t of a + b", r.true_bits),
    ])
    return (
        f'<div class="binrnn-adder">{_STYLE}'
        f'<p><b>network:</b> {a_text} + {b_text} = <b data-value="network">{net_text}</b>'
        f' &nbsp;|&nbsp; <b>Python:</b> <span data-value="true">{true_text}</span>'
        f' &nbsp;|&nbsp; {verdict}</p>'
        f'<p>What the network read and wrote, in its order: least significant bit first, '
        f'{r.steps} time steps (bits of the larger number + 1 for the last carry).</p>'
        f'<div style="overflow-x:auto"><table style="border-collapse:collapse">{table}</table></div>'
        '</div>')


def adder_widget(params, a=45, b=78, max_bits=WIDGET_MAX_BITS):
    """Two text boxes for a and b above ``adder_report`` (a VBox); bad input shows the reason.

    Text, not IntText: the browser holds an IntText as a float64, exact only below 2**53.
    """
    check_params(params)
    max_bits = check_int(max_bits, "max_bits", minimum=1, maximum=MAX_BITS)
    a, b = check_int(a, "a", minimum=0), check_int(b, "b", minimum=0)
    for name, v in (("a", a), ("b", b)):
        if v.bit_length() > max_bits:
            raise ValueError(f"{name} has {v.bit_length():,} bits, more than max_bits={max_bits:,}")
    with long_ints():
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
    box = widgets.VBox([needs_kernel_line(), widgets.HBox(boxes), out])
    box.add_class("binrnn-widget")
    return box
