"""The reveal.js decks built by ``make slides`` work with no network and are fit to present.

Self-contained: builds the deck of one notebook (02 when it exists) into artifacts/browser/deck/
with ``build_slides`` of tools/classroom.py (the npm tarballs come from build/.cache/npm,
fetched once by ``npm pack``; deck.py, started in the background while the notebooks run), opens
it from file:// in a tab of the session's Chromium with every other request aborted, and checks that
reveal.js starts, that the right arrow moves to the next slide, that maths and saved widgets
render from the bundled copies, that nothing was asked of the network, and that no subslide is
taller than the 700 px canvas as Chromium lays it out (the height rule's estimate is what
``check-slides`` uses; this is the measurement it stands for).

Then every slide of every deck (each notebook's and the lesson deck) is laid out in Chromium at
1280 x 720 (a projector's size) and measured: no code cut off at the right edge, no printed line
wrapped, no output on a slide with nothing to say what it is (no code, no text, no titled widget),
no test plumbing (NBVAL, noqa) in sight, no slide taller than the canvas, and text large enough to
read from the back of a room: at least TEXT_MIN_PX on screen for text, CODE_MIN_PX for code and
printed output (maths' sub- and superscripts, drawn smaller by design, are not counted).  The
subslides that show code with no sentence beside it (no markdown, no caption) are counted per deck
and reported in the session summary, not failed (see tools/classroom.py's rule 5).

And in the lesson deck, S opens the speaker view, offline, with the current slide's note.
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


# Sizes on a 1280 x 720 screen, which shows the 960 x 700 canvas at 0.99x: text is 20 px on the
# canvas, 19.7 px there, 2.7 % of the screen's height: 5.5 cm letters on a 2 m screen, readable to
# about 11 m by the usual rule (distance at most 200 times the letter height); code 19 px, 18.8 px.
TEXT_MIN_PX, CODE_MIN_PX = 19.5, 18.5

MEASURE = r"""async () => {
  const out = [];
  const reveal = document.querySelector('.reveal .slides');
  const scale = reveal.getBoundingClientRect().width / reveal.offsetWidth || 1;
  const subs = Array.from(document.querySelectorAll('.reveal .slides > section > section'));
  for (const [i, s] of subs.entries()) {
    const stack = s.parentElement, old = [stack.style.display, s.style.display];
    stack.style.display = 'block'; s.style.display = 'block';
    const r = {index: i, text: (s.innerText || '').trim().slice(0, 80), clipped: [], wrapped: [], alone: false, plumbing: [], minText: null, minCode: null};
    // code: input areas whose content is wider than the box
    s.querySelectorAll('.jp-InputArea-editor pre, .jp-InputArea .highlight pre').forEach(pre => {
      if (pre.scrollWidth > pre.clientWidth + 1) {
        const lines = pre.textContent.split('\n');
        r.clipped.push(Math.max(...lines.map(l => l.length)));
      }
    });
    // anything of a cell's output or text that reaches past the slide's right edge
    const right = s.getBoundingClientRect().right;
    s.querySelectorAll('.jp-OutputArea-output, .jp-OutputArea-output *, .jp-RenderedMarkdown *').forEach(el => {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > right + 2 && !el.closest('pre'))
        r.clipped.push((el.className || el.tagName).toString().slice(0, 30));
    });
    // printed output: a pre whose text is laid out on more lines than it has (it wrapped)
    s.querySelectorAll('.jp-OutputArea-output pre').forEach(pre => {
      const lines = pre.textContent.replace(/\n$/, '').split('\n').filter(l => l.trim()).length;
      const tops = new Set();
      const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(walker.currentNode);
        for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
      }
      if (tops.size > lines || pre.scrollWidth > pre.clientWidth + 1) r.wrapped.push([lines, tops.size]);
    });
    const hasInput = !!s.querySelector('.jp-InputArea:not(.jp-mod-hidden) .jp-InputArea-editor, .jp-InputArea .highlight');
    const hasMd = !!s.querySelector('.jp-MarkdownOutput, .jp-RenderedMarkdown');
    const hasOut = !!s.querySelector('.jp-OutputArea-output');
    const titled = Array.from(s.querySelectorAll('.jp-OutputArea-output')).every(o => o.querySelector('.binrnn-widget > .widget-html:first-child b'));
    r.alone = hasOut && !hasInput && !hasMd && !titled;
    // code shown with no sentence on its subslide (no markdown, no caption) to say what it is for;
    // speaker notes do not count, the room does not see them
    const seen = el => !el.closest('aside.notes') && el.getClientRects().length > 0;
    const code = s.querySelectorAll('.jp-InputArea:not(.jp-mod-hidden) .jp-InputArea-editor, '
                                    + '.jp-InputArea:not(.jp-mod-hidden) .highlight');
    const prose = s.querySelectorAll('.jp-MarkdownOutput, .jp-RenderedMarkdown');
    r.codeWithoutProse = Array.from(code).some(seen) && !Array.from(prose).some(seen);
    if (/NBVAL|noqa|nbval-|# type: ignore/.test(s.innerText || '')) r.plumbing.push('plumbing text');
    // font sizes on screen
    const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
    let minText = null, minCode = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim()) continue;
      const el = node.parentElement;
      if (!el.getClientRects().length) continue;
      const px = parseFloat(getComputedStyle(el).fontSize) * scale;
      if (el.closest('.MathJax_CHTML, .mjx-chtml, .MathJax, sub, sup')) continue;   // maths, sub- and superscripts
      const what = el.tagName + '.' + el.className + ':' + node.textContent.trim().slice(0, 20);
      if (el.closest('pre, code')) { if (minCode === null || px < minCode) { minCode = px; r.codeWhat = what; } }
      else if (minText === null || px < minText) { minText = px; r.textWhat = what; }
    }
    r.minText = minText; r.minCode = minCode; r.height = s.scrollHeight;
    // every picture shown: its PNG size and its size on screen (figure text is measured in
    // tests/test_figure_text.py at the scale tools/classroom.py's figure_scale gives)
    r.images = Array.from(s.querySelectorAll('.jp-OutputArea-output img'))
      .filter(img => img.naturalWidth && img.getClientRects().length && img.getBoundingClientRect().width > 0)
      .map(img => [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width,
                   !!img.closest('.jupyter-widgets')]);
    stack.style.display = old[0]; s.style.display = old[1];
    out.push(r);
  }
  return out;
}
"""


def test_every_slide_of_every_deck_is_fit_to_present(offline_build, browser_context, summary):
    page = browser_context.new_page()
    problems, counts, without_prose = [], [], []
    try:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "data:", "blob:"))
                   else r.abort())
        for deck in map(pathlib.Path, offline_build["every_deck"]):
            page.goto(deck.as_uri())
            page.wait_for_selector(".reveal.ready", timeout=60_000)
            page.evaluate("() => new Promise(done => (window.MathJax && MathJax.Hub) ? MathJax.Hub.Queue(done) : done())")
            page.wait_for_timeout(300)
            slides = page.evaluate(MEASURE)
            for s in slides:
                where = f"{deck.name} subslide {s['index']} ({s['text'][:40]!r})"
                for k, why in (("clipped", "cut off at the right edge (code: its longest line)"),
                               ("wrapped", "printed output wrapped ([lines, rows on screen])"),
                               ("plumbing", "test plumbing in sight")):
                    if s[k]:
                        problems.append(f"{where}: {why}: {s[k]}")
                if s["alone"]:
                    problems.append(f"{where}: output with nothing to say what it is")
                if s["height"] > classroom.CANVAS_HEIGHT:
                    problems.append(f"{where}: {s['height']} px tall, over the {classroom.CANVAS_HEIGHT} px canvas")
                if s["minText"] is not None and s["minText"] < TEXT_MIN_PX:
                    problems.append(f"{where}: text {s['minText']:.1f} px ({s.get('textWhat')})")
                for width, height, shown, widget in s["images"]:
                    least = classroom.figure_scale(width, height, widget) * classroom.SCREEN_SCALE
                    if shown < 0.99 * least * width:
                        problems.append(f"{where}: a {width} x {height} picture shown {shown:.0f} px wide, "
                                        f"under the {least * width:.0f} px its figure text was measured at")
                if s["minCode"] is not None and s["minCode"] < CODE_MIN_PX:
                    problems.append(f"{where}: code {s['minCode']:.1f} px ({s.get('codeWhat')})")
            counts.append(f"{deck.name.split('.')[0]} {len(slides)}")
            # reported, not failed: where a code cell's introduction and the code (with its
            # outputs) are taller than a slide together, tools/classroom.py's rule 5 cannot keep
            # them on one subslide, and a few such slides remain
            without_prose.append(f"{deck.name.split('.')[0]} {sum(s['codeWithoutProse'] for s in slides)}")
    finally:
        page.close()
    summary.append(f"decks measured at 1280 x 720, every subslide: {', '.join(counts)}; "
                   f"problems: {len(problems)}; subslides showing code with no prose (reported, "
                   f"not failed): {', '.join(without_prose)}")
    assert not problems, f"{len(problems)} slides not fit to present:\n  " + "\n  ".join(problems[:30])


def test_the_speaker_view_shows_the_slides_notes_offline(offline_build, browser_context):
    """S opens reveal.js's speaker view (a pop-up window, no server, no network) with the note of
    the current slide: in the lesson deck, slide 6's note from tools/series.py's LESSON."""
    lesson = getattr(classroom.series, "LESSON", None)
    decks = [pathlib.Path(d) for d in offline_build["every_deck"]
             if pathlib.Path(d).name == f"{getattr(classroom.series, 'LESSON_FILE', '')}.slides.html"]
    if not lesson or not decks:
        pytest.skip("no lesson deck")
    outside = []
    # The session's other tabs (JupyterLab's, which polls its server) are not this test's: only
    # the deck's tab and the window it opens are held to "no network".
    others = list(browser_context.pages)
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 720})

        def route(r):
            try:
                tab = r.request.frame.page
            except Exception:  # a request of no frame (a service worker): not the deck's
                tab = None
            if tab is None or any(tab is other for other in others):
                r.fallback()
            elif r.request.url.startswith(("file://", "data:", "blob:", "about:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        browser_context.route("**/*", route)
        page.goto(decks[0].as_uri() + "#/6")
        page.wait_for_selector(".reveal.ready", timeout=60_000)
        with browser_context.expect_page(timeout=30_000) as opened:
            page.keyboard.press("s")
        speaker = opened.value
        first_words = " ".join(lesson[5]["note"].split()[:6])
        speaker.wait_for_function(f"() => document.body.innerText.includes({json.dumps(first_words)})",
                                  timeout=30_000)
        assert "Slide 6:" in speaker.evaluate("() => document.body.innerText")
        speaker.close()
    finally:
        browser_context.unroute("**/*", route)
        page.close()
    assert outside == [], f"the speaker view asked the network for {outside[:5]}"
