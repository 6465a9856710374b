import importlib.util
import pathlib

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
