"""The scrubbers work with no kernel and no network: in each offline deck and each static page.

For every notebook with a kernel-free scrubber (``bh.widgets.scrubber``), deck.py builds its
reveal.js deck (``make slides``) and its static HTML page (``make pages``) from a copy of the
saved notebook.  Each is opened from file:// in the session's Chromium with every other request
refused, and every scrubber in it is used as an instructor would (scrubbing.py): each slider
moved with the arrow keys and dragged with the mouse, each toggle clicked, and back; every change
must show a new picture and a new text line, and every way back the first ones again.  In a
deck the keys must move the widget, not the slides.  Each change is timed, from the input event
to the display frame that shows it; the summary gives median and worst.
"""
import importlib.util
import json
import os
import pathlib

import pytest

from . import scrubbing
from .conftest import LATENCY, trace
from .deck import classroom, has_kernel_free_scrubber

CHROMIUM = os.environ.get("BINRNN_CHROMIUM", "/usr/bin/chromium")
NOTEBOOKS = [p for p in classroom.default_notebooks() if has_kernel_free_scrubber(classroom.read_notebook(p))]

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the browser extra (playwright)"),
    pytest.mark.skipif(not pathlib.Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

# Tag each scrubber; in a deck, also say which slide (h/v) holds it.
FIND = """() => Array.from(document.querySelectorAll('.binrnn-kernel-free')).map((box, i) => {
  box.dataset.binrnnOffline = String(i);
  const v = box.closest('.slides > section > section');
  if (!v) return {i, slide: null};
  const h = v.parentElement;
  return {i, slide: `#/${Array.from(h.parentElement.children).indexOf(h)}/${Array.from(h.children).indexOf(v)}`};
})"""


def saved_scrubbers(nb):
    return sum("binrnn-kernel-free" in m.get("state", {}).get("_dom_classes", [])
               for m in classroom.widget_state(nb).values())


@pytest.mark.parametrize("kind", ["deck", "page"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_scrubbers_work_offline(path, kind, offline_build, browser_context, summary):
    target = pathlib.Path(offline_build["decks" if kind == "deck" else "pages"][path.stem])
    expected = saved_scrubbers(classroom.read_notebook(path))
    outside, errors = [], []
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 720})

        def route(r):
            if r.request.url.startswith(("file://", "data:", "blob:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(target.as_uri())
        if kind == "deck":
            page.wait_for_selector(".reveal.ready", timeout=60_000)
        page.wait_for_function(f"() => document.querySelectorAll('.binrnn-kernel-free .binrnn-frame').length >= {expected}",
                               timeout=60_000)
        found = page.evaluate(FIND)
        assert len(found) == expected, f"{target.name}: {len(found)} scrubbers shown, {expected} saved"
        timings = {"keys": [], "mouse": [], "worst_gap": 0.0}
        for box in found:
            sel = f'[data-binrnn-offline="{box["i"]}"]'
            if box["slide"]:
                page.evaluate(f"() => {{ location.hash = {json.dumps(box['slide'])}; }}")
                page.wait_for_function(f"() => document.querySelector({sel!r})"
                                       ".closest('section').classList.contains('present')")
                page.wait_for_timeout(900)                   # the slide transition
            before = page.evaluate("() => location.hash")
            result = scrubbing.scrub(page, sel, f"{target.name}, scrubber {box['i']}")
            if kind == "deck":
                assert page.evaluate("() => location.hash") == before, (
                    f"{target.name}: a key meant for the scrubber also moved the deck")
            for key in ("keys", "mouse"):
                timings[key] += result[key]
            timings["worst_gap"] = max(timings["worst_gap"], result["worst_gap"])
        trace(f"  {target.name}: {len(found)} scrubbers used offline")
    finally:
        page.close()
    assert outside == [], f"{target.name} asked the network for {outside[:5]}"
    assert errors == [], errors[:3]
    where = "deck" if kind == "deck" else "static page"
    LATENCY.setdefault(where, {"keys": [], "mouse": [], "worst_gap": 0.0})
    for key in ("keys", "mouse"):
        LATENCY[where][key] += timings[key]
    LATENCY[where]["worst_gap"] = max(LATENCY[where]["worst_gap"], timings["worst_gap"])
    summary.append(f"{target.name} (offline {where}): {len(found)} scrubbers; keys "
                   f"{scrubbing.summary(timings['keys'])}; mouse {scrubbing.summary(timings['mouse'])}")
