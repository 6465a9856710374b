"""Tests of binrnn_helpers.show_encoding: column addition, carries, and the figures that draw them.

Every expected value comes from an independent route: Python's ``+``, the identity
``carry row = a ^ b ^ (a + b)``, or counting by brute force.  Figures are read back from
their artists: the digits drawn, the bar heights, the numbers in the texts.
"""
import pathlib
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_encoding as se  # noqa: E402
import figure_text as ft  # noqa: E402

FIGURES = {   # every figure of bh.show_encoding, built as notebook 01 builds it
    "carry_statistics_figure": lambda trained: ft.static_text(se.carry_statistics_figure()),
    "column_addition_filmstrip": lambda trained: ft.static_text(se.column_addition_filmstrip(9, 60)),
    "ColumnAdditionFrame": lambda trained: ft.frame_text(lambda: se.ColumnAdditionFrame(9, 60),
                                                         [(t,) for t in range(8)]),
}


ROWS = se._ColumnAddition.ROWS
STAIRS, CARRY_UP = se.STAIRS, se.CARRY_UP


def bit(n, t):
    return (n >> t) & 1


def carry_in(a, b, t):
    """The carry into column t of a + b, by the identity s_t = a_t ^ b_t ^ c_t."""
    return bit(a ^ b ^ (a + b), t)


def numbers(text):
    """The integers written in a text, in order."""
    return [int(n) for n in re.findall(r"\d+", text)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------------- non-plot helpers
def test_column_addition_steps_every_pair():
    for a in range(128):
        for b in range(128):
            steps = se.column_addition_steps(a, b)
            assert [s.t for s in steps] == list(range(8))
            assert sum(s.sum_bit << s.t for s in steps) == a + b
            for s in steps:
                assert (s.a_bit, s.b_bit) == (bit(a, s.t), bit(b, s.t))
                assert s.carry_in == carry_in(a, b, s.t)
                assert s.carry_out == carry_in(a, b, s.t + 1)
                assert s.a_bit + s.b_bit + s.carry_in == 2 * s.carry_out + s.sum_bit


def test_column_addition_steps_known_example_and_other_width():
    steps = se.column_addition_steps(9, 60)
    assert [s.carry_out for s in steps] == [0, 0, 0, 1, 1, 1, 0, 0]
    assert [s.sum_bit for s in steps][::-1] == [0, 1, 0, 0, 0, 1, 0, 1]        # 69
    steps = se.column_addition_steps(200, 55)                                     # 255 fits 8 bits
    assert sum(s.sum_bit << s.t for s in steps) == 255
    steps = se.column_addition_steps(1000, 3000, width=12)
    assert len(steps) == 12 and sum(s.sum_bit << s.t for s in steps) == 4000


@pytest.mark.parametrize("args, error, name", [
    ((128, 128), ValueError, "^a \\+ b = 256 needs 9 bits, more than width=8"),
    ((-1, 3), ValueError, "^a must be >= 0"),
    ((3, -1), ValueError, "^b must be >= 0"),
    ((1.0, 3), TypeError, "^a must be an integer"),
    ((3, "2"), TypeError, "^b must be an integer"),
    ((1, 2, 0), ValueError, "^width must be >= 1"),
])
def test_column_addition_steps_bad_arguments(args, error, name):
    with pytest.raises(error, match=name):
        se.column_addition_steps(*args)


def test_carry_statistics_all_pairs():
    rate, counts = se.carry_statistics()
    M = 2.0 ** np.arange(1, 8)
    assert np.array_equal(rate[:7], 0.5 - 1 / (2 * M)) and rate[7] == 0     # exact fractions
    brute = np.zeros(9, dtype=int)
    for x in range(128):
        for y in range(128):
            brute[bin((x ^ y ^ (x + y)) >> 1).count("1")] += 1
    assert np.array_equal(counts, brute)
    assert counts[0] == 3**7 and counts[7] == 3**6 and counts.sum() == 16384


def test_carry_statistics_given_pairs_and_errors():
    rate, counts = se.carry_statistics(np.array([127, 9]), np.array([1, 60]))
    assert rate.tolist() == [0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0]
    assert counts.tolist() == [0, 0, 0, 1, 0, 0, 0, 1, 0]
    with pytest.raises(ValueError, match="b must be a 1-D array"):
        se.carry_statistics(np.array([1]))
    with pytest.raises(ValueError, match="at least one pair"):
        se.carry_statistics(np.array([], dtype=int), np.array([], dtype=int))


# ---------------------------------------------------------------------------------- static figures
def test_carry_statistics_figure_draws_the_numbers():
    fig = se.carry_statistics_figure()
    ax1, ax2 = fig.axes
    rate, counts = se.carry_statistics()
    bars1 = [p for p in ax1.patches if p.get_width() < 1]
    assert [p.get_x() + p.get_width() / 2 for p in bars1] == list(range(8))
    assert np.allclose([p.get_height() for p in bars1], rate)
    assert [int(p.get_height()) for p in ax2.patches] == counts.tolist()
    # the value written over each bar is that bar's number
    assert [t.get_text() for t in ax1.texts[:8]] == [f"{r:.3f}" for r in rate]
    assert [t.get_text() for t in ax2.texts] == [f"{c:,}" for c in counts]
    for ax, bars in ((ax1, bars1), (ax2, ax2.patches)):       # each written at the top of its bar
        assert [t.xy for t in ax.texts[:len(bars)]] == [(p.get_x() + p.get_width() / 2, p.get_height())
                                                        for p in bars]
    # the empty column 7 is explained, not left looking like a missing bar
    [note] = ax1.texts[8:]
    assert rate[7] == 0 and note.get_text().replace("\n", " ") == "never: the sum fits 8 bits"


def drawn_bits(ax, width=8):
    """Read a column-addition drawing back from its digit texts: {row: [bit or None]}, by bit."""
    rows = {ROWS[name]: name for name in ("carry", "a", "b", "sum")}
    out = {"carry": [None] * (width + 1), "a": [None] * width, "b": [None] * width,
           "sum": [None] * width}
    for text in ax.texts:
        x, y = text.get_position()
        if y in rows and text.get_text() in ("0", "1") and text.get_visible():
            position = width - 1 - int(round(x))          # x = width-1-bit
            assert out[rows[y]][position] is None, "two digits drawn in one place"
            out[rows[y]][position] = int(text.get_text())
    return out


def expected_drawing(a, b, t, width=8):
    return {"carry": [carry_in(a, b, k) if k <= t + 1 else None for k in range(width + 1)],
            "a": [bit(a, k) for k in range(width)], "b": [bit(b, k) for k in range(width)],
            "sum": [bit(a + b, k) if k <= t else None for k in range(width)]}


def read_filmstrip(fig, width=8):
    """Read the filmstrip back from its texts: for each step t (its row at y = -t), the sum bits
    {bit: value}, the bold ones, the carry drawn above the row {bit: value}, and its other texts;
    and the a and b rows {bit: value}.  Column of bit k at x = width-1-k."""
    [ax] = fig.axes
    rows = [dict(sum={}, bold=[], carry={}, texts=[]) for _ in range(width)]
    ab = {"a": {}, "b": {}}
    for text in ax.texts:
        (x, y), s = text.get_position(), text.get_text()
        digit = s in ("0", "1") and x == round(x)
        position = width - 1 - int(round(x))
        for name in ab:
            if y == STAIRS[name] and digit:
                assert position not in ab[name], "two digits drawn in one place"
                ab[name][position] = int(s)
        for t, row in enumerate(rows):
            if y == -t and digit:
                assert position not in row["sum"], "two digits drawn in one place"
                row["sum"][position] = int(s)
                if text.get_fontweight() == "bold":
                    row["bold"].append((position, text.get_color()))
            elif y == -t + CARRY_UP and digit:
                row["carry"][position] = int(s)
            elif y == -t:
                row["texts"].append(s)
    return ax, rows, ab


def check_filmstrip(a, b):
    fig = se.column_addition_filmstrip(a, b)
    ax, rows, ab = read_filmstrip(fig)
    assert numbers(ax.get_title()) == [a, b, a + b]
    assert ab == {"a": {k: bit(a, k) for k in range(8)}, "b": {k: bit(b, k) for k in range(8)}}
    highlights = [p for p in ax.patches if p.get_width() < 1]
    assert len(highlights) == 8
    for t, row in enumerate(rows):
        # the sum bits written so far, bits 0..t; the new one, and only it, bold and blue
        assert row["sum"] == {k: bit(a + b, k) for k in range(t + 1)}
        assert row["bold"] == [(t, se.COLORS["blue"])]
        # the carry step t passes on, above column t+1 (column 8: where a 9th bit would go)
        assert row["carry"] == {t + 1: carry_in(a, b, t + 1)}
        # "step 3:  1 + 1 + 0 = 2" left of the digits, "so far 5" (or "= 69") right of them
        label, side = sorted(row["texts"], key=lambda s: not s.startswith("step"))
        c_in = carry_in(a, b, t)
        assert numbers(label) == [t, bit(a, t), bit(b, t), c_in, bit(a, t) + bit(b, t) + c_in]
        assert numbers(side) == [(a + b) % 2 ** (t + 1)] and side.startswith("=") == (t == 7)
        # the highlighted cell is column t of row t
        h = highlights[t]
        assert h.get_x() + h.get_width() / 2 == pytest.approx(7 - t)
        assert h.get_y() + h.get_height() / 2 == pytest.approx(-t)


def test_filmstrip_every_step():
    check_filmstrip(9, 60)


def test_filmstrip_other_pair_and_errors():
    check_filmstrip(127, 1)
    check_filmstrip(0, 0)
    with pytest.raises(ValueError, match="a \\+ b"):
        se.column_addition_filmstrip(128, 128)
    with pytest.raises(TypeError, match="^b must be an integer"):
        se.column_addition_filmstrip(1, 2.0)


def test_header_labels_every_column():
    for fig, rows in ((se.column_addition_filmstrip(9, 60), STAIRS),
                      (se.ColumnAdditionFrame(9, 60).fig, ROWS)):
        header = {}
        for text in fig.axes[0].texts:
            x, y = text.get_position()
            if y in (rows["place"], rows["t"]) and text.get_text().isdigit():
                header.setdefault(y, {})[round(x)] = int(text.get_text())
        assert header[rows["place"]] == {7 - k: 2**k for k in range(9)}     # x = -1: place 256
        assert header[rows["t"]] == {7 - k: k for k in range(8)}


# ---------------------------------------------------------------------------------- the widget frame
def check_frame_state(frame, t):
    a, b = frame.a, frame.b
    text = frame.update(t)
    assert drawn_bits(frame.ax) == expected_drawing(a, b, t)
    highlight = frame.drawing.highlight
    assert highlight.get_x() + highlight.get_width() / 2 == pytest.approx(7 - t)
    # the sum bit just written, and only it, is bold
    bold = [k for k, d in enumerate(frame.drawing.sum) if d.get_text() and d.get_fontweight() == "bold"]
    assert bold == [t]
    s_t, c_in, c_out = bit(a + b, t), carry_in(a, b, t), carry_in(a, b, t + 1)
    assert text.startswith(f"step {t}: a<sub>{t}</sub>={bit(a, t)}, b<sub>{t}</sub>={bit(b, t)}, "
                           f"carry in {c_in} &rarr; sum bit {s_t}, carry out {c_out}")
    written = "".join(str(bit(a + b, k)) for k in range(t, -1, -1))
    assert text.endswith(f"<code>{written}</code>")
    assert numbers(frame.title.get_text()) == [a, b, t]
    assert [numbers(s.get_text()) for s in frame.drawing.side] == [[a], [b], [(a + b) % 2**(t + 1)]]


def test_frame_every_step_of_telling_pairs():
    """The post's first example, the longest carry chain, the largest sum, no carry."""
    for a, b in [(9, 60), (127, 1), (127, 127), (85, 42), (0, 0)]:
        frame = se.ColumnAdditionFrame(a, b)
        assert isinstance(frame.fig, Figure) and plt.get_fignums() == []    # never a pyplot figure
        assert frame.fig.get_layout_engine() is None                         # laid out once
        for t in range(8):
            check_frame_state(frame, t)
    assert bh.widgets.figure_png(frame.fig).startswith(b"\x89PNG")


def test_frame_random_pairs_every_step():
    rng = np.random.default_rng(7)
    for a, b in rng.integers(0, 128, size=(8, 2)).tolist():
        frame = se.ColumnAdditionFrame(a, b)
        for t in range(8):
            check_frame_state(frame, t)


def test_frame_bad_arguments():
    frame = se.ColumnAdditionFrame(1, 2)
    with pytest.raises(ValueError, match="^t must be <= 7"):
        frame.update(8)
    with pytest.raises(TypeError, match="^t must be an integer"):
        frame.update(1.0)
    with pytest.raises(ValueError, match="a \\+ b = 256 needs 9 bits"):
        se.ColumnAdditionFrame(128, 128)
    with pytest.raises(ValueError, match="^width must be >= 1"):
        se.ColumnAdditionFrame(width=0)


def test_scrubber_shows_every_step_of_the_frame():
    import ipywidgets as widgets
    frame = se.ColumnAdditionFrame(9, 60)
    box = bh.widgets.scrubber(frame, widgets.IntSlider(value=3, min=0, max=7))
    texts = [re.search('<div class="binrnn-text"[^>]*>(.*)</div>', page.value).group(1)
             for page in box.children[-1].children[-1].children]
    assert texts[0].startswith("step 0: a<sub>0</sub>=1, b<sub>0</sub>=0")
    assert texts[3].startswith("step 3: a<sub>3</sub>=1, b<sub>3</sub>=1, carry in 0")
    assert drawn_bits(frame.ax) == expected_drawing(9, 60, 3)     # left as the slider shows it


# ---------------------------------------------------------------------------------- the notebook
NOTEBOOK = pathlib.Path(__file__).parent.parent / "notebooks" / "01_binary_encoding.ipynb"


def test_exercise_hints_are_short_and_shown_by_the_self_checks():
    """Each stub's hint, printed by its self-check after "  Hint: ", takes at most two lines of
    the slides' width, and the saved self-check shows it."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    stubs = [i for i, c in enumerate(cells) if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) == 3
    for i in stubs:
        parts = re.findall(r'"([^"]*)"', cells[i].source.split("NotImplementedError(", 1)[1])
        hint = re.sub(r"^Exercise \w+:\s*", "", "".join(parts))
        assert len("  Hint: " + hint) <= 2 * bh.exercises.WIDTH - 10, hint
        said = "".join(o.get("text", "") for o in cells[i + 1].outputs)
        assert "not implemented yet" in said and " ".join(said.split("Hint:")[1].split()) == hint


def test_exercises_that_build_on_the_full_adder_require_it():
    """Exercises 1 and 3 are column by column: their self-checks (and solutions) count the calls
    to full_adder, so Python's + or - on the whole numbers is not accepted."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    for name in ("add_bits_lsb_first", "subtract_bits_lsb_first"):
        checks = [c.source for c in cells if set(c.metadata.get("tags", [])) & {"self-check", "solution"}
                  and f"check_function({name}" in c.source]
        assert len(checks) == 2 and all("must_call=[full_adder]" in s for s in checks), name
