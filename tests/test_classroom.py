"""Classroom mode: slide metadata, the height rule, and student copies (tools/classroom.py).

The deck itself (offline, in Chromium) is tested in tests/browser/test_slides.py.
"""
import base64
import json
import struct
import zlib

import nbformat
import pytest

import binrnn_helpers as bh
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import load_tool

C = load_tool("classroom")

NOTEBOOKS = C.default_notebooks()
needs_notebooks = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")


def png(width, height):
    """A real (blank, grey) PNG of the given size, as base64."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return base64.b64encode(data).decode()


def figure_cell(height, width=600):
    cell = new_code_cell("plot();")
    cell.outputs = [new_output("display_data", data={"image/png": png(width, height),
                                                      "text/plain": "<Figure>"})]
    return cell


def as_dict(nb):
    return json.loads(nbformat.writes(nb))


# ---------------------------------------------------------------- the height rule, on small notebooks
def test_png_size_is_read_from_the_header():
    assert C.png_size(png(123, 45)) == (123, 45)
    with pytest.raises(ValueError, match="data"):
        C.png_size(base64.b64encode(b"GIF89a" + b"\x00" * 30).decode())


def test_heights_grow_with_content():
    short, long_ = new_markdown_cell("One line."), new_markdown_cell("\n\n".join(["A paragraph."] * 6))
    assert C.cell_height(long_) > C.cell_height(short) + 5 * C.MD_LINE
    code = new_code_cell("\n".join(f"x{i} = {i}" for i in range(10)))
    assert C.cell_height(code) == pytest.approx(C.CELL_PAD + C.CODE_PAD + 10 * C.CODE_LINE)
    # A PNG counts with its pixel height, scaled to the width the deck draws figures at.
    scale = C.IMAGE_WIDTH / 600
    assert C.cell_height(figure_cell(300)) - C.cell_height(figure_cell(100)) == pytest.approx(200 * scale)
    wide = figure_cell(300, width=2 * C.IMAGE_WIDTH)
    assert C.cell_height(wide) - C.cell_height(figure_cell(2, width=2 * C.IMAGE_WIDTH)) == pytest.approx(149)
    # ... and no taller than the deck's CSS lets a figure be.
    assert C.cell_height(figure_cell(3000)) == C.cell_height(figure_cell(2000))


def test_a_short_slide_is_not_split():
    nb = as_dict(new_notebook(cells=[new_markdown_cell("# Title"), new_markdown_cell("## A slide"),
                                     new_code_cell("x = 1"), figure_cell(200),
                                     new_markdown_cell("What the figure shows.")]))
    assert C.assign_slide_types(nb) == ["slide", "slide", "", "", ""]


def test_a_tall_image_starts_a_new_subslide():
    nb = as_dict(new_notebook(cells=[new_markdown_cell("## A slide"),
                                     new_markdown_cell("\n\n".join(["Some text."] * 4)),
                                     figure_cell(350, width=C.IMAGE_WIDTH),
                                     new_markdown_cell("Caption.")]))
    types = C.assign_slide_types(nb)
    assert types == ["slide", "", "subslide", ""]
    for cell, kind in zip(nb["cells"], types):
        cell["metadata"]["slideshow"] = {"slide_type": kind}
    assert C.check_notebook(nb) == []
    heights = [sum(h for _, h in group) for group in C.subslides(nb)]
    assert len(heights) == 2 and max(heights) <= C.HEIGHT_LIMIT
    # Without the split, the one subslide would be over the limit, and the check says so.
    nb["cells"][2]["metadata"]["slideshow"] = {"slide_type": "-"}
    [problem] = C.check_notebook(nb)
    assert "over the 640 px limit" in problem


def test_headings_solutions_and_self_checks():
    solution = new_code_cell("def f():\n    return 42\n", metadata={"tags": ["solution"]})
    nb = as_dict(new_notebook(cells=[
        new_markdown_cell("# Title"), new_markdown_cell("## Exercises\n\n### Exercise 1"),
        new_markdown_cell("### Exercise 2: more"),
        new_code_cell("def f():\n    raise NotImplementedError('Exercise 2: hint')",
                      metadata={"tags": ["exercise"]}),
        new_code_cell("check(f)", metadata={"tags": ["self-check"]}),
        new_markdown_cell("**Worked solution** (folded below)"), solution,
        new_markdown_cell("> **Think!** Why?")]))
    assert C.assign_slide_types(nb) == ["slide", "slide", "subslide", "", "skip", "skip", "notes",
                                        "fragment"]


def test_a_printed_line_wider_than_a_slide_is_reported():
    def printing(text, tags=()):
        cell = new_code_cell("print(x)", metadata={"tags": list(tags)})
        cell.outputs = [new_output("stream", name="stdout", text=text)]
        return cell
    fits, wide = "x" * C.OUT_CHARS + "\n", "short\n" + "y" * (C.OUT_CHARS + 1) + "\n"
    nb = as_dict(new_notebook(cells=[new_markdown_cell("# Title"), printing(fits), printing(wide),
                                     printing(wide, ["self-check"]), printing(wide, ["solution"])]))
    for cell, kind in zip(nb["cells"], C.assign_slide_types(nb)):
        cell["metadata"]["slideshow"] = {"slide_type": kind}
    assert C.too_wide(nb) == [(2, "y" * (C.OUT_CHARS + 1))]     # skipped and notes cells aside
    [problem] = C.check_notebook(nb)
    assert "cell 2 prints a line of 65 characters, over the 64" in problem
    # the library's printed checks keep to the same width
    assert C.OUT_CHARS == bh.exercises.WIDTH == 64


def test_a_folded_answer_counts_as_its_summary_line():
    answer = "\n\n".join(["1. A question?", "   <details><summary>Answer</summary>",
                           "   " + "A long answer. " * 60, "   </details>"])
    assert C.cell_height(new_markdown_cell(answer)) < C.cell_height(new_markdown_cell("1. A question?")) \
        + 2 * C.MD_LINE + C.BLOCK_GAP


def test_a_cell_taller_than_a_slide_is_split_in_the_deck():
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| row {i} | value {i} |" for i in range(40))
    text = "## A long cell\n\n" + "\n\n".join(f"Paragraph {i}, " + "word " * 40 for i in range(8))
    long_output = new_code_cell("print(lines)")
    long_output.outputs = [new_output("stream", name="stdout",
                                      text="".join(f"line {i}\n" for i in range(80)))]
    for cell in (new_markdown_cell(table), new_markdown_cell(text), long_output):
        assert C.cell_height(cell) > C.HEIGHT_LIMIT
        pieces = C.split_cell(as_dict(new_notebook(cells=[cell]))["cells"][0])
        assert len(pieces) > 1
        assert all(C.cell_height(p) <= C.HEIGHT_LIMIT for p in pieces)
        if cell.cell_type == "markdown":   # nothing lost: every line is in some piece
            joined = "\n".join(p["source"] for p in pieces)
            assert all(line in joined for line in cell.source.splitlines())
        else:
            assert "".join(o["text"] for p in pieces for o in p["outputs"]) == cell.outputs[0].text
            assert all(p["metadata"]["transient"]["remove_source"] for p in pieces[1:])


def test_assign_slides_changes_only_slide_metadata_and_is_idempotent(tmp_path):
    cell = figure_cell(200)
    cell.execution_count = 7
    nb = new_notebook(cells=[new_markdown_cell("# T"), cell, new_code_cell("x = 1")],
                      metadata={"widgets": {"application/vnd.jupyter.widget-state+json":
                                            {"state": {}, "version_major": 2, "version_minor": 0}}})
    path = tmp_path / "n.ipynb"
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    before = json.loads(path.read_text())
    assert C.apply_slide_types(path) == 3
    after = json.loads(path.read_text())
    assert [c["metadata"]["slideshow"]["slide_type"] for c in after["cells"]] == ["slide", "", ""]
    for c in after["cells"]:
        del c["metadata"]["slideshow"]
    assert after == before
    text = path.read_text()
    assert C.apply_slide_types(path) == 0 and path.read_text() == text


# ---------------------------------------------------------------- the real notebooks
@needs_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_cell_has_slide_metadata_and_no_slide_is_too_tall(path):
    """Fails until `make slides-metadata` has been run on the notebooks (and after a notebook
    gains cells without it): the fix is that command."""
    problems = C.check_notebook(C.read_notebook(path), path.name)
    assert problems == [], "\n".join(problems)


@needs_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_metadata_is_what_the_rules_give(path):
    nb = C.read_notebook(path)
    if any(C.slide_type(c) is None for c in nb["cells"]):
        pytest.skip("no slide metadata yet (see the test above)")
    assert [C.slide_type(c) for c in nb["cells"]] == C.assign_slide_types(nb), \
        "the notebook changed since `make slides-metadata`; run it again"


# ---------------------------------------------------------------- student copies
def _solution_only_lines(nb):
    """Source lines found in solution cells and in no other cell of the notebook."""
    def lines(cell):
        return {ln.strip() for ln in C._source(cell).splitlines() if len(ln.strip()) > 3}
    solution, other = set(), set()
    for cell in nb["cells"]:
        (solution if "solution" in C._tags(cell) else other).update(lines(cell))
    return solution - other


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = C.write_student_copies(out, NOTEBOOKS)
    return {p.name: (C.read_notebook(p), C.read_notebook(w)) for p, w in zip(NOTEBOOKS, written)}


@needs_notebooks
def test_student_copies_hold_no_solution(student_copies):
    for name, (teacher, student) in student_copies.items():
        assert not any("solution" in C._tags(c) for c in student["cells"]), name
        text = "\n".join(C._source(c) for c in student["cells"])
        student_lines = {ln.strip() for ln in text.splitlines()}
        leaked = sorted(_solution_only_lines(teacher) & student_lines)
        assert leaked == [], f"{name}: solution lines in the student copy: {leaked[:3]}"
        assert not any(C._first_line(c).lower().startswith("**worked solution**")
                       for c in student["cells"]), name
        assert sum("solution" in C._tags(c) for c in teacher["cells"]) >= 2, \
            f"{name}: the instructor notebook should have at least two worked solutions"


@needs_notebooks
def test_student_copies_are_cleared(student_copies):
    for name, (_, student) in student_copies.items():
        for cell in student["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, name
        assert "widgets" not in student["metadata"], name
        nbformat.validate(nbformat.from_dict(student))


@needs_notebooks
def test_every_exercise_stub_is_there_and_raises_its_hint(student_copies):
    for name, (teacher, student) in student_copies.items():
        stubs = [C._source(c) for c in teacher["cells"] if "exercise" in C._tags(c)]
        assert len(stubs) >= 2, name
        assert [C._source(c) for c in student["cells"] if "exercise" in C._tags(c)] == stubs, name
        for stub in stubs:
            namespace = {}
            exec(compile(stub, f"<{name} exercise>", "exec"), namespace)   # defines, never raises
            functions = [v for k, v in namespace.items()
                         if callable(v) and getattr(v, "__module__", None) is None
                         and not k.startswith("__")]
            assert functions, f"{name}: an exercise cell defines no function"
            for fn in functions:
                n = fn.__code__.co_argcount
                with pytest.raises(NotImplementedError, match="Exercise"):
                    fn(*([None] * n))


@needs_notebooks
def test_student_copies_never_write_into_the_source_folder(tmp_path):
    source = tmp_path / "repo" / "notebooks"
    source.mkdir(parents=True)
    nb = source / NOTEBOOKS[0].name
    nb.write_bytes(NOTEBOOKS[0].read_bytes())
    for out in (tmp_path / "repo", source, source / "student"):
        with pytest.raises(SystemExit, match="where the source notebooks are"):
            C.write_student_copies(out, [nb])
    assert sorted(p.name for p in (tmp_path / "repo").rglob("*")) == sorted(["notebooks", nb.name])
    assert nb.read_bytes() == NOTEBOOKS[0].read_bytes()
