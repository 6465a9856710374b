"""Every Binder link in the README and in the notebooks has the right form, uses the one slug
(``BINDER_SLUG`` in tools/series.py), and opens a notebook that exists; every notebook opens with
the header ``series.header_markdown`` makes for it."""
import json
import pathlib
import re
import urllib.parse

import pytest

from conftest import load_tool

series = load_tool("series")

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Any URL that mentions binder (launch links, badge images, other Binder hosts).
ANY_BINDER_URL = re.compile(r"https?://[^\s)\]\"'<>]*binder[^\s)\]\"'<>]*", re.I)
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
LAUNCH = re.compile(r"https://mybinder\.org/v2/gh/(?P<slug>[^/?#]+/[^/?#]+)/(?P<ref>[^/?#]+)"
                    r"(?:\?labpath=(?P<labpath>[^&#]+))?")


def markdown_of(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def sources():
    yield "README.md", (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        for i, text in enumerate(markdown_of(path)):
            yield f"{path.name}, markdown cell {i}", text


LINKS = [(where, url) for where, text in sources() for url in ANY_BINDER_URL.findall(text)
         if url != BADGE_IMAGE]


def test_the_readme_and_every_notebook_have_a_binder_link():
    places = {where.split(",")[0] for where, _ in LINKS}
    assert places >= {"README.md"} | {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("where,url", LINKS, ids=[f"{w}: {u}" for w, u in LINKS])
def test_binder_link(where, url):
    m = LAUNCH.fullmatch(url)
    assert m, (f"{where}: {url} is not https://mybinder.org/v2/gh/<owner>/<repo>/<ref>"
               "[?labpath=notebooks%2FNN_name.ipynb]")
    assert m["slug"] == series.BINDER_SLUG, (
        f"{where}: {url} names {m['slug']!r}, not the slug in tools/series.py "
        f"({series.BINDER_SLUG!r}): build links with its binder_url")
    assert m["ref"] == series.BINDER_REF, f"{where}: {url} uses ref {m['ref']!r}"
    if m["labpath"] is not None:
        labpath = urllib.parse.unquote(m["labpath"])
        assert re.fullmatch(r"notebooks/[0-9][0-9]_\w+\.ipynb", labpath), (
            f"{where}: {url} opens {labpath!r}, not a notebook of the series")
        assert (ROOT / labpath).is_file(), f"{where}: {url} opens {labpath}, which does not exist"
        assert url == series.binder_url(labpath.split("/", 1)[1]), (
            f"{where}: {url} is not what series.binder_url makes for {labpath}")


def test_the_readme_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert series.binder_badge(series.NOTEBOOKS[0][0]) in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_starts_with_its_header(path):
    assert path.name in [name for name, _ in series.NOTEBOOKS], (
        f"{path.name} is not listed in tools/series.py's NOTEBOOKS")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert cells and cells[0]["cell_type"] == "markdown", f"{path.name}: first cell is not markdown"
    first = "".join(cells[0]["source"])
    assert series.header_markdown(path.name) in first, (
        f"{path.name}: the first cell does not contain series.header_markdown({path.name!r}) "
        "exactly (navigation line and a Binder badge that opens this notebook; "
        "`python tools/series.py` prints it)")


def test_binder_url_round_trip():
    for name, _ in series.NOTEBOOKS:
        m = LAUNCH.fullmatch(series.binder_url(name))
        assert m and urllib.parse.unquote(m["labpath"]) == f"notebooks/{name}"
    assert LAUNCH.fullmatch(series.binder_url())["labpath"] is None
