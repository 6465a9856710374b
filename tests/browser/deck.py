"""The reveal.js deck that test_slides.py opens, built in a process of its own.

Building a deck (nbconvert, and unpacking reveal.js, MathJax and the widget manager from the npm
tarballs) takes 5-10 s of CPU on this repository's 2-core machines, so conftest.py starts this
build in the background, at a low priority, as soon as the tests are collected: it runs while the
notebooks run in JupyterLab, and test_slides.py's ``deck`` fixture only waits for it (or builds it
itself when no build was started).  The build is always a fresh one, into an emptied folder.

As a script: ``python tests/browser/deck.py OUT_DIR`` builds the deck of one notebook (02 when it
exists) into OUT_DIR and writes OUT_DIR/deck.json: the deck's path and the notebook it was built
from (a copy in OUT_DIR, given the rule's slide types when the notebook has none).
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


def build(out):
    """Build the deck into ``out`` (emptied first); returns (deck path, notebook path)."""
    out = pathlib.Path(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source = source_notebook()
    nb = classroom.read_notebook(source)
    if any(classroom.slide_type(c) is None for c in nb["cells"]):
        # The test is of the deck, not of the metadata (tests/test_classroom.py checks that):
        # give the copy the rule's slide types.
        for cell, kind in zip(nb["cells"], classroom.assign_slide_types(nb)):
            cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    # built from a copy, which the test reads too (the notebook may be edited meanwhile)
    source = out / source.name
    source.write_text(classroom.notebook_text(nb), encoding="utf-8")
    [path] = classroom.build_slides([source], out)
    (out / "deck.json").write_text(json.dumps({"deck": str(path), "notebook": str(source)}))
    return path, source


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
        """(deck path, notebook path) once the build is over; raises if it failed."""
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
        result = json.loads((self.out / "deck.json").read_text())
        return pathlib.Path(result["deck"]), pathlib.Path(result["notebook"])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    deck, notebook = build(sys.argv[1])
    print(f"{deck} (from {notebook})")
