"""The offline pages the browser tests open, built in a process of their own.

Building decks and static pages (nbconvert, and unpacking reveal.js, MathJax and the widget
manager from the npm tarballs) takes seconds of CPU per notebook on this repository's 2-core
machines, so conftest.py starts this build in the background, at a low priority, as soon as the
tests are collected: it runs while the notebooks run in JupyterLab, and the tests' fixtures only
wait for it (or build it themselves when no build was started).  The build is always a fresh
one, into an emptied folder.

What is built, from copies of the notebooks (given the rule's slide types when they have none):
every notebook's deck and the lesson deck (test_slides.py steps through 02's and measures every
slide of every deck), and for every notebook with a kernel-free scrubber (``bh.widgets.scrubber``:
a Stack in its saved widget state) its static page (test_offline_scrubbers.py scrubs the
scrubbers in those decks and pages).

As a script: ``python tests/browser/deck.py OUT_DIR`` builds into OUT_DIR (decks in it, pages in
OUT_DIR/pages) and writes OUT_DIR/deck.json: {"deck", "notebook"} for 02, {"decks", "pages"}: the
path of each by notebook name for the notebooks with scrubbers, and "every_deck".
"""
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

_spec = importlib.util.spec_from_file_location("classroom", ROOT / "tools" / "classroom.py")
classroom = importlib.util.module_from_spec(_spec)     # tools/ is not a package: load it by path
_spec.loader.exec_module(classroom)


def source_notebook():
    notebooks = classroom.default_notebooks()
    preferred = [p for p in notebooks if p.name.startswith("02_")]
    return (preferred or notebooks)[0]


def have_vendor():
    """npm, or every npm tarball the deck bundles already in build/.cache/npm."""
    return bool(shutil.which("npm")) or all(classroom.npm_tarball_path(spec).exists()
                                            for spec in classroom.VENDOR.values())


def has_kernel_free_scrubber(nb):
    return any(m.get("model_name") == "StackModel" for m in classroom.widget_state(nb).values())


def build(out):
    """Build into ``out`` (emptied first); returns what deck.json holds."""
    out = pathlib.Path(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    main = source_notebook()
    copies, scrubbed = [], []
    for path in classroom.default_notebooks():
        nb = classroom.read_notebook(path)
        if any(classroom.slide_type(c) is None for c in nb["cells"]):
            # The test is of the deck, not of the metadata (tests/test_classroom.py checks that):
            # give the copy the rule's slide types.
            for cell, kind in zip(nb["cells"], classroom.assign_slide_types(nb)):
                cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
        # built from a copy, which the test reads too (the notebook may be edited meanwhile)
        copy = out / path.name
        copy.write_text(classroom.notebook_text(nb), encoding="utf-8")
        copies.append(copy)
        if has_kernel_free_scrubber(nb):
            scrubbed.append(copy)
    decks = classroom.build_slides(copies, out)        # the lesson deck first, then one per notebook
    deck_of = dict(zip(copies, decks[len(decks) - len(copies):]))
    pages = classroom.build_pages(scrubbed, out / "pages") if scrubbed else []
    result = {"deck": str(deck_of[out / main.name]), "notebook": str(out / main.name),
              "decks": {c.stem: str(deck_of[c]) for c in scrubbed},
              "pages": {p.stem: str(p) for p in pages},
              "every_deck": sorted(str(d) for d in decks)}
    (out / "deck.json").write_text(json.dumps(result))
    return result


class BackgroundBuild:
    """``python deck.py OUT`` started now, at a low priority (nice 10), its output in OUT.log."""

    def __init__(self, out, nice=10):
        self.out = pathlib.Path(out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = self.out.parent / (self.out.name + ".log")
        from .lab import bytecode_env

        cmd = [sys.executable, str(HERE / "deck.py"), str(self.out)]
        if nice and shutil.which("nice"):
            cmd = ["nice", "-n", str(nice)] + cmd       # nice execs python: same process id
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=bytecode_env(),
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)

    def wait(self, timeout=600):
        """What deck.json holds, once the build is over; raises if it failed."""
        if self.proc.poll() is None:
            # waited for now: back to a normal priority if this user may (root may; else it
            # simply goes on at its low priority)
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, 0)
            except OSError:
                pass
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError(f"building the deck took over {timeout} s; its log: {self.log_path}")
        if code != 0:
            raise RuntimeError(f"building the deck failed (exit code {code}):\n"
                               + self.log_path.read_text(errors="replace")[-3000:])
        return json.loads((self.out / "deck.json").read_text())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    built = build(sys.argv[1])
    print(f"{built['deck']} (from {built['notebook']}); with scrubbers: decks {sorted(built['decks'])}, "
          f"pages {sorted(built['pages'])}")
