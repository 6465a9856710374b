"""Every notebook of the series, run in JupyterLab in Chromium, checked as a student would see it.

For each ``notebooks/NN_*.ipynb``: open it, clear its outputs, *Run ▸ Run All Cells*, wait until the
kernel is idle and every code cell has run, then check that no cell shows an error or a traceback,
that every widget the saved notebook displays is rendered (no "Error displaying widget", no
"Loading widget"), and that every figure (image/png output) the saved notebook has is drawn.

Then every interactive widget of the series (a ``.binrnn-widget`` box holding a ``.binrnn-text``
line, usually a ``.binrnn-frame`` picture, and controls) is used.  A kernel-free scrubber
(``bh.widgets.scrubber``) is scrubbed as in the offline decks (scrubbing.py: every slider with
the arrow keys and dragged step by step, every toggle, each change timed from the input event to
the display frame that shows it).  Any other widget (a live scrubber, the adder): each slider is
moved with the keyboard (ArrowRight / ArrowLeft on its handle) and with the mouse (drag the handle
away, click the track where it was), each toggle, dropdown, checkbox and text box is changed and
changed back.  Every change must change what the widget shows (the frame's PNG bytes and the text
line), and every way back must restore exactly the first frame and text.  Widgets are found in the
page, so a new notebook or a new scrubber is covered without editing this file.

Speed (the whole browser test must stay well under 3 minutes on 2 cores): every wait is a condition
checked inside the page every 20-50 ms (one round trip per wait, no fixed sleeps); JupyterLab is
loaded once for all the notebooks; each notebook's kernel is started while the one before is still
in use, and closing a notebook overlaps opening the next.  A widget's redraws are not waited out:
a change is seen the moment the widget shows something else than its first frame and text, and a
way back is seen when it shows exactly its first frame, text and values again, which only the last
of the updates sent can show.  The summary at the end gives each notebook's phases, and
artifacts/browser/timeline.log every step.

On failure a screenshot and the page's console log are saved in artifacts/browser/ and named in
the failure message; the server's log (kernel errors included) is artifacts/browser/jupyterlab.log.
"""
import json
import os
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from . import scrubbing
from .conftest import ARTIFACTS, LATENCY, ROOT, trace

# BINRNN_BROWSER_NOTEBOOKS: another glob under the repository (e.g. a scratch copy of a notebook
# in the git-ignored artifacts/ folder, to see the test fail on a deliberately broken widget).
NOTEBOOKS = sorted(ROOT.glob(os.environ.get("BINRNN_BROWSER_NOTEBOOKS",
                                            "notebooks/[0-9][0-9]_*.ipynb")))

RUN_ALL_TIMEOUT = 300     # s; a notebook runs in seconds, but the machine may be busy
WIDGET_TIMEOUT = 60       # s; for widgets and figures to appear after the run
CHANGE_TIMEOUT = 30       # s; for a widget to redraw after a control moved
POLL_MS = 50              # how often a condition on the whole notebook is checked in the page

STDERR = "application/vnd.jupyter.stderr"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def saved_cells(path):
    """What the saved notebook says each cell shows: figures, widgets, stderr, first line."""
    cells = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        outputs = cell.get("outputs", []) if cell["cell_type"] == "code" else []
        cells.append({
            "code": cell["cell_type"] == "code",
            "runs": cell["cell_type"] == "code" and bool(source.strip()),
            "png": sum("image/png" in o.get("data", {}) for o in outputs),
            "widgets": sum(WIDGET_VIEW in o.get("data", {}) for o in outputs),
            "stderr": any(o.get("name") == "stderr" for o in outputs),
            "answers": 0 if cell["cell_type"] == "code" else source.count("<details>"),
            "first_line": next((ln for ln in source.splitlines() if ln.strip()), "")[:80],
        })
    return cells


# --- the page, read with JavaScript -------------------------------------------------------------

PAGE_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const toolbar = panel.querySelector('.jp-NotebookPanel-toolbar');
  return {
    tab: document.querySelector(`.lm-TabBar-tab[data-id="${panel.id}"]`)?.textContent ?? null,
    panels: document.querySelectorAll('.jp-NotebookPanel').length,
    status: panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status ?? null,
    toolbar: toolbar ? toolbar.textContent : '',
    cells: Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell')).map(c => {
      const imgs = Array.from(c.querySelectorAll('.jp-OutputArea .jp-RenderedImage img'));
      const out = c.querySelector('.jp-OutputArea');
      return {
        code: c.classList.contains('jp-CodeCell'),
        prompt: c.querySelector('.jp-InputArea-prompt')?.textContent ?? null,
        stderr: Array.from(c.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .map(e => e.textContent.slice(0, 3000)),
        text: out ? out.textContent : '',
        png: imgs.length,
        pngDrawn: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
        widgets: c.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length,
        answers: Array.from(c.querySelectorAll('.jp-RenderedMarkdown details'))
            .filter(d => !d.open && d.querySelector('summary')?.textContent === 'Answer').length,
      };
    }),
  };
}"""

# Tag every widget box of the series (a .binrnn-widget: a scrubber, a live scrubber, the adder)
# with an id and describe its controls; also list .binrnn-frame images that sit in no such box.
FIND_BOXES = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
  const boxes = [];
  panel.querySelectorAll('.binrnn-widget').forEach((box, i) => {
    box.dataset.binrnnBox = String(i);
    boxes.push({
      id: String(i),
      cell: cells.findIndex(c => c.contains(box)),
      frame: !!box.querySelector('.binrnn-frame'),
      text: !!box.querySelector('.binrnn-text'),
      kernelFree: box.classList.contains('binrnn-kernel-free'),
      sliders: box.querySelectorAll('.widget-slider .noUi-handle').length,
      toggles: box.querySelectorAll('.widget-toggle-buttons').length,
      dropdowns: box.querySelectorAll('.widget-dropdown select').length,
      checkboxes: box.querySelectorAll('.widget-checkbox input[type=checkbox]').length,
      texts: box.querySelectorAll('.widget-text input').length,
    });
  });
  const orphans = Array.from(panel.querySelectorAll('.binrnn-frame, .binrnn-text'))
      .filter(f => !f.closest('.binrnn-widget'))
      .map(f => cells.findIndex(c => c.contains(f)));
  return {boxes, orphans};
}"""

# Conditions waited for in the page (page.wait_for_function, checked every POLL_MS): cheap reads
# of the DOM; the full PAGE_STATE is read once they hold, and checked again in Python.
_PANEL = """
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const toolbar = panel?.querySelector('.jp-NotebookPanel-toolbar')?.textContent ?? '';
  const ready = !!panel
      && panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'
      && toolbar.includes('Kernel status: Idle') && !toolbar.includes('No Kernel');
  const cells = panel ? Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell')) : [];
"""

# The notebook (its tab's label: the file's name) open with an idle kernel and all its cells, and
# the one before it gone (closing it ends while this one opens).
OPENED = f"""([name, n]) => {{ {_PANEL}
  return ready && cells.length === n && document.querySelectorAll('.jp-NotebookPanel').length === 1
      && document.querySelector(`.lm-TabBar-tab[data-id="${{panel.id}}"]`)?.textContent === name;
}}"""

CLEARED = f"""() => {{ {_PANEL}
  return !!panel && cells.every(c => (c.querySelector('.jp-OutputArea')?.textContent ?? '') === '');
}}"""

# Run All is over: kernel idle, no code cell queued or running ([*]), and every one numbered, or
# one shows an error (then the kernel drops the cells queued after it, which stay [ ]).
RUN_OVER = f"""(runs) => {{ {_PANEL}
  if (!ready) return false;
  let allRan = true, failed = false;
  for (const i of runs) {{
    const c = cells[i];
    if (!c) return false;
    const prompt = c.querySelector('.jp-InputArea-prompt')?.textContent ?? '';
    if (prompt.includes('*')) return false;
    if (!/^\\[\\d+\\]:$/.test(prompt)) allRan = false;
    if (c.querySelector('.jp-OutputArea-output[data-mime-type="{STDERR}"]')) failed = true;
  }}
  return allRan || failed;
}}"""

# Every widget and figure of the saved notebook shown (or a widget failed: fail at once).
SHOWN = f"""(saved) => {{ {_PANEL}
  if (!panel) return false;
  const text = cells.map(c => c.querySelector('.jp-OutputArea')?.textContent ?? '').join('');
  if (text.includes('Error displaying widget')) return true;
  if (text.includes('Loading widget')) return false;
  return saved.every(([widgets, png], i) => cells[i]
      && cells[i].querySelectorAll('.jp-OutputArea-output > .jupyter-widgets').length >= widgets
      && Array.from(cells[i].querySelectorAll('.jp-OutputArea .jp-RenderedImage img'))
             .filter(img => img.complete && img.naturalWidth > 0).length >= png);
}}"""

# What one box shows: its text line, a digest of its frame's PNG bytes (the <img> src is a fresh
# blob: URL at every redraw, so the bytes are compared, not the URL; each URL's digest is kept)
# and its controls' values.
_BOX_READ = """
  const digests = window.__binrnnDigests ??= new Map();
  async function frameOf(img) {
    if (!img) return 'none';
    const src = img.src;          // read once: a redraw may replace it while we await
    if (!src) return 'empty';
    if (digests.has(src)) return digests.get(src);
    try {
      const bytes = await (await fetch(src)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const frame = Array.from(digest.slice(0, 8)).map(b => b.toString(16).padStart(2, '0')).join('')
                    + ` (${bytes.byteLength} bytes)`;
      if (digests.size > 200) digests.clear();
      digests.set(src, frame);
      return img.src === src ? frame : null;   // replaced meanwhile: read again
    } catch (e) { return null; }   // the blob was replaced (and revoked) while we read it: read again
  }
  async function read(id) {
    const box = document.querySelector(`[data-binrnn-box="${id}"]`);
    if (!box) return null;
    const text = box.querySelector('.binrnn-text');
    const img = box.querySelector('.binrnn-frame');
    const frame = await frameOf(img);
    const values = [
      ...Array.from(box.querySelectorAll('.widget-slider .noUi-handle'))
          .map(h => h.getAttribute('aria-valuenow')),
      ...Array.from(box.querySelectorAll('.widget-toggle-buttons'))
          .map(t => Array.from(t.querySelectorAll('button')).findIndex(b => b.classList.contains('mod-active'))),
      ...Array.from(box.querySelectorAll('.widget-dropdown select')).map(s => s.value),
      ...Array.from(box.querySelectorAll('.widget-checkbox input[type=checkbox]')).map(c => c.checked),
      ...Array.from(box.querySelectorAll('.widget-text input')).map(t => t.value),
    ];
    return {text: text ? text.textContent : null, frame, values,
            drawn: img ? (img.complete && img.naturalWidth > 0) : true};
  }
"""

BOX_STATE = f"""async (id) => {{ {_BOX_READ} return await read(id); }}"""

# Wait, in the page, until one widget box shows what is asked for; one round trip per wait.
#   spec.kind "settled":  a complete state (frame read, image drawn) that stays the same for
#                         spec.quiet ms with the kernel idle (once per box, before using it);
#   "changed":  something else than spec.start: with spec.both, a new text line and (if the box
#               has a frame) a new frame, else either; with spec.at = [k, v], control k shows v;
#   "left":     control spec.at[0] no longer shows spec.at[1] (its other parts are not waited for);
#   "restored": exactly spec.start (text, frame bytes and every control's value).
# Returns {ok, state, last}: ok false after spec.timeout ms, with the last complete state seen.
BOX_WAIT = """async ([id, spec]) => {""" + _BOX_READ + """
  function kernelIdle() {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const toolbar = panel?.querySelector('.jp-NotebookPanel-toolbar')?.textContent ?? '';
    return panel?.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'
        && toolbar.includes('Kernel status: Idle') && !toolbar.includes('No Kernel');
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const start = spec.start;
  function holds(s) {
    if (spec.kind === 'restored') return same(s, start);
    if (spec.kind === 'left') return parseFloat(s.values[spec.at[0]]) !== spec.at[1];
    if (spec.kind === 'changed') {
      if (spec.at && parseFloat(s.values[spec.at[0]]) !== spec.at[1]) return false;
      const text = s.text !== start.text, frame = s.frame !== start.frame;
      return spec.both ? text && (frame || !spec.frame) : text || frame;
    }
    return true;
  }
  const deadline = performance.now() + spec.timeout;
  let last = null, since = null;
  while (true) {
    const s = await read(id);
    const complete = s !== null && s.frame !== null && s.drawn;
    if (complete) last = s;
    if (complete && holds(s)) {
      if (spec.kind !== 'settled') return {ok: true, state: s, last};
      if (since === null || !same(s, since.state) || !kernelIdle()) {
        since = {state: s, at: performance.now()};
      } else if (performance.now() - since.at >= spec.quiet) return {ok: true, state: s, last};
    } else since = null;
    if (performance.now() > deadline) return {ok: false, state: null, last};
    await new Promise(r => setTimeout(r, 20));
  }
}"""


def kernel_ready(state):
    return (state is not None and state["status"] == "idle"
            and "Kernel status: Idle" in state["toolbar"] and "No Kernel" not in state["toolbar"])


def clip(text, n=3000):
    """The start and, above all, the end of a long text (a traceback ends with its error)."""
    return text if len(text) <= n else text[:400] + "\n[...]\n" + text[-(n - 400):]


def short(state):
    if state is None:
        return "(widget gone from the page)"
    text = " ".join((state["text"] or "").split())
    return f"text {text[:160]!r}, frame {state['frame']}, values {state['values']}"


class Notebook:
    """One notebook open in JupyterLab, and the checks run on it."""

    def __init__(self, page, lab, path):
        self.page, self.lab, self.path = page, lab, path
        self.saved = saved_cells(path)
        self.notes = []

    def state(self):
        return self.page.evaluate(PAGE_STATE)

    def poll(self, condition, timeout, describe, page_condition=None, arg=None):
        """Wait until ``condition(state)`` holds; else fail with ``describe(state)``.  With
        ``page_condition`` (JavaScript, a cheap necessary condition), wait in the page for it first
        (checked every POLL_MS), then read the whole state once and check ``condition`` on it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if page_condition is not None and left > 0:
                try:
                    self.page.wait_for_function(page_condition, arg=arg, polling=POLL_MS,
                                                timeout=left * 1000)
                except PlaywrightTimeout:
                    pass
            state = self.state()
            if state is not None and condition(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.path.name}: after {timeout} s, {describe(state)}")
            self.page.wait_for_timeout(POLL_MS)

    def menu(self, top, item):
        self.page.locator(f'.lm-MenuBar-itemLabel:text-is("{top}")').click()
        self.page.locator(f'.lm-Menu-itemLabel:text-is("{item}")').click()

    # -- open, run all --------------------------------------------------------------------------

    def open(self):
        """File > Open from Path..., then wait for the notebook with an idle kernel."""
        self.menu("File", "Open from Path…")
        dialog = self.page.locator(".jp-Dialog")
        dialog.locator("input").fill(self.path.relative_to(ROOT).as_posix())
        dialog.locator("button.jp-mod-accept").click()
        state = self.poll(lambda s: (kernel_ready(s) and len(s["cells"]) == len(self.saved)
                                     and s["panels"] == 1 and s["tab"] == self.path.name), 180,
                          lambda s: "the notebook did not open with an idle kernel: "
                          + ("no notebook panel" if s is None else
                             f"tab {s['tab']!r} ({s['panels']} notebook(s) open), "
                             f"toolbar {' '.join(s['toolbar'].split())!r}, "
                             f"{len(s['cells'])} of {len(self.saved)} cells in the page"),
                          OPENED, [self.path.name, len(self.saved)])
        trace(f"  {self.path.stem}: open, kernel idle")
        # solutions are folded (hidden input); unfold them so every cell's input prompt can be read
        self.menu("View", "Expand All Code")
        return state

    def close(self):
        """File > Close and Shut Down Notebook..., without saving: the file stays as it was.
        The kernel's shutdown and the panel's end are not waited for here: the next notebook
        opens meanwhile, and ``open`` waits until this one's panel is gone."""
        self.menu("File", "Close and Shut Down Notebook…")
        self.page.locator(".jp-Dialog button.jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=60_000)

    def run_all(self):
        self.menu("Edit", "Clear Outputs of All Cells")
        self.poll(lambda s: all(c["text"] == "" for c in s["cells"]), 30,
                  lambda s: "Edit > Clear Outputs of All Cells left outputs in the page", CLEARED)
        trace(f"  {self.path.stem}: outputs cleared")
        started = time.monotonic()
        self.menu("Run", "Run All Cells")

        def finished(s):
            if not kernel_ready(s):
                return False
            code = [(c, saved) for c, saved in zip(s["cells"], self.saved) if saved["runs"]]
            if any(c["prompt"] and "*" in c["prompt"] for c, _ in code):
                return False
            all_ran = all(re.fullmatch(r"\[\d+\]:", c["prompt"] or "") for c, _ in code)
            failed = any(c["stderr"] for c, _ in code)
            return all_ran or failed

        def stuck(s):
            prompts = [c["prompt"] for c, saved in zip(s["cells"], self.saved) if saved["runs"]]
            return f"Run All did not finish: kernel {s['status']!r}, input prompts {prompts}"

        # Run All queues every cell at once ([*]), so no moment between two cells looks finished;
        # the page condition and then the whole state read after it must both say so.
        runs = [i for i, saved in enumerate(self.saved) if saved["runs"]]
        state = self.poll(finished, RUN_ALL_TIMEOUT, stuck, RUN_OVER, runs)
        self.run_seconds = time.monotonic() - started
        trace(f"  {self.path.stem}: Run All over")
        return state

    # -- what the run shows ---------------------------------------------------------------------

    def check_outputs(self, state):
        problems = []
        counts = []
        for i, (cell, saved) in enumerate(zip(state["cells"], self.saved)):
            if not saved["runs"]:
                continue
            where = f"cell {i} ({saved['first_line']!r})"
            if not re.fullmatch(r"\[\d+\]:", cell["prompt"] or ""):
                problems.append(f"{where} did not run (input prompt {cell['prompt']!r})")
            else:
                counts.append(int(cell["prompt"][1:-2]))
            if cell["stderr"] and not saved["stderr"]:
                problems.append(f"{where} shows an error:\n" + "\n".join(cell["stderr"])[:3000])
            elif "Traceback" in cell["text"]:
                problems.append(f"{where} shows a traceback:\n{cell['text'][:3000]}")
        ran = sum(saved["runs"] for saved in self.saved)
        if not problems and counts and max(counts) != ran:
            problems.append(f"the last execution count is {max(counts)}, but the notebook has {ran} "
                            "code cells: not every cell ran")
        if problems:
            raise AssertionError(f"{self.path.name}, after Run All:\n  " + "\n  ".join(problems))

    def check_answers(self, state):
        """Every folded answer is rendered as a closed <details> whose summary reads "Answer", and
        a click on the summary unfolds it."""
        wrong = [f"cell {i} ({saved['first_line']!r}): {c['answers']} of {saved['answers']}"
                 for i, (c, saved) in enumerate(zip(state["cells"], self.saved))
                 if c["answers"] != saved["answers"]]
        if wrong:
            raise AssertionError(f"{self.path.name}: folded answers not rendered closed as "
                                 "'Answer':\n  " + "\n  ".join(wrong))
        summary = self.page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown details > summary").first
        summary.scroll_into_view_if_needed()
        summary.click()
        if not summary.evaluate("s => s.parentElement.open"):
            raise AssertionError(f"{self.path.name}: a click on 'Answer' did not unfold it")
        summary.click()
        self.answer_count = sum(c["answers"] for c in state["cells"])

    def check_widgets_and_figures(self):
        def done(s):
            text = "".join(c["text"] for c in s["cells"])
            if "Error displaying widget" in text:
                return True      # fail at once, below
            return "Loading widget" not in text and all(
                c["widgets"] >= saved["widgets"] and c["pngDrawn"] >= saved["png"]
                for c, saved in zip(s["cells"], self.saved))

        def missing(s):
            lines = []
            for i, (c, saved) in enumerate(zip(s["cells"], self.saved)):
                where = f"cell {i} ({saved['first_line']!r})"
                if "Loading widget" in c["text"]:
                    lines.append(f"{where} still shows 'Loading widget'")
                if c["widgets"] < saved["widgets"]:
                    lines.append(f"{where}: {c['widgets']} of {saved['widgets']} widgets rendered")
                if c["pngDrawn"] < saved["png"]:
                    lines.append(f"{where}: {c['pngDrawn']} of {saved['png']} figures drawn "
                                 f"({c['png']} <img> in the page)")
            return "widgets or figures are missing:\n  " + "\n  ".join(lines)

        state = self.poll(done, WIDGET_TIMEOUT, missing, SHOWN,
                          [[saved["widgets"], saved["png"]] for saved in self.saved])
        broken = [f"cell {i} ({saved['first_line']!r}): "
                  + " ".join(c["text"].split())[:300]
                  for i, (c, saved) in enumerate(zip(state["cells"], self.saved))
                  if "Error displaying widget" in c["text"]]
        if broken:
            raise AssertionError(f"{self.path.name}: the front end could not display a widget:\n  "
                                 + "\n  ".join(broken))
        self.widget_count = sum(c["widgets"] for c in state["cells"])
        self.figure_count = sum(c["pngDrawn"] for c in state["cells"])
        self.expected_figures = sum(saved["png"] for saved in self.saved)

    # -- the interactive widgets ----------------------------------------------------------------

    def wait_box(self, box, what, start, **spec):
        """Wait in the page until the box shows what ``spec`` asks (see BOX_WAIT); returns that
        state, or fails with ``what``, what the box showed at the start and what it shows now."""
        result = self.page.evaluate(BOX_WAIT, [box["id"], dict(
            spec, start=start, frame=box["frame"], timeout=CHANGE_TIMEOUT * 1000)])
        if not result["ok"]:
            raise AssertionError(
                f"{self.path.name}, widget in cell {box['cell']}: {what}\n"
                f"    at the start it showed: {short(start)}\n"
                f"    after {CHANGE_TIMEOUT} s it shows: {short(result['last'])}")
        trace(f"    {what.split(' did not')[0]}")
        return result["state"]

    def drag(self, handle, x, y):
        """Press the mouse on a slider's handle, move it to (x, y) in a few steps, release it."""
        hb = handle.bounding_box()
        self.page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
        self.page.mouse.down()
        self.page.mouse.move(x, y, steps=4)
        self.page.mouse.up()

    def changed(self, box, start, what, both, values=None, left=None):
        """Wait until the widget shows something else than ``start``: with ``both``, a new frame
        (if it has one) and a new text line; otherwise either.  ``values=(k, v)``: and control k
        shows v.  ``left=(k, v)``: only that control k no longer shows v (the caller checks the rest)."""
        need = "both its frame and its text" if both and box["frame"] else "what it shows"
        if left is not None:
            return self.wait_box(box, f"{what} did not move it", start, kind="left", at=list(left))
        return self.wait_box(box, f"{what} did not change {need}", start, kind="changed",
                             both=both, at=list(values) if values else None)

    def restored(self, box, start, what):
        return self.wait_box(box, f"{what} did not bring back the first frame and text", start,
                             kind="restored")

    def exercise(self, box):
        loc = self.page.locator(f'[data-binrnn-box="{box["id"]}"]')
        loc.scroll_into_view_if_needed()
        start = self.wait_box(box, "the widget never settled", None, kind="settled", quiet=150)
        if not start["text"]:
            raise AssertionError(f"{self.path.name}, widget in cell {box['cell']}: its text line "
                                 "is empty")
        used = []

        for k in range(box["sliders"]):
            handle = loc.locator(".widget-slider .noUi-handle").nth(k)
            lo, hi, v0 = (float(handle.get_attribute(a))
                          for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
            if hi <= lo:
                self.notes.append(f"cell {box['cell']}: slider {k} has one value only; not moved")
                continue
            name = f"slider {k} (from {v0:g}, range {lo:g}..{hi:g})"
            # keyboard: one step away, one step back
            away, back = ("ArrowRight", "ArrowLeft") if v0 < hi else ("ArrowLeft", "ArrowRight")
            handle.focus()
            self.page.keyboard.press(away)
            self.changed(box, start, f"{name}: {away} on its handle", both=True)
            self.page.keyboard.press(back)
            self.restored(box, start, f"{name}: {back} after {away}")
            # mouse: drag the handle past the far end of the track (it stops at max, or min)
            far_right = (v0 - lo) / (hi - lo) < 0.5
            far = hi if far_right else lo
            handle.scroll_into_view_if_needed()
            base = loc.locator(".widget-slider .noUi-base").nth(k).bounding_box()
            y = base["y"] + base["height"] / 2
            left, right = base["x"] - 40, base["x"] + base["width"] + 40
            self.drag(handle, right if far_right else left, y)
            self.changed(box, start, f"{name}: dragging its handle to {far:g}",
                         both=False, values=(k, far))

            def mouse_back(after):
                """Back to the start with the mouse: past the near end when the slider started at
                an end (exact), else a click on the track at the start value's place.  Tracks
                are often narrower than their range in pixels (0..127 on 124 px), so such a click
                lands near, not always on, the value: the arrow keys then finish the way back,
                as a student would."""
                if v0 in (lo, hi):
                    self.drag(handle, left if v0 == lo else right, y)
                    self.restored(box, start, f"{name}: dragging its handle back to {v0:g} "
                                  f"after {after}")
                    return "drag back"
                x = base["x"] + base["width"] * (v0 - lo) / (hi - lo)
                self.page.mouse.click(x, y)
                landed = self.changed(box, start, f"{name}: a click on the track near {v0:g} "
                                      f"after {after}", both=False, left=(k, far))
                v1 = float(landed["values"][k])
                if abs(v1 - v0) > max(2.0, 2 * (hi - lo) / base["width"]):
                    raise AssertionError(
                        f"{self.path.name}, widget in cell {box['cell']}: {name}: a click on "
                        f"the track at {v0:g}'s place set it to {v1:g}")
                handle.focus()
                for _ in range(int(round(abs(v1 - v0)))):
                    self.page.keyboard.press("ArrowRight" if v1 < v0 else "ArrowLeft")
                self.restored(box, start, f"{name}: a click on the track near {v0:g} (landed "
                              f"on {v1:g}) and arrow keys to {v0:g}, after {after}")
                return "click back" + (f" (+{abs(v1 - v0):g} keys)" if v1 != v0 else "")

            how = mouse_back(f"the drag to {far:g}")
            used.append(f"slider {k} (arrow keys, drag, {how})")

        for k in range(box["toggles"]):
            buttons = loc.locator(".widget-toggle-buttons").nth(k).locator("button")
            classes = [buttons.nth(j).get_attribute("class") or "" for j in range(buttons.count())]
            active = next((j for j, c in enumerate(classes) if "mod-active" in c), None)
            other = next((j for j in range(len(classes)) if j != active), None)
            if other is None or active is None:
                continue
            buttons.nth(other).click()
            self.changed(box, start, f"toggle buttons {k}: a click on button {other}", both=False)
            buttons.nth(active).click()
            self.restored(box, start, f"toggle buttons {k}: a click back on button {active}")
            used.append("toggle buttons")

        for k in range(box["dropdowns"]):
            select = loc.locator(".widget-dropdown select").nth(k)
            options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            first = select.input_value()
            other = next((o for o in options if o != first), None)
            if other is None:
                continue
            select.select_option(other)
            self.changed(box, start, f"dropdown {k}: choosing {other!r}", both=False)
            select.select_option(first)
            self.restored(box, start, f"dropdown {k}: choosing {first!r} again")
            used.append("dropdown")

        for k in range(box["checkboxes"]):
            check = loc.locator(".widget-checkbox input[type=checkbox]").nth(k)
            check.click()
            self.changed(box, start, f"checkbox {k}: a click", both=False)
            check.click()
            self.restored(box, start, f"checkbox {k}: a second click")
            used.append("checkbox")

        for k in range(box["texts"]):
            field = loc.locator(".widget-text input").nth(k)
            first = field.input_value()
            field.fill(first + "1")
            self.changed(box, start, f"text box {k}: typing {first + '1'!r}", both=False)
            field.fill(first)
            self.restored(box, start, f"text box {k}: typing {first!r} again")
            used.append("text box")
        return used

    def check_interactive_widgets(self):
        found = self.page.evaluate(FIND_BOXES)
        if found["orphans"]:
            raise AssertionError(
                f"{self.path.name}: a .binrnn-frame or .binrnn-text in cell(s) {found['orphans']} "
                "is in no .binrnn-widget box (not built with bh.widgets?)")
        self.box_report = []
        for box in found["boxes"]:
            controls = box["sliders"] + box["toggles"] + box["dropdowns"] + box["checkboxes"] + box["texts"]
            if not controls or not box["text"]:
                raise AssertionError(
                    f"{self.path.name}, widget in cell {box['cell']}: a .binrnn-widget without "
                    "a .binrnn-text line or without any control (slider, toggle, dropdown, checkbox, "
                    "text box)")
            if box["kernelFree"]:
                # frames switched in the browser: every control moved and back, each change timed
                timings = scrubbing.scrub(self.page, f'[data-binrnn-box="{box["id"]}"]',
                                          f"{self.path.name}, scrubber in cell {box['cell']}")
                LATENCY.setdefault("JupyterLab", {"keys": [], "mouse": [], "worst_gap": 0.0})
                for key in ("keys", "mouse"):
                    LATENCY["JupyterLab"][key] += timings[key]
                LATENCY["JupyterLab"]["worst_gap"] = max(LATENCY["JupyterLab"]["worst_gap"], timings["worst_gap"])
                self.box_report.append(f"cell {box['cell']} kernel-free scrubber: keys "
                                       f"{scrubbing.summary(timings['keys'])}; mouse "
                                       f"{scrubbing.summary(timings['mouse'])}")
                continue
            used = self.exercise(box)
            kind = "live scrubber" if box["frame"] else "text widget"
            self.box_report.append(f"cell {box['cell']} {kind}: " + ", ".join(used))

    def log_console(self):
        """What JupyterLab's log console holds for this notebook, when its status-bar counter
        shows entries: outputs of widget callbacks (an exception in a frame's ``update`` lands
        here, in no cell).  Returns "" when there is nothing."""
        item = self.page.locator(".jp-LogConsoleStatusItem")
        if not item.count() or not re.search(r"[1-9]", item.first.inner_text()):
            return ""
        if not self.page.locator(".jp-LogConsolePanel").count():
            self.menu("View", "Show Log Console")
        panel = self.page.locator(".jp-LogConsolePanel")
        panel.wait_for(timeout=30_000)
        self.page.wait_for_timeout(500)
        return panel.inner_text().strip() or "(the log console shows entries; no text read)"

    def check_log_console(self):
        text = self.log_console()
        if text:
            raise AssertionError(f"{self.path.name}: JupyterLab's log console has entries (errors "
                                 f"in widget callbacks reach no cell):\n{clip(text)}")

    def check_kernel_log(self, offset):
        """Errors in widget callbacks reach no cell: the kernel logs them (to the server's log)."""
        log = self.lab.log_path.read_text(errors="replace")[offset:]
        bad = [m.start() for m in re.finditer(r"Traceback|Exception in comm_msg|Error in ", log)]
        if bad:
            raise AssertionError(
                f"{self.path.name}: the kernel logged an error while the notebook ran or its "
                f"widgets were used ({self.lab.log_path}):\n" + log[max(0, bad[0] - 200):bad[0] + 2500])


def next_notebook(request):
    """The notebook of the test that runs right after this one, if it is one of these."""
    items = request.session.items
    i = items.index(request.node)
    after = items[i + 1] if i + 1 < len(items) else None
    if after is not None and getattr(after, "originalname", None) == request.node.originalname:
        return after.callspec.params["path"]
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(path, lab, lab_page, summary, request):
    started = time.monotonic()
    phases = {}

    def timed(name, step, *args):
        t0 = time.monotonic()
        result = step(*args)
        phases[name] = time.monotonic() - t0
        return result

    trace(f"{path.name}")
    page = lab_page.page
    nb = Notebook(page, lab, path)
    console_start = len(lab_page.console)
    log_offset = len(lab.log_path.read_text(errors="replace"))
    # The server starts the kernel of the notebook after this one while this one's widgets are
    # used (lab.py, start_kernel_for); this notebook's was started before it was opened.
    upcoming = next_notebook(request)
    try:
        if not lab_page.ready:
            lab.start_kernel_for(path)       # while JupyterLab loads in Chromium
            timed("load JupyterLab", lab_page.load)
        timed("open", nb.open)
        state = timed("run all", nb.run_all)
        if upcoming is not None:
            lab.start_kernel_for(upcoming)
        nb.check_outputs(state)
        nb.check_answers(state)
        timed("widgets+figures", nb.check_widgets_and_figures)
        timed("controls", nb.check_interactive_widgets)
        nb.check_log_console()
        nb.check_kernel_log(log_offset)
        timed("close", nb.close)
        trace(f"  {path.stem}: closed")
    except Exception as error:
        lab_page.ready = False        # the next notebook starts from a freshly loaded JupyterLab
        try:
            console_text = nb.log_console()
        except Exception:
            console_text = ""
        if console_text and "log console" not in str(error):
            error = f"{error}\n\n  JupyterLab's log console for this notebook:\n{clip(console_text)}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{path.stem}.png"
        log = ARTIFACTS / f"{path.stem}.console.log"
        try:
            page.screenshot(path=str(shot))
        except Exception as e:   # the page may be gone; say so instead of hiding the real failure
            shot = f"(no screenshot: {e})"
        log.write_text("\n".join(lab_page.console[console_start:]) + "\n", encoding="utf-8")
        raise AssertionError(f"{error}\n\n  screenshot:    {shot}\n  console log:   {log}\n"
                             f"  server log:    {lab.log_path}") from None
    finally:
        # A safety net: no kernel is left running but the one started for the next notebook.
        # If all went well, closing is shutting this one's down (not waited for): leave it be.
        keep = [] if upcoming is None else [upcoming]
        if lab_page.ready:
            lab.shutdown_kernels(keep=keep + [path], background=True)
        else:
            lab.shutdown_kernels(keep=keep)
    summary.append(
        f"{path.name}: {time.monotonic() - started:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + "); "
        f"{nb.figure_count} figures (saved: {nb.expected_figures}), {nb.widget_count} widgets, "
        f"{nb.answer_count} folded answers; "
        + ("; ".join(nb.box_report) if nb.box_report else "no interactive widget")
        + ("; " + "; ".join(nb.notes) if nb.notes else ""))
