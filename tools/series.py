"""The notebook series: its files and titles, and the Binder links and navigation between them.

The Binder repository slug lives here and nowhere else.  tests/test_binder_links.py checks that
every Binder link in the README and the notebooks is the one ``binder_url`` makes, and that every
notebook opens with the header ``header_markdown`` makes for it (paste it from
``python tools/series.py`` after adding or renaming a notebook).
"""
import urllib.parse

#: GitHub "owner/name" that Binder builds from (a fork changes it here, then the links the test names).
BINDER_SLUG = "binrnn/binrnn"
BINDER_REF = "HEAD"

NOTEBOOKS = [
    ("00_start_here.ipynb", "Start here: a network that learns to add"),
    ("01_binary_encoding.ipynb", "Binary encoding: numbers as bits, and the carry"),
    ("02_forward_pass.ipynb", "The forward pass: one step, then eight"),
    ("03_backprop_through_time.ipynb", "Backpropagation through time"),
    ("04_training.ipynb", "Training: the post's loop, reproduced and sped up"),
    ("05_what_the_network_learned.ipynb", "What the network learned, and where it breaks"),
]

#: The files each notebook opens, relative to the repository root (its code quotes them as
#: "../<path>").  Student copies (tools/classroom.py student) carry exactly these, and
#: tests/test_classroom.py checks that they are what the notebooks open.
DATA_FILES = {
    "04_training.ipynb": ("tests/data/post_published_log.txt", "tests/data/post_final_weights.npz",
                          "benchmarks/results/train_speed.json"),
    "05_what_the_network_learned.ipynb": ("benchmarks/results/long_sums.json",
                                          "benchmarks/results/where_it_breaks.json"),
}


def binder_url(notebook=None):
    """The mybinder.org link that builds the repository and opens ``notebook`` in JupyterLab."""
    url = f"https://mybinder.org/v2/gh/{BINDER_SLUG}/{BINDER_REF}"
    if notebook is not None:
        url += "?labpath=" + urllib.parse.quote(f"notebooks/{notebook}", safe="")
    return url


def binder_badge(notebook=None):
    return f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url(notebook)})"


def header_markdown(notebook):
    """The navigation line and Binder badge at the top of ``notebook``."""
    names = [name for name, _ in NOTEBOOKS]
    i = names.index(notebook)
    prev = f"[< {NOTEBOOKS[i - 1][1]}]({names[i - 1]})" if i > 0 else "< (this is the first)"
    nxt = f"[{NOTEBOOKS[i + 1][1]} >]({names[i + 1]})" if i + 1 < len(names) else "(this is the last) >"
    return f"{prev} | [Contents](00_start_here.ipynb#Contents) | {nxt}\n\n{binder_badge(notebook)}"


if __name__ == "__main__":
    print(f"README badge:\n{binder_badge(NOTEBOOKS[0][0])}\n")
    for name, title in NOTEBOOKS:
        print(f"{name}:\n# {title}\n\n{header_markdown(name)}\n")
