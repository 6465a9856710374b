"""Fixtures of the browser test: one JupyterLab server and one Chromium for all the notebooks.

These tests need Chromium and the ``browser`` extra; ``make test-browser`` provides both and sets
BINRNN_BROWSER=1.  Without it (plain ``make test`` / ``pytest tests``) this folder is not collected.
"""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"

if os.environ.get("BINRNN_BROWSER") != "1":
    collect_ignore_glob = ["test_*.py"]

#: One line per notebook, filled by the test, printed at the end of the run.
SUMMARY = []


# Module scope: the server and the browser end with the module that uses them, so another test
# file here may start its own Playwright (two sync Playwrights cannot run at once).
@pytest.fixture(scope="module")
def lab():
    from .lab import LabServer

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LabServer(ARTIFACTS / "jupyterlab.log") as server:
        yield server


@pytest.fixture(scope="module")
def browser_context():
    from playwright.sync_api import sync_playwright

    from .lab import chromium

    with sync_playwright() as p, chromium(p) as context:
        context.set_default_timeout(60_000)
        yield context


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


@pytest.fixture(scope="module")
def lab_page(lab, browser_context):
    page = LabPage(lab, browser_context)
    yield page
    page.page.close()


@pytest.fixture(scope="session")
def summary():
    return SUMMARY


def pytest_terminal_summary(terminalreporter):
    if SUMMARY:
        terminalreporter.section("what the browser test saw")
        for line in SUMMARY:
            terminalreporter.write_line(line)
