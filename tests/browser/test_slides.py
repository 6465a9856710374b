"""A reveal.js deck built by ``make slides`` works with no network, in a real Chromium.

Self-contained: builds the deck of one notebook (02 when it exists) into artifacts/browser/deck/
with ``build_slides`` of tools/classroom.py (the npm tarballs come from build/.cache/npm,
fetched once by ``npm pack``; deck.py, started in the background while the notebooks run), opens
it from file:// in a tab of the session's Chromium with every other request aborted, and checks that
reveal.js starts, that the right arrow moves to the next slide, that maths and saved widgets
render from the bundled copies, that nothing was asked of the network, and that no subslide is
taller than the 700 px canvas as Chromium lays it out (the height rule's estimate is what
``check-slides`` uses; this is the measurement it stands for).
"""
import importlib.util
import json
import os
import pathlib

import pytest

from .deck import classroom

CHROMIUM = os.environ.get("BINRNN_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the browser extra (playwright)"),
    pytest.mark.skipif(not pathlib.Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.skipif(not classroom.default_notebooks(), reason="no notebooks yet"),
]


@pytest.fixture(scope="module")
def deck(offline_build):
    """The deck of one notebook (02), built by deck.py, and the copy it was built from."""
    return pathlib.Path(offline_build["deck"]), classroom.read_notebook(offline_build["notebook"])


def test_the_deck_loads_nothing_from_the_network(deck):
    path, _ = deck
    assert classroom.network_references(path.read_text(encoding="utf-8")) == []


def test_the_deck_steps_through_offline(deck, browser_context):
    path, nb = deck
    outside, failed, errors = [], [], []
    # a tab of its own in the session's Chromium (conftest.py), at the deck's 1280 x 720
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 720})

        def route(r):
            if r.request.url.startswith(("file://", "data:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=60_000)
        first = page.evaluate("() => window.location.hash")
        slides = page.evaluate("() => document.querySelectorAll('.reveal .slides > section').length")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => window.location.hash !== {json.dumps(first)}",
                               timeout=10_000)
        second = page.evaluate("() => window.location.hash")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => window.location.hash !== {json.dumps(second)}",
                               timeout=10_000)
        third = page.evaluate("() => window.location.hash")

        has_maths = any("$" in classroom._source(c) for c in nb["cells"]
                        if c.get("cell_type") == "markdown")
        if has_maths:
            page.wait_for_function("() => document.querySelector('.MathJax_CHTML, .mjx-chtml')",
                                   timeout=30_000)
            # measured once MathJax has typeset everything (its queue runs in order)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")
        has_widgets = bool(classroom.widget_state(nb))
        if has_widgets:
            page.wait_for_function("() => document.querySelector('.jupyter-widgets')",
                                   timeout=30_000)
        # reveal.js hides the slides beyond its view distance (display: none on their stack):
        # show each subslide and its stack in turn to lay it out
        heights = page.evaluate("""() => {
            const out = [];
            document.querySelectorAll('.reveal .slides > section > section').forEach((s, i) => {
                const stack = s.parentElement, old = [stack.style.display, s.style.display];
                stack.style.display = 'block'; s.style.display = 'block';
                out.push([i, s.scrollHeight, (s.innerText || '').trim().slice(0, 50)]);
                stack.style.display = old[0]; s.style.display = old[1];
            });
            return out;
        }""")
    finally:
        page.close()
    assert slides > 3
    assert heights and all(h[1] > 0 for h in heights), f"subslides not laid out: {heights[:5]}"
    assert first != second != third, (first, second, third)
    assert outside == [], f"the deck asked the network for {outside[:5]}"
    assert failed == [], f"missing files: {failed[:5]}"
    assert errors == [], errors[:3]
    too_tall = [h for h in heights if h[1] > classroom.CANVAS_HEIGHT]
    assert len(too_tall) <= len(classroom.check_notebook(nb)), (
        f"subslides taller than the {classroom.CANVAS_HEIGHT} px canvas in Chromium that the "
        f"height rule passed: {too_tall}")
