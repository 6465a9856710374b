"""Tests of binrnn_helpers.show_encoding: column addition, carries, and the figures that draw them.

Every expected value comes from an independent route: Python's ``+``, the identity
``carry row = a ^ b ^ (a + b)``, or counting by brute force.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_encoding as se  # noqa: E402

ROWS = se._ColumnAdditionDrawing.ROWS


def bit(n, t):
    return (n >> t) & 1


def carry_in(a, b, t):
    """The carry into column t of a + b, by the identity s_t = a_t ^ b_t ^ c_t."""
    return bit(a ^ b ^ (a + b), t)


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
    ((128, 128), ValueError, "^a \\+ b must be < 2\\*\\*width = 256"),
    ((-1, 3), ValueError, "^a must be >= 0"),
    ((3, -1), ValueError, "^b must be >= 0"),
    ((1.0, 3), TypeError, "^a must be an integer"),
    ((3, "2"), TypeError, "^b must be an integer"),
    ((1, 2, 0), ValueError, "^width must be >= 1"),
])
def test_column_addition_steps_bad_arguments(args, error, name):
    with pytest.raises(error, match=name):
        se.column_addition_steps(*args)


def test_carry_bits_against_identity_all_pairs():
    a, b = bh.all_pairs()
    carries = se.carry_bits(a, b)
    assert carries.shape == (8, 16384) and carries.dtype == np.uint8
    expected = np.array([[carry_in(int(x), int(y), t + 1) for x, y in zip(a, b)] for t in range(8)])
    assert np.array_equal(carries, expected)
    assert not carries[7].any()


def test_carry_bits_wide_and_overflowing_sums():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2**12, size=(2, 500))
    carries = se.carry_bits(a, b, width=12)
    for i in range(500):
        x, y = int(a[i]), int(b[i])
        assert carries[:, i].tolist() == [carry_in(x, y, t + 1) for t in range(12)]
        assert carries[11, i] == ((x + y) >= 2**12)        # a sum too wide carries out of the top


@pytest.mark.parametrize("args, error, name", [
    (([1, 2], [3]), ValueError, "same length"),
    (([-1], [3]), ValueError, "^a must hold integers in"),
    (([1.5], [3]), TypeError, "^a must hold integers"),
    (([1], [3], 0), ValueError, "^width must be >= 1"),
])
def test_carry_bits_bad_arguments(args, error, name):
    with pytest.raises(error, match=name):
        se.carry_bits(*args)


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
    with pytest.raises(TypeError, match="both a and b"):
        se.carry_statistics(np.array([1]))
    with pytest.raises(ValueError, match="at least one pair"):
        se.carry_statistics(np.array([], dtype=int), np.array([], dtype=int))


# ---------------------------------------------------------------------------------- static figures
def test_carry_statistics_figure_draws_the_numbers():
    fig = se.carry_statistics_figure()
    ax1, ax2 = fig.axes
    rate, counts = se.carry_statistics()
    assert "carries" in ax1.get_title() and ax2.get_title()
    for ax in (ax1, ax2):
        assert ax.get_xlabel() and ax.get_ylabel()
    assert np.allclose([p.get_height() for p in ax1.patches if p.get_width() < 1], rate)
    assert [int(p.get_height()) for p in ax2.patches] == counts.tolist()
    assert "16,384" in ax1.get_title()


def drawn_bits(ax, width=8):
    """Read a column-addition drawing back from its Line2D digit markers: {row: [bit or None]}."""
    rows = {round(y, 3): name for name, y in ROWS.items() if name in ("carry", "a", "b", "sum")}
    out = {"carry": [None] * (width + 1), "a": [None] * width, "b": [None] * width,
           "sum": [None] * width}
    for line in ax.lines:
        marker = line.get_marker()
        if not isinstance(marker, str) or "$" not in marker:
            continue
        digit = 1 if "1" in marker else 0
        for x, y in zip(line.get_xdata(), line.get_ydata()):
            row = rows[round(float(y), 3)]
            position = width - 1 - int(round(x))          # x = width-1-bit
            assert out[row][position] is None, "two digits drawn in one place"
            out[row][position] = digit
    return out


def expected_drawing(a, b, t, width=8):
    return {"carry": [carry_in(a, b, k) if k <= t + 1 else None for k in range(width + 1)],
            "a": [bit(a, k) for k in range(width)], "b": [bit(b, k) for k in range(width)],
            "sum": [bit(a + b, k) if k <= t else None for k in range(width)]}


def test_filmstrip_every_step():
    a, b = 9, 60
    fig = se.column_addition_filmstrip(a, b)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 8
    assert "9 + 60 = 69" in fig.get_suptitle()
    for t, ax in enumerate(axes):
        assert drawn_bits(ax) == expected_drawing(a, b, t)
        title = ax.get_title()
        assert title.startswith(f"step t = {t}:")
        assert f"sum bit {bit(a + b, t)}, carry out {carry_in(a, b, t + 1)}" in title
        assert f"carry {carry_in(a, b, t)} " in title
        highlight = [p for p in ax.patches if p.get_width() < 1][0]
        assert highlight.get_x() + highlight.get_width() / 2 == pytest.approx(7 - t)


def test_filmstrip_other_pair_and_errors():
    fig = se.column_addition_filmstrip(127, 1)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for t, ax in enumerate(axes):
        assert drawn_bits(ax) == expected_drawing(127, 1, t)
    with pytest.raises(ValueError, match="a \\+ b"):
        se.column_addition_filmstrip(128, 128)
    with pytest.raises(TypeError, match="^b must be an integer"):
        se.column_addition_filmstrip(1, 2.0)


def test_header_labels_every_column():
    fig = se.column_addition_filmstrip(9, 60)
    drawing_ax = fig.axes[0]
    header = drawing_ax.collections[0]
    offsets = np.asarray(header.get_offsets())
    at_place_row = offsets[np.isclose(offsets[:, 1], ROWS["place"])]
    at_t_row = offsets[np.isclose(offsets[:, 1], ROWS["t"])]
    assert sorted(at_place_row[:, 0].tolist()) == [-1.5] + list(range(-1, 8))   # label + 9 columns
    assert sorted(at_t_row[:, 0].tolist()) == [-1.5] + list(range(0, 8))        # label + 8 steps


# ---------------------------------------------------------------------------------- the widget frame
def check_frame_state(frame, a, b, t):
    text = frame.update(a, b, t)
    assert drawn_bits(frame.ax) == expected_drawing(a, b, t)
    shown = frame.drawing.shown()
    assert shown["highlighted_bit"] == t
    assert shown["sum_current"] == [bit(a + b, t) if k == t else None for k in range(8)]
    assert {k: shown[k] for k in ("carry", "a", "b", "sum")} == expected_drawing(a, b, t)
    s_t, c_in, c_out = bit(a + b, t), carry_in(a, b, t), carry_in(a, b, t + 1)
    assert text.startswith(f"step {t}: a<sub>{t}</sub>={bit(a, t)}, b<sub>{t}</sub>={bit(b, t)}, "
                           f"carry in {c_in} &rarr; sum bit {s_t}, carry out {c_out}")
    written = "".join(str(bit(a + b, k)) for k in range(t, -1, -1))
    assert text.endswith(f"<code>{written}</code>")
    assert frame.title.get_text() == f"{a} + {b}, step t = {t}"
    assert frame.drawing.side_sum.get_text() == (f"= {a + b}" if t == 7 else f"so far {(a + b) % 2**(t + 1)}")


def test_example_frames_every_state():
    examples = se.example_frames()
    assert [name for name, _, _ in examples] == ["column addition"]
    name, frame, states = examples[0]
    assert isinstance(frame.fig, Figure) and plt.get_fignums() == []    # never a pyplot figure
    assert frame.fig.get_layout_engine() is None
    assert len(states) == 40 and all(len(s) == 3 for s in states)
    for a, b, t in states:
        check_frame_state(frame, a, b, t)
    assert bh.widgets.figure_png(frame.fig).startswith(b"\x89PNG")


def test_frame_random_pairs_every_step():
    frame = se.ColumnAdditionFrame()
    rng = np.random.default_rng(7)
    for a, b in rng.integers(0, 128, size=(25, 2)).tolist():
        for t in range(8):
            check_frame_state(frame, a, b, t)


def test_frame_bad_arguments():
    frame = se.ColumnAdditionFrame()
    with pytest.raises(ValueError, match="^t must be <= 7"):
        frame.update(1, 2, 8)
    with pytest.raises(ValueError, match="a \\+ b"):
        frame.update(128, 128, 0)
    with pytest.raises(TypeError, match="^t must be an integer"):
        frame.update(1, 2, 1.0)
    with pytest.raises(ValueError, match="^width must be >= 1"):
        se.ColumnAdditionFrame(width=0)


def test_scrubber_wires_the_frame():
    import ipywidgets as widgets
    frame = se.ColumnAdditionFrame()
    sliders = [widgets.IntSlider(value=v, min=0, max=m) for v, m in ((9, 127), (60, 127), (0, 7))]
    box = bh.widgets.scrubber(frame, *sliders)
    text = box.children[-1]
    assert text.value.startswith("step 0: a<sub>0</sub>=1, b<sub>0</sub>=0")
    sliders[2].value = 3
    assert text.value.startswith("step 3: a<sub>3</sub>=1, b<sub>3</sub>=1, carry in 0")
    assert drawn_bits(frame.ax) == expected_drawing(9, 60, 3)
