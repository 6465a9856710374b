"""The live slideshow: a notebook presented in JupyterLab by jupyterlab-slideshow, widgets working.

jupyterlab-slideshow ("Deck Mode") presents the live notebook view, one slide at a time, from the
cells' ``slideshow.slide_type`` metadata, the same metadata ``make slides`` builds the reveal.js
decks from.  This test opens notebook 02 in JupyterLab, Run All, selects the first cell, starts
Deck Mode with the notebook toolbar's deck button, and checks as an instructor would see it:

* Deck Mode is on, and only the current slide's cells are on screen (not the whole notebook);
* <kbd>Space</kbd> steps forward, slide by slide, to the slide holding the first scrubber (a
  ``.binrnn-widget`` box with a ``.binrnn-text`` line, a ``.binrnn-frame`` picture and a slider)
  and the scrubber is drawn;
* <kbd>→</kbd> on the slider's handle moves the slider (not the slideshow): the frame's PNG bytes
  and the text line change, the same slide stays on screen; <kbd>←</kbd> brings back the first
  frame and text exactly;
* <kbd>Esc</kbd> leaves Deck Mode and the whole notebook is shown again;
* every cell before the scrubber that the metadata puts on a slide (all but ``skip`` and ``notes``)
  was on screen at some step of the walk: the metadata drives the slideshow.

Skipped when jupyterlab-slideshow is not installed.  BINRNN_LIVE_SLIDESHOW_NOTEBOOK: another
notebook (path relative to the repository, e.g. a scratch copy in the git-ignored artifacts/).
On failure: artifacts/browser/live_slideshow.png and live_slideshow.console.log.
"""
import importlib.util
import os
import time

import pytest

from .conftest import ARTIFACTS, ROOT
from .deck import classroom
from .test_notebooks_in_lab import BOX_STATE, Notebook, kernel_ready

NOTEBOOK = ROOT / os.environ.get("BINRNN_LIVE_SLIDESHOW_NOTEBOOK",
                                 "notebooks/02_forward_pass.ipynb")
STEP_TIMEOUT = 10       # s; for one keypress to show the next slide
CHANGE_TIMEOUT = 30     # s; for the scrubber to show another frame after its slider moved
MAX_STEPS = 120         # Space presses before giving up on reaching the scrubber's slide

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("jupyterlab_slideshow") is None,
                       reason="jupyterlab-slideshow is not installed (pip install "
                              "jupyterlab-slideshow)"),
    pytest.mark.skipif(not NOTEBOOK.exists(), reason=f"no {NOTEBOOK}"),
]

# Deck Mode as the page shows it: which cells are laid out on screen, which one is active.
DECK_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
  const shown = cells.map((c, i) => {
    const r = c.getBoundingClientRect(), st = getComputedStyle(c);
    return (r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
            && st.display !== 'none' && st.visibility !== 'hidden') ? i : -1;
  }).filter(i => i >= 0);
  return {
    mode: document.body.dataset.jpDeckMode ?? null,
    deck: panel.classList.contains('jp-Deck'),
    remote: !!document.querySelector('.jp-Deck-Remote'),
    cells: cells.length,
    shown,
    active: cells.findIndex(c => c.classList.contains('jp-mod-active')),
    focus: (document.activeElement?.className || '').toString().slice(0, 60),
  };
}"""

# The first scrubber of the series' pattern: a .binrnn-widget box that holds a .binrnn-text line,
# a .binrnn-frame picture and a slider.  Tagged data-binrnn-box="live" for BOX_STATE; returns its cell.
FIND_SCRUBBER = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
  for (const box of panel.querySelectorAll('.binrnn-widget')) {
    if (box.querySelector('.binrnn-frame') && box.querySelector('.binrnn-text')
        && box.querySelector('.widget-slider .noUi-handle')) {
      box.dataset.binrnnBox = 'live';
      return cells.findIndex(c => c.contains(box));
    }
  }
  return -1;
}"""


class Deck:
    def __init__(self, page):
        self.page = page

    def state(self):
        return self.page.evaluate(DECK_STATE)

    def wait(self, condition, timeout, describe):
        deadline = time.monotonic() + timeout
        while True:
            s = self.state()
            if s is not None and condition(s):
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"after {timeout} s, {describe(s)}")
            self.page.wait_for_timeout(50)

    def box(self):
        return self.page.evaluate(BOX_STATE, "live")

    def wait_box(self, condition, what, start):
        """The scrubber's state once ``condition`` holds and it is settled (same twice)."""
        deadline = time.monotonic() + CHANGE_TIMEOUT
        last = None
        while True:
            s = self.box()
            if s is not None and s["frame"] is not None and s["drawn"] and condition(s):
                self.page.wait_for_timeout(150)
                if self.box() == s:
                    return s
            last = s if s is not None and s["frame"] is not None else last
            if time.monotonic() > deadline:
                raise AssertionError(f"in Deck Mode, {what}:\n    at the start the scrubber "
                                     f"showed: {start}\n    after {CHANGE_TIMEOUT} s: {last}")
            self.page.wait_for_timeout(100)


def test_live_slideshow_keeps_widgets_working(lab, lab_page, summary):
    started = time.monotonic()
    phases = {}
    t = [started]

    def phase(name):
        now = time.monotonic()
        phases[name] = now - t[0]
        t[0] = now

    page = lab_page.page
    lab_page.ready = False            # this test leaves the page on a notebook of its own
    console_start = len(lab_page.console)
    nb = Notebook(page, lab, NOTEBOOK)
    deck = Deck(page)
    types = [classroom.slide_type(c) for c in classroom.read_notebook(NOTEBOOK)["cells"]]
    rel = NOTEBOOK.relative_to(ROOT).as_posix()
    try:
        page.goto(f"{lab.url}/lab/tree/{rel}?reset", wait_until="domcontentloaded")
        nb.poll(lambda s: kernel_ready(s) and len(s["cells"]) == len(nb.saved), 180,
                lambda s: "the notebook did not open with an idle kernel"
                + ("" if s is None else f": toolbar {' '.join(s['toolbar'].split())!r}, "
                   f"{len(s['cells'])} of {len(nb.saved)} cells in the page"))
        phase("open")
        # folded worked solutions have no input prompt, which Run All's check reads: unfold them
        nb.menu("View", "Expand All Code")
        nb.check_outputs(nb.run_all())
        nb.check_widgets_and_figures()
        phase("run all")
        target = page.evaluate(FIND_SCRUBBER)
        assert target >= 0, f"{NOTEBOOK.name}: no scrubber (.binrnn-widget with .binrnn-text, .binrnn-frame, slider)"

        # -- start Deck Mode from the first cell, as an instructor would -------------------------
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.click()
        button = page.locator('.jp-NotebookPanel-toolbar [data-command="deck:toggle"]')
        assert button.count() == 1, "no deck button (Toggle Deck) in the notebook toolbar"
        button.click()
        s = deck.wait(lambda s: s["mode"] == "presenting" and s["deck"] and s["shown"], 30,
                      lambda s: f"Deck Mode did not start: {s}")
        assert s["remote"], "Deck Mode started without its on-screen remote"
        assert 0 < len(s["shown"]) < s["cells"], \
            f"Deck Mode shows {len(s['shown'])} of {s['cells']} cells: not one slide at a time"
        first_shown = list(s["shown"])
        seen = set(s["shown"])
        phase("start deck")

        # -- Space, slide by slide, to the scrubber's slide --------------------------------------
        steps = 0
        while target not in s["shown"]:
            if steps >= MAX_STEPS:
                raise AssertionError(f"{MAX_STEPS} presses of Space did not reach the scrubber's "
                                     f"slide (cell {target}); now on cells {s['shown']}")
            before = s["active"]
            page.keyboard.press("Space")
            steps += 1
            s = deck.wait(lambda s: s["active"] != before and s["shown"], STEP_TIMEOUT,
                          lambda s: f"Space on cell {before} did not go to the next slide "
                                    f"(focus on {s and s['focus']!r}): {s}")
            assert len(s["shown"]) < s["cells"], f"cell {s['active']}: the whole notebook shows"
            seen.update(s["shown"])
        slide = list(s["shown"])
        phase("walk")

        # -- the scrubber on its slide: drawn, and its slider works with the keyboard -------------
        # (tagged again: Deck Mode turns the notebook's windowing off, which may redraw cells)
        assert page.evaluate(FIND_SCRUBBER) == target, "the scrubber is gone from its cell"
        start = deck.wait_box(lambda b: bool(b["text"]), "the scrubber is not drawn", None)
        handle = page.locator('[data-binrnn-box="live"] .widget-slider .noUi-handle').first
        assert handle.is_visible(), "the scrubber's slider is not visible on its slide"
        lo, hi, v0 = (float(handle.get_attribute(a))
                      for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
        assert hi > lo, "the scrubber's slider has a single value"
        away, back = ("ArrowRight", "ArrowLeft") if v0 < hi else ("ArrowLeft", "ArrowRight")
        handle.focus()
        handle.press(away)
        moved = deck.wait_box(lambda b: b["text"] != start["text"] and b["frame"] != start["frame"],
                              f"{away} on the slider did not change both its frame and its text",
                              start)
        s = deck.state()
        assert s["mode"] == "presenting" and target in s["shown"] and s["shown"] == slide, \
            f"{away} on the slider moved the slideshow instead (on cells {s['shown']}, was {slide})"
        handle.press(back)
        deck.wait_box(lambda b: b == start, f"{back} after {away} did not bring back the first "
                      "frame and text", start)
        s = deck.state()
        assert s["mode"] == "presenting" and s["shown"] == slide, \
            f"{back} on the slider moved the slideshow (on cells {s['shown']}, was {slide})"
        phase("scrubber")

        # -- Esc leaves Deck Mode ----------------------------------------------------------------
        page.keyboard.press("Escape")
        s = deck.wait(lambda s: (s["mode"] is None and not s["deck"]
                                 and len(s["shown"]) > len(slide)),
                      10, lambda s: f"Esc did not leave Deck Mode: {s}")
        phase("stop deck")

        # -- the metadata drove it: every slide cell up to the scrubber was on screen -------------
        missing = [i for i in range(target + 1)
                   if types[i] not in ("skip", "notes") and i not in seen]
        if missing:
            kinds = sorted({repr(types[i]) for i in missing})
            raise AssertionError(
                f"{NOTEBOOK.name}: the scrubber worked in Deck Mode, but {len(missing)} cell(s) "
                f"that the slide metadata puts on a slide were never on screen while Space stepped "
                f"from the first slide to the scrubber's: cells {missing} (slide_type "
                f"{', '.join(kinds)}; first lines: "
                + "; ".join(repr(nb.saved[i]["first_line"][:40]) for i in missing[:4]) + ")")
    except Exception as error:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "live_slideshow.png"
        log = ARTIFACTS / "live_slideshow.console.log"
        try:
            page.screenshot(path=str(shot))
        except Exception as e:
            shot = f"(no screenshot: {e})"
        log.write_text("\n".join(lab_page.console[console_start:]) + "\n", encoding="utf-8")
        raise AssertionError(f"{error}\n\n  screenshot:    {shot}\n  console log:   {log}\n"
                             f"  server log:    {lab.log_path}") from None
    finally:
        lab.shutdown_kernels()
    summary.append(
        f"live slideshow of {NOTEBOOK.name}: {time.monotonic() - started:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + f"); first slide cells "
        f"{first_shown}, {steps} x Space to the scrubber (cell {target}, slide cells {slide}), "
        f"slider {v0:g} -> {float(moved['values'][0]):g} -> {v0:g}: frame and text changed and "
        "came back, slide unchanged")
