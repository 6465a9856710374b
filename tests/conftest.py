import importlib.util
import pathlib

import numpy as np
import pytest

import binrnn_helpers as bh

DATA = pathlib.Path(__file__).parent / "data"
_spec = importlib.util.spec_from_file_location(
    "numpy_dispatch", pathlib.Path(__file__).parents[1] / "tools" / "numpy_dispatch.py")
numpy_dispatch = importlib.util.module_from_spec(_spec)     # tools/ is not a package: load it by path
_spec.loader.exec_module(numpy_dispatch)


@pytest.fixture(scope="session")
def trained():
    """A network trained by train_fast (seed 0), shared by the tests that need one."""
    params, history = bh.train_fast(seed=0)
    assert history.converged
    return params


def published_log():
    """The post's published log as (error, predicted bits, true bits, a, b, decoded) blocks."""
    lines = [ln for ln in (DATA / "post_published_log.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    blocks = [lines[i:i + 5] for i in range(0, len(lines), 5)]
    out = []
    for err, pred, true, total, rule in blocks:
        assert rule == "------------"
        lhs, decoded = total.split(" = ")
        a, b = lhs.split(" + ")
        out.append((err.split(":")[1], pred.split(":")[1], true.split(":")[1],
                    int(a), int(b), int(decoded)))
    return out


def load_tool(name):
    """``tools/<name>.py`` as a module, loaded once by its path (tools/ is not a package)."""
    if name not in _TOOLS:
        spec = importlib.util.spec_from_file_location(
            name, pathlib.Path(__file__).parents[1] / "tools" / f"{name}.py")
        _TOOLS[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_TOOLS[name])
    return _TOOLS[name]


_TOOLS = {}


def python_sums(bits):
    """The integers written by bit columns (T, M) or (T,), LSB first: Python's own arithmetic,
    the reference every carry and sum the package computes is checked against."""
    bits = np.asarray(bits)
    columns = bits.reshape(len(bits), -1).T
    return [sum(int(v) << t for t, v in enumerate(col)) for col in columns]


def plain_run(params, a, b, steps):
    """The network on one sum a + b by a plain per-step loop, written apart from bh.forward:
    hidden states (steps, H) after each step and outputs (steps,), bits read LSB first."""
    h, hidden, output = np.zeros(params.hidden_size), [], []
    for t in range(steps):
        x = np.array([(a >> t) & 1, (b >> t) & 1], dtype=float)
        h = 1 / (1 + np.exp(-(x @ params.U + h @ params.W)))
        hidden.append(h)
        output.append(1 / (1 + np.exp(-(h @ params.V)[0])))
    return np.array(hidden), np.array(output)
