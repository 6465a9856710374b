"""The setup files agree with each other: pyproject.toml, environment.yml, postBuild, README."""
import importlib.metadata
import json
import subprocess
import sys
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def normalise(name):
    return re.split(r"[<>=!~ \[]", name.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages():
    """Every requirement of the installed package, extras included (read from its metadata,
    which `make` refreshes whenever pyproject.toml changes), except the `browser` extra: the
    browser test runs on a developer's machine or CI, never on Binder."""
    return {normalise(r) for r in importlib.metadata.requires("binrnn-helpers")
            if "extra == \"browser\"" not in r and "extra == 'browser'" not in r}


def environment_dependencies():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    return [ln.strip()[2:] for ln in lines[start + 1:] if ln.strip().startswith("- ")]


def environment_packages():
    return {normalise(d) for d in environment_dependencies()} - {"python", "pip"}


def constraints():
    """{name: version} from tools/constraints.txt, the versions `make` installs."""
    pins = {}
    for line in (ROOT / "tools" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[normalise(name)] = version
    return pins


def test_environment_and_pyproject_name_the_same_packages():
    assert environment_packages() == pyproject_packages()


def test_binder_and_make_install_the_same_exact_versions():
    pins = constraints()
    for dep in environment_dependencies():
        name, _, version = dep.partition("=")
        if name not in ("python", "pip"):
            assert re.fullmatch(r"\d+(\.\d+)*", version), f"environment.yml: {dep} is not an exact pin"
            assert pins.get(normalise(name)) == version, f"{dep}: tools/constraints.txt has {pins.get(normalise(name))}"


def test_every_dependency_has_a_known_good_version_and_pyproject_keeps_ranges():
    pins = constraints()
    requirements = importlib.metadata.requires("binrnn-helpers")
    assert {normalise(r) for r in requirements} <= set(pins)        # the browser extra included
    assert not [r for r in requirements if "==" in r.split(";")[0]], "pyproject.toml keeps ranges; pins live in constraints.txt"
    assert pins["numpy"] == importlib.metadata.version("numpy")     # this environment is the tested one


def test_environment_pins_an_exact_python():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*- python=3\.\d+$", text, re.M), "Binder needs an exact python=3.X pin"


def test_postbuild_installs_the_package_without_dependencies():
    post = ROOT / "postBuild"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps ." in post.read_text()


def test_readme_gives_the_test_command_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci


def test_the_core_and_the_command_line_import_no_views_and_no_classroom_tooling():
    """numpy is all the core needs: matplotlib and ipywidgets load only with a view (bh.show_*)."""
    script = ("import sys, contextlib, io\n"
              "import binrnn_helpers as bh\n"
              "from binrnn_helpers.__main__ import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    assert main(['reproduce', '--steps', '3']) == 0 and main(['add', '2', '3']) == 0\n"
              "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'ipywidgets', 'classroom', 'series'})\n"
              "bh.show_forward\n"
              "print(heavy, 'matplotlib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "True"]


def make_recipe(target):
    """The recipe lines of a Makefile target (tab-indented lines right after ``target:``)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f"{target}:"))
    recipe = []
    for ln in lines[start + 1:]:
        if not ln.startswith("\t"):
            break
        recipe.append(ln.strip().lstrip("@"))
    return recipe


def test_make_lab_opens_the_first_notebook_with_no_news_prompt():
    recipe = make_recipe("lab")
    launch = [ln for ln in recipe if "jupyter lab" in ln]
    assert len(launch) == 1 and launch[0].split()[-1] == "notebooks/00_start_here.ipynb"
    assert "--ServerApp.root_dir=." in launch[0]     # rooted at the repository, as on Binder
    # JupyterLab's news prompt is switched off by the overrides file, which make lab (into .venv)
    # and postBuild (into Binder's environment) copy to where JupyterLab reads default settings
    overrides = json.loads((ROOT / "tools" / "jupyterlab_overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    copy = "cp tools/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json"
    assert recipe.index(copy) < recipe.index(launch[0])
    post = (ROOT / "postBuild").read_text()
    assert 'settings="$(python -c \'import sys; print(sys.prefix)\')/share/jupyter/lab/settings"' in post
    assert 'cp tools/jupyterlab_overrides.json "$settings/overrides.json"' in post


def test_the_overrides_are_valid_jupyterlab_settings():
    """Each setting exists in the installed JupyterLab's schema and has a value it allows."""
    import jsonschema
    schemas = pathlib.Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    overrides = json.loads((ROOT / "tools" / "jupyterlab_overrides.json").read_text())
    for plugin, values in overrides.items():
        package, _, name = plugin.partition(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        assert set(values) <= set(schema["properties"]), plugin
        jsonschema.validate(values, schema)


def test_the_bad_input_list_names_tests_that_exist():
    """docs/bad-inputs.md points each bad input at the test that proves its answer."""
    listed = set(re.findall(r"`(?:tests/\w+\.py::)?(test_\w+)`", (ROOT / "docs" / "bad-inputs.md").read_text()))
    defined = {m for path in (ROOT / "tests").glob("test_*.py")
               for m in re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M)}
    assert len(listed) >= 40 and listed <= defined, sorted(listed - defined)
