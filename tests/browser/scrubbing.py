"""Scrubbing a kernel-free scrubber (``bh.widgets.scrubber``) in a page, and timing it.

Shared by the JupyterLab test and the offline test (decks and static pages).  A scrubber is a
``.binrnn-kernel-free`` box: its controls, a background picture, and the page of the current
state (a ``.binrnn-frame`` picture over the background and a ``.binrnn-text`` line), which the
browser swaps when a control moves; no kernel takes part.

Latency is measured in the page.  Before each key press or mouse move, ``ARM`` notes what the
box shows and listens for the input event; a ``requestAnimationFrame`` loop then looks at the
box once per display frame.  The first frame whose callback sees a new text line and a new,
loaded picture is the one that paints it: we record the time from the input event's timestamp
to that callback, and the number of display frames since the event (1: the very next frame).
"""
import statistics

#: What a box shows: its text line and a digest of its picture's bytes (bytes, not URLs: an Image
#: widget's picture gets a new blob: URL each time it is drawn).
READ = """
  window.__binrnnDigests ??= new Map();
  async function digestOf(img) {
    if (!img || !img.src) return null;
    const src = img.src, digests = window.__binrnnDigests;
    if (digests.has(src)) return digests.get(src);
    try {
      const bytes = await (await fetch(src)).arrayBuffer();
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const digest = Array.from(d.slice(0, 8)).map(b => b.toString(16).padStart(2, '0')).join('');
      digests.set(src, digest);
      return digest;
    } catch (e) { return null; }      // replaced (and revoked) while read
  }
  function shown(box) {
    const img = box.querySelector('.binrnn-frame'), text = box.querySelector('.binrnn-text');
    return {text: text ? text.textContent : null, img,
            ready: !!img && img.complete && img.naturalWidth > 0};
  }
"""

#: Arm a measurement on box ``sel``: resolves window.__binrnnLatency when the box shows another
#: text line with its picture loaded, with {ms, frames, text, digest}; or {timeout} after 10 s.
ARM = """([sel, kind]) => {""" + READ + """
  const box = document.querySelector(sel);
  const before = shown(box).text;
  let t0 = null, frames = 0, worstGap = 0, last = null;
  const onInput = e => { if (t0 === null && box.contains(e.target)) t0 = e.timeStamp; };
  window.addEventListener(kind, onInput, true);
  window.__binrnnLatency = new Promise(resolve => {
    const started = performance.now();
    function tick(frameStart) {
      // the time this frame's work begins, after any input that reached it (the frame's own
      // timestamp can be earlier than an event handled just before its callbacks run)
      const now = performance.now();
      if (last !== null) worstGap = Math.max(worstGap, frameStart - last);
      last = frameStart;
      if (t0 !== null) frames += 1;
      const s = shown(box);
      if (t0 !== null && s.ready && s.text !== before) {
        window.removeEventListener(kind, onInput, true);
        digestOf(s.img).then(digest => resolve({ms: now - t0, frames, text: s.text, digest, worstGap}));
        return;
      }
      if (now - started > 10000) {
        window.removeEventListener(kind, onInput, true);
        resolve({timeout: true, text: s.text, input: t0 !== null});
        return;
      }
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  });
}"""

#: What box ``sel`` shows once its picture has loaded: {text, digest}.
STATE = """async (sel) => {""" + READ + """
  const box = document.querySelector(sel);
  for (let i = 0; i < 500; i++) {
    const s = shown(box);
    if (s.ready) {
      const digest = await digestOf(s.img);
      if (digest) return {text: s.text, digest};
    }
    await new Promise(r => setTimeout(r, 20));
  }
  return null;
}"""


def timed(page, sel, kind, act, what):
    """Do ``act()`` (a key press or a mouse move) and wait until box ``sel`` shows a new state;
    returns {ms, frames, text, digest}."""
    page.evaluate(ARM, [sel, kind])
    act()
    result = page.evaluate("() => window.__binrnnLatency")
    if result.get("timeout"):
        raise AssertionError(f"{what}: the scrubber did not show a new frame within 10 s "
                             f"(input seen: {result['input']}; it shows {result['text']!r})")
    return result


def scrub(page, sel, where):
    """Move every control of scrubber ``sel`` and back, timing each change: each slider with
    the arrow keys, one step at a time up to 8 steps away and back, then dragged with the mouse
    step by step; each toggle button and back.  Every change must show a new text line and a new
    picture; every way back must show exactly the first one again.  Returns
    {"keys": [...], "mouse": [...], "worst_gap": ms} (ms and display frames of each change)."""
    box = page.locator(sel)
    box.scroll_into_view_if_needed()
    start = page.evaluate(STATE, sel)
    assert start and start["text"], f"{where}: the scrubber shows no text line or picture"
    keys, mouse, gaps = [], [], []

    def check(result, before, what):
        if result["text"] == before["text"] or result["digest"] == before["digest"]:
            raise AssertionError(f"{where}: {what} changed {'the text' if result['digest'] == before['digest'] else 'the picture'} "
                                 f"only: {before['text']!r} -> {result['text']!r}")
        gaps.append(result["worstGap"])
        return result

    def back_to_start(what):
        now = page.evaluate(STATE, sel)
        if now != start:
            raise AssertionError(f"{where}: {what} did not bring back the first frame:\n"
                                 f"    first: {start}\n    now:   {now}")

    handles = box.locator(".widget-slider .noUi-handle")
    for k in range(handles.count()):
        handle = handles.nth(k)
        lo, hi, v0 = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
        away, back = ("ArrowRight", "ArrowLeft") if v0 < hi else ("ArrowLeft", "ArrowRight")
        steps = int(min(8, hi - v0 if away == "ArrowRight" else v0 - lo))
        handle.focus()
        before = start
        for i in range(steps):
            before = check(timed(page, sel, "keydown", lambda: page.keyboard.press(away),
                                 f"{where}: slider {k}, {away} #{i + 1}"), before, f"{away} #{i + 1}")
            keys.append(before)
        for i in range(steps):
            before = check(timed(page, sel, "keydown", lambda: page.keyboard.press(back),
                                 f"{where}: slider {k}, {back} #{i + 1}"), before, f"{back} #{i + 1}")
            keys.append(before)
        back_to_start(f"slider {k}: {steps} x {away} then {steps} x {back}")
        # the mouse: press the handle and move it along the track, one position at a time
        track = box.locator(".widget-slider .noUi-base").nth(k).bounding_box()
        hb = handle.bounding_box()
        y = hb["y"] + hb["height"] / 2
        page.mouse.move(hb["x"] + hb["width"] / 2, y)
        page.mouse.down()
        positions = min(8, int(hi - lo))
        targets = [lo + round(i * (hi - lo) / positions) for i in range(positions + 1)]
        if v0 - lo > hi - v0:
            targets.reverse()                   # a handle in the upper half is dragged downwards
        shown, current = start, v0
        for value in targets:
            if value == current:
                continue
            x = track["x"] + track["width"] * (value - lo) / (hi - lo)
            shown = check(timed(page, sel, "pointermove", lambda: page.mouse.move(x, y),
                                f"{where}: slider {k}, dragged to {value:g}"), shown, f"dragging to {value:g}")
            mouse.append(shown)
            current = value
        page.mouse.up()
        handle.focus()                          # and back to the start with the arrow keys
        for _ in range(int(hi - lo)):
            now = float(handle.get_attribute("aria-valuenow"))
            if now == v0:
                break
            page.keyboard.press("ArrowRight" if now < v0 else "ArrowLeft")
        page.wait_for_function(f"""() => document.querySelectorAll({sel!r} + ' .noUi-handle')[{k}]
                                    .getAttribute('aria-valuenow') == {v0!r}""")
        back_to_start(f"slider {k}: the drag, then the arrow keys back to {v0:g}")

    toggles = box.locator(".widget-toggle-buttons")
    for k in range(toggles.count()):
        buttons = toggles.nth(k).locator("button")
        active = next(j for j in range(buttons.count()) if "mod-active" in (buttons.nth(j).get_attribute("class") or ""))
        other = next(j for j in range(buttons.count()) if j != active)
        keys.append(check(timed(page, sel, "click", lambda: buttons.nth(other).click(),
                                f"{where}: toggle {k}, button {other}"), start, f"toggle {k}"))
        buttons.nth(active).click()
        page.wait_for_timeout(50)
        back_to_start(f"toggle {k}: a click back on button {active}")
    return {"keys": keys, "mouse": mouse, "worst_gap": max(gaps, default=0.0)}


def summary(results):
    """'median X ms (Y frames), worst ...' over a list of timed changes."""
    if not results:
        return "none"
    ms = [r["ms"] for r in results]
    frames = [r["frames"] for r in results]
    return (f"{len(ms)} changes: median {statistics.median(ms):.1f} ms ({statistics.median(frames):g} "
            f"display frames), worst {max(ms):.1f} ms ({max(frames)} frames)")
