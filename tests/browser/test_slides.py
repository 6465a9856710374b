"""A reveal.js deck built by ``make slides`` works with no network, in a real Chromium.

Self-contained: builds the deck of one notebook (02 when it exists) into a temporary folder with
``binrnn_helpers.classroom.build_slides`` (the npm tarballs come from build/.cache/npm, fetched
once by ``npm pack``), opens it from file:// with every other request aborted, and checks that
reveal.js starts, that the right arrow moves to the next slide, that maths and saved widgets
render from the bundled copies, that nothing was asked of the network, and that no subslide is
taller than the 700 px canvas as Chromium lays it out (the height rule's estimate is what
``check-slides`` uses; this is the measurement it stands for).
"""
import json
import os
import pathlib
import shutil

import pytest

from binrnn_helpers import classroom

CHROMIUM = os.environ.get("BINRNN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run"]

pytestmark = [
    pytest.mark.skipif(not pathlib.Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.skipif(not classroom.default_notebooks(), reason="no notebooks yet"),
]


def _notebook():
    notebooks = classroom.default_notebooks()
    preferred = [p for p in notebooks if p.name.startswith("02_")]
    return (preferred or notebooks)[0]


def _have_vendor():
    return shutil.which("npm") or all(
        (classroom.NPM_CACHE / f"{spec.rsplit('@', 1)[0].lstrip('@').replace('/', '-')}-"
                               f"{spec.rsplit('@', 1)[1]}.tgz").exists()
        for spec in classroom.VENDOR.values())


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    if not _have_vendor():
        pytest.skip("neither npm nor the cached npm tarballs in build/.cache/npm")
    out = tmp_path_factory.mktemp("slides")
    source = _notebook()
    nb = classroom.read_notebook(source)
    if any(classroom.slide_type(c) is None for c in nb["cells"]):
        # The test is of the deck, not of the metadata (tests/test_classroom.py checks that):
        # give a copy the rule's slide types.
        for cell, kind in zip(nb["cells"], classroom.assign_slide_types(nb)):
            cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
        source = out / source.name
        source.write_text(classroom.notebook_text(nb), encoding="utf-8")
    [path] = classroom.build_slides([source], out)
    return path, nb


def test_the_deck_loads_nothing_from_the_network(deck):
    path, _ = deck
    assert classroom.network_references(path.read_text(encoding="utf-8")) == []


def test_the_deck_steps_through_offline(deck):
    playwright = pytest.importorskip("playwright.sync_api", reason="the browser extra (playwright)")
    path, nb = deck
    outside, failed, errors = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})

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
            page.wait_for_function(f"() => window.location.hash !== {json.dumps(first)}", timeout=10_000)
            second = page.evaluate("() => window.location.hash")
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(500)
            third = page.evaluate("() => window.location.hash")

            has_maths = any("$" in classroom._source(c) for c in nb["cells"]
                            if c.get("cell_type") == "markdown")
            if has_maths:
                page.wait_for_function("() => document.querySelector('.MathJax_CHTML, .mjx-chtml')",
                                       timeout=30_000)
            has_widgets = bool(classroom.widget_state(nb))
            if has_widgets:
                page.wait_for_function("() => document.querySelector('.jupyter-widgets')",
                                       timeout=30_000)
            heights = page.evaluate("""() => {
                const out = [];
                document.querySelectorAll('.reveal .slides > section > section').forEach((s, i) => {
                    const old = s.style.display; s.style.display = 'block';
                    out.push([i, s.scrollHeight, (s.innerText || '').trim().slice(0, 50)]);
                    s.style.display = old;
                });
                return out;
            }""")
        finally:
            browser.close()
    assert slides > 3
    assert first != second != third, (first, second, third)
    assert outside == [], f"the deck asked the network for {outside[:5]}"
    assert failed == [], f"missing files: {failed[:5]}"
    assert errors == [], errors[:3]
    too_tall = [h for h in heights if h[1] > classroom.CANVAS_HEIGHT]
    assert len(too_tall) <= len(classroom.check_notebook(nb)), (
        f"subslides taller than the {classroom.CANVAS_HEIGHT} px canvas in Chromium that the "
        f"height rule passed: {too_tall}")
