"""Write down the versions of everything installed in this environment, as the tested set.

    python tools/pin_versions.py      (make upgrade runs it in a fresh .venv)

- tools/constraints.txt: every installed distribution at its exact version (`pip freeze --all`,
  the project itself left out).  `make` installs with `pip -c tools/constraints.txt`, so a class
  next year gets the versions the tests passed with; pyproject.toml keeps its ranges, so the
  package still installs beside other software.
- environment.yml: each package it lists pinned to the same version (`name=1.2.3`), for Binder.
  Its python=X.Y pin is left as it is.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "tools" / "constraints.txt"
ENVIRONMENT = ROOT / "environment.yml"
HEADER = """\
# The versions the tests passed with: `make` installs with `pip -c` this file.
# Written by tools/pin_versions.py (`make upgrade`); do not edit by hand.
"""


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def installed():
    """{normalised name: (name, version)} of this environment, the project itself left out."""
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                         capture_output=True, text=True, check=True).stdout
    pins = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if sep and normalise(name) != "binrnn-helpers":
            pins[normalise(name)] = (name, version)
    return pins


def pin_environment(text, pins):
    """environment.yml's text with every dependency but python and pip pinned to its version."""
    def pin(match):
        indent, name = match[1], match[2]
        if name in ("python", "pip"):
            return match[0]
        if normalise(name) not in pins:
            sys.exit(f"pin_versions: environment.yml lists {name}, which is not installed here")
        return f"{indent}- {name}={pins[normalise(name)][1]}"
    head, sep, deps = text.partition("\ndependencies:\n")
    if not sep:
        sys.exit("pin_versions: environment.yml has no 'dependencies:' list")
    return head + sep + re.sub(r"^(\s+)- ([A-Za-z0-9_.\-]+)\s*[^\s#]*", pin, deps, flags=re.M)


def main():
    pins = installed()
    CONSTRAINTS.write_text(HEADER + "".join(f"{name}=={version}\n" for name, version in
                                            sorted(pins.values(), key=lambda p: normalise(p[0]))))
    ENVIRONMENT.write_text(pin_environment(ENVIRONMENT.read_text(encoding="utf-8"), pins), encoding="utf-8")
    print(f"pinned {len(pins)} distributions in {CONSTRAINTS.relative_to(ROOT)} and "
          f"environment.yml's packages to the same versions")


if __name__ == "__main__":
    main()
