"""Tests of binrnn_helpers.show_start and of the notebook 00_start_here.ipynb it serves."""
import html
import pathlib
import pkgutil
import re
import sys

import nbformat
import numpy as np
import pytest

import binrnn_helpers as bh
from conftest import plain_run
from binrnn_helpers import show_start

NOTEBOOK = pathlib.Path(__file__).parent.parent / "notebooks" / "00_start_here.ipynb"
PAIRS = [(0, 0), (1, 0), (5, 3), (45, 78), (127, 127), (200, 100), (2**62 - 1, 1),
         (3**80, 7**45), (2**100, 0)]


def zero_params(hidden=16):
    """A network with all weights 0: every output is sigmoid(0) = 0.5, so every bit is 0."""
    return bh.Params(np.zeros((2, hidden)), np.zeros((hidden, hidden)), np.zeros((hidden, 1)))


def lsb_bits(n, steps):
    """Bits of n, LSB first, by string formatting (independent of the module's shifts)."""
    text = format(n, "b")[::-1]
    return [int(text[t]) if t < len(text) else 0 for t in range(steps)]


def plain_outputs(params, a, b, steps):
    """The output probabilities for one sum by a plain per-step loop, written apart from bh.forward."""
    return plain_run(params, a, b, steps)[1]


def table_rows(report):
    """{row key: [cell texts]} of the report's bit table."""
    rows = {}
    for key, body in re.findall(r'<tr data-row="(\w+)"[^>]*>(.*?)</tr>', report):
        rows[key] = re.findall(r"<td[^>]*>(.*?)</td>", body)
    return rows


# ------------------------------------------------------------------ read_sum
@pytest.mark.parametrize("a, b", PAIRS)
def test_read_sum_matches_forward_add_and_python(trained, a, b):
    r = show_start.read_sum(trained, a, b)
    steps = max(a.bit_length(), b.bit_length()) + 1
    assert r.steps == steps
    assert r.a_bits == lsb_bits(a, steps) and r.b_bits == lsb_bits(b, steps)
    assert r.true == a + b and r.true_bits == lsb_bits(a + b, steps)
    # the one single-sum forward (same computation, so bit for bit), and a plain loop agrees
    o = bh.forward(trained, bh.one_sum(a, b)[0]).output[:, 0]
    np.testing.assert_array_equal(r.prob, o)
    np.testing.assert_allclose(r.prob, plain_outputs(trained, a, b, steps), rtol=1e-9, atol=1e-12)
    assert r.net_bits == [int(p > 0.5) for p in o]
    assert r.network == bh.add(trained, a, b)
    assert r.wrong_steps == [t for t in range(steps) if r.net_bits[t] != r.true_bits[t]]


def test_read_sum_of_a_network_that_always_says_zero():
    r = show_start.read_sum(zero_params(), 5, 3)       # 101 + 011 = 1000
    assert r.prob == [0.5] * 4 and r.net_bits == [0, 0, 0, 0]
    assert r.network == 0 and r.true == 8 and r.wrong_steps == [3]


@pytest.mark.parametrize("args, error, word", [
    ((None, 1, 2), TypeError, "params"),
    (("P", -1, 2), ValueError, "a"),
    (("P", 1, -2), ValueError, "b"),
    (("P", 1.0, 2), TypeError, "a"),
    (("P", 1, "2"), TypeError, "b"),
    (("P", True, 2), TypeError, "a"),
])
def test_bad_arguments_are_refused_with_their_name(args, error, word):
    params = zero_params()
    args = tuple(params if v == "P" else v for v in args)
    for fn in (show_start.read_sum, show_start.column_sum, show_start.adder_report):
        with pytest.raises(error, match=rf"\b{word}\b"):
            fn(*args)


# ------------------------------------------------------------------ column_sum
@pytest.mark.parametrize("a, b", PAIRS)
def test_column_sum_shows_both_answers_aligned(trained, a, b):
    text = show_start.column_sum(trained, a, b)
    lines = text.splitlines()
    assert len(lines) == 5 and max(len(ln) for ln in lines) <= 64
    net = bh.add(trained, a, b)
    # digits grouped by thousands when that fits in 64 characters, else plain (the 127-bit pair)
    fmt = "{:,}" if len(f"{max(a, b, a + b):,}") + 4 + len(f"network ({r_steps(a, b)} steps)") <= 64 else "{}"
    assert lines[0].split()[0] == fmt.format(a) and lines[1].split()[:2] == ["+", fmt.format(b)]
    assert set(lines[2].strip()) == {"-"}
    assert lines[3].split()[0] == fmt.format(net) and lines[4].split()[0] == fmt.format(a + b)
    assert f"a ({a.bit_length()} bit" in lines[0] and f"b ({b.bit_length()} bit" in lines[1]
    assert f"network ({r_steps(a, b)} steps)" in lines[3]
    # right-aligned: the last digit of every number sits in the same column
    ends = {re.search(r"\d[\d,]*", ln).end() for ln in (lines[0], lines[1], lines[3], lines[4])}
    assert len(ends) == 1
    assert lines[4].endswith("Python: same") == (net == a + b)


def r_steps(a, b):
    return max(a.bit_length(), b.bit_length()) + 1


def test_column_sum_groups_digits_only_when_the_lines_fit(trained):
    params = trained
    assert "4,611,686,018,427,387,903" in show_start.column_sum(params, 2**62 - 1, 0)
    text = show_start.column_sum(params, 3**80, 7**45)
    assert str(3**80) in text and "," not in text.splitlines()[0]
    assert max(len(ln) for ln in text.splitlines()) <= 64
    wide = show_start.column_sum(params, 3**80, 7**45, width=200)
    assert f"{3**80:,}" in wide


@pytest.mark.parametrize("width, error, message", [
    ("64", TypeError, "width must be an integer, got '64' (str)"),
    (0, ValueError, "width must be >= 1, got 0"),
    (-5, ValueError, "width must be >= 1, got -5"),
])
def test_column_sum_width_is_a_positive_int(width, error, message):
    with pytest.raises(error) as err:
        show_start.column_sum(zero_params(), 3, 4, width=width)
    assert str(err.value) == message


def test_sums_beyond_pythons_4300_digit_limit_are_written_out(trained):
    a, b = 10**5000, 1                                          # 5,001 digits: str(a) alone is refused
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    lines = show_start.column_sum(trained, a, b).splitlines()
    a_text, b_text, _, python = (line.lstrip("+ ").split()[0] for line in lines if line[0] != "-")
    assert (a_text, b_text, python) == ("1" + "0" * 5000, "1", "1" + "0" * 4999 + "1")   # written plain
    report = show_start.adder_report(trained, a, b)
    true = re.search(r'data-value="true">([\d,]+)<', report).group(1)
    assert true.replace(",", "") == "1" + "0" * 4999 + "1"
    assert report.count('<td>') > 6 * 16_000                   # one column per step, every row
    if limit is not None:
        assert sys.get_int_max_str_digits() == limit            # the limit is put back


def test_column_sum_names_the_wrong_steps():
    text = show_start.column_sum(zero_params(), 5, 3)
    assert "DIFFERENT (step 3 wrong)" in text
    assert text.splitlines()[3].split()[0] == "0"
    assert "(3 bits)" in text and "(2 bits)" in text
    assert "(1 bit)" in show_start.column_sum(zero_params(), 1, 0)
    # 7 + 7 = 1110: an all-zero network gets steps 1, 2 and 3 wrong
    assert "DIFFERENT (3 steps wrong, first 1)" in show_start.column_sum(zero_params(), 7, 7)


# ------------------------------------------------------------------ adder_report
@pytest.mark.parametrize("a, b", PAIRS)
def test_adder_report_table_shows_what_the_network_read_and_wrote(trained, a, b):
    report = show_start.adder_report(trained, a, b)
    steps = max(a.bit_length(), b.bit_length()) + 1
    rows = table_rows(report)
    assert set(rows) == {"t", "a", "b", "o", "net", "true"}
    assert rows["t"] == [str(t) for t in range(steps)]
    assert rows["a"] == [str(v) for v in lsb_bits(a, steps)]
    assert rows["b"] == [str(v) for v in lsb_bits(b, steps)]
    assert rows["true"] == [str(v) for v in lsb_bits(a + b, steps)]
    o = plain_outputs(trained, a, b, steps)
    assert rows["o"] == [f"{p:.2f}" for p in o]
    assert rows["net"] == [str(int(p > 0.5)) for p in o]
    net = bh.add(trained, a, b)
    assert f'<b data-value="network">{net:,}</b>' in report
    assert f'<span data-value="true">{a + b:,}</span>' in report
    assert ("&#10004; right" in report) == (net == a + b)


def test_adder_report_marks_wrong_bits():
    report = show_start.adder_report(zero_params(), 5, 3)     # true 1000, network 0000
    net_row = re.search(r'<tr data-row="net">(.*?)</tr>', report).group(1)
    cells = re.findall(r'<td(?: style="([^"]*)")?>(.*?)</td>', net_row)
    assert [text for _, text in cells] == ["0", "0", "0", "0"]
    assert [t for t, (style, _) in enumerate(cells) if style] == [3]     # only the wrong bit is marked
    assert "wrong in 1 of 4 bits" in report
    assert '<b data-value="network">0</b>' in report


# ------------------------------------------------------------------ parse_operand
@pytest.mark.parametrize("text, value", [
    ("0", 0), ("45", 45), ("  78 ", 78), ("1_000", 1000), ("1,000,000", 10**6), ("007", 7),
    ("0b1011", 11), ("0x2A", 42), ("0o17", 15), (str(2**256 - 1), 2**256 - 1),
])
def test_parse_operand_reads_numbers(text, value):
    assert show_start.parse_operand(text, "a") == value


@pytest.mark.parametrize("text", ["", "   ", "-3", "4.5", "abc", "2**62", "1e9", "0b102", "²"])
def test_parse_operand_refuses_non_numbers_naming_the_box(text):
    with pytest.raises(ValueError, match=r"^b "):
        show_start.parse_operand(text, "b")


def test_parse_operand_limits():
    assert show_start.parse_operand("255", "a", max_bits=8) == 255
    with pytest.raises(ValueError, match=r"a has 9 bits.*at most 8"):
        show_start.parse_operand("256", "a", max_bits=8)
    with pytest.raises(ValueError, match="at most 256"):
        show_start.parse_operand(str(2**256), "a")
    with pytest.raises(TypeError, match=r"^a "):
        show_start.parse_operand(12, "a")
    with pytest.raises(ValueError, match="max_bits"):
        show_start.parse_operand("1", "a", max_bits=0)


def test_parse_operand_never_echoes_long_text():
    with pytest.raises(ValueError) as err:
        show_start.parse_operand("1" * 5000, "a")
    bits = ((10**5000 - 1) // 9).bit_length()                  # 5,000 ones, without any text
    assert bits == 16_607
    assert str(err.value) == "a has 16,607 bits; this widget takes at most 256 (bh.add itself takes any size)"
    with pytest.raises(ValueError) as err:                      # too long to be worth converting
        show_start.parse_operand("9" * 40_000, "a", max_bits=100_000)
    assert str(err.value) == ("a has 40,000 digits; this widget takes at most 100,000 bits "
                              "(bh.add itself takes any size)")
    with pytest.raises(ValueError) as err:
        show_start.parse_operand("x" * 5000, "b")
    assert str(err.value) == "b must be a non-negative integer such as 45, 1_000 or 0b1011, got '" + "x" * 56 + "..."
    assert show_start.parse_operand("1" * 30_000, "a", max_bits=100_000) == (10**30_000 - 1) // 9


# ------------------------------------------------------------------ adder_widget
def test_adder_widget_redraws_on_typing(trained):
    w = show_start.adder_widget(trained, a=45, b=78)
    box_a, box_b = w.children[1].children
    out = w.children[2]
    assert (box_a.description, box_a.value, box_b.description, box_b.value) == ("a", "45", "b", "78")
    assert out.value == show_start.adder_report(trained, 45, 78)
    assert "Needs a running kernel" in w.children[0].value        # it computes in the kernel
    big = 2**62 - 1
    box_a.value = f"{big:_}"
    box_b.value = "1"
    assert out.value == show_start.adder_report(trained, big, 1)
    box_b.value = "-1"
    assert "b must be a non-negative integer" in html.unescape(out.value)
    assert "data-row" not in out.value
    box_b.value = str(2**300)
    assert "b has 301 bits" in out.value
    box_b.value = "0x10"
    assert out.value == show_start.adder_report(trained, big, 16)


def test_adder_widget_refuses_bad_arguments():
    with pytest.raises(TypeError, match="params"):
        show_start.adder_widget("not params")
    with pytest.raises(ValueError, match=r"\ba\b"):
        show_start.adder_widget(zero_params(), a=-1)
    with pytest.raises(TypeError, match=r"\bb\b"):
        show_start.adder_widget(zero_params(), b=2.5)


def test_adder_widget_bounds_max_bits_and_the_first_numbers():
    with pytest.raises(ValueError) as err:
        show_start.adder_widget(zero_params(), max_bits=10**6, a=10**5000)
    assert str(err.value) == "max_bits must be <= 100000 (allowed: 1 to 100000), got 1000000"
    with pytest.raises(ValueError) as err:
        show_start.adder_widget(zero_params(), a=10**5000)
    assert str(err.value) == "a has 16,610 bits, more than max_bits=256"
    w = show_start.adder_widget(zero_params(), a=10**5000, max_bits=20_000)    # within the bound: shown
    assert w.children[1].children[0].value == "1" + "0" * 5000
    assert 'data-value="true">' in w.children[2].value


# ------------------------------------------------------------------ the notebook
@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def markdown(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_notebook_header(notebook):
    """The title and the goals; the navigation line and badge are checked for every notebook in
    test_binder_links.py."""
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    _, said, goals = first.source.partition("After this notebook you will be able to:")
    assert said and 3 <= goals.count("\n- ") <= 5
    assert notebook.metadata.kernelspec == {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                            "language": "python"}


def test_contents_links_every_notebook_in_order(notebook):
    cells = [c for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith("## Contents\n")]
    assert len(cells) == 1      # the anchor 00_start_here.ipynb#Contents lands here
    names = sorted(p.name for p in NOTEBOOK.parent.glob("[0-9][0-9]_*.ipynb"))
    assert len(names) >= 6
    positions = [cells[0].source.index(f"]({name})") for name in names]
    assert positions == sorted(positions)


def glossary(nb):
    """The appendix: every markdown cell from "## Appendix" on, which comes after the exercises and
    the "Next:" cell; where the glossary used to be, a one-line pointer to it remains."""
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Appendix\n"))
    exercises = [i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", [])]
    assert exercises and start > max(exercises)
    assert nb.cells[start - 1].source.startswith("---\n\nNext: ")
    assert all(c.cell_type == "markdown" for c in nb.cells[start:])
    assert nb.cells[-1].source.startswith("---\n\nNext: ")
    return "\n\n".join(c.source for c in nb.cells[start:])


def test_glossary_names_the_posts_terms_and_variables(notebook):
    text = glossary(notebook)
    before = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown"
                         and not c.source.startswith(("## Appendix", "### The post's")))
    assert "[appendix](#Appendix)" in before and "| `layer_1` |" not in before
    terms = ["递归神经网络", "循环神经网络", "前向传播", "反向传播", "错误值", "损失值", "预测值", "正确值",
             "保存记忆", "解码成十进制", "更新权重参数", "生成训练数据集"]
    names = ["layer_1", "layer_2", "overallError", "layer_2_delta", "out_deltas", "layer_1_delta",
             "future_layer_1_delta", "U_update", "W_update", "V_update", "int2binary", "binary_dim",
             "largest_number", "alpha", "hidden_dim"]
    for word in terms:
        assert word in text, word
    for name in names:
        assert f"`{name}`" in text, name
    # the labels of the post's printed log, as published (tests/data), are in the glossary too
    log = (pathlib.Path(__file__).parent / "data" / "post_published_log.txt").read_text(encoding="utf-8")
    labels = {ln.split(":")[0] for ln in log.splitlines() if ":" in ln and not ln.startswith("#")}
    assert labels == {"损失值", "预测值", "正确值"}
    for label in labels:
        assert label in text, label


def test_glossary_uses_the_series_indexing(notebook):
    """h_t = σ(x_t U + h_{t−1} W) from h_{−1} = 0, hidden[t + 1] = h_t, o_t = σ(h_t V), as 02 teaches."""
    rows = {re.match(r"\| `(\w+)`", ln).group(1): ln for ln in glossary(notebook).splitlines()
            if re.match(r"\| `\w+`", ln)}
    assert "h<sub>t</sub> = σ(x<sub>t</sub> U + h<sub>t−1</sub> W)" in rows["layer_1"]
    assert "h<sub>−1</sub> = 0" in rows["layer_1"]
    assert "`hidden[0]` is the start state h<sub>−1</sub> = 0" in rows["layer_1_values"]
    assert "`hidden[t + 1]` is h<sub>t</sub>" in rows["layer_1_values"]
    assert "o<sub>t</sub> = σ(h<sub>t</sub> V)" in rows["layer_2"]
    assert "t+1" not in markdown(notebook).replace("T+1", "")


def test_package_map_names_exist_and_cover_the_public_api(notebook):
    cells = [c.source for c in notebook.cells
             if c.cell_type == "markdown" and c.source.startswith("## A map of `binrnn_helpers`")]
    assert len(cells) == 1
    mentioned = set(re.findall(r"`bh\.([\w.]+)`", cells[0]))
    for dotted in mentioned:
        obj = bh
        for part in dotted.split("."):
            obj = getattr(obj, part)        # AttributeError: the map names something that is not there
    public = {name for name in dir(bh) if not name.startswith("_")
              and callable(getattr(bh, name)) and not isinstance(getattr(bh, name), type(bh))}
    assert public <= mentioned, f"missing from the map: {sorted(public - mentioned)}"
    modules = {m.name for m in pkgutil.iter_modules(bh.__path__)}   # views too, loaded or not
    for module in modules:
        assert f"`{module}`" in cells[0], module


EXERCISE_HINTS_THAT_ARE_THE_ANSWER = ["total = bh.add", "(n >> t) & 1", ">> t"]


def test_hints_point_the_way_without_giving_the_code(notebook):
    for c in notebook.cells:
        if "exercise" in c.metadata.get("tags", []):
            hint = re.search(r'NotImplementedError\("([^"]*)"\)', c.source).group(1)
            for code in EXERCISE_HINTS_THAT_ARE_THE_ANSWER:
                assert code not in hint, hint
            # the self-check prints it as "  Hint: ...", one line of the slides' width
            assert len("  Hint: " + re.sub(r"^Exercise \w+:\s*", "", hint)) <= bh.exercises.WIDTH, hint


def test_self_checks_show_the_stubs_hint(notebook):
    """Saved after Run All: each stub's self-check says "not implemented yet" and shows its hint."""
    cells = notebook.cells
    for i, c in enumerate(cells):
        if "exercise" in c.metadata.get("tags", []):
            hint = re.search(r'NotImplementedError\("Exercise \w+: ([^"]*)"\)', c.source).group(1)
            said = "".join(o.get("text", "") for o in cells[i + 1].outputs)
            assert "not implemented yet" in said and f"  Hint: {hint}\n" in said


def test_notebook_is_saved_executed_and_clean(notebook):
    assert NOTEBOOK.stat().st_size < 2_000_000
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    for c in code:
        for o in c.outputs:
            assert o.output_type != "error" and o.get("name") != "stderr", c.source[:60]
            assert "<matplotlib" not in str(o.get("data", {}).get("text/plain", ""))
    widget_cells = [c for c in code if "adder_widget" in c.source]
    assert widget_cells and all("nbval-ignore-output" in c.metadata.get("tags", []) for c in widget_cells)
    assert "application/vnd.jupyter.widget-state+json" in notebook.metadata.get("widgets", {})
