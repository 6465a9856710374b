"""Fixtures of the browser test: one JupyterLab server and one Chromium for the whole session.

These tests need Chromium and the ``browser`` extra; ``make test-browser`` provides both and sets
BINRNN_BROWSER=1.  Without it (plain ``make test`` / ``pytest tests``) this folder is not collected.
"""
import json
import os
import pathlib
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"

if os.environ.get("BINRNN_BROWSER") != "1":
    collect_ignore_glob = ["test_*.py"]

#: One line per notebook, filled by the test, printed at the end of the run.
SUMMARY = []
#: The timed changes of kernel-free scrubbers ({"keys", "mouse", "worst_gap"}) by where they ran
#: (JupyterLab, deck, static page); summed up at the end and written to artifacts/browser/latency.json.
LATENCY = {}
#: Every step with its time since the session started, written to artifacts/browser/timeline.log.
TIMELINE = []
_T0 = time.monotonic()


def trace(what):
    TIMELINE.append(f"{time.monotonic() - _T0:7.2f}  {what}")


# Session scope: one JupyterLab server, one Playwright and one Chromium for every test file here
# (starting them takes 10-15 s on 2 cores); each test file opens its own tabs in that Chromium.
@pytest.fixture(scope="session")
def playwright_sync():
    """The one sync Playwright of the session (two cannot run at once)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser_context(playwright_sync):
    from .lab import chromium

    with chromium(playwright_sync) as context:
        context.set_default_timeout(60_000)
        trace("Chromium started")
        yield context


@pytest.fixture(scope="session")
def lab_server():
    """JupyterLab, launched and not waited for (``lab`` waits)."""
    from .lab import LabServer

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = LabServer(ARTIFACTS / "jupyterlab.log")
    try:
        server.launch()
        trace("JupyterLab launched")
        yield server
    finally:
        trace("stopping JupyterLab")
        server.stop()
        trace("JupyterLab stopped")


@pytest.fixture(scope="session")
def lab(lab_server, browser_context):
    """JupyterLab answering on ``lab.url``; Chromium is started while the server starts."""
    lab_server.wait_ready()
    trace("JupyterLab answers")
    return lab_server


class LabPage:
    """One browser tab with JupyterLab loaded once; notebooks are opened and closed in it, as a
    student would (loading JupyterLab again for every notebook would triple the test's time)."""

    def __init__(self, lab, context):
        self.lab = lab
        self.page = context.new_page()
        self.console = []
        self.page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))
        self.ready = False

    def load(self):
        """(Re)load JupyterLab with a clean workspace and wait until its menus work."""
        self.page.goto(f"{self.lab.url}/lab?reset", wait_until="domcontentloaded")
        self.page.locator('.lm-MenuBar-itemLabel:text-is("File")').wait_for(timeout=180_000)
        self.page.locator("#jp-main-statusbar").wait_for(timeout=180_000)
        self.ready = True
        trace("JupyterLab loaded in Chromium")


@pytest.fixture(scope="session")
def lab_page(lab, browser_context):
    page = LabPage(lab, browser_context)
    yield page
    page.page.close()


@pytest.fixture(scope="session")
def summary():
    return SUMMARY


#: Background jobs started when the tests are collected (deck.py's deck build), by name.
BACKGROUND = {}


def pytest_collection_finish(session):
    """Start building test_slides.py's deck now, in the background (see deck.py), when a test
    that uses it is to run."""
    if session.config.option.collectonly or "deck" in BACKGROUND:
        return
    if any("offline_build" in getattr(item, "fixturenames", ()) for item in session.items):
        from .deck import BackgroundBuild, have_vendor

        if have_vendor():
            BACKGROUND["deck"] = BackgroundBuild(ARTIFACTS / "deck")
            trace("deck build started (in the background)")


_BUILT = {}


@pytest.fixture(scope="session")
def offline_build():
    """What deck.py built (deck.json): in the background since the tests were collected, or
    here when no build was started."""
    from .deck import BackgroundBuild, have_vendor

    if not have_vendor():
        pytest.skip("neither npm nor the cached npm tarballs in build/.cache/npm")
    if "result" not in _BUILT:
        build = BACKGROUND.pop("deck", None) or BackgroundBuild(ARTIFACTS / "deck", nice=0)
        trace("waiting for the deck build")
        _BUILT["result"] = build.wait()
        trace("deck built")
    return _BUILT["result"]


def pytest_sessionfinish(session):
    for job in BACKGROUND.values():
        job.stop()


def pytest_terminal_summary(terminalreporter):
    if TIMELINE:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "timeline.log").write_text("\n".join(TIMELINE) + "\n", encoding="utf-8")
    from .scrubbing import summary

    lines = [f"{where} scrubbers, key press or click to new frame: {summary(t['keys'])}; mouse drag "
             f"step: {summary(t['mouse'])}; longest display frame meanwhile {t['worst_gap']:.1f} ms"
             for where, t in LATENCY.items()]
    if LATENCY:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "latency.json").write_text(json.dumps(LATENCY, indent=1), encoding="utf-8")
    if SUMMARY or lines:
        terminalreporter.section("what the browser test saw")
        for line in SUMMARY + lines:
            terminalreporter.write_line(line)
