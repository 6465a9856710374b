import json
import os
import subprocess
import sys

import pytest

import binrnn_helpers as bh
from conftest import published_log


def run(*args):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "binrnn_helpers", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_reproduce_prints_the_posts_blocks():
    r = run("reproduce", "--steps", "2001")
    assert r.returncode == 0 and r.stderr == ""
    blocks = r.stdout.strip().split("------------")
    blocks = [b.strip().splitlines() for b in blocks if b.strip()]
    assert len(blocks) == 3
    for lines, (err, pred, true, a, b, decoded) in zip(blocks, published_log()):
        assert lines == [f"Error: {err}", f"Pred: {pred}", f"True: {true}", f"{a} + {b} = {decoded}"]


def test_reproduce_other_seed_differs():
    r = run("reproduce", "--seed", "1", "--steps", "1")
    assert r.returncode == 0
    assert r.stdout.startswith("Error: [") and "9 + 60" not in r.stdout


def test_train_json_and_add_with_weights(tmp_path):
    out = tmp_path / "w.npz"
    r = run("train", "--seed", "1", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["accuracy"] == 1.0 and report["converged"] is True and report["steps"] > 0
    assert report["seed"] == 1 and report["hidden"] == 16 and report["seconds"] > 0
    assert bh.exhaustive_accuracy(bh.load_params(out)) == 1.0
    a, b = 2**70 + 12345, 98765432109876543210
    r = run("add", str(a), str(b), "--weights", str(out))
    assert r.returncode == 0 and r.stdout.strip() == str(a + b)


def test_train_text_and_add_without_weights():
    r = run("train", "--hidden", "16")
    assert r.returncode == 0
    assert "exhaustive accuracy: 100.00%" in r.stdout and "steps:" in r.stdout
    r = run("add", "100", "27")
    assert r.returncode == 0 and r.stdout.strip() == "127"


@pytest.mark.parametrize("args, message", [
    (["reproduce", "--steps", "0"], "--steps: must be >= 1, got 0"),
    (["reproduce", "--seed", "x"], "--seed: must be an integer, got 'x'"),
    (["train", "--hidden", "0"], "--hidden: must be >= 1, got 0"),
    (["add", "-5", "3"], "argument a: must be >= 0, got -5"),
    (["add", "3.5", "3"], "must be an integer, got '3.5'"),
    (["add", "1", "2", "--weights", "/nonexistent/w.npz"], "no such weights file"),
    (["train", "--out", "/nonexistent/dir/w.npz"], "No such file or directory"),
    (["fly"], "invalid choice: 'fly'"),
    ([], "the following arguments are required: command"),
])
def test_bad_arguments_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert message in lines[0] and "Traceback" not in r.stderr
