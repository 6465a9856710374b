"""Classroom mode: slide metadata, the height rule, and student copies (tools/classroom.py).

The deck itself (offline, in Chromium) is tested in tests/browser/test_slides.py.
"""
import base64
import json
import os
import pathlib
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
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
    assert C.cell_height(figure_cell(280)) - C.cell_height(figure_cell(100)) == pytest.approx(180 * scale)
    wide = figure_cell(300, width=2 * C.IMAGE_WIDTH)
    assert C.cell_height(wide) - C.cell_height(figure_cell(2, width=2 * C.IMAGE_WIDTH)) == pytest.approx(149)
    # ... and no taller than the deck's CSS lets a figure be.
    assert C.cell_height(figure_cell(3000)) == C.cell_height(figure_cell(2000))


def test_a_scrubber_counts_one_frame_and_its_text_not_every_frame():
    """A kernel-free scrubber saves every frame (HTML pages with inline PNGs in nested Stacks,
    over a background in a GridBox): on a slide it shows one frame, its text line and controls."""
    import ipywidgets as widgets
    from ipywidgets.embed import dependency_state
    from matplotlib.figure import Figure

    class Frame:
        fig = Figure(figsize=(6, 3), dpi=80)                  # 480 x 240 px
        fig.add_subplot().plot([0, 1])

        def update(self, t, label):
            return f"t = {t}, {label}"

    box = bh.widgets.scrubber(Frame(), widgets.IntSlider(max=7), widgets.ToggleButtons(options=["a", "b"]))
    state = dependency_state(box)
    frame_png = bh.widgets.layers(Frame.fig)[1]
    height = C._widget_height(box.model_id, state)
    one_frame = C._image_height(frame_png, C.WIDGET_IMAGE_MAX)
    assert one_frame + C.WIDGET_ROW <= height <= one_frame + C.WIDGET_ROW + 2 * C.MD_LINE


def test_a_short_slide_is_not_split():
    nb = as_dict(new_notebook(cells=[new_markdown_cell("# Title"), new_markdown_cell("## A slide"),
                                     new_code_cell("x = 1"), figure_cell(150, width=C.IMAGE_WIDTH),
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
    assert f"over the {C.HEIGHT_LIMIT} px limit" in problem


def _with_types(nb):
    for cell, kind in zip(nb["cells"], C.assign_slide_types(nb)):
        cell["metadata"]["slideshow"] = {"slide_type": kind}
    return nb


def _deck_subslides(nb):
    """The deck's subslides as lists of (cell type, source)."""
    deck = C.deck_notebook(nb)
    return [[(deck["cells"][i]["cell_type"], C._source(deck["cells"][i])) for i, _ in group]
            for group in C.subslides(nb)]


def test_the_sentence_that_introduces_code_stays_on_the_codes_subslide():
    """Rule 5: a code cell that the height rule moves to a new subslide takes along the markdown
    just before it, which says what the code is for: the whole cell when the two fit together,
    else (in the deck) the cell's last paragraph; never leaving a heading alone, never a Think!."""
    heading = new_markdown_cell("## A slide")
    filler = "\n\n".join(["Some text about the figure above."] * 5)
    intro = "The cell below draws the next figure:"
    figure = figure_cell(350, width=C.IMAGE_WIDTH)
    tall = [C.cell_height(c) for c in (heading, new_markdown_cell(filler), new_markdown_cell(intro), figure)]
    assert sum(tall) > C.HEIGHT_LIMIT >= tall[2] + tall[3]         # the code must move; it fits with intro

    # the introduction is a cell of its own: it starts the code's subslide (the metadata says so)
    nb = as_dict(new_notebook(cells=[heading, new_markdown_cell(filler), new_markdown_cell(intro), figure]))
    assert C.assign_slide_types(nb) == ["slide", "", "subslide", ""]
    subs = _deck_subslides(_with_types(nb))
    assert subs[1] == [("markdown", intro), ("code", "plot();")]
    assert C.check_notebook(nb) == []

    # the introduction ends a longer cell: the deck moves its last paragraph, the rest stays
    nb = as_dict(new_notebook(cells=[new_markdown_cell("## A slide\n\n" + filler + "\n\n" + intro), figure]))
    assert C.assign_slide_types(nb) == ["slide", "subslide"]
    subs = _deck_subslides(_with_types(nb))
    assert subs == [[("markdown", "## A slide\n\n" + filler)], [("markdown", intro), ("code", "plot();")]]
    assert C.check_notebook(nb) == []
    # ... a paragraph that goes on from the one before ("where ...", after a colon) is not one
    assert C.intro_split(new_markdown_cell("It is this:\n\n" + intro)) is None
    assert C.intro_split(new_markdown_cell(intro + "\n\n$$x$$\n\nwhere $x$ is 1.")) is None

    # not when that would leave nothing but a heading behind, nor a Think! question
    big = figure_cell(450, width=C.IMAGE_WIDTH)
    assert sum(C.cell_height(c) for c in (heading, new_markdown_cell(intro), big)) > C.HEIGHT_LIMIT
    nb = as_dict(new_notebook(cells=[heading, new_markdown_cell(intro), big]))
    assert C.assign_slide_types(nb) == ["slide", "", "subslide"]
    nb = as_dict(new_notebook(cells=[new_markdown_cell("## A slide\n\n" + intro), big]))
    assert C.assign_slide_types(nb) == ["slide", "subslide"]
    assert _deck_subslides(_with_types(nb))[1] == [("code", "plot();")]
    think = new_markdown_cell("> **Think!** Why?")
    nb = as_dict(new_notebook(cells=[heading, new_markdown_cell(filler), think, figure]))
    assert C.assign_slide_types(nb) == ["slide", "", "fragment", "subslide"]


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
        else:                # the outputs continue under captions, with the source hidden
            assert "".join(o["text"] for p in pieces for o in p.get("outputs", [])) == cell.outputs[0].text
            assert all(p["metadata"]["transient"]["remove_source"] if p["cell_type"] == "code"
                       else p["source"] == C.CONTINUED for p in pieces[1:])


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
def student_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    assert C.write_student_copies(out, NOTEBOOKS) == [out / "notebooks" / p.name for p in NOTEBOOKS]
    return out


@pytest.fixture(scope="module")
def student_copies(student_folder):
    return {p.name: (C.read_notebook(p), C.read_notebook(student_folder / "notebooks" / p.name))
            for p in NOTEBOOKS}


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


# ---------------------------------------------------------------- what a careless or unlucky user types
def small_notebook(path, *code):
    """A small valid notebook at ``path``: a title, code cells with ``code``, an exercise and its
    worked solution."""
    nb = new_notebook(cells=[new_markdown_cell("# A title"), *(new_code_cell(c) for c in code),
                             new_code_cell("def f():\n    raise NotImplementedError('Exercise 1')",
                                           metadata={"tags": ["exercise"]}),
                             new_code_cell("def f():\n    return 'the answer'",
                                           metadata={"tags": ["solution"]})])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


def snapshot(root):
    """Every file and folder under ``root`` with its bytes (a symlink as its target, unfollowed)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = pathlib.Path(folder, name)
            found[str(path.relative_to(root))] = (
                f"-> {os.readlink(path)}" if path.is_symlink() else
                path.read_bytes() if path.is_file() else "folder")
    return found


def run(capsys, *argv):
    """``python tools/classroom.py ARGV``: (exit status, stdout, stderr lines)."""
    status = C.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository in tmp_path (``repo/notebooks/`` holding one notebook), the current folder,
    and the tool's notebooks folder."""
    root = tmp_path / "repo"
    small_notebook(root / "notebooks" / "01_a.ipynb")
    monkeypatch.setattr(C, "NOTEBOOK_DIR", root / "notebooks")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("out", [".", "{repo}", "{repo}/notebooks", "notebooks", "notebooks/sub",
                                 "{repo}/notebooks/sub/deeper", "link-to-notebooks",
                                 "link-to-notebooks/sub", "link-to-repo", "{tmp}"])
def test_student_refuses_an_output_folder_that_is_contains_or_lies_inside_the_sources(
        repo, tmp_path, capsys, out):
    (tmp_path / "link-to-notebooks").symlink_to(repo / "notebooks")
    (tmp_path / "link-to-repo").symlink_to(repo)
    out = out.format(repo=repo, tmp=tmp_path)
    if out.startswith("link"):
        out = tmp_path / out
    before = snapshot(tmp_path)
    status, printed, err = run(capsys, "student", out, repo / "notebooks" / "01_a.ipynb")
    assert (status, printed) == (2, "")
    assert err == [f"error: {out}: the output folder must not be, contain or lie inside "
                   f"{repo / 'notebooks'}, where the source notebooks are"]
    assert snapshot(tmp_path) == before


def test_student_refuses_any_folder_of_the_repository_notebooks_whatever_it_copies(
        repo, tmp_path, capsys):
    elsewhere = small_notebook(tmp_path / "elsewhere" / "02_b.ipynb")
    before = snapshot(tmp_path)
    status, _, [err] = run(capsys, "student", repo / "notebooks" / "student", elsewhere)
    assert status == 2 and "must not be, contain or lie inside" in err
    assert snapshot(tmp_path) == before


def test_student_refuses_a_non_empty_folder_without_force(repo, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "notebooks").mkdir(parents=True)
    (out / "README.md").write_text("the teacher's own notes")
    (out / "notebooks" / "01_a.ipynb").write_text("the teacher's edited copy")
    before = snapshot(tmp_path)
    status, printed, err = run(capsys, "student", out, repo / "notebooks" / "01_a.ipynb")
    assert (status, printed) == (2, "")
    assert err == [f"error: {out}: not empty; choose a new or empty folder, or add --force to "
                   "replace the files of the edition it writes (nothing else)"]
    assert snapshot(tmp_path) == before
    (tmp_path / "a-file").write_text("x")
    status, _, err = run(capsys, "student", tmp_path / "a-file", repo / "notebooks" / "01_a.ipynb")
    assert (status, err) == (2, [f"error: {tmp_path / 'a-file'}: not a folder"])


def test_student_with_force_replaces_only_the_files_it_writes(repo, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "notebooks").mkdir(parents=True)
    for rel, text in [("README.md", "old"), ("notebooks/01_a.ipynb", "old"), ("mine.txt", "keep"),
                      ("notebooks/mine.ipynb", "keep")]:
        (out / rel).write_text(text)
    status, printed, err = run(capsys, "student", out, repo / "notebooks" / "01_a.ipynb", "--force")
    assert (status, printed, err) == (0, f"{out / 'notebooks' / '01_a.ipynb'}\n", [])
    after = snapshot(out)
    assert after.pop("mine.txt") == after.pop("notebooks/mine.ipynb") == b"keep"
    assert sorted(after) == sorted({"notebooks", "notebooks/01_a.ipynb", "binrnn_helpers",
                                    *edition_support()})
    copy = json.loads(after["notebooks/01_a.ipynb"])
    assert [C._tags(c) for c in copy["cells"]] == [set(), {"exercise"}]     # no solution
    assert after["README.md"] == C.student_readme(["01_a.ipynb"]).encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]   # no temporary folder left


def test_student_with_force_never_writes_through_a_symlink_out_of_the_folder(repo, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notebooks").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    before = snapshot(tmp_path)
    status, _, err = run(capsys, "student", out, repo / "notebooks" / "01_a.ipynb", "--force")
    assert (status, err) == (2, [f"error: {out / 'notebooks'}: leads outside {out} (a symlink); "
                                 "remove it or choose another output folder"])
    assert snapshot(tmp_path) == before


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device", str(args[-1]))


@pytest.mark.parametrize("force", [False, True], ids=["new-folder", "force"])
def test_student_failing_midway_leaves_the_old_output_as_it_was(repo, tmp_path, capsys, monkeypatch,
                                                                  force):
    """Disk full while the copy is written (into the temporary folder): the output folder is as
    before (absent, or its old files), and no temporary folder is left beside it."""
    out = tmp_path / "out"
    if force:
        out.mkdir()
        (out / "README.md").write_text("old")
    notebook = small_notebook(tmp_path / "series" / "04_training.ipynb")   # 04 opens data files
    before = snapshot(tmp_path)
    monkeypatch.setattr(C.shutil, "copy2", _disk_full)
    status, printed, [err] = run(capsys, "student", out, notebook, *["--force"] * force)
    assert (status, printed) == (1, "")
    assert err.startswith("error: ") and err.endswith(": No space left on device")
    assert snapshot(tmp_path) == before


def test_student_failing_while_moving_into_place_puts_back_what_was_there(repo, tmp_path, capsys,
                                                                          monkeypatch):
    out = tmp_path / "out"
    (out / "notebooks").mkdir(parents=True)
    (out / "notebooks" / "04_training.ipynb").write_text("old copy")
    (out / "README.md").write_text("old")
    notebook = small_notebook(tmp_path / "series" / "04_training.ipynb")
    before = snapshot(tmp_path)
    replace, failed = os.replace, []

    def fail_on_the_readme(src, dst):
        if pathlib.Path(dst) == out / "README.md" and not failed:   # the last file to move
            failed.append(src)
            raise OSError(5, "Input/output error", str(dst))
        replace(src, dst)
    monkeypatch.setattr(C.os, "replace", fail_on_the_readme)
    status, _, err = run(capsys, "student", out, notebook, "--force")
    assert (status, err) == (1, [f"error: {out / 'README.md'}: Input/output error"])
    assert snapshot(tmp_path) == before     # old files back, the data folders made for it gone
    assert ".partial" in str(failed[0])     # it failed moving the new README, after the others


def test_student_keeps_what_it_cannot_put_back_and_says_where(repo, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("old")
    replace = os.replace

    def fail_into_the_readme(src, dst):
        if pathlib.Path(dst) == out / "README.md":      # the new one, and putting back the old
            raise OSError(5, "Input/output error", str(dst))
        replace(src, dst)
    monkeypatch.setattr(C.os, "replace", fail_into_the_readme)
    status, _, err = run(capsys, "student", out, repo / "notebooks" / "01_a.ipynb", "--force")
    [kept] = tmp_path.glob(".out.*.partial/.replaced/README.md")
    assert (status, kept.read_text()) == (1, "old")
    assert err == [f"warning: 1 replaced files could not be put back; they are in {kept.parent}",
                   f"error: {out / 'README.md'}: Input/output error"]


def test_student_without_force_never_replaces_a_file_that_appears_while_it_writes(
        repo, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    copy2 = shutil.copy2

    def someone_writes_meanwhile(src, dst):
        out.mkdir(exist_ok=True)
        (out / "README.md").write_text("written meanwhile")
        return copy2(src, dst)
    monkeypatch.setattr(C.shutil, "copy2", someone_writes_meanwhile)
    notebook = small_notebook(tmp_path / "series" / "04_training.ipynb")
    status, _, err = run(capsys, "student", out, notebook)
    assert (status, err) == (1, [f"error: {out}: Directory not empty"])
    assert snapshot(out) == {"README.md": b"written meanwhile"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo", "series"]


def test_student_interrupted_writes_nothing(repo, tmp_path, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(C.shutil, "copy2", interrupt)
    notebook = small_notebook(tmp_path / "series" / "04_training.ipynb")
    before = snapshot(tmp_path)
    status, _, err = run(capsys, "student", tmp_path / "out", notebook)
    assert (status, err) == (130, ["interrupted; nothing was written"])
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- the files a student copy carries
@needs_notebooks
def test_the_declared_data_files_are_what_the_notebooks_open():
    for path in NOTEBOOKS:
        declared = C.series.DATA_FILES.get(path.name, ())
        assert sorted(declared) == C.opened_files(C.read_notebook(path)), path.name
        for rel in declared:
            assert C.data_file(rel).is_file()
    assert set(C.series.DATA_FILES) <= {name for name, _ in C.series.NOTEBOOKS}


@needs_notebooks
def test_the_student_copy_holds_the_notebooks_a_readme_and_exactly_the_declared_files(
        student_folder):
    data = {rel for p in NOTEBOOKS for rel in C.series.DATA_FILES.get(p.name, ())}
    files = {rel for rel, content in snapshot(student_folder).items() if content != "folder"}
    assert files == {*edition_support(), *(f"notebooks/{p.name}" for p in NOTEBOOKS),
                     *(f"data/{pathlib.PurePosixPath(rel).name}" for rel in data)}
    for rel in data:
        assert (student_folder / "data" / pathlib.PurePosixPath(rel).name).read_bytes() == \
            (C.ROOT / rel).read_bytes()


def test_a_quoted_path_in_a_cell_copies_nothing(repo, tmp_path, capsys):
    """Only the declared files are copied: a cell quoting the instructor notebook, a file outside
    the repository or an undeclared data file pulls none of them into the copy."""
    (tmp_path / "secret.txt").write_text("not for students")
    notebook = small_notebook(
        tmp_path / "series" / "06_extra.ipynb",
        'open("../notebooks/04_training.ipynb")', 'open("../../secret.txt")',
        'open("../tests/data/post_published_log.txt")')
    out = tmp_path / "out"
    status, _, err = run(capsys, "student", out, notebook)
    assert status == 0
    assert snapshot(out).keys() == {"notebooks", "notebooks/06_extra.ipynb", "binrnn_helpers",
                                    *edition_support()}
    assert err == [f"warning: {notebook}: opens ../{rel}, which tools/series.py DATA_FILES does not "
                   "declare; not copied" for rel in ["../secret.txt", "notebooks/04_training.ipynb",
                                                     "tests/data/post_published_log.txt"]]


def test_a_declared_data_file_must_be_a_file_inside_the_repository(monkeypatch):
    for rel in ["../outside.txt", "tests/../../outside.txt", "/etc/passwd",
                "notebooks/04_training.ipynb"]:
        with pytest.raises(C.Refusal, match="may name only files inside the repository, and no notebook"):
            C.data_file(rel)
    with pytest.raises(C.Refusal, match="tests/data/nothing.txt: declared in tools/series.py "
                                        "DATA_FILES, but no such file"):
        C.data_file("tests/data/nothing.txt")


# ---------------------------------------------------------------- a file that is not a notebook
BAD_NOTEBOOKS = {
    "invalid JSON": (b'{"cells": [}', "not valid JSON (Expecting value, line 1 column 12)"),
    "no cells key": (b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                     "not a notebook (no 'cells' key)"),
    "not UTF-8": ('{"cells": [], "note": "caf\u00e9"}'.encode("latin-1"),
                  "not UTF-8 text (byte 0xe9 at offset 26); a notebook is UTF-8 JSON"),
    "a JSON list": (b"[1, 2]", "not a notebook (no 'cells' key)"),
    "nbformat 3": (b'{"worksheets": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}',
                   "nbformat 3, not 4; open and save it in JupyterLab to convert it"),
    "a source that is a number": (
        json.dumps({"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": 3}],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
        "not a valid notebook: cells[0].source: 3 is not valid under any of the given schemas"),
    "tags that are not a list": (
        json.dumps({"cells": [{"cell_type": "markdown", "id": "a", "metadata": {"tags": 3},
                               "source": ""}], "metadata": {}, "nbformat": 4,
                    "nbformat_minor": 5}).encode(),
        "not a valid notebook: cells[0].metadata.tags: 3 is not of type 'array'"),
    "deeply nested": (b"[" * 100_000, "not a notebook (JSON nested too deeply)"),
    "empty": (b"", "not valid JSON (Expecting value, line 1 column 1)"),
    "missing": (None, "no such file or directory"),
    "a folder": ("folder", "is a directory"),
}


@pytest.mark.parametrize("command", ["check-slides", "assign-slides", "student", "slides"])
@pytest.mark.parametrize("case", BAD_NOTEBOOKS)
def test_a_bad_notebook_is_one_line_and_nothing_is_written(tmp_path, capsys, monkeypatch, case,
                                                           command):
    content, message = BAD_NOTEBOOKS[case]
    bad = tmp_path / "bad.ipynb"
    if content == "folder":
        bad.mkdir()
    elif content is not None:
        bad.write_bytes(content)
    good = small_notebook(tmp_path / "good.ipynb")     # no slide metadata yet: assign would write
    monkeypatch.setattr(C, "npm_tarballs", None)       # slides: nothing is downloaded
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    argv = {"student": [out, good, bad], "slides": [good, bad, "--out", out]}.get(command, [good, bad])
    status, printed, err = run(capsys, command, *argv)
    assert (status, printed, err) == (2, "", [f"error: {bad}: {message}"])
    assert snapshot(tmp_path) == before


def test_every_bad_notebook_is_named_on_a_line_of_its_own(tmp_path, capsys):
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    first.write_text("{")
    second.write_text("[]")
    status, _, err = run(capsys, "check-slides", first, second)
    assert status == 2 and [line.split(": ")[1] for line in err] == [str(first), str(second)]


# ---------------------------------------------------------------- slides on a machine without what they need
def test_slides_without_nbconvert_say_so_before_downloading(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbconvert", None)     # `import nbconvert` fails
    monkeypatch.setattr(C, "npm_tarballs", None)            # calling it would be a TypeError
    notebook = small_notebook(tmp_path / "series" / "n.ipynb")
    before = snapshot(tmp_path)
    for command in (["slides", notebook, "--out", tmp_path / "slides"],
                    ["pages", notebook, "--out", tmp_path / "pages"],
                    ["student", tmp_path / "student", notebook]):
        status, printed, [err] = run(capsys, *command)
        assert (status, printed) == (1, "")
        assert err.startswith(f"error: {command[0]} needs nbconvert, which is not installed (")
        assert err.endswith("it comes with JupyterLab (`make lab`), or `pip install nbconvert`")
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not shutil.which("npm"), reason="npm is not installed")
def test_slides_without_network_fail_fast_with_npms_message(tmp_path, capsys, monkeypatch):
    """The registry is an address where nothing listens (a port just closed); npm's cache and
    ours are in tmp_path (never build/.cache/npm)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{port}/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-home"))
    monkeypatch.setenv("npm_config_update_notifier", "false")
    monkeypatch.setattr(C, "NPM_CACHE", tmp_path / "npm")
    notebook = small_notebook(tmp_path / "n.ipynb")
    start = time.perf_counter()
    status, printed, [err] = run(capsys, "slides", notebook, "--out", tmp_path / "slides")
    assert time.perf_counter() - start < 20
    assert (status, printed) == (1, "")
    assert err == (f"error: slides: the network is needed the first time, to fetch 5 packages into "
                   f"{tmp_path / 'npm'}; npm says: FetchError: request to "
                   f"http://127.0.0.1:{port}/-/ping failed, reason: connect ECONNREFUSED 127.0.0.1:{port}")
    assert list((tmp_path / "npm").iterdir()) == []
    assert not (tmp_path / "slides" / C.ASSETS).exists()


def test_slides_without_npm_name_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(C.shutil, "which", lambda name: None)
    monkeypatch.setattr(C, "NPM_CACHE", tmp_path / "npm")
    status, _, err = run(capsys, "slides", small_notebook(tmp_path / "n.ipynb"), "--out", tmp_path / "s")
    assert status == 1 and err == [
        f"error: slides: need {', '.join(C.VENDOR.values())}: install npm (Node.js), or put their "
        f"tarballs (from `npm pack`) into {tmp_path / 'npm'}"]


def test_npms_one_line_message():
    assert C.npm_message("npm error code E404\nnpm error 404 Not Found - GET http://r/x\n"
                         "npm error 404 more\nnpm error A complete log of this run ...") \
        == "404 Not Found - GET http://r/x"
    assert C.npm_message("npm ERR! code ETIMEDOUT\nnpm ERR! network request to http://r/x failed, "
                         "reason: timeout\n") == "network request to http://r/x failed, reason: timeout"
    assert C.npm_message("something else") == "something else"


def test_a_static_page_links_to_the_other_pages_and_loads_no_remote_image():
    nb = new_notebook(cells=[new_markdown_cell(
        "[![Launch on Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/x/y)\n"
        "< [00 Start here](00_start_here.ipynb#Contents) | [next](02_forward_pass.ipynb) | "
        "[guide](../docs/teaching-guide.md)")])
    page = C.page_notebook(nb)
    assert page["cells"][0]["source"] == (
        "[Launch on Binder](https://mybinder.org/v2/gh/x/y)\n"
        "< [00 Start here](00_start_here.html#Contents) | [next](02_forward_pass.html) | "
        "[guide](../docs/teaching-guide.md)")
    assert nb["cells"][0]["source"].count(".ipynb") == 2                 # the notebook is untouched


# ---------------------------------------------------------------- the student edition stands alone
def edition_support():
    """The files of an edition besides its copies and data: the package and what installs it."""
    return {"README.md", ".gitignore", "pyproject.toml", "environment.yml", "postBuild",
            *(f"binrnn_helpers/{p.name}" for p in (C.ROOT / "binrnn_helpers").glob("*.py"))}


def edition_texts(root):
    """{path: text} of every file of an edition that is text (the .npz weights are not)."""
    texts = {}
    for rel, content in snapshot(root).items():
        if isinstance(content, bytes) and not rel.endswith(".npz"):
            texts[rel] = content.decode("utf-8")
    return texts


PROMISE = re.compile(r"\bsolutions?\b|\bfolded\b|\bunfold|\bteacher'?s'? guide\b|<details|</summary>",
                     re.I)


@needs_notebooks
def test_the_edition_promises_no_solution_and_holds_no_answer(student_copies, student_folder):
    for name, (teacher, student) in student_copies.items():
        for cell in student["cells"]:
            source = C._source(cell)
            assert "solution" not in C._tags(cell), name
            if cell["cell_type"] == "markdown":
                found = PROMISE.search(source)
                assert not found, f"{name}: {found[0]!r} in {source[:300]!r}"
            else:
                assert not re.search(r"\w_solution\b", source), f"{name}: {source[:200]!r}"
        # the folded answers of the instructor notebook: not one of their lines is in the copy
        answers = {ln.strip() for c in teacher["cells"] if c["cell_type"] == "markdown"
                   for block in re.findall(r"</summary>(.*?)</details>", C._source(c), re.S)
                   for ln in block.splitlines() if len(ln.strip()) > 20}
        text = "\n".join(C._source(c) for c in student["cells"])
        assert answers and not [ln for ln in answers if ln in text], name
        # the questions stay: every numbered question of the recall list is still there
        questions = [ln for c in teacher["cells"] if c["cell_type"] == "markdown"
                     for ln in re.sub(r"<details>.*?</details>", "", C._source(c), flags=re.S).splitlines()
                     if re.match(r"\d+\. \S", ln)]
        assert questions and all(q in text for q in questions), name
    readme = (student_folder / "README.md").read_text(encoding="utf-8")
    assert not PROMISE.search(readme)
    assert "pip install -e" in readme and "conda env create -f environment.yml" in readme


@needs_notebooks
def test_the_edition_has_no_route_to_the_instructor_repository(student_folder):
    slug = re.escape(C.series.BINDER_SLUG)
    routes = re.compile(rf"mybinder\.org|github\.com/{slug}|githubusercontent\.com/{slug}|\.\./docs/"
                        r"|teaching-guide|\bmake lab\b|\bgit clone\b", re.I)
    texts = edition_texts(student_folder)
    assert set(texts) >= {f"notebooks/{p.name}" for p in NOTEBOOKS} | {"README.md", "postBuild"}
    for rel, text in texts.items():
        assert not routes.search(text), f"{rel}: {routes.search(text)[0]!r}"
    folders = {rel.split("/")[0] for rel in snapshot(student_folder)}
    assert folders == {"README.md", ".gitignore", "pyproject.toml", "environment.yml", "postBuild",
                       "notebooks", "binrnn_helpers", "data"}                 # no tests/, tools/, docs/


@needs_notebooks
def test_every_link_and_path_of_the_copies_stays_inside_the_edition(student_copies, student_folder):
    readme = (student_folder / "README.md").read_text(encoding="utf-8")
    anchors = {re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", h.lower()))
               for h in re.findall(r"^#+ (.*)$", readme, re.M)}
    for name, (_, student) in student_copies.items():
        for rel in C.opened_files(student):                       # "../data/x.txt" in the code
            assert (student_folder / rel).is_file(), f"{name} opens ../{rel}"
        for cell in student["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", C._source(cell)):
                if target.startswith(("https://", "#")) or not re.search(r"\.(ipynb|md)\b", target):
                    continue                    # a web page, an anchor, or maths such as [t](1-h)
                path, _, anchor = target.partition("#")
                assert (student_folder / "notebooks" / path).resolve().is_relative_to(
                    student_folder.resolve()), f"{name}: {target}"
                assert (student_folder / "notebooks" / path).is_file(), f"{name}: {target}"
                if path == "../README.md":
                    assert anchor in anchors, f"{name}: {target}"


@needs_notebooks
def test_the_package_imports_and_installs_from_the_edition_alone(student_folder):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", "import binrnn_helpers; print(binrnn_helpers.__file__)"],
                          cwd=student_folder, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pathlib.Path(done.stdout.strip()).is_relative_to(student_folder / "binrnn_helpers")
    assert (student_folder / "pyproject.toml").read_bytes() == (C.ROOT / "pyproject.toml").read_bytes()
    postbuild = (student_folder / "postBuild").read_text(encoding="utf-8")
    assert os.access(student_folder / "postBuild", os.X_OK)
    assert "pip install --no-deps ." in postbuild and "tools/" not in postbuild
    def packages(text):
        return [ln.strip() for ln in text.splitlines() if ln.strip().startswith("- ")]
    assert packages((student_folder / "environment.yml").read_text(encoding="utf-8")) == \
        packages((C.ROOT / "environment.yml").read_text(encoding="utf-8"))


@needs_notebooks
def test_with_binder_every_badge_opens_the_editions_own_repository(tmp_path):
    out = tmp_path / "edition"
    C.write_student_copies(out, NOTEBOOKS, binder="my-course/binrnn-student@spring-2027")
    own = "https://mybinder.org/v2/gh/my-course/binrnn-student/spring-2027"
    for rel, text in edition_texts(out).items():
        links = re.findall(r"\((https?://mybinder\.org/v2/[^)]*)\)", text)
        assert all(link.startswith(own) for link in links), rel
        if rel.startswith("notebooks/"):
            first = C._source(json.loads(text)["cells"][0])
            assert f"{own}?labpath=notebooks%2F{rel.split('/')[1]}" in first, rel
            assert len(links) == 1, rel
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert f"({own}?labpath=notebooks%2F00_start_here.ipynb)" in readme and "On Binder" in readme


@pytest.mark.parametrize("binder", ["binrnn/binrnn", "BinRNN/binrnn@student", "just-a-name",
                                    "a/b/c", "a b/c", "x/..", "x/y@", "x/y@a..b", "-x/y"])
def test_binder_refuses_the_series_repository_and_what_github_cannot_hold(repo, tmp_path, capsys,
                                                                         binder):
    before = snapshot(tmp_path)
    status, printed, err = run(capsys, "student", tmp_path / "out", repo / "notebooks" / "01_a.ipynb",
                               f"--binder={binder}")
    assert (status, printed) == (2, "")
    why = ("the series' own repository" if binder.lower().startswith("binrnn/binrnn")
           else "not OWNER/NAME or OWNER/NAME@REF")
    assert len(err) == 1 and err[0].startswith(f"error: --binder {binder}: ") and why in err[0]
    assert snapshot(tmp_path) == before


def test_the_copy_rewrites_what_promises_a_solution_and_keeps_the_rest(repo, tmp_path, capsys):
    notebook = small_notebook(repo / "notebooks" / "01_a.ipynb")
    nb = json.loads(notebook.read_text())
    nb["cells"][1:1] = [as_dict(new_notebook(cells=[new_markdown_cell(source)]))["cells"][0]
                        for source in [
        "[![Launch on Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/"
        f"{C.series.BINDER_SLUG}/HEAD?labpath=notebooks%2F01_a.ipynb)\n\nAfter this you can add.",
        "Each exercise has a cell to fill in, a self-check cell to run, and a worked solution\n"
        "(folded) that you can reveal. The solutions define their own functions. Try it.\n\n"
        "- **Exercises** close it. Then a **worked solution**, folded: click to unfold it.\n"
        "- Questions close it: try first, then unfold the *Answer* below it to check yourself.\n"
        "- Run it with `make lab`, or with conda (`make slides`, `make pages`).",
        "1. Why?\n\n   <details><summary>Answer</summary>\n\n   Because.\n\n   </details>\n\n2. How?",
        "More: the [teacher's guide](../docs/teaching-guide.md).",
        "See the [contents](02_b.ipynb#Contents) and the [guide](../docs/bad-inputs.md)."]]
    notebook.write_text(json.dumps(nb))
    status, _, err = run(capsys, "student", tmp_path / "out", notebook)
    assert (status, err) == (0, [])
    copy = C.read_notebook(tmp_path / "out" / "notebooks" / "01_a.ipynb")
    assert [C._source(c) for c in copy["cells"] if c["cell_type"] == "markdown"] == [
        "# A title",
        "After this you can add.",
        "Each exercise has a cell to fill in and a self-check cell to run. Try it.\n\n"
        "- **Exercises** close it.\n"
        "- Questions close it: try first.\n"
        "- Run it with pip, or with conda.",
        "1. Why?\n\n2. How?",
        "See the contents and the guide."]


def test_a_promise_the_tool_cannot_rewrite_stops_it_before_anything_is_written(repo, tmp_path,
                                                                               capsys):
    notebook = small_notebook(repo / "notebooks" / "01_a.ipynb")
    nb = json.loads(notebook.read_text())
    nb["cells"].insert(1, as_dict(new_notebook(cells=[new_markdown_cell(
        "| Exercise | Where |\n|---|---|\n| 1 | its worked solution is below |")]))["cells"][0])
    notebook.write_text(json.dumps(nb))
    before = snapshot(tmp_path)
    status, printed, [err] = run(capsys, "student", tmp_path / "out", notebook)
    assert (status, printed) == (2, "")
    assert err.startswith("error: notebooks/01_a.ipynb, cell 1: the student edition would still "
                          "hold a sentence about worked solutions or folded answers: ")
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- decks fit to present
def test_the_deck_moves_folded_answers_into_speaker_notes():
    question = ("**Think!**\n\n1. Why?\n\n   <details><summary>Answer</summary>\n\n   Because.\n\n   </details>\n\n"
                "2. And then?\n\n   <details><summary>Answer</summary>\n\n   Then $x$.\n   Two lines.\n\n   </details>\n")
    shown, notes = C.answers_to_notes(as_dict(new_markdown_cell(question)))
    assert shown["source"] == "**Think!**\n\n1. Why?\n\n2. And then?\n"
    assert notes["metadata"]["slideshow"] == {"slide_type": "notes"}
    assert notes["source"] == "**Answer 1.** Because.\n\n**Answer 2.** Then $x$.\nTwo lines."
    plain = as_dict(new_markdown_cell("No answers here."))
    assert C.answers_to_notes(plain) == (plain, None)


def test_a_solution_in_the_notes_has_no_test_harness():
    source = ("def f_solution(x):\n    \"\"\"Doc.\"\"\"\n    return 2 * x\n\n"
              "passed = bh.exercises.check_function(f_solution, cases(),\n"
              "                                     forbid=[bh.forward])\n")
    assert C.solution_only(source) == "def f_solution(x):\n    \"\"\"Doc.\"\"\"\n    return 2 * x"
    assert C.solution_only("not python (") == "not python ("


def test_a_code_cell_too_tall_for_a_slide_continues_on_the_next_under_a_caption():
    body = "\n".join(f"    total += {k}    # step {k}" for k in range(40))
    source = "def long():\n    total = 0\n" + body + "\n    return total\n\nprint(long())"
    cell = as_dict(new_code_cell(source))
    cell["outputs"] = [new_output("stream", name="stdout", text="780\n")]
    pieces = C.split_cell(cell)
    kinds = [(p["cell_type"], C.slide_type(p)) for p in pieces]
    assert kinds[0] == ("code", None) and ("markdown", "subslide") in kinds
    captions = [p["source"] for p in pieces if p["cell_type"] == "markdown"]
    assert captions and set(captions) <= {C.CODE_CONTINUED, C.CONTINUED}
    shown = [p for p in pieces if p["cell_type"] == "code"
             and not p["metadata"].get("transient", {}).get("remove_source")]
    assert len(shown) > 1                                   # the source itself is cut
    assert "\n".join(C._source(p) for p in shown).replace("\n\n", "\n") == source.replace("\n\n", "\n")
    assert all(C.cell_height(p) <= C.HEIGHT_LIMIT for p in pieces)
    outputs = [o for p in pieces for o in p.get("outputs", [])]
    assert [o["text"] for o in outputs] == ["780\n"]
    assert all(not p.get("outputs") for p in shown[:-1])     # the output comes after the whole source


def test_long_printed_output_continues_under_a_caption():
    cell = as_dict(new_code_cell("print(log)"))
    cell["outputs"] = [new_output("stream", name="stdout", text="".join(f"line {k}\n" for k in range(60)))]
    pieces = C.split_cell(cell)
    for before, piece in zip(pieces, pieces[1:]):
        if piece["cell_type"] == "code" and piece["metadata"].get("transient", {}).get("remove_source"):
            assert before["source"] == C.CONTINUED                 # never output with nothing above it
    assert sum(len(C._text(o["text"]).splitlines()) for p in pieces for o in p.get("outputs", [])) == 60


def test_the_lesson_deck_is_the_notebooks_own_cells(tmp_path):
    nb = as_dict(new_notebook(cells=[new_markdown_cell("# Title"), new_markdown_cell("Text of a."),
                                     new_code_cell("secret = 1\nprint(secret)")]))
    nb["cells"][1]["id"], nb["cells"][2]["id"] = "aaaa0001", "bbbb0002"
    nb["cells"][2]["outputs"] = [new_output("stream", name="stdout", text="1\n")]
    path = tmp_path / "07_demo.ipynb"
    path.write_text(json.dumps(nb))
    lesson = [{"nb": "07", "cell": "aaaa0001", "note": "Say a."},
              {"nb": "07", "cell": "bbbb0002", "code": False, "note": "Only the output."}]
    deck = C.lesson_notebook(lesson, "A lesson", [path], title_note="Say why.")
    cells = deck["cells"]
    assert [C.slide_type(c) for c in cells] == ["slide", "notes", "slide", "notes", "slide", "notes"]
    assert cells[0]["source"].startswith("# A lesson") and cells[1]["source"] == "Say why."
    assert cells[2]["source"] == "Text of a." and "Say a." in cells[3]["source"]
    assert cells[4]["metadata"]["transient"]["remove_source"] is True        # code hidden, output shown
    assert "07_demo.ipynb, cell bbbb0002" in cells[5]["source"]
    with pytest.raises(C.Refusal, match="07_demo.ipynb has no cell 'gone0000'"):
        C.lesson_notebook([{"nb": "07", "cell": "gone0000"}], "A lesson", [path])


def test_the_lesson_names_cells_that_exist():
    """tools/series.py's LESSON: every cell it names is in its notebook (else make slides stops)."""
    lesson = getattr(C.series, "LESSON", None)
    if not lesson:
        pytest.skip("no lesson defined")
    deck = C.lesson_notebook(lesson, C.series.LESSON_TITLE, NOTEBOOKS)
    assert sum(C.slide_type(c) == "slide" for c in deck["cells"]) == len(lesson) + 1
    assert 20 <= len(lesson) <= 30
