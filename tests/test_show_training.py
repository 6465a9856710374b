"""Tests of binrnn_helpers.show_training: helpers against independent computations, figures and
the training frame against the numbers they should show."""
import functools
import json
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import binrnn_helpers as bh  # noqa: E402
from binrnn_helpers import show_training as st  # noqa: E402
import figure_text as ft  # noqa: E402
from conftest import DATA, published_log  # noqa: E402

RESULTS = DATA.parent.parent / "benchmarks" / "results"


@functools.cache
def notebook_run():
    """Notebook 04's run: the post's 10,000 steps (seed 0) recorded, its printed errors and loss at
    every step, 41 snapshots (every 250 steps) scored, and train_fast's History (seed 0)."""
    rec = st.StepRecorder(bh.init_params(16, 0), 10_000)
    _, log = bh.train_like_the_post(steps=10_000, seed=0, on_step=rec)
    errors, losses = st.step_errors(rec, *st.post_examples(10_000, seed=0))
    steps, snaps = rec.snapshots(250)
    return SimpleNamespace(log=log, errors=errors, losses=losses, steps=steps, snaps=snaps,
                           scores=st.evaluate_snapshots(snaps), history=bh.train_fast(seed=0)[1])


def notebook_bit_accuracy(trained):
    """The four networks of notebook 04's bar chart, labelled as there."""
    scores, half = notebook_run().scores, notebook_run().steps.index(5000)
    return {"untrained": scores.bit_accuracy[0], "post, 5000 steps": scores.bit_accuracy[half],
            "post, 10000 steps": scores.bit_accuracy[-1], "train_fast": bh.bit_accuracy(trained)}


def notebook_frame():
    nb = notebook_run()
    return st.TrainingFrame(nb.snaps, nb.steps, 9, 60, accuracy=nb.scores.accuracy,
                            curve=st.running_mean(nb.errors, 100), curve_label="mean error")


FIGURES = {   # every figure of bh.show_training, built as notebook 04 builds it
    "plot_post_training": lambda trained: ft.static_text(st.plot_post_training(
        notebook_run().errors, 100, notebook_run().log, notebook_run().steps, notebook_run().scores)),
    "plot_bit_accuracy": lambda trained: ft.static_text(st.plot_bit_accuracy(notebook_bit_accuracy(trained))),
    "plot_fast_vs_post": lambda trained: ft.static_text(st.plot_fast_vs_post(
        notebook_run().losses, notebook_run().history, 32, 100)),
    "plot_answer_filmstrip": lambda trained: ft.static_text(st.plot_answer_filmstrip(
        notebook_run().snaps, notebook_run().steps, 9, 60, show=list(range(0, 10_001, 1000)))),
    "TrainingFrame": lambda trained: ft.frame_text(notebook_frame, [(s,) for s in notebook_run().steps]),
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def run():
    """A short post-loop run (600 steps, seed 0) recorded at every step."""
    rec = st.StepRecorder(bh.init_params(16, 0), 600)
    params, log = bh.train_like_the_post(steps=600, seed=0, log_every=100, on_step=rec)
    steps, snaps = rec.snapshots(100)
    return rec, params, log, steps, snaps


def good_benchmark():
    runs = [{"seed": s, "steps": 5000 + 250 * s, "seconds": 4.0 + s} for s in range(3)]
    fast = [{"seed": s, "steps": 100 + 10 * s, "seconds": 0.2 + 0.1 * s} for s in range(3)]
    return {"date": "2026-01-01", "machine": "test", "ratio": 19.5,
            "post_loop": {"runs": runs}, "train_fast": {"runs": fast}}


# ------------------------------------------------------------------ the published log

def test_read_published_log_agrees_with_an_independent_parse():
    blocks = st.read_published_log(DATA / "post_published_log.txt")
    reference = published_log()   # conftest's own parser
    assert len(blocks) == len(reference) == 10
    for blk, (err, pred, true, a, b, decoded) in zip(blocks, reference):
        assert blk.error_text == err
        assert str(blk.predicted) == pred and str(blk.true) == true
        assert (blk.a, blk.b, blk.decoded) == (a, b, decoded)
        assert bh.from_bits(blk.true) == a + b          # the published "correct value" is a + b
    assert blocks[0].error_text == "[3.45638663]" and blocks[-1].decoded == 14


@pytest.mark.parametrize("text", [
    "Error:[1.0]\n预测值:[0 1]\n正确值:[0 1]\n1 + 0 = 1\n------------\n",     # an English label
    "损失值:[1.0]\n预测值:[0 2]\n正确值:[0 1]\n1 + 0 = 1\n------------\n",     # a 2 among the bits
    "损失值:[one]\n预测值:[0 1]\n正确值:[0 1]\n1 + 0 = 1\n------------\n",     # no number
    "损失值:[1.0]\n预测值:[0 1]\n",                                              # a block cut short
])
def test_read_published_log_refuses_a_file_not_in_the_posts_format(tmp_path, text):
    bad = tmp_path / "log.txt"
    good = (DATA / "post_published_log.txt").read_text(encoding="utf-8")
    bad.write_text(good + text, encoding="utf-8")
    with pytest.raises(ValueError, match="block 10 is not five lines"):
        st.read_published_log(bad)


# ------------------------------------------------------------------ recording a run

def test_recorder_holds_the_weights_after_every_update(run):
    rec, params, _, steps, snaps = run
    assert rec.count == 600 and rec.U.shape == (601, 2, 16) and rec.W.shape == (601, 16, 16)
    final = rec.params_after(600)
    for name in ("U", "W", "V"):
        assert np.array_equal(getattr(final, name), getattr(params, name))
        assert np.array_equal(getattr(rec.params_after(0), name), getattr(bh.init_params(16, 0), name))
    seven, _ = bh.train_like_the_post(steps=7, seed=0)
    assert np.array_equal(rec.params_after(7).W, seven.W)
    assert steps == [0, 100, 200, 300, 400, 500, 600] and len(snaps) == 7
    assert np.array_equal(snaps[3].V, rec.V[300])
    snaps[3].V[0, 0] = 99.0                    # snapshots are copies
    assert rec.V[300, 0, 0] != 99.0


def test_recorder_refuses_misuse():
    rec = st.StepRecorder(bh.init_params(4, 0), 2)
    p = bh.init_params(4, 1)
    with pytest.raises(ValueError, match="expected 0, got 1"):
        rec(1, p)
    rec(0, p)
    rec(1, p)
    with pytest.raises(ValueError, match="expected 2, got 2"):
        rec(2, p)
    with pytest.raises(ValueError, match="n must be <= 2"):
        rec.params_after(3)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        st.StepRecorder(bh.init_params(4, 0), 0)
    with pytest.raises(TypeError, match="initial"):
        st.StepRecorder("weights", 2)


def test_recorder_progress_bar_follows_the_run(capsys):
    rec = st.StepRecorder(bh.init_params(16, 0), 250, progress=True)
    assert rec.bar.max == 250 and rec.bar.value == 0
    seen = []
    bh.train_like_the_post(steps=250, on_step=lambda s, p: rec(s, p) or seen.append(rec.bar.value))
    assert seen[98] == 0 and seen[99] == 100 and seen[198] == 100 and seen[199] == 200 and seen[-1] == 250
    capsys.readouterr()


def test_post_examples_are_the_sums_the_loop_draws():
    for seed in (0, 3):
        _, log = bh.train_like_the_post(steps=40, seed=seed, log_every=1)
        a, b = st.post_examples(40, seed=seed)
        assert a.tolist() == [e.a for e in log] and b.tolist() == [e.b for e in log]
    with pytest.raises(ValueError, match="steps"):
        st.post_examples(0)


def test_step_errors_match_the_loops_own_errors_and_loss():
    rec = st.StepRecorder(bh.init_params(16, 5), 40)
    _, log = bh.train_like_the_post(steps=40, seed=5, log_every=1, on_step=rec)
    a, b = st.post_examples(40, seed=5)
    errors, losses = st.step_errors(rec, a, b)
    assert errors.shape == losses.shape == (40,)
    assert np.max(np.abs(errors - [e.error for e in log])) < 1e-12
    for s in (0, 17, 39):
        x, y = bh.addition_batch(a[s:s + 1], b[s:s + 1])
        assert losses[s] == pytest.approx(bh.loss(bh.forward(rec.params_after(s), x).output, y), abs=1e-12)
    with pytest.raises(ValueError, match="one sum per recorded step"):
        st.step_errors(rec, a[:5], b[:5])


def test_running_mean_against_a_loop():
    v = np.random.RandomState(1).normal(size=57)
    got = st.running_mean(v, 10)
    expected = [np.mean(v[max(0, i - 9):i + 1]) for i in range(57)]
    assert np.allclose(got, expected, rtol=1e-12)
    assert np.allclose(st.running_mean(v, 1), v)
    with pytest.raises(ValueError, match="window must be >= 1"):
        st.running_mean(v, 0)
    with pytest.raises(ValueError, match="1-D"):
        st.running_mean(np.zeros((2, 2)), 3)


def test_evaluate_snapshots_agrees_with_the_helpers(run, trained):
    _, params, _, _, snaps = run
    with np.load(DATA / "post_final_weights.npz") as ref:           # the post's final network,
        noise = np.random.RandomState(7).normal(0, 0.5, ref["W"].shape)  # damaged: partly right
        damaged = bh.Params(ref["U"], ref["W"] + noise, ref["V"])
    nets = [snaps[0], params, trained, damaged]
    scores = st.evaluate_snapshots(nets)
    assert 0.05 < scores.accuracy[3] < 0.95
    x, y = bh.addition_batch(*bh.all_pairs())
    for k, p in enumerate(nets):
        assert scores.accuracy[k] == bh.exhaustive_accuracy(p)
        assert np.array_equal(scores.bit_accuracy[k], bh.bit_accuracy(p))
    assert scores.accuracy[2] == 1.0
    with pytest.raises(TypeError, match="list of Params"):
        st.evaluate_snapshots(params)
    with pytest.raises(TypeError, match="list of Params"):
        st.evaluate_snapshots([])
    with pytest.raises(TypeError, match="list of Params"):
        st.evaluate_snapshots([params, "x"])


def test_first_step_reaching():
    steps = [0, 10, 20, 30, 40]
    assert st.first_step_reaching(steps, [0, 1, 0.5, 1, 1]) == (10, 30)
    assert st.first_step_reaching(steps, [1, 1, 1, 1, 1]) == (0, 0)
    assert st.first_step_reaching(steps, [0, 1, 1, 1, 0.9]) == (10, None)
    assert st.first_step_reaching(steps, [0, 0, 0, 0, 0]) == (None, None)
    assert st.first_step_reaching(steps, [0, 0.6, 0, 0.7, 0.8], level=0.6) == (10, 30)
    with pytest.raises(ValueError, match="same length"):
        st.first_step_reaching(steps, [1, 1])


@pytest.mark.parametrize("level, error, message", [
    (2.0, ValueError, "level must be a number in [0, 1], got 2.0"),
    (float("nan"), ValueError, "level must be a number in [0, 1], got nan"),
    (-0.1, ValueError, "level must be a number in [0, 1], got -0.1"),
    ("1", TypeError, "level must be a number in [0, 1], got '1' (str)"),
])
def test_first_step_reaching_level_is_a_fraction(level, error, message):
    with pytest.raises(error) as err:
        st.first_step_reaching([0, 1], [0.5, 1.0], level=level)
    assert str(err.value) == message


# ------------------------------------------------------------------ the benchmark files

def test_load_benchmark_reads_the_committed_results():
    data = st.load_benchmark(RESULTS / "train_speed.json")
    assert data == json.loads((RESULTS / "train_speed.json").read_text(encoding="utf-8"))


def test_load_benchmark_accepts_the_fields_the_notebook_reads(tmp_path):
    path = tmp_path / "train_speed.json"
    path.write_text(json.dumps(good_benchmark()))
    assert st.load_benchmark(path) == good_benchmark()


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("machine"), "no 'machine' for machine"),
    (lambda d: d.pop("ratio"), "no 'ratio' for ratio"),
    (lambda d: d["post_loop"]["runs"][1].pop("seed"), "no 'seed' for post_loop.runs.seed"),
    (lambda d: d.update(post_loop=7), "no 'runs' for post_loop.runs.seed"),
    (lambda d: d.update(train_fast=[]), "no 'runs' for train_fast.runs.seed"),
    (lambda d: d["train_fast"].update(runs=[]), "no 'seed' for train_fast.runs.seed"),
])
def test_load_benchmark_names_the_bad_field(tmp_path, change, message):
    data = good_benchmark()
    change(data)
    path = tmp_path / "train_speed.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=f"{message}.*re-run benchmarks/train_speed.py"):
        st.load_benchmark(path)


def test_load_benchmark_refuses_a_broken_file(tmp_path):
    broken = tmp_path / "train_speed.json"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        st.load_benchmark(broken)
    with pytest.raises(ValueError, match="path: there is no file .*nothing.json'$"):
        st.load_benchmark(tmp_path / "nothing.json")


@pytest.mark.parametrize("path, error, message", [
    ("/nonexistent.json", ValueError, "path: there is no file '/nonexistent.json'"),
    ("/tmp", ValueError, "path: '/tmp' is a folder, not a results file"),
    (None, TypeError, "path must be a file name (str or pathlib.Path), got NoneType"),
])
def test_load_benchmark_refuses_what_is_no_file_in_one_line(path, error, message):
    with pytest.raises(error) as err:
        st.load_benchmark(path)
    assert str(err.value) == message


def test_load_benchmark_abbreviates_a_long_path(tmp_path):
    with pytest.raises(ValueError) as err:
        st.load_benchmark("x/" * 3000 + "train_speed.json")
    assert str(err.value) == ("path: cannot read a 6,016-character path ending "
                              "'x/x/x/x/x/x/x/x/x/x/x/x/train_speed.json': File name too long")


def test_read_results_names_a_benchmark_only_for_its_own_results(tmp_path):
    with pytest.raises(ValueError) as err:
        st.read_results("/etc/passwd", ["a"])
    assert str(err.value).startswith("'/etc/passwd': not valid JSON (")
    assert str(err.value).endswith("; not a benchmark results file "
                                   "(train_speed.json, where_it_breaks.json, long_sums.json)")
    other = tmp_path / "passwd.json"
    other.write_text("{}")
    with pytest.raises(ValueError) as err:
        st.read_results(other, ["a"])
    assert str(err.value) == f"'{other}': no 'a' for a; not a benchmark results file " \
                             "(train_speed.json, where_it_breaks.json, long_sums.json)"
    for name, script in st.RESULT_SCRIPTS.items():               # every script named is there
        assert (RESULTS.parent / script.removeprefix("benchmarks/")).is_file()
        assert (RESULTS / name).is_file()
        with pytest.raises(ValueError, match=f"re-run {script}$"):
            st.read_results(RESULTS / name, ["no_such_field"])


# ------------------------------------------------------------------ one network's answer

def test_network_answer_against_forward_and_add(trained):
    for p in (bh.init_params(16, 0), trained):
        for a, b in ((9, 60), (127, 127), (0, 0), (85, 42)):
            probs, pred, true = st.network_answer(p, a, b)       # time order: step t = 0 first
            x, _ = bh.addition_batch(np.array([a]), np.array([b]))
            assert np.array_equal(probs, bh.forward(p, x).output[:, 0])
            assert np.array_equal(pred, bh.predict_bits(p, x)[:, 0])
            assert [int(bit) for bit in true] == [((a + b) >> t) & 1 for t in range(8)]
    probs, pred, true = st.network_answer(trained, 100, 27)
    assert sum(int(bit) << t for t, bit in enumerate(pred)) == 127
    with pytest.raises(ValueError, match="a must be >= 0"):
        st.network_answer(trained, -1, 3)
    with pytest.raises(TypeError, match="params"):
        st.network_answer(None, 1, 3)


# ------------------------------------------------------------------ static figures

def test_plot_post_training_draws_the_data(run):
    rec, _, log, steps, snaps = run
    a, b = st.post_examples(600)
    errors, _ = st.step_errors(rec, a, b)
    scores = st.evaluate_snapshots(snaps)
    fig = st.plot_post_training(errors, 50, log, steps, scores)
    ax_err, ax_acc, ax_bits = fig.axes[:3]
    lines = ax_err.get_lines()
    assert np.array_equal(lines[0].get_ydata(), errors)
    assert np.allclose(lines[1].get_ydata(), [errors[max(0, i - 49):i + 1].mean() for i in range(600)])
    assert list(lines[2].get_xdata()) == [e.step for e in log]
    assert list(lines[2].get_ydata()) == [e.error for e in log]
    assert np.allclose(ax_acc.get_lines()[0].get_ydata(), 100 * scores.accuracy)
    assert np.array_equal(ax_bits.images[0].get_array(), scores.bit_accuracy.T)
    assert ax_bits.images[0].get_clim() == (0.5, 1)     # a coin toss is the bottom of the scale
    assert ax_bits.images[0].colorbar.extend == "min"  # cells below it are shown, not hidden


def test_plot_bit_accuracy_bars():
    values = {"one": np.linspace(0.5, 1, 8), "two": np.full(8, 0.75), "three": np.ones(8)}
    fig = st.plot_bit_accuracy(values)
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert np.allclose(heights, 100 * np.concatenate(list(values.values())))
    assert ax.lines[0].get_ydata()[0] == 50                  # the coin-toss line
    with pytest.raises(ValueError, match="same length"):
        st.plot_bit_accuracy({"a": np.ones(8), "b": np.ones(7)})


@pytest.mark.parametrize("values, error, message", [
    ([0.5, 2.0], TypeError, "bit_accuracies must be a dict {label: accuracy per bit (T,)}, got [0.5, 2.0]"),
    ({}, ValueError, "bit_accuracies must hold at least one network, got {}"),
    ({"x": [0.5, 2.0]}, ValueError, "bit_accuracies['x'] must hold fractions in [0, 1], got [0.5, 2.0]"),
])
def test_plot_bit_accuracy_refuses_what_is_no_accuracy(values, error, message):
    with pytest.raises(error) as err:
        st.plot_bit_accuracy(values)
    assert str(err.value) == message
    assert plt.get_fignums() == []


def test_plot_fast_vs_post_axes():
    post_loss = np.linspace(1, 0.1, 300)
    hist = bh.History(steps=[0, 10, 20, 30], loss=[1.0, 0.9, 0.5, 0.1], check_steps=[30], accuracy=[1.0],
                      converged=True, seconds=0.1, message="converged")
    fig = st.plot_fast_vs_post(post_loss, hist, 64, 10)
    left, right = fig.axes
    x_post = np.asarray(left.get_lines()[0].get_xdata())
    assert x_post[0] == 1 and x_post[-1] == 299 and np.all(np.diff(x_post) > 0)
    assert np.allclose(left.get_lines()[0].get_ydata(), st.running_mean(post_loss, 10)[x_post])
    assert list(left.get_lines()[1].get_xdata()) == [10, 20, 30]
    assert list(right.get_lines()[1].get_xdata()) == [640, 1280, 1920]
    assert list(right.get_lines()[1].get_ydata()) == [0.9, 0.5, 0.1]


def test_plot_answer_filmstrip_shows_each_snapshot(run):
    _, _, _, steps, snaps = run
    fig = st.plot_answer_filmstrip(snaps, steps, 9, 60, show=[0, 300, 600])
    ax = fig.axes[0]
    img = ax.images[0].get_array()
    assert [int(v) for v in img[0]] == [(69 >> t) & 1 for t in range(8)]      # t = 0 on the left
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(t) for t in range(8)]
    assert "step t" in ax.get_xlabel()
    for row, s in enumerate([0, 300, 600], start=1):
        x, _ = bh.addition_batch(np.array([9]), np.array([60]))
        assert np.array_equal(img[row], bh.forward(snaps[steps.index(s)], x).output[:, 0])
        bits = (img[row] > 0.5).astype(int)
        verdict = "right" if sum(int(bit) << t for t, bit in enumerate(bits)) == 69 else "wrong"
        assert any(t.get_text().endswith(verdict) and t.get_position()[1] == row for t in ax.texts)
    framed = {(round(p.get_x() + 0.44), round(p.get_y() + 0.4)) for p in ax.patches}   # wrong bits
    assert framed == {(j, row) for row in range(1, 4) for j in range(8) if int(img[row, j] > 0.5) != img[0, j]}
    with pytest.raises(ValueError, match="show: step 50"):
        st.plot_answer_filmstrip(snaps, steps, 9, 60, show=[50])
    with pytest.raises(ValueError, match="steps must"):
        st.plot_answer_filmstrip(snaps, steps[:-1], 9, 60)


# ------------------------------------------------------------------ the widget frame

def check_frame_state(frame, step):
    text = frame.update(step)
    k = frame.steps.index(step)
    x, y = bh.addition_batch(np.array([frame.a]), np.array([frame.b]))
    out = bh.forward(frame.snapshots[k], x).output[:, 0]             # bars in time order, t = 0 first
    pred = (out > 0.5).astype(int)
    true = y[:, 0].astype(int)
    assert np.allclose([bar.get_height() for bar in frame.bars], out)
    colour = {bool(p == t): to_hex(bar.get_facecolor()) for p, t, bar in zip(pred, true, frame.bars)}
    assert [to_hex(bar.get_facecolor()) for bar in frame.bars] == [colour[p == t] for p, t in zip(pred, true)]
    assert len(set(colour.values())) == len(colour)          # right and wrong bits told apart
    assert [t.get_text() for t in frame.pred_texts] == [str(v) for v in pred]
    assert all(line.get_xdata()[0] == step for line in frame.vlines)
    assert frame.dot.get_ydata()[0] == pytest.approx(100 * frame.accuracy[k])
    bits = "".join(map(str, pred[::-1]))                             # the number, written MSB first
    value = int(bits, 2)
    verdict = "right" if value == frame.a + frame.b else "wrong"
    assert text.startswith(f"step {step}: predicted <code>{bits}</code> (MSB first) = {value}, "
                           f"true {frame.a + frame.b}, {verdict}")
    assert f"{int((pred == true).sum())} of 8 bits right" in text
    assert frame.title.get_text().endswith(f": answers {value} ({verdict})")


def test_training_frame_every_state(run):
    _, _, _, steps, snaps = run
    frame = st.TrainingFrame(snaps, steps, 9, 60)
    assert np.array_equal(frame.accuracy, st.evaluate_snapshots(snaps).accuracy)
    ax = frame.bars[0].axes                                   # t = 0 on the left, as in 02 and 03
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(t) for t in range(8)]
    assert "step t" in ax.get_xlabel()
    for step in steps:
        check_frame_state(frame, step)
    bh.widgets.figure_png(frame.fig)
    plt.close(frame.fig)


def test_training_frame_with_a_trained_network_and_a_curve(run, trained):
    _, _, _, steps, snaps = run
    frame = st.TrainingFrame(snaps[:2] + [trained], [0, 100, 5000], 100, 27,
                             accuracy=[0.0, 0.1, 1.0], curve=np.linspace(4, 0, 5001), curve_label="err")
    assert np.array_equal(frame.ax_curve.get_lines()[0].get_ydata(), np.linspace(4, 0, 5001))
    for step in (0, 100, 5000):
        check_frame_state(frame, step)
    assert frame.update(5000).startswith("step 5000: predicted <code>01111111</code> (MSB first) = 127, "
                                         "true 127, right")
    with pytest.raises(ValueError, match="step must be one of"):
        frame.update(50)
    with pytest.raises(TypeError, match="step must be an integer"):
        frame.update(1.5)
    with pytest.raises(ValueError, match="accuracy must have one value per snapshot"):
        st.TrainingFrame(snaps[:2], [0, 100], 9, 60, accuracy=[0.5])
    with pytest.raises(ValueError, match="a \\+ b = 609 needs 10 bits"):
        st.TrainingFrame(snaps[:2], [0, 100], 9, 600)
    with pytest.raises(ValueError, match="steps must increase"):
        st.TrainingFrame(snaps[:2], [100, 0], 9, 60, accuracy=[0, 0])


def test_baked_frame_looks_like_the_plain_one(run, monkeypatch):
    import io
    from PIL import Image
    _, _, _, steps, snaps = run
    baked = st.TrainingFrame(snaps, steps, 9, 60, curve=np.linspace(4, 1, 601))
    monkeypatch.setattr(st, "bake_background", lambda fig, keep: None)      # everything drawn live
    plain = st.TrainingFrame(snaps, steps, 9, 60, curve=np.linspace(4, 1, 601))
    assert len(baked.fig.images) == 1 and not plain.fig.images
    for step in (0, 300, 600):
        assert plain.update(step) == baked.update(step)
        images = [np.asarray(Image.open(io.BytesIO(bh.widgets.figure_png(f.fig))).convert("L"), dtype=float)
                  for f in (plain, baked)]
        assert images[0].shape == images[1].shape == (330, 800)
        assert np.abs(images[0] - images[1]).mean() < 2            # same picture, up to antialiasing
        assert images[1].std() > 20                                # and not a blank one
    plt.close(plain.fig)
    plt.close(baked.fig)
