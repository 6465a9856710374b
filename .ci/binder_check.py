"""make binder-check: what Binder does with this repository, as far as this machine allows.

Binder builds environment.yml with conda, runs postBuild, then opens JupyterLab.  Here, without
conda: a fresh virtual environment (in a temporary folder) with exactly the packages
environment.yml names, installed with pip at the versions it allows; then postBuild, run from the
repository root with that environment first on PATH (so its ``pip install --no-deps .`` installs
binrnn_helpers there, not as an editable link); then every notebook executed in that environment
(nbconvert, outputs written to the temporary folder, never in place) from notebooks/, as Binder
opens them.  Any error fails the check.

Python: environment.yml pins an exact python=X.Y for Binder.  This uses a pythonX.Y found on the
machine (BINDER_PYTHON overrides); when there is none it uses python3 and says so.
"""
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def environment_requirements(path=ROOT / "environment.yml"):
    """(python pin, [pip requirement, ...]) from environment.yml's dependencies list.

    Conda's ``name=1.2`` means 1.2.*; ``>=`` and friends mean what they mean to pip.  ``pip``
    itself comes with the venv.  A ``- pip:`` sub-list is taken as pip requirements as they are.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies:")
    python, reqs, in_pip = None, [], False
    for line in lines[start + 1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t")):
            break                                   # the next top-level key
        item = line.strip()
        if not item.startswith("- "):
            raise SystemExit(f"environment.yml: cannot read dependency line {line!r}")
        item = item[2:].split("#")[0].strip()
        indent = len(line) - len(line.lstrip())
        if item == "pip:":
            in_pip, pip_indent = True, indent
            continue
        if in_pip and indent > pip_indent:
            reqs.append(item)
            continue
        in_pip = False
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", item)
        name, spec = m[1], m[2].replace(" ", "")
        if name == "python":
            python = spec.lstrip("=")
            continue
        if name == "pip":
            continue
        if re.fullmatch(r"=[^=<>!~,]+", spec):      # conda's single '=' : that release series
            spec = "==" + spec[1:] + ".*"
        reqs.append(name + spec)
    return python, reqs


def find_python(pin):
    """An interpreter for the pinned X.Y (or python3), and a sentence saying which."""
    candidates = [os.environ.get("BINDER_PYTHON"), f"python{pin}" if pin else None,
                  *sorted(str(p) for p in pathlib.Path.home().glob(f".pyenv/versions/{pin}*/bin/python{pin}")
                          if pin)]
    for c in filter(None, candidates):
        exe = shutil.which(c) or c
        try:
            out = subprocess.run([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                 capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if out.returncode == 0 and (not pin or out.stdout.strip().startswith(pin + ".")
                                    or os.environ.get("BINDER_PYTHON") == c):
            return exe, f"Python {out.stdout.strip()} ({exe}), as environment.yml pins python={pin}"
    version = "%d.%d.%d" % sys.version_info[:3]
    return sys.executable, (f"Python {version} ({sys.executable}): no python{pin} on this machine, "
                            f"so NOT the python={pin} that Binder will use")


def run(cmd, **kw):
    r = subprocess.run(cmd, text=True, capture_output=True, stdin=subprocess.DEVNULL, **kw)
    if r.returncode != 0:
        sys.stdout.write(r.stdout[-6000:] + r.stderr[-6000:])
        raise SystemExit(f"binder-check: FAILED: {' '.join(map(str, cmd))} (exit {r.returncode})")
    return r


def main():
    t0 = time.monotonic()
    pin, reqs = environment_requirements()
    python, which = find_python(pin)
    print(f"binder-check: {which}")
    print(f"binder-check: environment.yml names {len(reqs)} packages: {' '.join(reqs)}")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="binrnn-binder-"))
    try:
        venv = tmp / "venv"
        bindir = venv / "bin"
        run([python, "-m", "venv", venv])
        env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
                   VIRTUAL_ENV=str(venv), PIP_DISABLE_PIP_VERSION_CHECK="1",
                   JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
                   JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"))
        env.pop("JUPYTER_PATH", None)
        env.pop("PYTHONPATH", None)
        run([bindir / "python", "-m", "pip", "install", "--quiet", *reqs], env=env)
        t_install = time.monotonic() - t0
        print(f"binder-check: installed in {t_install:.0f} s")

        # postBuild, from the repository root, as Binder runs it
        run([ROOT / "postBuild"], cwd=ROOT, env=env)
        run([bindir / "python", "-m", "pip", "check"], env=env)
        where = run([bindir / "python", "-c", "import binrnn_helpers; print(binrnn_helpers.__file__)"],
                    cwd=tmp, env=env).stdout.strip()
        if not where.startswith(str(venv)):
            raise SystemExit(f"binder-check: FAILED: binrnn_helpers imports from {where}, "
                             f"not from the environment postBuild installed it into")
        print(f"binder-check: postBuild ran; binrnn_helpers imports from the environment "
              f"({os.path.relpath(where, venv)})")

        if not NOTEBOOKS:
            print("binder-check: no notebooks yet")
            return
        out = tmp / "executed"

        def execute(nb):
            t = time.monotonic()
            r = subprocess.run(
                [bindir / "jupyter", "nbconvert", "--to", "notebook", "--execute",
                 "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
                 "--output-dir", out, nb],
                text=True, capture_output=True, stdin=subprocess.DEVNULL, env=env, cwd=tmp)
            return nb, r, time.monotonic() - t

        failed = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:   # 2 cores here
            for nb, r, secs in pool.map(execute, NOTEBOOKS):
                ok = r.returncode == 0
                print(f"binder-check: {nb.name}: {'ran' if ok else 'FAILED'} in {secs:.0f} s")
                if not ok:
                    failed.append(nb.name)
                    sys.stdout.write(r.stderr[-8000:])
        if failed:
            raise SystemExit(f"binder-check: FAILED: {len(failed)} of {len(NOTEBOOKS)} notebooks "
                             f"raised an error in the Binder environment: {', '.join(failed)}")
        print(f"binder-check: passed: {len(NOTEBOOKS)} notebooks ran in the Binder environment; "
              f"{time.monotonic() - t0:.0f} s in all")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
