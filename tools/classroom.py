"""Classroom mode: slide metadata that fits a projector, offline reveal.js decks, student copies.

Run it as ``python tools/classroom.py COMMAND`` (the Makefile's classroom targets do)::

    assign-slides NOTEBOOK...   set every cell's slide type by the rules below (idempotent; only
                                cell metadata "slideshow" changes, and a file is rewritten only
                                when some slide type changed)
    check-slides NOTEBOOK...    report cells without slide metadata and slides over the limit
                                (exit status 1 if there is any)
    slides [NOTEBOOK...]        one reveal.js deck per notebook in build/slides/, with everything
                                it loads (reveal.js, require.js, jQuery, MathJax, the widget
                                renderer) copied beside it, so the decks work with no network
    pages [NOTEBOOK...]         one static HTML page per notebook in build/pages/, as a reader
                                without Jupyter sees it (outputs and saved widgets; the
                                scrubbers switch frames with no kernel), assets bundled as for
                                the decks, so the pages work with no network either
    student OUT_DIR [NOTEBOOK...] [--force] [--binder OWNER/NAME[@REF]]
                                a student edition in OUT_DIR, a folder that stands alone (zip
                                it, or push it as a repository of its own): copies in
                                notebooks/ without worked solutions, folded answers, outputs or
                                widget state (exercise stubs and self-checks kept), and with no
                                link to the series' repository or the teacher's guide; the
                                data files tools/series.py declares for them in data/; the
                                package with pyproject.toml, environment.yml and postBuild; a
                                README.  --binder: the edition's own repository, which its
                                Binder badges open (none without it).  OUT_DIR must be new or
                                empty (--force: replace only the files it writes), and outside
                                the source notebooks' folder; it appears only when complete

A notebook that is not one (bad JSON, not UTF-8, no cells) stops any command with one line,
"error: FILE: what is wrong", exit status 2, before anything is written; so do output folders
that would overwrite a source.  A problem with this machine (no network the first time `slides`
runs, no nbconvert) is one line with exit status 1.

The height rule
---------------
A slide must fit reveal.js's canvas, which nbconvert's template sets to 960 x 700 pixels; reveal.js
scales that canvas to the screen (a 1280 x 720 projector shows it at 1.03x, 1024 x 768 at 1.07x),
so a slide that fits the canvas fits any projector.  We estimate the height of each *subslide*
(what is on screen at once, all its fragments shown) in canvas pixels from the cells' content,
with the template's fonts (20 px text, 19 px code) and the series' wide fallback font (DejaVu):

* markdown, block by block: a paragraph or list item wraps at ``CONTENT_WIDTH`` px (10 px a
  character) into ``MD_LINE`` px lines, a line with inline maths ``MATH_FACTOR`` taller; headings,
  tables (columns shared out by their content, cells wrapped), fenced code and display maths their
  own heights; ``BLOCK_GAP`` between blocks; all times ``MD_SAFETY``;
* a code cell: ``CODE_LINE`` px per line of source wrapped at ``CODE_CHARS`` (the deck wraps long
  code lines rather than cut them off at the slide's edge), plus its outputs: text
  ``CODE_LINE`` px per line wrapped at ``OUT_WIDTH``; a PNG its pixel height read from its header,
  scaled to ``IMAGE_WIDTH`` and at most ``IMAGE_MAX`` (the deck's CSS caps figures there), plus
  ``IMAGE_PAD``; HTML its table rows and lines; a widget the sum of its parts from the saved widget
  state (an image's PNG, ``WIDGET_ROW`` px a row of controls);
* every cell ``CELL_PAD`` px.

**The limit: ``HEIGHT_LIMIT`` = 640 estimated canvas pixels per subslide** (the 700 px canvas less
a margin for the estimate's error).  The constants were measured in Chromium on the series' own
decks; a rule is here because without it the decks have subslides taller than the canvas, or more
subslides.  ``tests/browser/test_slides.py`` lays every deck out and checks that no subslide is
taller than 700 px.  The deck shows a cell taller than the limit on several subslides
(``split_cell``: markdown between blocks and table rows, code as its input then its outputs,
and a source taller than a slide at a statement's end, the rest under "The code continues"; outputs
moved to a subslide of their own sit under a caption that says what they are, unless a titled widget
says it itself); what cannot be split (one paragraph, one figure) is reported by ``check-slides``.

The deck (``deck_notebook``)
----------------------------
No "In [ ]:" prompts (they take 100 px of every code line); a code line longer than the slide
wraps (CSS) and the height rule counts it; the folded answers of a question move to the speaker
notes (``answers_to_notes``), and a worked solution there loses its self-check lines
(``solution_only``); a markdown cell's last paragraph moves onto the next subslide with the code
it introduces (rule 5 below).  The lesson deck (``lesson_notebook``) is tools/series.py's
``LESSON``: cells of the notebooks by id, one slide each, a code cell's source only where asked,
with its note.

The width rule
--------------
A printed line wider than the output column wraps wherever the column ends, often in the middle of
a word or a number ("wro / ng", "0. / 36]").  So every line printed by a cell the deck shows (a text
output: stream, error or plain-text result) is at most ``OUT_CHARS`` = 64 characters: the 741 px
column at 11.5 px a character.  ``check-slides`` reports a wider line; ``bh.compare`` and the
exercises' self-checks keep to it by themselves.  A folded answer (``<details>``) counts nothing in
the height rule: the deck moves it to the speaker notes.

The assignment rules (``assign_slide_types``)
---------------------------------------------
1. The first cell (the title) and every markdown cell that opens with a level-1 or level-2 heading
   starts a ``slide``; one that opens with a level-3 heading starts a ``subslide``.
2. A code cell tagged ``solution`` is speaker ``notes`` (the presenter sees it in the speaker view,
   the room does not); the "Worked solution" markdown before it and ``self-check`` cells (whose
   saved output is chatter such as "not implemented yet") are ``skip``.
3. A markdown cell that opens with "Think!" (a question beside a widget) is a ``fragment``: it
   appears on the next key press, after the room has looked at the figure.
4. Any other cell continues the current subslide (``""``, see ``CONTINUE``), unless adding it would take the
   subslide over ``HEIGHT_LIMIT``: then it starts a new ``subslide`` (a fragment that does not fit
   becomes a subslide too).  A cell taller than the limit is split in the deck, and the next cell
   continues after its last piece.
5. A code cell that rule 4 moves to a new subslide takes along the markdown cell just before it
   (which says what the code is for), so that no code stands on a subslide while its sentence is
   on the one before: if that cell continued the subslide after something more than headings and
   the two fit together, the markdown cell starts the new subslide and the code continues it;
   otherwise, if the cell's last paragraph (from its last block that starts a sentence, with a
   heading just above it; not a "Think!" question, not a cell with folded answers, and leaving
   more than a heading behind) fits with the code and what follows it on that subslide, the
   deck moves that paragraph there (``intro_split``, ``deck_notebook``).  Where neither fits
   (the introduction and the code with its outputs are taller than a slide together), the code
   starts its subslide alone, as before.
"""
import argparse
import ast
import base64
import copy
import importlib.util
import json
import math
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
SLIDES_DIR = ROOT / "build" / "slides"
PAGES_DIR = ROOT / "build" / "pages"
NPM_CACHE = ROOT / "build" / ".cache" / "npm"


class Refusal(Exception):
    """A problem with what was asked or given (exit status 2) or with this machine (status 1);
    ``main`` prints it as one line, "error: <message>"."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def _require(module, task):
    """Import ``module`` (nbformat, nbconvert), or refuse ``task`` before it starts."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise Refusal(f"{task} needs {module}, which is not installed ({e}); it comes with "
                      f"JupyterLab (`make lab`), or `pip install {module}`", status=1) from None


def _load_series():
    """tools/series.py (the notebooks and the data files they open), loaded by its path."""
    path = pathlib.Path(__file__).with_name("series.py")
    spec = importlib.util.spec_from_file_location("series", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


series = _load_series()

# ---------------------------------------------------------------------------------------------
# The height rule (canvas pixels of reveal.js's 960 x 700 canvas, nbconvert's reveal template)
# ---------------------------------------------------------------------------------------------
CANVAS_HEIGHT = 700
HEIGHT_LIMIT = 640
#: Width of the content column: the canvas less the prompt column (110 px) and padding.
CONTENT_WIDTH = 795
#: Average character widths (px) of the template's fonts, measured on the series' own text in
#: Chromium with DejaVu (a wide font; narrower fonts wrap less, so the estimate errs tall).
MD_CHAR, CODE_CHAR = 10.0, 11.5
WRAP_LOSS = 40                       # px lost at the end of a wrapped line (the next word)
MD_LINE = 26                         # 20 px text: a line of a paragraph or a list item
BLOCK_GAP = 20                       # margin between markdown blocks (paragraphs, lists, tables)
BLOCK_TOP, BLOCK_END = 20, 10       # the first block's top margin, the last block's bottom one
HEADING = {1: (60, 30, 20.4), 2: (38.4, 20, 13.1), 3: (31.2, 20, 10.6), 4: (30, 20, 10.6),
           5: (30, 20, 10.6), 6: (30, 20, 10.6)}   # level: (line height, top margin, char width)
TABLE_LINE, TABLE_PAD = 24, 9        # table cell: 20 px text, 4 px padding top and bottom
MATH_LINE = 40                       # one line of display maths
CODE_LINE, CODE_PAD = 22.8, 16       # 19 px monospace: input and text output
CODE_WIDTH = 950                     # the code box, with no "In [ ]:" prompt beside it
#: a longer line of code wraps (82 characters fit; the browser wraps at a space, so count 78)
CODE_CHARS = int(CODE_WIDTH // CODE_CHAR) - 4
OUT_WIDTH = 741                      # text output wraps at this width (estimate; the column is wider)
OUT_CHARS = int(OUT_WIDTH // CODE_CHAR)   # so a printed line of up to 64 characters never wraps
CELL_PAD = 12                        # padding of every cell
OUT_GAP = 6                          # between a code cell's outputs
WIDGET_ROW = 40                      # a row of sliders / text boxes / buttons
CONTROLS_PER_ROW = 2                 # a slider with its label is about 450 px wide
IMAGE_MAX = 470                      # the deck shows no figure taller than this (CSS max-height)
WIDGET_IMAGE_MAX = 360               # nor a widget's picture taller than this
#: The output column of a code cell, in canvas px: 960 less the cell's 2 x 5 px padding and its 8 px
#: collapser (measured in Chromium).  A figure at most this wide is shown at full size (the deck's
#: CSS lifts reveal.js's 95 % cap); the height estimate scales every picture to it, plus padding.
IMAGE_WIDTH, IMAGE_PAD = 942, 56
#: A widget's picture sits in an HTML widget with 2 px margins: at most this wide at full size.
WIDGET_IMAGE_WIDTH = 938
#: A 1280 x 720 screen (a common projector) shows reveal.js's 960 x 700 canvas, less its 4 %
#: margin, at min(1228.8 / 960, 691.2 / 700) = 0.987 (tests/browser/test_slides.py measures it).
SCREEN_SCALE = 0.987
#: The smallest text a figure may show there, in screen pixels: 80 % of the body text's 19.7 px,
#: 2.2 % of the screen's height (4.4 cm letters on a 2 m screen, readable to about 9 m by the
#: rule the body text is held to).  binrnn_helpers/style.py draws figure text at 12 pt, 16.7 px
#: at 100 dpi, so a figure may be shrunk to no less than 0.97 of its size (tests/test_figure_text.py).
FIGURE_TEXT_MIN_PX = 16
MATH_FACTOR = 1.3                    # a line with inline maths ($...$) is this much taller
MD_SAFETY = 1.08                     # markdown measured up to this much taller than estimated
#: A cell that continues the current slide.  nbconvert reads "" and "-" alike; JupyterLab's own
#: property editor writes ""; jupyterlab-slideshow (the live slideshow) shows "" and drops "-".
CONTINUE = ""
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", CONTINUE, "-")


def figure_scale(width, height, widget=False):
    """How much a deck shrinks a figure of ``width`` x ``height`` PNG pixels on its canvas: the CSS
    caps a figure at IMAGE_MAX px tall and IMAGE_WIDTH px wide (a widget's picture at
    WIDGET_IMAGE_MAX and WIDGET_IMAGE_WIDTH); nothing is enlarged."""
    if widget:
        return min(1.0, WIDGET_IMAGE_MAX / height, WIDGET_IMAGE_WIDTH / width)
    return min(1.0, IMAGE_MAX / height, IMAGE_WIDTH / width)


def png_size(data):
    """(width, height) in pixels from the header of PNG bytes (or a base64 string of them)."""
    if isinstance(data, str):
        data = base64.b64decode(re.sub(r"\s", "", data[:200])[:64])
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("data: not a PNG")
    return struct.unpack(">II", data[16:24])


def _text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def _source(cell):
    return _text(cell.get("source"))


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BADGE = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)")
_INLINE = re.compile(r"(\*\*|__|<[^>]+>|\\(?=[|$*_])|`)")


def _text_width(text):
    """Width in px of markdown on one line, as the reader sees it: links as their text, no
    emphasis marks, tags or backticks."""
    return len(_INLINE.sub("", _LINK.sub(r"\1", _BADGE.sub("[badge]", text)))) * MD_CHAR


def _lines(text, width, char=MD_CHAR):
    """Lines that ``text`` (markdown) wraps to in ``width`` px, in a font ``char`` px a character
    wide; each line loses ``WRAP_LOSS`` px to the word that did not fit."""
    return max(1, math.ceil(_text_width(text) * char / MD_CHAR / max(1.0, width - WRAP_LOSS)))


_ITEM = re.compile(r"(\s*)([-*+]|\d+[.)])\s+(.*)")


def markdown_blocks(source):
    """Split markdown into blocks: a list of ``(kind, lines)``, kind one of heading, paragraph,
    item, table, fence, math, details, blank.  Joining every block's lines with newlines gives
    back ``source``; the deck splits a cell only between blocks."""
    blocks = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            kind, j = "blank", i + 1
        elif stripped.startswith("```") or stripped.startswith("~~~"):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(stripped[:3]):
                j += 1
            kind, j = "fence", min(j + 1, len(lines))
        elif stripped.startswith("$$"):
            j = i + 1
            if not (len(stripped) > 2 and stripped.endswith("$$")):
                while j < len(lines) and not lines[j].strip().endswith("$$"):
                    j += 1
                j = min(j + 1, len(lines))
            kind = "math"
        elif stripped.lower().startswith("<details"):
            j = i
            while j < len(lines) and "</details>" not in lines[j].lower():
                j += 1
            kind, j = "details", min(j + 1, len(lines))
        elif re.match(r"#{1,6}\s", stripped):
            kind, j = "heading", i + 1
        elif stripped.startswith("|"):
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith("|"):
                j += 1
            kind = "table"
        else:
            kind = "item" if _ITEM.match(line) else "paragraph"
            j = i + 1
            while j < len(lines) and lines[j].strip() and not _starts_block(lines[j]):
                j += 1
        blocks.append((kind, lines[i:j]))
        i = j
    return blocks


def _starts_block(line):
    return bool(_ITEM.match(line) or re.match(r"(#{1,6}\s|```|~~~|\$\$|\||<details)", line.strip()))


def _table_height(lines, width):
    rows = [[c.strip() for c in re.split(r"(?<!\\)\|", ln.strip().strip("|"))]
            for ln in lines if not _is_table_rule(ln)]
    if not rows:
        return 0
    ncol = max(len(r) for r in rows)
    natural = [max((_text_width(r[k]) if k < len(r) else 0) for r in rows) + 2 * TABLE_PAD
               for k in range(ncol)]
    if sum(natural) > width:   # the browser shares the width out roughly as the content asks
        natural = [max(60.0, width * n / sum(natural)) for n in natural]
    if any("$" in text for row in rows for text in row):
        # typeset maths is not as wide as its source: the browser's columns can differ a lot from
        # these, so count every cell as if its column had no more than an equal share
        natural = [min(n, width / ncol) for n in natural]
    height = 0
    for row in rows:
        tallest = max(_cell_lines(text, natural[k] - 2 * TABLE_PAD) for k, text in enumerate(row))
        height += tallest * TABLE_LINE * (MATH_FACTOR if "$" in "".join(row) else 1) + 2 * TABLE_PAD
    return height


def _cell_lines(text, avail):
    """Lines of a table cell ``avail`` px wide: one if the text fits, else wrapped."""
    used = _text_width(text)
    if used <= avail:
        return 1
    return math.ceil(used / max(1.0, avail - WRAP_LOSS / 2))


def _heading_of(line):
    """(level, text) of a markdown heading line."""
    text = line.strip()
    level = len(text) - len(text.lstrip("#"))
    return min(level, 6), text[level:].strip()


def _block_height(kind, lines, width=CONTENT_WIDTH):
    """Height in canvas px of one markdown block (without the gap between blocks)."""
    text = " ".join(ln.strip() for ln in lines)
    maths = MATH_FACTOR if "$" in text else 1
    if kind == "heading":
        level, words = _heading_of(text)
        line, _, char = HEADING[level]
        return line * _lines(words, width, char)
    if kind == "item":
        height = 0
        for item in _split_items(lines):
            indent = 40 + 40 * (len(item[0]) - len(item[0].lstrip())) // 2
            words = _ITEM.sub(r"\3", " ".join(ln.strip() for ln in item), count=1)
            height += MD_LINE * _lines(words, width - indent) * (MATH_FACTOR if "$" in words else 1)
        return height
    if kind == "table":
        return _table_height(lines, width)
    if kind == "fence":   # code blocks in markdown wrap
        body = lines[1:-1] if len(lines) > 1 else lines
        return CODE_PAD + CODE_LINE * sum(_lines(ln, width - CODE_PAD, CODE_CHAR) for ln in body)
    if kind == "math":
        return MATH_LINE * max(1, len(lines) - (1 if len(lines) > 1 else 0))
    if kind == "details":   # a folded answer: the deck shows its one-line summary
        return MD_LINE
    return MD_LINE * _lines(text, width) * maths      # a paragraph (and anything else)


def _split_items(lines):
    items = []
    for ln in lines:
        if _ITEM.match(ln) or not items:
            items.append([ln])
        else:
            items[-1].append(ln)
    return items


def _markdown_height(source, width=CONTENT_WIDTH):
    """Estimated height in canvas pixels of rendered markdown: its blocks, the gaps between
    them, the first block's top margin and the last one's bottom margin."""
    blocks = [(kind, lines) for kind, lines in markdown_blocks(source) if kind != "blank"]
    if not blocks:
        return 0
    heights = [_block_height(kind, lines, width) for kind, lines in blocks]
    kind, lines = blocks[0]
    top = HEADING[_heading_of(lines[0])[0]][1] if kind == "heading" else BLOCK_TOP
    return top + sum(heights) + BLOCK_GAP * (len(heights) - 1) + BLOCK_END


_INLINE_PNG = re.compile(r"""<img\b[^>]*\bsrc=["']data:image/png;base64,([^"']+)["'][^>]*>""", re.I)


def _html_height(text, cap=IMAGE_MAX):
    """An HTML output: its pictures (PNG inline as data: URLs, as a scrubber's frames are), its
    table rows, and a line per paragraph, div, list item or line break."""
    pictures = [_image_height(m.group(1), cap) for m in _INLINE_PNG.finditer(text)]
    text = _INLINE_PNG.sub("", text)
    rows = len(re.findall(r"<tr\b", text, re.I))
    lines = len(re.findall(r"<(?:p|div|li|br)\b", text, re.I))
    if pictures and not (rows or lines or text.strip()):
        return sum(pictures)
    return sum(pictures) + rows * (TABLE_LINE + 2 * TABLE_PAD) + max(1, lines) * MD_LINE


def _image_height(png, cap=IMAGE_MAX):
    w, h = png_size(png)
    return IMAGE_PAD + min(cap, h * IMAGE_WIDTH / w)


def _widget_height(model_id, state):
    """Height of a saved widget view: a box adds its children (a row box, a stack of frames and a
    grid of layers: the tallest), an image is its PNG, HTML its lines, any other control one row."""
    model = state[model_id]
    name, values = model.get("model_name", ""), model.get("state", {})
    children = [_widget_height(c[len("IPY_MODEL_"):], state) for c in values.get("children", [])]
    if name in ("VBoxModel", "BoxModel"):
        return sum(children)
    if name == "HBoxModel" and children and max(children) <= WIDGET_ROW:
        return WIDGET_ROW * math.ceil(len(children) / CONTROLS_PER_ROW)    # a row of controls wraps
    if name in ("HBoxModel", "StackModel", "GridBoxModel"):
        return max(children, default=0)
    if name == "ImageModel":
        png = [b["data"] for b in model.get("buffers", []) if b.get("path") == ["value"]]
        return _image_height(png[0], WIDGET_IMAGE_MAX) if png else WIDGET_ROW
    if name == "HTMLModel":
        return max(WIDGET_ROW, _html_height(values.get("value", ""), WIDGET_IMAGE_MAX))
    return WIDGET_ROW


def _text_height(text):
    """A text output (``pre``, wrapped) in canvas px."""
    lines = text.rstrip("\n").split("\n")
    return CODE_PAD + CODE_LINE * sum(_lines(ln, OUT_WIDTH, CODE_CHAR) for ln in lines)


def _output_height(output, widgets):
    if output.get("output_type") == "stream":
        return _text_height(_text(output.get("text")))
    data = output.get("data", {})
    view = data.get("application/vnd.jupyter.widget-view+json", {})
    if view.get("model_id") in widgets:
        return _widget_height(view["model_id"], widgets)
    if "image/png" in data:
        return _image_height(data["image/png"])
    if "text/html" in data:
        return _html_height(_text(data["text/html"]))
    return _text_height(_text(data.get("text/plain")))


def widget_state(nb):
    return nb.get("metadata", {}).get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})


def cell_height(cell, widgets=None):
    """Estimated height in canvas pixels of one cell as the deck shows it (see the module doc)."""
    if cell.get("cell_type") == "markdown":      # its folded answers go to the speaker notes
        return CELL_PAD + MD_SAFETY * _markdown_height(_source(answers_to_notes(cell)[0]))
    outputs = [_output_height(o, widgets or {}) for o in cell.get("outputs", [])]
    return CELL_PAD + input_height(cell) + sum(outputs) + OUT_GAP * len(outputs)


def input_height(cell):
    """A code cell's source box: a line longer than ``CODE_CHARS`` wraps (the deck's CSS)."""
    if cell.get("metadata", {}).get("transient", {}).get("remove_source"):
        return 0
    lines = _source(cell).splitlines() or [""]
    return CODE_PAD + CODE_LINE * sum(max(1, math.ceil(len(ln) / CODE_CHARS)) for ln in lines)


# ---------------------------------------------------------------------------------------------
# The deck's view: a cell taller than the limit is shown on several subslides
# ---------------------------------------------------------------------------------------------
def _is_table_rule(line):
    return bool(re.fullmatch(r"\|?[\s:|-]+\|?", line.strip()))


def _markdown_pieces(source):
    """Markdown blocks small enough to group: a table is cut into runs of rows, each piece
    repeating the table's header."""
    pieces = []
    for kind, lines in markdown_blocks(source):
        if kind == "blank":
            continue
        if kind == "table" and len(lines) > 3 and _table_height(lines, CONTENT_WIDTH) > HEIGHT_LIMIT / 2:
            header = lines[:2] if _is_table_rule(lines[1]) else lines[:1]
            for row in lines[len(header):]:
                pieces.append(("table-row", header, [row]))
        else:
            pieces.append((kind, [], lines))
    return pieces


def _join_pieces(pieces):
    """Markdown text of consecutive pieces (table rows sharing a header become one table)."""
    out, header = [], None
    for kind, head, lines in pieces:
        if kind == "table-row":
            if head != header:
                if out:
                    out.append("")
                out.extend(head)
                header = head
            out.extend(lines)
        else:
            if out:
                out.append("")
            out.extend(lines)
            header = None
    return "\n".join(out)


def split_cell(cell, widgets=None):
    """The cell as one or more cells, each no taller than ``HEIGHT_LIMIT`` where that can be
    done: markdown is cut between blocks (and tables between rows), a code cell into its input
    with the outputs that fit, then the remaining outputs (long text outputs cut between lines)
    shown without the input.  A cell that fits is returned alone, unchanged."""
    if cell_height(cell, widgets) <= HEIGHT_LIMIT:
        return [cell]
    if cell.get("cell_type") == "markdown":
        groups, current = [], []
        for piece in _markdown_pieces(_source(cell)):
            trial = current + [piece]
            if current and cell_height({"cell_type": "markdown",
                                        "source": _join_pieces(trial)}) > HEIGHT_LIMIT:
                groups.append(current)
                trial = [piece]
            current = trial
        groups.append(current)
        texts = [_join_pieces(g) for g in groups]
        return [_piece_cell(cell, k, source=t) for k, t in enumerate(texts)]
    if cell.get("cell_type") == "code":
        outputs = []
        for o in cell.get("outputs", []):
            outputs.extend(_split_output(o, widgets))
        sources = _split_source(_source(cell))
        cells = [_piece_cell(cell, 0, source=sources[0], outputs=[])]
        for part in sources[1:]:            # a source taller than a slide: the rest of it below
            caption = _caption_cell(cell, len(cells), CODE_CONTINUED)
            cells += [caption, _piece_cell(cell, len(cells) + 1, source=part, outputs=[])]
            cells[-1]["metadata"]["slideshow"] = {"slide_type": CONTINUE}
        room = HEIGHT_LIMIT - cell_height(cells[-1], widgets) - (
            cell_height(cells[-2]) if len(cells) > 1 else 0)
        for o in outputs:
            h = _output_height(o, widgets or {}) + OUT_GAP
            if h <= room:
                cells[-1]["outputs"].append(o)
                room -= h
            elif _titled_widget(o, widgets):    # on the next subslide: it says what it is
                cells.append(_piece_cell(cell, len(cells), outputs=[o], hide_input=True))
                room = HEIGHT_LIMIT - cell_height(cells[-1], widgets)
            else:                   # on the next subslide, under a line that says what it is
                caption = _caption_cell(cell, len(cells), CONTINUED)
                cells += [caption, _piece_cell(cell, len(cells) + 1, outputs=[o], hide_input=True)]
                cells[-1]["metadata"]["slideshow"] = {"slide_type": CONTINUE}
                room = HEIGHT_LIMIT - cell_height(caption) - cell_height(cells[-1], widgets)
        return cells
    return [cell]


def _split_output(output, widgets):
    """A text output taller than the limit, as several outputs of consecutive lines."""
    room = HEIGHT_LIMIT - CELL_PAD - OUT_GAP - cell_height({"cell_type": "markdown", "source": CONTINUED})
    if output.get("output_type") != "stream" or _output_height(output, widgets or {}) <= room:
        return [output]
    pieces, current = [], []
    for line in _text(output.get("text")).splitlines(keepends=True):
        if current and _text_height("".join(current + [line])) > room:
            pieces.append(current)
            current = []
        current.append(line)
    pieces.append(current)
    return [dict(output, text="".join(p)) for p in pieces if p]


CONTINUED = "*Continued: what the code on the slide before shows.*"
CODE_CONTINUED = "*The code continues:*"


def _caption_cell(cell, k, text):
    """The line above the part of ``cell`` that the deck moves to a subslide of its own (its
    outputs, or the rest of a long source), so no slide shows a fragment with nothing to say what
    it is."""
    return {"cell_type": "markdown", "id": f"{cell.get('id', 'cell')}-c{k + 1}"[:64],
            "metadata": {"slideshow": {"slide_type": "subslide"}}, "source": text}


def _titled_widget(output, widgets):
    """Whether ``output`` shows a saved widget whose first line is a bold title (the series'
    scrubbers): on a slide of its own it needs no caption."""
    view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json", {})
    model = (widgets or {}).get(view.get("model_id"), {})
    children = model.get("state", {}).get("children", [])
    first = (widgets or {}).get(children[0][len("IPY_MODEL_"):], {}) if children else {}
    return first.get("model_name") == "HTMLModel" and first["state"].get("value", "").startswith("<b>")


def _split_source(source):
    """A code cell's source as consecutive parts that each fit a slide under a caption, cut
    where a statement ends (no bracket open), at a blank line when one is near."""
    limit = HEIGHT_LIMIT - CELL_PAD - cell_height({"cell_type": "markdown", "source": CODE_CONTINUED})
    if input_height({"cell_type": "code", "source": source}) <= limit:
        return [source]
    lines, parts, start, depth, cuts = source.splitlines(), [], 0, 0, []
    for i, line in enumerate(lines):
        depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
        if depth <= 0 and not line.rstrip().endswith("\\"):
            cuts.append(i + 1)                     # a part may end after this line
        fits = [c for c in cuts if c > start and input_height(
            {"cell_type": "code", "source": "\n".join(lines[start:c])}) <= limit]
        if i + 1 < len(lines) and fits and input_height(
                {"cell_type": "code", "source": "\n".join(lines[start:i + 2])}) > limit:
            blank = [c for c in fits if c < len(lines) and not lines[c].strip()]
            cut = blank[-1] if blank and blank[-1] > start + (fits[-1] - start) // 2 else fits[-1]
            parts.append("\n".join(lines[start:cut]).strip("\n"))
            start = cut
    parts.append("\n".join(lines[start:]).strip("\n"))
    return [p for p in parts if p]


def _piece_cell(cell, k, source=None, outputs=None, hide_input=False):
    piece = copy.deepcopy({key: v for key, v in cell.items() if key != "outputs"})
    if k:
        piece["id"] = f"{cell.get('id', 'cell')}-{k + 1}"[:64]
        piece.setdefault("metadata", {})["slideshow"] = {"slide_type": "subslide"}
    if source is not None:
        piece["source"] = source
    if cell.get("cell_type") == "code":
        piece["outputs"] = outputs if outputs is not None else copy.deepcopy(cell.get("outputs", []))
    if hide_input:
        piece["metadata"].setdefault("transient", {})["remove_source"] = True
    return piece


def deck_notebook(nb):
    """The notebook as the deck shows it: tall cells split (``split_cell``), and a remote image
    in markdown (the Binder badge) replaced by its alt text, since a deck must not wait on the
    network."""
    nb = copy.deepcopy(nb)
    widgets, cells, joints = widget_state(nb), [], []
    for cell in nb["cells"]:
        if slide_type(cell) == "notes" and cell.get("cell_type") == "code":
            cells.append(dict(cell, source=solution_only(_source(cell)), outputs=[]))
        elif slide_type(cell) in ("skip", "notes"):
            cells.append(cell)
        else:
            shown, answers = answers_to_notes(cell)
            parts = split_cell(shown, widgets)
            if cell.get("cell_type") == "markdown":
                joints.append(len(cells) + len(parts) - 1)      # its last piece
            elif cell.get("cell_type") == "code" and slide_type(cell) == "subslide":
                joints.append(len(cells))           # a code cell that starts a subslide
            cells.extend(parts)
            if answers:
                cells.append(answers)
    nb["cells"] = _with_introductions(cells, set(joints), widgets)
    return without_remote_images(nb)


def _with_introductions(cells, joints, widgets):
    """Deck cells where a code cell that starts a subslide (rule 4) has the last paragraphs of
    the markdown cell just before it (``intro_split``) moved onto its subslide, when they fit
    there with everything else on it (rule 5).  ``joints``: indices of the last piece of every
    markdown cell and of the first piece of each code cell that starts a subslide."""
    out = []
    for d, cell in enumerate(cells):
        if (cell.get("cell_type") == "code" and d in joints and d - 1 in joints and out
                and out[-1].get("cell_type") == "markdown"
                and slide_type(out[-1]) not in ("fragment", "skip", "notes") and intro_split(out[-1])):
            head, tail = intro_split(out[-1])
            room = HEIGHT_LIMIT - cell_height({"cell_type": "markdown", "source": tail})
            used = 0
            for later in cells[d:]:
                kind = slide_type(later)
                if later is not cell and kind in ("slide", "subslide"):
                    break
                if kind not in ("skip", "notes"):
                    used += cell_height(later, widgets)
            if used <= room:
                md = out[-1]
                out[-1] = dict(md, source=head)
                out.append({"cell_type": "markdown", "id": f"{md.get('id', 'cell')}-intro"[:64],
                            "metadata": {"slideshow": {"slide_type": "subslide"}}, "source": tail})
                cell = copy.deepcopy(cell)
                cell["metadata"]["slideshow"] = {"slide_type": CONTINUE}
        out.append(cell)
    return out


_ANSWER = re.compile(r"\n?[ \t]*<details><summary>Answer</summary>\s*\n(.*?)\n[ \t]*</details>[ \t]*\n?",
                     re.S)


def answers_to_notes(cell):
    """(the cell without its folded answers, a speaker-notes cell holding them or None): in a
    deck the room sees the questions, the presenter's notes the answers."""
    source = _source(cell)
    if cell.get("cell_type") != "markdown" or not _ANSWER.search(source):
        return cell, None
    answers = [textwrap.dedent(m.group(1)).strip() for m in _ANSWER.finditer(source)]
    questions = re.findall(r"^\s{0,3}(\d+)[.)]\s", source, re.M)
    labels = questions if len(questions) == len(answers) else [str(k + 1) for k in range(len(answers))]
    shown = dict(cell, source=re.sub(r"\n{3,}", "\n\n", _ANSWER.sub("\n", source)).rstrip() + "\n")
    notes = {"cell_type": "markdown", "id": f"{cell.get('id', 'cell')}-answers"[:64],
             "metadata": {"slideshow": {"slide_type": "notes"}},
             "source": "\n\n".join(f"**Answer {q}.** {a}" if len(answers) > 1 else f"**Answer.** {a}"
                                     for q, a in zip(labels, answers))}
    return shown, notes


def solution_only(source):
    """A worked solution as the speaker notes show it: its imports and definitions, without the
    lines after them that run the self-check (the test harness)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    keep = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom,
                                                              ast.ClassDef, ast.Assign))
            and not (isinstance(node, ast.Assign) and "check_function" in ast.unparse(node))]
    lines = source.splitlines()
    return "\n\n".join("\n".join(lines[n.lineno - 1:n.end_lineno]) for n in keep) or source


def without_remote_images(nb):
    """The notebook with each remote image in markdown (the Binder badge) replaced by its alt
    text: an offline page must not wait on the network."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            cell["source"] = _REMOTE_IMAGE.sub(r"\1", _source(cell))
    return nb


_REMOTE_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:https?:)?//[^)]*\)")


# ---------------------------------------------------------------------------------------------
# Assigning and checking slide types
# ---------------------------------------------------------------------------------------------
def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _first_line(cell):
    for line in _source(cell).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _heading_level(cell):
    if cell.get("cell_type") != "markdown":
        return 0
    m = re.match(r"(#{1,6})\s", _first_line(cell))
    return len(m.group(1)) if m else 0


def _is_worked_solution_note(cells, i):
    """The markdown cell that announces a worked solution: it says so, and a solution follows."""
    cell = cells[i]
    return (cell.get("cell_type") == "markdown" and "worked solution" in _source(cell).lower()
            and i + 1 < len(cells) and "solution" in _tags(cells[i + 1]))


def _rule_type(cells, i):
    """The slide type a cell gets by rules 1-3, or None when only its height decides (rule 4)."""
    cell = cells[i]
    tags = _tags(cell)
    if "solution" in tags:
        return "notes"
    if "self-check" in tags or _is_worked_solution_note(cells, i):
        return "skip"
    if i == 0:
        return "slide"
    level = _heading_level(cell)
    if level in (1, 2):
        return "slide"
    if level == 3:
        return "subslide"
    if cell.get("cell_type") == "markdown" and re.match(r"[>*_\s]*Think!", _first_line(cell)):
        return "fragment"
    return None


def _heading_only(source):
    """Whether markdown ``source`` is nothing but headings (a slide of it alone says nothing)."""
    kinds = {kind for kind, _ in markdown_blocks(source) if kind != "blank"}
    return kinds <= {"heading"}


def _starts_sentence(kind, lines, before):
    """Whether a markdown block begins a sentence of its own: a heading, or a paragraph that does
    not go on from the block ``before`` (no lower-case start as in "where ...", and that block
    does not end with a colon that announces it)."""
    if kind == "heading":
        return True
    if kind != "paragraph" or (before and before[-1].rstrip().endswith(":")):
        return False
    return not re.match(r"[a-z]", " ".join(lines).lstrip(" *_>"))


def intro_split(cell):
    """``(head, tail)``: the markdown of ``cell`` cut before its last block that begins a sentence
    (see ``_starts_sentence``; a heading just before it goes with it), the paragraph or
    paragraphs that introduce a code cell after it.  None when there is no such block after the
    first, when the head would be nothing but headings, or when the cell has folded answers
    (they stay with their questions)."""
    if cell.get("cell_type") != "markdown" or answers_to_notes(cell)[1] is not None:
        return None
    blocks = markdown_blocks(_source(cell))
    shown = [k for k, (kind, _) in enumerate(blocks) if kind != "blank"]
    for n in range(len(shown) - 1, 0, -1):
        if _starts_sentence(*blocks[shown[n]], blocks[shown[n - 1]][1]):
            while n and blocks[shown[n - 1]][0] == "heading":     # a heading goes with its text
                n -= 1
            if not n:
                return None
            k = shown[n]
            head = "\n".join(ln for _, lines in blocks[:k] for ln in lines).rstrip("\n")
            tail = "\n".join(ln for _, lines in blocks[k:] for ln in lines)
            return None if _heading_only(head) else (head, tail)
    return None


def intro_height(cell):
    """The height of the introduction ``intro_split`` finds in ``cell`` (None if it finds none)."""
    split = intro_split(cell)
    return cell_height({"cell_type": "markdown", "source": split[1]}) if split else None


def assign_slide_types(nb):
    """The slide type of every cell of notebook ``nb`` (a dict), by the rules of the module doc."""
    cells, widgets = nb["cells"], widget_state(nb)
    types, height, started = [], 0, False
    current = []        # the current subslide's cells: (index, height there, whether split)
    for i, cell in enumerate(cells):
        kind = _rule_type(cells, i)
        if kind in ("skip", "notes"):
            types.append(kind)
            continue
        parts = split_cell(cell, widgets)
        pieces = [cell_height(c, widgets) for c in parts]
        h = pieces[0]
        if kind in ("slide", "subslide") or not started:
            kind, height, current = kind or "slide", h, []
        elif height + h > HEIGHT_LIMIT:
            # Rule 4: a fragment keeps its reveal step only when it fits; otherwise a new subslide.
            intro, tail = _introduction(cells, i, types, current, widgets)
            kind, height, new = "subslide", h, []
            if intro and current[-1][1] + h <= HEIGHT_LIMIT:
                # Rule 5: the markdown cell that introduces the code starts the code's subslide
                types[i - 1], kind = "subslide", CONTINUE
                height, new = current[-1][1] + h, [current[-1]]
            elif tail and tail + h <= HEIGHT_LIMIT:
                height += tail          # the deck moves the markdown's last paragraphs here
            current = new
        else:
            kind, height = kind or CONTINUE, height + h
        if len(parts) > 1:    # the deck shows the rest of a tall cell on subslides of its own
            last = max(k for k, c in enumerate(parts) if k and slide_type(c) == "subslide")
            height = current_height = sum(pieces[last:])      # the last of them, its caption included
            current = []
        else:
            current_height = h
        current.append((i, current_height, len(parts) > 1))
        started = True
        types.append(kind)
    return types


def _introduction(cells, i, types, current, widgets):
    """How code cell ``i``, which rule 4 starts on a new subslide, can take along the markdown
    cell just before it, its introduction, last on the subslide ``current`` (rule 5):
    ``(whole, tail)``: whether the whole cell can move (it continues that subslide after
    something more than headings, and is not split in the deck), and the height of its last
    paragraphs that the deck can move instead (``intro_split`` of the cell, or of its last piece
    when the deck splits it), or None.  Neither for a "Think!" question."""
    if cells[i].get("cell_type") != "code" or cells[i - 1].get("cell_type") != "markdown":
        return False, None
    if not current or current[-1][0] != i - 1 or types[i - 1] == "fragment":
        return False, None
    others = [cells[j] for j, _, _ in current[:-1]]
    whole = types[i - 1] == CONTINUE and not current[-1][2] and not all(
        c.get("cell_type") == "markdown" and _heading_only(_source(c)) for c in others)
    return whole, intro_height(split_cell(cells[i - 1], widgets)[-1])


def slide_type(cell):
    """The cell's slide type from its metadata, or None when it has none."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def subslides(nb):
    """The subslides of the deck (tall cells split): lists of ``(deck_cell_index, height)``."""
    nb = deck_notebook(nb)
    widgets, groups = widget_state(nb), []
    for i, cell in enumerate(nb["cells"]):
        kind = slide_type(cell) or "-"
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        groups[-1].append((i, cell_height(cell, widgets)))
    return groups


def _printed_text(output):
    """The text an output shows as ``pre`` (a stream, an error, a plain-text result), or ""."""
    kind = output.get("output_type")
    if kind == "stream":
        return _text(output.get("text"))
    if kind == "error":
        return "\n".join(output.get("traceback", []))
    data = output.get("data", {})
    if set(data) <= {"text/plain"}:
        return _text(data.get("text/plain"))
    return ""


def too_wide(nb):
    """``(cell index, line)`` for every printed line wider than ``OUT_CHARS`` in a cell the deck
    shows: the slide would wrap it, often in the middle of a word or a number."""
    return [(i, line) for i, cell in enumerate(nb["cells"])
            if cell.get("cell_type") == "code" and slide_type(cell) not in ("skip", "notes")
            for output in cell.get("outputs", [])
            for line in _printed_text(output).splitlines() if len(line) > OUT_CHARS]


def check_notebook(nb, name="notebook"):
    """Problems with the slide metadata of ``nb``: a list of messages (empty when all is well)."""
    problems = []
    missing = [i for i, c in enumerate(nb["cells"]) if slide_type(c) is None]
    if missing:
        problems.append(f"{name}: {len(missing)} of {len(nb['cells'])} cells have no slide "
                        f"metadata (cells {missing[:8]}{' ...' if len(missing) > 8 else ''}); "
                        "run `make slides-metadata`")
    bad = [(i, c) for i, c in enumerate(nb["cells"]) if slide_type(c) not in (None, *SLIDE_TYPES)]
    for i, c in bad:
        problems.append(f"{name}: cell {i} has unknown slide type {slide_type(c)!r}")
    deck = deck_notebook(nb)
    for number, group in enumerate(subslides(nb), start=1):
        total = sum(h for _, h in group)
        if total > HEIGHT_LIMIT:
            first = _first_line(deck["cells"][group[0][0]])[:50]
            parts = ", ".join(f"cell {i}: {h:.0f}" for i, h in group)
            problems.append(f"{name}: subslide {number} ({first!r}) is {total:.0f} px, over the "
                            f"{HEIGHT_LIMIT} px limit (deck cells: {parts})")
    for i, line in too_wide(nb):
        problems.append(f"{name}: cell {i} prints a line of {len(line)} characters, over the "
                        f"{OUT_CHARS} a slide shows unwrapped: {line[:40]!r}...")
    return problems


def read_notebook(path):
    """The notebook at ``path`` as a dict.  A file that is not a version-4 notebook is refused
    with one line naming it: "x.ipynb: not valid JSON (Expecting ',' delimiter, line 3 ...)"."""
    try:
        text = pathlib.Path(path).read_bytes().decode("utf-8")
        nb = json.loads(text)
    except OSError as e:
        raise Refusal(f"{path}: {(e.strerror or str(e)).lower()}") from None
    except UnicodeDecodeError as e:
        raise Refusal(f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset "
                      f"{e.start:,}); a notebook is UTF-8 JSON") from None
    except json.JSONDecodeError as e:
        raise Refusal(f"{path}: not valid JSON ({e.msg}, line {e.lineno} column {e.colno})") \
            from None
    except RecursionError:
        raise Refusal(f"{path}: not a notebook (JSON nested too deeply)") from None
    if not isinstance(nb, dict) or not {"cells", "nbformat"} & set(nb):
        raise Refusal(f"{path}: not a notebook (no 'cells' key)")
    if "nbformat" in nb and nb["nbformat"] != 4:
        raise Refusal(f"{path}: nbformat {nb['nbformat']!r}, not 4; open and save it in "
                      "JupyterLab to convert it")
    for key in ("cells", "nbformat"):
        if key not in nb:
            raise Refusal(f"{path}: not a notebook (no {key!r} key)")
    nbformat = _require("nbformat", "reading a notebook")
    with warnings.catch_warnings():      # a cell without an id is allowed (nbformat < 4.5)
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(json.loads(text))     # a copy: validate() adds missing cell ids
        except nbformat.ValidationError as e:
            where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in e.absolute_path)
            what = e.message if len(e.message) <= 80 else \
                f"does not match the format ({e.validator})"
            raise Refusal(f"{path}: not a valid notebook: {where.lstrip('.') or 'top level'}: "
                          f"{what}") from None
    return nb


def notebook_text(nb):
    """The notebook as Jupyter and nbformat write it (sorted keys, indent 1, UTF-8)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _without_slideshow(nb):
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("slideshow", None)
    return nb


def apply_slide_types(path):
    """Write the rule's slide types into the notebook at ``path``.  Returns the number of cells
    whose slide type changed; the file is rewritten only if that is not zero, and nothing but
    the cells' ``metadata.slideshow`` changes (checked before writing)."""
    path = pathlib.Path(path)
    original_text = path.read_text(encoding="utf-8")
    original = json.loads(original_text)
    nb = copy.deepcopy(original)
    changed = 0
    for cell, kind in zip(nb["cells"], assign_slide_types(nb)):
        if slide_type(cell) != kind:
            cell.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = kind
            changed += 1
    if not changed:
        return 0
    if _without_slideshow(nb) != _without_slideshow(original):
        raise AssertionError(f"{path}: refusing to write; something besides slideshow changed")
    text = notebook_text(nb)
    if notebook_text(original) != original_text:
        # The file is not in nbformat's layout: edit the text as little as JSON allows.
        print(f"note: {path.name} was not in nbformat's layout; rewritten in it", file=sys.stderr)
    tmp = path.with_name(f".{path.name}.slides-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return changed


# ---------------------------------------------------------------------------------------------
# Student copies
# ---------------------------------------------------------------------------------------------
def student_exporter():
    """nbconvert's NotebookExporter with its preprocessors set for a student copy: cells tagged
    ``solution`` and the "**Worked solution**" notes before them removed, outputs, execution
    counts and timings cleared, the saved widget state dropped.  Exercise stubs and self-checks
    stay."""
    from nbconvert.exporters import NotebookExporter
    from traitlets.config import Config

    c = Config()
    for name in ("TagRemovePreprocessor", "RegexRemovePreprocessor", "ClearOutputPreprocessor",
                 "ClearMetadataPreprocessor"):
        c[name].enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"solution"}
    c.RegexRemovePreprocessor.patterns = [r"\*\*Worked solution\*\*"]
    c.ClearOutputPreprocessor.remove_metadata_fields = {"collapsed", "scrolled", "execution"}
    c.ClearMetadataPreprocessor.clear_cell_metadata = False      # keep tags and slide types
    c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {"kernelspec", "language_info"}
    return NotebookExporter(config=c)


_REPO_FILE = re.compile(r"""["']\.\./([\w./-]+)["']""")


def opened_files(nb):
    """The repository files a notebook's code opens by a quoted "../<path>" (the paths, sorted):
    what tools/series.py's ``DATA_FILES`` declares for it."""
    code = "\n".join(_source(c) for c in nb["cells"] if c.get("cell_type") == "code")
    return sorted(set(_REPO_FILE.findall(code)))


def data_file(rel):
    """The path of ``rel``, a data file declared in tools/series.py, refused unless it is a file
    inside the repository (never a notebook: it would carry its solutions)."""
    root = ROOT.resolve()
    path = (root / rel).resolve()
    if (".." in pathlib.PurePosixPath(rel).parts or not path.is_relative_to(root)
            or rel.endswith(".ipynb")):
        raise Refusal(f"{rel}: tools/series.py DATA_FILES may name only files inside the "
                      "repository, and no notebook")
    if not path.is_file():
        raise Refusal(f"{rel}: declared in tools/series.py DATA_FILES, but no such file", status=1)
    return path


# The student edition: a folder that stands alone ------------------------------------------------
# The copies, the package and what installs it, the data files, a README; no tests/, tools/ or
# docs/.  Nothing in it may lead to a solution: no folded answer, no sentence promising a worked
# solution, no link to the series' repository (Binder, GitHub) or to the teacher's guide, no step
# that installs the series' repository.  ``student_notebook`` rewrites what it knows;
# ``edition_leaks`` then reads every file of the edition, and anything left stops the command.

#: Files an edition carries besides the copies, the data and the README: the package (its .py
#: files) and what installs it: pip reads pyproject.toml, conda and Binder environment.yml, then
#: Binder runs postBuild.
EDITION_PACKAGE = "binrnn_helpers"
EDITION_EXECUTABLE = {"postBuild"}

_GITIGNORE = ".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n"

_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_GITHUB_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_GIT_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}")


def binder_target(spec):
    """``OWNER/NAME`` or ``OWNER/NAME@REF``, the GitHub repository an edition is pushed to (and the
    branch, tag or commit Binder builds; ``HEAD`` when none), as (slug, ref).  Refused unless
    GitHub could hold it, and for the series' own repository (tools/series.py ``BINDER_SLUG``),
    which holds every solution."""
    slug, at, ref = str(spec).partition("@")
    owner, _, name = slug.partition("/")
    if not (_GITHUB_OWNER.fullmatch(owner) and _GITHUB_NAME.fullmatch(name)
            and name not in (".", "..") and (not at or _GIT_REF.fullmatch(ref))
            and not any(bad in ref for bad in ("..", "//", "@{")) and not ref.endswith(("/", ".", ".lock"))):
        raise Refusal(f"--binder {spec}: not OWNER/NAME or OWNER/NAME@REF of a GitHub repository "
                      "(e.g. my-course/binrnn-student or my-course/binrnn-student@main)")
    if slug.lower() == series.BINDER_SLUG.lower():
        raise Refusal(f"--binder {spec}: that is the series' own repository (tools/series.py "
                      "BINDER_SLUG), which holds every solution; push the edition to a repository "
                      "of its own and name that one")
    return slug, ref or "HEAD"


def _binder_url(target, notebook=None):
    """The mybinder.org link that builds ``target`` (slug, ref) and opens ``notebook``."""
    from urllib.parse import quote
    slug, ref = target
    url = f"https://mybinder.org/v2/gh/{slug}/{quote(ref, safe='')}"
    return url + ("?labpath=" + quote(f"notebooks/{notebook}", safe="") if notebook else "")


def _binder_badge(target, notebook=None):
    return f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({_binder_url(target, notebook)})"


def _series_repository_url():
    """A URL into the series' own repository: Binder, GitHub, raw files, nbviewer."""
    slug = re.escape(series.BINDER_SLUG)
    return re.compile(rf"(?:mybinder\.org/v2/gh|github\.com|githubusercontent\.com|nbviewer\.org/github)"
                      rf"/{slug}(?![\w.-])", re.I)


def edition_data_path(rel):
    """Where the declared data file ``rel`` goes in an edition: ``data/<its name>`` (an edition
    has no tests/ or benchmarks/; the copies' quoted paths and mentions are rewritten to match)."""
    return "data/" + pathlib.PurePosixPath(rel).name


def _run_instructions(target, first, badge):
    """How to run the edition: Binder (only with a target), pip, conda; ``badge`` says where the
    badge is, ``first`` is the notebook JupyterLab opens."""
    parts = [f"**On Binder** (nothing to install): click the *launch binder* badge {badge}. The first "
             "start can take a few minutes while Binder builds the environment. A Binder session is "
             "temporary: download any notebook you change (*File ▸ Download*)."] if target else []
    parts += ["**On your machine** (Python 3.10 or newer), in the folder that holds `pyproject.toml` "
              "and `notebooks/`:\n\n"
              "```bash\n"
              "python3 -m venv .venv\n"
              ". .venv/bin/activate             # on Windows: .venv\\Scripts\\activate\n"
              'pip install -e ".[lab]"          # binrnn_helpers, JupyterLab and the widgets\n'
              f"jupyter lab notebooks/{first}\n"
              "```",
              "**With conda**, in the same folder:\n\n"
              "```bash\n"
              "conda env create -f environment.yml\n"
              "conda activate binrnn\n"
              "pip install --no-deps -e .       # binrnn_helpers itself\n"
              f"jupyter lab notebooks/{first}\n"
              "```"]
    return "\n\n".join(parts)


def student_readme(names, target=None, sections=(), data=False):
    """The edition's README: what it is, how to install and open it, how to work through a
    notebook, what the folder holds; then ``sections`` of the series' README that the copies
    link to (their headings kept, so the links' anchors hold)."""
    titles = dict(series.NOTEBOOKS)
    first = names[0] if names else "00_start_here.ipynb"
    lines = ["# binrnn: a recurrent network that learns to add", ""]
    if target:
        lines += [_binder_badge(target, first), ""]
    lines += ["Jupyter notebooks that build a small recurrent neural network by hand in numpy and watch "
              "it learn to add binary numbers, one bit per time step. Read them in order:", ""]
    lines += [f"{i}. [{titles.get(n, n)}](notebooks/{n})" for i, n in enumerate(names, 1)]
    lines += ["", "## How to run them", "",
              _run_instructions(target, first, "above (each notebook has its own at the top)"), "",
              "## How to work through a notebook", "",
              "Run all its cells first (*Run ▸ Run All Cells*): each notebook stands on its own and runs "
              "top to bottom in a few seconds. Questions marked *Think!*, and the questions at the end "
              "of each notebook, are yours to answer. Each exercise is a cell to fill in: a function "
              "that raises `NotImplementedError` until you write it. Run it, then run the self-check "
              "below it, which says \"✓\" when your function is right, or \"✗\" with the first case "
              "that is not.", "",
              "## What is in this folder", "",
              "- `notebooks/`: the series, saved without outputs: run them to see the figures and "
              "widgets.",
              f"- `{EDITION_PACKAGE}/`: the package the notebooks import (`import binrnn_helpers as bh`)."]
    if data:
        lines += ["- `data/`: the files the notebooks read (the post's log and weights, measured results)."]
    lines += ["- `pyproject.toml`, `environment.yml`, `postBuild`: what pip, conda and Binder install."]
    if sections:
        lines += ["", "---", "", "The notebooks link to these sections of the series' README:"]
        for section in sections:
            lines += ["", section]
    return "\n".join(lines) + "\n"


def _readme_sections():
    """The level-2 sections of the series' README by their GitHub anchor ("## Performance" is
    ``performance``): the copies' links to ``../README.md#anchor`` are kept when there is one."""
    path = ROOT / "README.md"
    if not path.is_file():
        return {}
    sections, anchor = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## ") or line.startswith("# "):
            anchor = None
            if line.startswith("## "):
                anchor = re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", line[3:].strip().lower()))
                sections[anchor] = [line]
        elif anchor:
            sections[anchor].append(line)
    return {a: "\n".join(lines).strip() for a, lines in sections.items()}


def _edition_files(target):
    """{path in the edition: the repository file to copy, or its text}, for what an edition holds
    besides the copies, the data and the README (``EDITION_PACKAGE``)."""
    files = {f"{EDITION_PACKAGE}/{p.name}": p for p in sorted((ROOT / EDITION_PACKAGE).glob("*.py"))}
    if not files:
        raise Refusal(f"{ROOT / EDITION_PACKAGE}: no package to put in the student edition", status=1)
    files["pyproject.toml"] = ROOT / "pyproject.toml"
    env = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    while env and (env[0].startswith("#") or not env[0].strip()):     # its comments name tools/
        env.pop(0)
    files["environment.yml"] = "\n".join(
        ["# Conda / Binder environment.  Binder builds it, then runs postBuild, which installs",
         "# binrnn_helpers (Binder does not install the local package).", *env]) + "\n"
    overrides = ROOT / "tools" / "jupyterlab_overrides.json"
    settings = ["# JupyterLab's default settings for this environment: no news prompt.",
                "settings=\"$(python -c 'import sys; print(sys.prefix)')/share/jupyter/lab/settings\"",
                'mkdir -p "$settings"', "cat > \"$settings/overrides.json\" <<'JSON'",
                overrides.read_text(encoding="utf-8").rstrip("\n"), "JSON"] if overrides.is_file() else []
    files["postBuild"] = "\n".join(
        ["#!/bin/bash", "# Binder runs this after creating the conda environment from environment.yml.",
         "set -euo pipefail", "pip install --no-deps .", *settings]) + "\n"
    files[".gitignore"] = _GITIGNORE
    return files


# What the copies' markdown says about solutions, folded answers and the series' own tools,
# rewritten clause by clause where a clause can go; then every sentence still naming a solution, a
# fold or the teacher's guide goes whole (a list item with no sentence left goes too).
_S = r"\s+"
_STUDENT_REWRITES = [
    (rf",?{_S}(a{_S}self-check{_S}cell{_S}to{_S}run(?:{_S}after{_S}it)?),?{_S}and{_S}a{_S}worked"
     rf"{_S}solution[^.]*", r" and \1"),
    (rf"{_S}and{_S}folded{_S}worked{_S}solutions", ""),
    (rf",?{_S}then{_S}unfold{_S}the{_S}\*Answer\*[^.]*", ""),
    (rf"{_S}\((?:`make [\w-]+`(?:,{_S}|{_S}and{_S})?)+\)", ""),       # (`make slides`, `make pages`)
    (r"`make(?: lab)?`", "pip"),
]
_WITHOUT_BINDER = [(rf"{_S}or{_S}on{_S}Binder\b", ""), (rf"\bon{_S}Binder,{_S}", "")]
_DROP_SENTENCE = re.compile(r"\bsolutions?\b|\bfolded\b|\bunfold|\bteacher'?s'? guide\b"
                            r"|\]\([^)]*teaching-guide|`(?:tools|tests|docs)/`", re.I)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?]\)))(?<!e\.g\.)(?<!i\.e\.)(\s+)(?=[(*`\[A-Z])")
_DETAILS = re.compile(r"[ \t]*<details\b.*?</details>[ \t]*", re.S | re.I)
_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_FILE_TARGET = re.compile(r"(?:\.\.?/)*[\w.%/-]+\.\w+(?:#\S*)?")
_RUN_HEADING = re.compile(r"#{2,3} How to run it\b", re.I)


def _drop_sentences(text, pattern=None):
    """``text`` (markdown) without the sentences of its paragraphs and list items that match
    ``pattern`` (``_DROP_SENTENCE``); code, headings, tables and HTML lines are left as they are."""
    pattern = pattern or _DROP_SENTENCE
    units, fenced = [], False          # [prose?, lines]
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        prose = not fenced and stripped and not stripped.startswith(("```", "~~~", "#", "|", "<", "$$"))
        if prose and units and units[-1][0] and not _ITEM.match(line):
            units[-1][1].append(line)
        else:
            units.append([bool(prose), [line]])
    out = []
    for prose, lines in units:
        text = "\n".join(lines)
        if prose and pattern.search(text):
            item = _ITEM.match(lines[0])
            prefix = lines[0][:item.start(3)] if item else ""
            pieces = _SENTENCE_END.split(text[len(prefix):]) + [""]    # sentence, space, ...
            kept = "".join(sentence + space for sentence, space in zip(pieces[::2], pieces[1::2])
                           if not pattern.search(sentence)).rstrip()
            if not kept:
                continue
            text = prefix + kept
        out.append(text)
    return "\n".join(out)


def student_notebook(nb, name, target=None, files=(), data=None, sections=None):
    """The student copy of ``nb`` (a notebook dict whose solution cells are already removed; it is
    changed in place and returned): every <details> fold (the answers of the recall and Think!
    questions) removed; the sentences that promise a worked solution or a folded answer, or point
    to the teacher's guide, rewritten or removed; "How to run it" rewritten for the edition; the
    Binder links pointed at ``target`` (slug, ref) or removed; links to files outside the edition
    (``files``) unlinked, except ``../README.md#anchor`` when ``sections`` has that anchor (it is
    then recorded in ``sections["used"]``); ``data`` ({repository path: edition path}) rewritten
    in every cell.  A markdown cell left empty goes."""
    data = data or {}
    sections = sections if sections is not None else {}
    repository = _series_repository_url()
    first = next((rel[len("notebooks/"):] for rel in files if rel.startswith("notebooks/")), name)

    def link(match):
        bang, text, target_url = match.groups()
        if target_url.startswith(("http://", "https://", "//")):
            if not repository.search(target_url):
                return match.group(0)
            if target and "mybinder.org/" in target_url.lower():
                query = target_url.partition("?")[2]
                notebook = re.search(r"labpath=notebooks%2F([^&#]+)", query)
                return f"{bang}[{text}]({_binder_url(target, notebook and notebook.group(1))})"
            return "" if bang or text.startswith("![") else text
        if not _FILE_TARGET.fullmatch(target_url) or target_url.startswith("#"):
            return match.group(0)
        path, _, anchor = target_url.partition("#")
        rel = os.path.normpath(os.path.join("notebooks", path)).replace(os.sep, "/")
        if rel == "README.md" and anchor in sections.get("found", {}):
            sections.setdefault("used", set()).add(anchor)
            return match.group(0)
        if rel in files and rel != "README.md":
            return match.group(0)
        return "" if bang else text

    cells = []
    for cell in nb["cells"]:
        source = _source(cell)
        for rel, new in data.items():
            source = source.replace(rel, new)
        if cell.get("cell_type") == "markdown":
            if _RUN_HEADING.match(source):
                heading = source.split("\n", 1)[0]
                source = f"{heading}\n\n" + _run_instructions(
                    target, first, "at the top of this notebook, or of any other")
            source = _DETAILS.sub("", source)
            for pattern, new in _STUDENT_REWRITES + ([] if target else _WITHOUT_BINDER):
                source = re.sub(pattern, new, source)
            source = _drop_sentences(source)
            source = _MD_LINK.sub(link, source)
            source = re.sub(r"\n[ \t]*(?:\n[ \t]*)+\n", "\n\n", source).strip()
            if not source:
                continue
        cell["source"] = source.splitlines(keepends=True)        # as nbformat writes it
        cells.append(cell)
    nb["cells"] = cells
    return nb


_LEAK_ANYWHERE = [
    (None, "a link to the series' repository, which holds every solution"),
    (re.compile(r"\.\./docs/|teaching-guide", re.I), "a link to the teacher's guide"),
]
_LEAK_IN_PROSE = [
    (re.compile(r"<details\b", re.I), "a folded answer"),
    (re.compile(r"\bsolutions?\b|\bfolded\b|\bunfold", re.I),
     "a sentence about worked solutions or folded answers"),
    (re.compile(r"\bteacher'?s'? guide\b", re.I), "a mention of the teacher's guide"),
    (re.compile(r"\bmake lab\b|\bgit clone\b", re.I), "an install step of the series' repository"),
]
_LEAK_IN_CODE = [(re.compile(r"\w_solution\b"), "a worked solution's name")]


def edition_leaks(text, prose=True, code=False, target=None):
    """What in ``text`` (a file of the edition, or one cell) could lead a student to a solution,
    as (what, the text around it).  Every text: links into the series' repository (and, without
    a Binder ``target``, to mybinder.org at all), to docs/ or the teacher's guide.  ``prose``
    (markdown, the README): folded answers, sentences about worked solutions, `make lab` and
    `git clone`.  ``code``: names of worked solutions."""
    found = []
    checks = [(_series_repository_url(), _LEAK_ANYWHERE[0][1])] + _LEAK_ANYWHERE[1:]
    if not target:
        checks.append((re.compile(r"mybinder\.org/v2/", re.I), "a Binder link (no --binder given)"))
    checks += (_LEAK_IN_PROSE if prose else []) + (_LEAK_IN_CODE if code else [])
    for pattern, what in checks:
        for m in pattern.finditer(text):
            found.append((what, text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")))
    return found


def _refuse_leaks(rel, found):
    if found:
        (where, what, around), more = found[0], len(found) - 1
        raise Refusal(f"{rel}{where}: the student edition would still hold {what}: ...{around}...; "
                      "reword the source (tools/classroom.py rewrites only what it knows)"
                      + (f" ({more} more)" if more else ""))


def write_student_copies(out_dir, notebooks, force=False, binder=None):
    """A student edition of ``notebooks`` in ``out_dir``: a folder that stands alone and holds no
    solution, ready to zip or to push as a repository of its own.  It holds the copies in
    ``out_dir/notebooks/`` (``student_exporter``, then ``student_notebook``), the data files
    tools/series.py declares for them in ``data/`` (the copies' paths rewritten to match),
    ``binrnn_helpers/`` with pyproject.toml (``pip install -e .``), environment.yml and postBuild
    (conda, Binder), a .gitignore and a README.  ``binder`` ("OWNER/NAME" or "OWNER/NAME@REF",
    the edition's own repository): the Binder badges open it; without it, the copies have none.
    Returns the copies' paths.

    Refused, with nothing written: an ``out_dir`` that is, contains or lies inside the folder of
    a source notebook or the repository's notebooks/; a non-empty ``out_dir`` unless ``force``
    (which replaces the files named above and touches nothing else); a file that is not a
    notebook; an edition in which ``edition_leaks`` still finds something.  Everything is written
    into a temporary folder beside ``out_dir`` first, and moved into place only when complete."""
    target = binder_target(binder) if binder is not None else None
    out = pathlib.Path(out_dir).resolve()
    paths = [pathlib.Path(p) for p in notebooks]
    for folder in {NOTEBOOK_DIR.resolve(), *(p.resolve().parent for p in paths)}:
        if folder.is_relative_to(out) or out.is_relative_to(folder):
            raise Refusal(f"{out_dir}: the output folder must not be, contain or lie inside "
                          f"{folder}, where the source notebooks are")
    if out.exists() and not out.is_dir():
        raise Refusal(f"{out_dir}: not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise Refusal(f"{out_dir}: not empty; choose a new or empty folder, or add --force to "
                      "replace the files of the edition it writes (nothing else)")
    nbformat = _require("nbformat", "student")
    _require("nbconvert", "student")
    exporter = student_exporter()
    read, data = {}, {}
    for path in paths:
        if path.name in read:
            raise Refusal(f"{path}: a second notebook named {path.name}")
        read[path.name] = nb = read_notebook(path)
        declared = series.DATA_FILES.get(path.name, ())
        for rel in declared:
            new = edition_data_path(rel)
            if new in data.values() and data.get(rel) != new:
                raise Refusal(f"{rel}: tools/series.py DATA_FILES names two files {new} in a "
                              "student edition; rename one")
            data[rel] = new
        for rel in sorted(set(opened_files(nb)) - set(declared)):
            print(f"warning: {path}: opens ../{rel}, which tools/series.py DATA_FILES does not "
                  "declare; not copied", file=sys.stderr)
    files = {f"notebooks/{name}": None for name in read}
    files.update({new: data_file(rel) for rel, new in data.items()})
    files.update(_edition_files(target))
    files["README.md"] = None            # last: written when the copies say what it must hold
    sections = {"found": _readme_sections()}
    for path in paths:
        text, _ = exporter.from_notebook_node(nbformat.reads(json.dumps(read[path.name]), as_version=4))
        nb = student_notebook(json.loads(text), path.name, target, files,
                              {rel: data[rel] for rel in series.DATA_FILES.get(path.name, ())},
                              sections)
        for i, cell in enumerate(nb["cells"]):
            _refuse_leaks(f"notebooks/{path.name}", [
                (f", cell {i}", *leak) for leak in edition_leaks(
                    _source(cell), prose=cell.get("cell_type") == "markdown",
                    code=cell.get("cell_type") == "code", target=target)])
        files[f"notebooks/{path.name}"] = notebook_text(nb)
    used = [text for anchor, text in sections["found"].items() if anchor in sections.get("used", ())]
    files["README.md"] = student_readme(list(read), target, used, data=bool(data))
    for rel, content in files.items():
        text = content.read_text(encoding="utf-8") if isinstance(content, pathlib.Path) and \
            content.suffix in (".py", ".toml", ".yml", ".md", ".txt", ".json") else content
        if isinstance(text, str) and not rel.startswith("notebooks/"):
            _refuse_leaks(rel, [("", *leak) for leak in edition_leaks(
                text, prose=rel == "README.md", target=target)])
    for rel in files:
        dest = out / rel
        if dest.parent.resolve() != (out / rel).parent:
            raise Refusal(f"{dest.parent}: leads outside {out_dir} (a symlink); remove it or "
                          "choose another output folder")
        if dest.is_dir() and not dest.is_symlink():
            raise Refusal(f"{dest}: a folder where the copy writes a file")
    _write_then_move(out, files, force)
    return [out / "notebooks" / p.name for p in paths]


def _write_then_move(out, files, force):
    """Write ``files`` ({path: text or a file to copy}) into a temporary folder beside ``out``,
    then move them into place: the whole folder when ``out`` is new or empty, else (``force``)
    file by file, putting back what was there if a move fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)           # mkdtemp's folder is private; the copies are not
    done = False
    try:
        for rel, content in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, pathlib.Path):
                shutil.copy2(content, tmp / rel)
            else:
                (tmp / rel).write_text(content, encoding="utf-8")
                if rel in EDITION_EXECUTABLE:
                    os.chmod(tmp / rel, 0o777 & ~umask)
        if force and out.is_dir() and any(out.iterdir()):
            _replace_files(tmp, out, list(files))
        else:
            if out.exists():
                out.rmdir()         # fails if a file appeared there meanwhile
            os.replace(tmp, out)
        done = True
    finally:
        kept = [] if done else [p for p in tmp.glob(".replaced/**/*") if not p.is_dir()]
        if kept:        # a failed move that could not be undone: the old files are there
            print(f"warning: {len(kept)} replaced files could not be put back; they are in "
                  f"{tmp / '.replaced'}", file=sys.stderr)
        elif tmp.exists():
            shutil.rmtree(tmp)


def _replace_files(tmp, out, rels):
    """Move ``tmp/rel`` to ``out/rel`` for each of ``rels``, the file there (if any) set aside in
    ``tmp/.replaced``; if a move fails, everything moved is put back."""
    moved, made = [], []
    try:
        for rel in rels:
            dest = out / rel
            made += [d for d in dest.parents if d.is_relative_to(out) and not d.exists()]
            dest.parent.mkdir(parents=True, exist_ok=True)
            old = None
            if dest.exists() or dest.is_symlink():
                old = tmp / ".replaced" / rel
                old.parent.mkdir(parents=True, exist_ok=True)
                os.replace(dest, old)
            moved.append((dest, old))
            os.replace(tmp / rel, dest)
    except BaseException:
        for dest, old in reversed(moved):
            try:            # what cannot be put back stays in tmp/.replaced, and is reported
                os.replace(old, dest) if old else dest.unlink(missing_ok=True)
            except OSError:
                pass
        for folder in sorted(made, key=lambda d: len(d.parts), reverse=True):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        raise


# ---------------------------------------------------------------------------------------------
# Offline reveal.js decks
# ---------------------------------------------------------------------------------------------
#: npm packages a deck loads, at the versions nbconvert's reveal template was written for:
#: reveal.js 4.0.2 (its default URL), MathJax 2.7.7 (its default URL; the template calls the
#: MathJax 2 API), require.js (loads reveal.js), jQuery 2 (the template's scrolling helper), and
#: the widget renderer for ipywidgets 8 saved state (html-manager 1.x).
VENDOR = {
    "reveal.js": "reveal.js@4.0.2",
    "requirejs": "requirejs@2.3.7",
    "jquery": "jquery@2.2.4",
    "mathjax": "mathjax@2.7.7",
    "html-manager": "@jupyter-widgets/html-manager@1.0.15",
}
ASSETS = "_assets"
#: The parts of MathJax 2.7.7 that TeX-AMS_CHTML-full needs (about 4 MB of its 71 MB).
MATHJAX_PARTS = ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                 "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                 "fonts/HTML-CSS/TeX/woff"]

_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- binrnn: nothing from the network.  No mermaid (the series has no diagrams). -#}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
/* binrnn: no figure taller than IMAGE_MAX canvas px, so a figure and its caption fit a slide; as
   wide as the output column (reveal.js would shrink every picture to 95 % of it, and its text) */
.reveal .jp-OutputArea-output img { max-height: IMAGE_MAXpx; max-width: 100%; width: auto; }
/* binrnn: a widget's pictures (a scrubber's layers alike) at most WIDGET_IMAGE_MAX px tall, so the
   widget, its controls and its text line fit a slide under a caption */
.reveal .jupyter-widgets img { max-height: WIDGET_IMAGE_MAXpx; max-width: 100%; width: auto; }
/* binrnn: code in a markdown cell as large as a code cell's (reveal.js draws it at 0.55em) */
.reveal .jp-RenderedMarkdown pre, .reveal .jp-RenderedMarkdown pre code {
  font-size: 19px; line-height: 22.8px; }
/* binrnn: a code line longer than the slide wraps (under its own indentation) instead of being
   cut off at the right edge; check-slides counts the wrapped lines */
.reveal .jp-InputArea-editor pre, .reveal .jp-InputArea .highlight pre {
  white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
{%- endblock html_head_css -%}
{%- block footer_js -%}
{{ super() }}
<script>
/* binrnn: a key pressed on a widget (a scrubber's slider or buttons) moves the widget, not the
   deck; click the slide outside it to step the deck with the keys again */
require(["{{ reveal_url_prefix }}/dist/reveal.js"], function (Reveal) {
  function guard() {
    Reveal.configure({keyboardCondition: function (event) {
      return !(event.target.closest && event.target.closest(".jupyter-widgets"));
    }});
  }
  if (Reveal.isReady()) { guard(); } else { Reveal.on("ready", guard); }
});
</script>
{%- endblock footer_js -%}
""".replace("WIDGET_IMAGE_MAX", str(WIDGET_IMAGE_MAX)).replace("IMAGE_MAX", str(IMAGE_MAX))


def npm_tarball_path(spec, cache=None):
    """Where ``npm pack`` puts the tarball of ``spec`` (name@version) in ``cache``."""
    name, version = spec.rsplit("@", 1)
    return (cache or NPM_CACHE) / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def npm_tarballs(cache=None):
    """The npm tarball of each ``VENDOR`` package, fetched with ``npm pack`` into ``cache`` the
    first time.  Before fetching, one quick request (``npm ping``, no retries) checks that the
    registry answers, so that without a network the refusal comes in seconds."""
    cache = cache or NPM_CACHE
    tarballs = {key: npm_tarball_path(spec, cache) for key, spec in VENDOR.items()}
    missing = [VENDOR[key] for key, tarball in tarballs.items() if not tarball.exists()]
    if missing:
        if shutil.which("npm") is None:
            raise Refusal(f"slides: need {', '.join(missing)}: install npm (Node.js), or put "
                          f"their tarballs (from `npm pack`) into {cache}", status=1)
        cache.mkdir(parents=True, exist_ok=True)
        _npm(cache, "ping", "--fetch-retries=0", "--fetch-timeout=10000",
             problem=f"the network is needed the first time, to fetch {len(missing)} packages "
                     f"into {cache}")
        for spec in missing:
            _npm(cache, "pack", spec, problem=f"could not fetch {spec}")
    return tarballs


def _npm(cache, *args, problem):
    """Run npm in ``cache``; if it fails, refuse with ``problem`` and npm's own one-line message.
    A registry that answers ``ping`` with an HTTP error (it has no ping) is let through."""
    try:
        run = subprocess.run(["npm", *args, "--loglevel=error"], cwd=cache, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    except subprocess.TimeoutExpired:
        raise Refusal(f"slides: {problem}; npm gave no answer in 10 minutes", status=1) from None
    if run.returncode and not (args[0] == "ping" and re.search(r"code E\d{3}\b", run.stderr)):
        raise Refusal(f"slides: {problem}; npm says: {npm_message(run.stderr)}", status=1)


def npm_message(stderr):
    """npm's own one-line message in its error output: the line that says why a request failed
    ("request to ... failed, reason: ...", "404 Not Found - GET ..."), else its first line."""
    lines = [re.sub(r"^npm (error|ERR!)\s*", "", ln).strip() for ln in stderr.splitlines()
             if re.match(r"npm (error|ERR!)", ln)]
    noise = re.compile(r"(code|errno|syscall|at|A complete log)\b")
    lines = [ln for ln in lines if ln and not noise.match(ln)]
    why = [ln for ln in lines if re.search(r"reason:|timeout|^\d{3} ", ln, re.I)]
    message = (why or lines or [stderr.strip() or "no message"])[0]
    return message if len(message) <= 160 else message[:157] + "..."


def _unpack(tarball, dest, parts=None):
    """Unpack the npm tarball's ``package/`` folder (or only ``parts`` of it) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        members = []
        for m in tar.getmembers():
            if not m.name.startswith("package/") or not (m.isfile() or m.isdir()):
                continue
            rel = m.name[len("package/"):]
            if parts and not any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in parts):
                continue
            if rel.endswith(".map") or ".." in pathlib.PurePosixPath(rel).parts:
                continue
            m = copy.copy(m)
            m.name = rel
            members.append(m)
        tar.extractall(dest, members=members, filter="data") if sys.version_info >= (3, 12) \
            else tar.extractall(dest, members=members)


def bundle_assets(out_dir=SLIDES_DIR):
    """Copy everything a deck loads into ``out_dir/_assets`` (once; a marker file records it)."""
    assets = pathlib.Path(out_dir) / ASSETS
    marker = assets / ".bundled"
    wanted = json.dumps(VENDOR, sort_keys=True) + json.dumps(MATHJAX_PARTS)
    if marker.exists() and marker.read_text() == wanted:
        return assets
    tarballs = npm_tarballs()         # all of them, before the old assets are removed
    shutil.rmtree(assets, ignore_errors=True)
    _unpack(tarballs["reveal.js"], assets / "reveal.js", ["dist", "plugin"])
    _unpack(tarballs["requirejs"], assets / "requirejs", ["require.js"])
    _unpack(tarballs["jquery"], assets / "jquery", ["dist/jquery.min.js"])
    _unpack(tarballs["mathjax"], assets / "mathjax", MATHJAX_PARTS)
    _unpack(tarballs["html-manager"], assets / "html-manager", ["dist"])
    for extra in ("embed.js", "embed.js.LICENSE.txt", "libembed-amd.js"):
        (assets / "html-manager" / "dist" / extra).unlink(missing_ok=True)
    marker.write_text(wanted)
    return assets


_PAGE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- binrnn: nothing from the network.  No mermaid (the series has no diagrams). -#}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _offline(exporter):
    """Point an HTML exporter's scripts at the bundled assets (paths relative to the page)."""
    exporter.require_js_url = f"{ASSETS}/requirejs/require.js"
    exporter.jquery_url = f"{ASSETS}/jquery/dist/jquery.min.js"
    exporter.mathjax_url = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    exporter.widget_renderer_url = f"{ASSETS}/html-manager/dist/embed-amd.js"
    exporter.mermaid_js_url = ""
    exporter.font_awesome_url = ""
    return exporter


def slides_exporter():
    """nbconvert's SlidesExporter pointed at the bundled assets."""
    import jinja2
    from nbconvert.exporters import SlidesExporter

    exporter = SlidesExporter(extra_loaders=[jinja2.DictLoader({"binrnn_slides.html.j2": _TEMPLATE})])
    exporter.template_file = "binrnn_slides.html.j2"
    exporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
    exporter.reveal_theme = "white"            # its fonts ship with reveal.js (simple's do not)
    exporter.reveal_number = "c/t"
    exporter.reveal_scroll = True              # a safety net; the height rule keeps it unused
    exporter.exclude_input_prompt = True       # "In [12]:" takes 100 px of every code line's width
    exporter.exclude_output_prompt = True
    return _offline(exporter)


def page_exporter():
    """nbconvert's HTMLExporter (JupyterLab's look) pointed at the bundled assets."""
    import jinja2
    from nbconvert.exporters import HTMLExporter

    exporter = HTMLExporter(extra_loaders=[jinja2.DictLoader({"binrnn_page.html.j2": _PAGE_TEMPLATE})])
    exporter.template_file = "binrnn_page.html.j2"
    return _offline(exporter)


_NETWORK_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def network_references(html_text):
    """``src=``/``href=`` attributes in a deck that load from the network (links are fine)."""
    found = []
    for m in re.finditer(r"<(script|link|img|iframe)\b[^>]*>", html_text, re.I):
        if _NETWORK_URL.search(m.group(0)):
            found.append(m.group(0)[:160])
    for m in re.finditer(r"import\s+\w+\s+from\s+['\"](https?:)?//[^'\"]+", html_text):
        found.append(m.group(0)[:160])
    return found


def _export(notebooks, out_dir, make_exporter, suffix, task, prepare=lambda nb: nb):
    """Every notebook through ``make_exporter()`` into ``out_dir/<name><suffix>``, the assets
    bundled beside them; refuses a page that would load anything from the network."""
    out_dir = pathlib.Path(out_dir)
    nbformat = _require("nbformat", task)
    _require("nbconvert", task)           # before anything is downloaded or imported from it
    read = [(pathlib.Path(path), read_notebook(path)) for path in notebooks]
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle_assets(out_dir)
    exporter, written = make_exporter(), []
    for path, nb in read:
        nb = nbformat.reads(json.dumps(prepare(nb)), as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        remote = network_references(body)
        if remote:
            raise Refusal(f"{path}: the page would load from the network: {remote[0]}", status=1)
        target = out_dir / (path.stem + suffix)
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def _write_index(out_dir, title, pages, keys=""):
    lesson = getattr(series, "LESSON_FILE", None)
    names = {f"{lesson}.slides.html": f"Lesson: {getattr(series, 'LESSON_TITLE', lesson)}"} if lesson else {}
    links = "\n".join(f'<li><a href="{p.name}">{names.get(p.name, p.name.split(".")[0])}</a></li>'
                       for p in pages)
    (pathlib.Path(out_dir) / "index.html").write_text(
        f"<!DOCTYPE html><meta charset='utf-8'><title>{title}</title>"
        f"<h1>{title}</h1><ul>\n{links}\n</ul>\n{keys}", encoding="utf-8")


def lesson_notebook(lesson, title, notebooks, title_note=""):
    """The lesson deck as a notebook: a title slide (``title_note`` its speaker note), then each entry of ``lesson`` ({"nb": "03",
    "cell": id, "code": bool, "note": text}) as a slide of its own: that cell of that notebook
    (a code cell's source only if "code"), its folded answers and the entry's note as speaker
    notes.  The cells are the notebooks' own, found by id, so the lesson cannot drift from them;
    an id that is gone stops the build."""
    by_prefix = {pathlib.Path(p).name[:2]: (pathlib.Path(p), read_notebook(p)) for p in notebooks}
    cells = [{"cell_type": "markdown", "id": "lesson-title", "metadata": {"slideshow": {"slide_type": "slide"}},
              "source": f"# {title}\n\nEvery slide is a cell of the binrnn notebooks; the speaker notes "
                        "(press S) say which, and what to ask."}]
    if title_note:
        cells.append({"cell_type": "markdown", "id": "lesson-title-notes",
                      "metadata": {"slideshow": {"slide_type": "notes"}}, "source": title_note})
    state = {}
    for k, entry in enumerate(lesson):
        if entry["nb"] not in by_prefix:
            raise Refusal(f"lesson slide {k + 1}: no notebook {entry['nb']}_*.ipynb", status=2)
        path, nb = by_prefix[entry["nb"]]
        found = [c for c in nb["cells"] if c.get("id") == entry["cell"]]
        if not found:
            raise Refusal(f"lesson slide {k + 1}: {path.name} has no cell {entry['cell']!r}", status=2)
        cell, answers = answers_to_notes(copy.deepcopy(found[0]))
        cell["metadata"] = dict(cell.get("metadata", {}), slideshow={"slide_type": "slide"})
        if cell.get("cell_type") == "code" and not entry.get("code"):
            cell["metadata"].setdefault("transient", {})["remove_source"] = True
        cell["id"] = f"lesson-{k + 1}"
        notes = [f"Slide {k + 1}: {path.name}, cell {entry['cell']}.", entry.get("note", "")]
        if answers:
            notes.append(_source(answers))
        cells += [cell, {"cell_type": "markdown", "id": f"lesson-{k + 1}-notes",
                         "metadata": {"slideshow": {"slide_type": "notes"}},
                         "source": "\n\n".join(n for n in notes if n)}]
        state.update(widget_state(nb))
    lesson_nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}},
                 "nbformat": 4, "nbformat_minor": 5}
    if state:
        lesson_nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json":
                                            {"state": state, "version_major": 2, "version_minor": 0}}
    return without_remote_images(lesson_nb)


def build_slides(notebooks, out_dir=SLIDES_DIR):
    """One deck per notebook into ``out_dir``, and the lesson deck (tools/series.py's LESSON) when
    every notebook it draws on is among them; returns the deck paths.  The index lists every deck
    in ``out_dir``, from this build or an earlier one."""
    out_dir = pathlib.Path(out_dir)
    decks = _export(notebooks, out_dir, slides_exporter, ".slides.html", "slides", deck_notebook)
    lesson = getattr(series, "LESSON", None)
    prefixes = {pathlib.Path(p).name[:2] for p in notebooks}
    if lesson and {entry["nb"] for entry in lesson} <= prefixes:
        nbformat = _require("nbformat", "slides")
        nb = nbformat.reads(json.dumps(lesson_notebook(lesson, series.LESSON_TITLE, notebooks,
                                                       getattr(series, "LESSON_TITLE_NOTE", ""))), as_version=4)
        body, _ = slides_exporter().from_notebook_node(nb, resources={"metadata": {"name": series.LESSON_FILE}})
        if network_references(body):
            raise Refusal(f"the lesson deck would load from the network: {network_references(body)[0]}", status=1)
        target = out_dir / f"{series.LESSON_FILE}.slides.html"
        target.write_text(body, encoding="utf-8")
        decks.insert(0, target)
    every = sorted(out_dir.glob("*.slides.html"),
                   key=lambda d: (not d.name.startswith(getattr(series, "LESSON_FILE", "~")), d.name))
    _write_index(out_dir, "binrnn slides", every,
                 "<p>Keys: arrows step, <kbd>S</kbd> speaker notes (answers, worked solutions, the "
                 "teacher's cues), <kbd>Esc</kbd> overview. Scrubbers work with no kernel: click a "
                 "slider, then use the arrow keys; click the slide outside the widget to step the "
                 "deck again.</p>\n")
    return decks


_NOTEBOOK_LINK = re.compile(r"\]\((\d\d_\w+)\.ipynb(#[^)]*)?\)")


def page_notebook(nb):
    """The notebook as its static page shows it: no remote images, and the links between the
    notebooks ("next", "contents") pointing at their pages."""
    nb = without_remote_images(nb)
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            cell["source"] = _NOTEBOOK_LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})",
                                                _source(cell))
    return nb


def build_pages(notebooks, out_dir=PAGES_DIR):
    """One static HTML page per notebook into ``out_dir``; returns their paths."""
    pages = _export(notebooks, out_dir, page_exporter, ".html", "pages", page_notebook)
    _write_index(out_dir, "binrnn notebooks (static pages)", pages,
                 "<p>Read-only pages: the scrubbers work (no kernel needed); to run code, open the "
                 "notebooks in JupyterLab or on Binder.</p>\n")
    return pages


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------
def default_notebooks():
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python tools/classroom.py",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("assign-slides", help="set slide metadata by the rules (idempotent)")
    p.add_argument("notebooks", nargs="*", type=pathlib.Path)
    p = sub.add_parser("check-slides", help="report missing slide metadata and tall slides")
    p.add_argument("notebooks", nargs="*", type=pathlib.Path)
    p = sub.add_parser("slides", help="offline reveal.js decks into build/slides/")
    p.add_argument("notebooks", nargs="*", type=pathlib.Path)
    p.add_argument("--out", type=pathlib.Path, default=SLIDES_DIR)
    p = sub.add_parser("pages", help="offline static HTML pages into build/pages/")
    p.add_argument("notebooks", nargs="*", type=pathlib.Path)
    p.add_argument("--out", type=pathlib.Path, default=PAGES_DIR)
    p = sub.add_parser("student", help="a student edition without solutions in OUT_DIR: copies, "
                       "package, data, README")
    p.add_argument("out_dir", type=pathlib.Path)
    p.add_argument("notebooks", nargs="*", type=pathlib.Path)
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty OUT_DIR, replacing only the files it writes")
    p.add_argument("--binder", metavar="OWNER/NAME[@REF]",
                   help="the GitHub repository the edition is pushed to: its Binder badges open "
                        "it (without this option the edition has no Binder badge)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or default_notebooks()
    if not notebooks:
        parser.error("no notebooks given and none in notebooks/")
    try:
        return _run(args, notebooks)
    except Refusal as e:
        print(f"error: {e}", file=sys.stderr)
        return e.status
    except OSError as e:               # a full disk, a folder without write permission
        print(f"error: {e.filename}: {e.strerror}" if e.filename else f"error: {e}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted" + ("; nothing was written" if args.command == "student" else ""),
              file=sys.stderr)
        return 130


def _run(args, notebooks):
    """The command of ``args`` on ``notebooks``; every notebook is read and checked first, so a
    bad one stops the command before anything is written."""
    read, problems = {}, []
    for path in notebooks:
        try:
            read[path] = read_notebook(path)
        except Refusal as e:
            problems.append(e)
    if problems:
        for e in problems[:-1]:
            print(f"error: {e}", file=sys.stderr)
        raise problems[-1]

    if args.command == "assign-slides":
        for path in notebooks:
            changed = apply_slide_types(path)
            types = [slide_type(c) for c in read_notebook(path)["cells"]]
            counts = ", ".join(f"{types.count(t)} {t or 'continue'}" for t in SLIDE_TYPES if types.count(t))
            print(f"{path.name}: {changed} cells changed; {counts}")
        return 0
    if args.command == "check-slides":
        problems = []
        for path, nb in read.items():
            found = check_notebook(nb, path.name)
            problems += found
            if not found:
                heights = [sum(h for _, h in g) for g in subslides(nb)]
                print(f"{path.name}: {len(heights)} subslides, tallest "
                      f"{max(heights, default=0):.0f} px (limit {HEIGHT_LIMIT})")
        for message in problems:
            print(message)
        return 1 if problems else 0
    if args.command in ("slides", "pages"):
        start = time.perf_counter()
        build, kind = (build_slides, "decks") if args.command == "slides" else (build_pages, "pages")
        written = build(notebooks, args.out)
        for path in written:
            print(path)
        print(f"{len(written)} {kind} in {time.perf_counter() - start:.1f} s; open "
              f"{args.out / 'index.html'} (no network needed)")
        return 0
    for target in write_student_copies(args.out_dir, notebooks, force=args.force,
                                       binder=args.binder):
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
