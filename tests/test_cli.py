import json
import os
import subprocess
import sys

import pytest

import binrnn_helpers as bh
import binrnn_helpers.__main__ as cli
from conftest import published_log


def run(*args):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "binrnn_helpers", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def run_here(capsys, *args):
    """main() in this process: (exit status, stdout, stderr)."""
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(err):
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def weights(tmp_path, trained):
    path = tmp_path / "w.npz"
    bh.save_params(path, trained)
    return path


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
    assert report["out"] == str(out)
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
    (["reproduce", "--steps", "0"], "argument --steps: must be >= 1, got 0"),
    (["reproduce", "--steps", "100000000"], "argument --steps: must be <= 1,000,000, got 100000000"),
    (["reproduce", "--seed", "x"], "argument --seed: must be an integer, got 'x'"),
    (["reproduce", "--seed", str(2**32)], "argument --seed: must be <= 4,294,967,295, got 4294967296"),
    (["train", "--hidden", "0"], "argument --hidden: must be >= 1, got 0"),
    (["add", "-5", "3"], "argument a: must be >= 0, got -5"),
    (["add", "3.5", "3"], "argument a: must be an integer, got '3.5'"),
    (["fly"], "invalid choice: 'fly'"),
    ([], "the following arguments are required: command"),
])
def test_bad_arguments_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert message in one_error_line(r.stderr)


@pytest.mark.parametrize("args, message", [
    (["add", "1", "2", "--weights", "/nonexistent/w.npz"], "no such weights file"),
    (["train", "--out", "/nonexistent/dir/w.npz"],
     "argument --out: folder '/nonexistent/dir' does not exist"),
])
def test_bad_files_one_line_exit_2(args, message):
    r = run(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert message in one_error_line(r.stderr)


# --- issue 15, case 5: no traceback for Ctrl-C or too little memory; progress on a terminal

def test_hidden_is_bounded_before_anything_is_allocated(capsys, monkeypatch):
    monkeypatch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
    status, out, err = run_here(capsys, "train", "--hidden", "100000")
    assert status == 2 and out == ""
    assert one_error_line(err) == ("error: python -m binrnn_helpers train: "
                                   "argument --hidden: must be <= 1,024, got 100000")
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    assert "--hidden HIDDEN  hidden units, 1 to 1,024" in capsys.readouterr().out


def test_ctrl_c_during_reproduce_prints_one_line_and_exits_130(capsys, monkeypatch):
    def interrupted(**kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "train_like_the_post", interrupted)
    status, out, err = run_here(capsys, "reproduce", "--steps", "1000000")
    assert status == 130 and out == ""
    assert one_error_line(err) == "error: interrupted; nothing was saved"


def test_ctrl_c_on_a_terminal_erases_the_progress_line_first(capsys, monkeypatch):
    pretend_terminal(monkeypatch)

    def interrupted(steps, seed, on_step):
        for step in range(3):
            on_step(step, None)
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "train_like_the_post", interrupted)
    status, out, err = run_here(capsys, "reproduce", "--steps", "1000000")
    assert status == 130 and out == ""
    *drawn, erased, message = err.split("\r")
    assert [d.split(" steps")[0] for d in drawn] == [
        "", "reproduce: 1 / 1,000,000", "reproduce: 2 / 1,000,000", "reproduce: 3 / 1,000,000"]
    assert erased.strip() == "" and message == "error: interrupted; nothing was saved\n"


def test_ctrl_c_during_train_leaves_the_old_weights_file_as_it_was(capsys, monkeypatch, weights):
    before = weights.read_bytes()
    calls = []

    def interrupted(**kw):
        calls.append(kw)
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "train_fast", interrupted)
    status, out, err = run_here(capsys, "train", "--hidden", "600", "--out", str(weights), "--force")
    assert calls and status == 130 and out == ""
    assert one_error_line(err) == "error: interrupted; nothing was saved"
    assert weights.read_bytes() == before
    assert sorted(p.name for p in weights.parent.iterdir()) == ["w.npz"]


def test_memory_error_names_the_argument_and_exits_1(capsys, monkeypatch):
    def too_big(**kw):
        raise MemoryError
    monkeypatch.setattr(cli, "train_fast", too_big)
    status, out, err = run_here(capsys, "train", "--hidden", "1000")
    assert status == 1 and out == ""
    assert one_error_line(err) == "error: not enough memory for --hidden 1,000; try a smaller --hidden"


def pretend_terminal(monkeypatch):
    """stderr (capsys's, so call this in the test) claims to be a terminal; progress is drawn at
    every step."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(cli._ProgressLine, "FIRST", 0.0)
    monkeypatch.setattr(cli._ProgressLine, "EVERY", 0.0)


def test_reproduce_shows_progress_on_a_terminal_and_clears_it(capsys, monkeypatch):
    pretend_terminal(monkeypatch)
    status, out, err = run_here(capsys, "reproduce", "--steps", "20")
    assert status == 0 and out.startswith("Error: [")
    drawn = err.split("\r")
    assert drawn[0] == "" and drawn[-1] == ""            # every line redrawn in place, then erased
    assert drawn[1].startswith("reproduce: 1 / 20 steps, ") and " steps/s, " in drawn[1]
    assert drawn[-3].startswith("reproduce: 20 / 20 steps, ") and drawn[-3].strip().endswith("0 s left")
    assert drawn[-2].strip() == ""


def test_train_shows_progress_up_to_its_step_limit(capsys, monkeypatch):
    pretend_terminal(monkeypatch)
    status, out, err = run_here(capsys, "train")
    assert status == 0 and "exhaustive accuracy: 100.00%" in out
    assert "\rtrain: 0 / at most 3,000 steps, " in err and " steps/s, at most " in err
    assert cli.TRAIN_STEPS == 3000


@pytest.mark.parametrize("args", [["reproduce", "--steps", "20", "--quiet"],
                                  ["train", "--quiet"]])
def test_quiet_shows_no_progress(capsys, monkeypatch, args):
    pretend_terminal(monkeypatch)
    status, out, err = run_here(capsys, *args)
    assert status == 0 and out and err == ""


def test_no_progress_when_stderr_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(cli._ProgressLine, "FIRST", 0.0)
    monkeypatch.setattr(cli._ProgressLine, "EVERY", 0.0)
    status, out, err = run_here(capsys, "reproduce", "--steps", "20")
    assert status == 0 and out and err == ""


def test_progress_line_rate_time_left_and_pace(capsys, monkeypatch):
    clock = iter([0.0, 0.5, 2.0, 2.1, 2.5])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    line = cli._ProgressLine(1000, "reproduce")
    line.show(10)                                          # 0.5 s: too early to draw
    line.show(100)                                         # 2.0 s: drawn
    line.show(105)                                         # 2.1 s: within 0.25 s of the last
    line.show(125)                                         # 2.5 s: drawn
    line.clear()
    assert capsys.readouterr().err == (
        "\rreproduce: 100 / 1,000 steps, 50 steps/s, 18 s left"
        "\rreproduce: 125 / 1,000 steps, 50 steps/s, 18 s left"
        "\r" + " " * 51 + "\r")


@pytest.mark.parametrize("seconds, shown", [(0.4, "0 s"), (59.4, "59 s"), (65, "1 min 05 s"),
                                            (5000, "1 h 23 min"), (90000, "25 h 00 min")])
def test_duration(seconds, shown):
    assert cli._duration(seconds) == shown


# --- issue 15, case 6: one suffix rule for --out and --weights

def test_out_without_suffix_reports_the_real_file_and_add_reads_it(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_here(capsys, "train", "--out", "weights")
    assert status == 0 and err == ""
    assert out.splitlines()[-1] == "weights saved to weights.npz"
    assert os.listdir(tmp_path) == ["weights.npz"]
    status, out, err = run_here(capsys, "add", "45", "78", "--weights", "weights")
    assert (status, out, err) == (0, "123\n", "")


@pytest.mark.parametrize("option", [["add", "1", "2", "--weights"], ["train", "--out"]])
def test_an_empty_file_name_is_refused_not_ignored(capsys, monkeypatch, option):
    monkeypatch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
    status, out, err = run_here(capsys, *option, "")
    assert status == 2 and out == ""
    assert one_error_line(err).endswith(
        f"argument {option[-1]}: path must name a weights file such as weights.npz, got ''")


def test_another_suffix_is_refused(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
    status, out, err = run_here(capsys, "train", "--out", str(tmp_path / "w.txt"))
    assert status == 2 and out == ""
    assert one_error_line(err).endswith(f"argument --out: path must end in .npz (a name without a "
                                        f"suffix gets .npz added), got '{tmp_path / 'w.txt'}'")
    assert list(tmp_path.iterdir()) == []


# --- issue 15, case 9: huge integers are added, or refused in a short line

def test_add_takes_a_4301_digit_number(capsys, weights):
    limit = sys.get_int_max_str_digits()
    status, out, err = run_here(capsys, "add", "9" * 4301, "1", "--weights", str(weights))
    assert (status, out, err) == (0, "1" + "0" * 4301 + "\n", "")     # the carry runs all the way
    assert sys.get_int_max_str_digits() == limit            # the process's limit is restored


@pytest.mark.parametrize("text, shown", [
    ("1" * 20_001, "must be an integer of at most 20,000 digits, got a 20,001-digit number"),
    ("-" + "1" * 5000, "must be >= 0, got a negative 5,000-digit number"),
    ("x" * 5000, "must be an integer, got a 5,000-character text"),
])
def test_a_huge_argument_is_refused_in_a_short_line(capsys, text, shown):
    status, out, err = run_here(capsys, "add", text, "1")
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert line == f"error: python -m binrnn_helpers add: argument a: {shown}" and len(line) < 120


def test_a_huge_option_value_is_shown_by_its_length(capsys):
    status, out, err = run_here(capsys, "reproduce", "--steps", "9" * 4301)
    assert status == 2
    assert one_error_line(err).endswith("argument --steps: must be <= 1,000,000, got a 4,301-digit number")


# --- the prober's second list: an existing --out, stdout that cannot be written, file names

def test_out_refuses_an_existing_file_before_training_unless_force(capsys, monkeypatch, weights):
    before = weights.read_bytes()
    monkeypatch.chdir(weights.parent)
    with monkeypatch.context() as patch:
        patch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
        status, out, err = run_here(capsys, "train", "--out", "w")
    assert status == 2 and out == ""
    assert one_error_line(err) == ("error: python -m binrnn_helpers train: argument --out: "
                                   "'w.npz' exists; add --force to replace it, or choose another name")
    assert weights.read_bytes() == before
    status, out, err = run_here(capsys, "train", "--seed", "1", "--out", "w", "--force")
    assert status == 0 and err == "" and out.endswith("weights saved to w.npz\n")
    assert weights.read_bytes() != before and bh.exhaustive_accuracy(bh.load_params(weights)) == 1.0
    assert os.listdir(weights.parent) == ["w.npz"]                  # replaced in place, nothing beside


def run_to(stdout, *args, close_stdout=False):
    """The command line with its stdout sent to ``stdout`` (a file, or subprocess.PIPE) or closed."""
    return subprocess.run([sys.executable, "-m", "binrnn_helpers", *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120,
                          preexec_fn=(lambda: os.close(1)) if close_stdout else None)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors and /dev/full")
@pytest.mark.parametrize("args", [["reproduce", "--steps", "5"], ["add", "3", "4"], ["train"]])
def test_closed_or_full_stdout_is_one_line_and_exit_1(args):
    r = run_to(None, *args, close_stdout=True)                         # as `... >&-`
    assert (r.returncode, r.stderr) == (1, "error: could not write the output: stdout is closed\n")
    with open("/dev/full", "w") as full:                               # as `... > /dev/full`
        r = run_to(full, *args)
    assert (r.returncode, r.stderr) == (1, "error: could not write the output: No space left on device\n")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE and EPIPE are POSIX")
def test_a_reader_that_stops_reading_ends_the_run_quietly():
    """As `reproduce | head -1` when head has gone before the log is written: exit 141, no words."""
    run = subprocess.Popen([sys.executable, "-m", "binrnn_helpers", "reproduce", "--steps", "2000"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run.stdout.close()                                                 # long before the log is ready
    assert run.wait(timeout=120) == 141 and run.stderr.read() == ""
    run.stderr.close()


def test_an_over_long_file_name_is_one_short_line(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
    status, out, err = run_here(capsys, "train", "--out", "a" * 300 + ".npz")
    assert status == 2 and out == ""
    assert one_error_line(err) == (
        "error: python -m binrnn_helpers train: argument --out: path a 304-character path ending "
        f"'{'a' * 36}.npz' cannot be used (File name too long); give a file name such as weights.npz")
    status, out, err = run_here(capsys, "train", "--out", "a/" * 3000 + "w.npz")
    assert status == 2 and "argument --out: path a 6,005-character path ending " in one_error_line(err)
    assert len(err) < 250 and os.listdir(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="asks the file system its longest name")
def test_a_file_name_as_long_as_the_file_system_allows_is_saved_and_read(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    name = "a" * (os.pathconf(tmp_path, "PC_NAME_MAX") - 4) + ".npz"    # 255 characters on most
    status, out, err = run_here(capsys, "train", "--out", name)
    assert status == 0 and err == "" and os.listdir(tmp_path) == [name]
    assert run_here(capsys, "add", "45", "78", "--weights", name) == (0, "123\n", "")


@pytest.fixture
def files(tmp_path, monkeypatch, weights):
    """A folder holding w.npz (weights), good.npz (a file, not a folder) and loop.npz (a symlink to
    itself), as the current folder; train_fast must not be called."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.npz").write_bytes(b"")
    os.symlink("loop.npz", "loop.npz")
    monkeypatch.setattr(cli, "train_fast", lambda **kw: pytest.fail("train_fast was called"))
    return sorted(os.listdir(tmp_path))


@pytest.mark.parametrize("args, message", [
    (["train", "--out", "good.npz/x.npz"], "argument --out: 'good.npz' is not a folder"),
    (["train", "--out", "good.npz/sub/x"], "argument --out: 'good.npz' is not a folder"),
    (["train", "--out", "no/sub/x"], "argument --out: folder 'no/sub' does not exist"),
    (["add", "1", "2", "--weights", "loop.npz"],
     "argument --weights: path 'loop.npz' is a symlink loop; give a file name such as weights.npz"),
    (["train", "--out", "loop"],
     "argument --out: path 'loop.npz' is a symlink loop; give a file name such as weights.npz"),
    (["train", "--out", ".npz"],
     "argument --out: path must name a weights file such as weights.npz, got '.npz'"),
    (["train", "--out", "-"], "argument --out: '-' (stdin or stdout) is not supported for weights; "
                              "give a file name such as weights.npz"),
    (["add", "1", "2", "--weights", "-"], "argument --weights: '-' (stdin or stdout) is not "
                                           "supported for weights; give a file name such as weights.npz"),
    (["add", "1", "2", "--weights", "w", "--weights", "missing"],       # the last one counts
     "argument --weights: path 'missing.npz': no such weights file"),
    (["add", "1", "2", "--weights", "w", "--weights", "good.npz"],
     "argument --weights: path 'good.npz': not a readable .npz weights file (it is not a zip archive)"),
])
def test_file_arguments_are_named_in_every_error(capsys, files, args, message):
    status, out, err = run_here(capsys, *args)
    assert status == 2 and out == ""
    assert one_error_line(err) == f"error: python -m binrnn_helpers {args[0]}: {message}"
    assert sorted(os.listdir()) == files


def test_a_repeated_weights_option_uses_the_last_one(capsys, files):
    assert run_here(capsys, "add", "1", "2", "--weights", "loop.npz", "--weights", "w") == (0, "3\n", "")
