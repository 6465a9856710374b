"""What a scrubber costs in the kernel.  (Measured, not a unit test.)

A kernel-free scrubber (``bh.widgets.scrubber``) draws every frame once, when its cell runs; after
that the browser switches frames without the kernel (the browser test times that: key press to
new frame).  For each notebook's scrubber, built here as the notebook builds it, this times the
whole build (every frame drawn and encoded) and reports the frames and the bytes stored in the
notebook.  The live scrubber of 05 redraws in the kernel at every change: its step is timed per
state.  Medians over several rounds; results go to ``benchmarks/results/frame_speed.json``.

Usage: python benchmarks/frame_speed.py [--rounds R]
"""
import json
import pathlib
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402

import binrnn_helpers as bh  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "frame_speed.json"


def scrubbers():
    """[(notebook, name, make)]: make() builds the frame and its controls as the notebook does."""
    untrained, trained = bh.init_params(16, seed=0), bh.train_fast(seed=0)[0]
    recorder = bh.show_training.StepRecorder(untrained, 10_000)
    bh.train_like_the_post(steps=10_000, seed=0, on_step=recorder)
    steps, snapshots = recorder.snapshots(250)
    scores = bh.show_training.evaluate_snapshots(snapshots)
    return [
        ("01", "column addition 9 + 60", lambda: (
            bh.show_encoding.ColumnAdditionFrame(9, 60), [widgets.IntSlider(value=0, min=0, max=7)])),
        ("02", "forward step 9 + 60", lambda: (
            bh.show_forward.ForwardStepFrame({"untrained": untrained, "trained": trained}, 9, 60),
            [widgets.IntSlider(value=0, min=0, max=7), widgets.ToggleButtons(options=["untrained", "trained"])])),
        ("03", "backward step 9 + 60", lambda: (
            bh.show_backprop.BackwardStepFrame(untrained, 9, 60), [widgets.IntSlider(value=7, min=0, max=7)])),
        ("04", "training snapshots 9 + 60", lambda: (
            bh.show_training.TrainingFrame(snapshots, steps, 9, 60, accuracy=scores.accuracy),
            [widgets.SelectionSlider(options=steps, value=5000)])),
    ]


def stored_bytes(box):
    """The bytes of the pictures and text lines the scrubber keeps in its widget state."""
    picture = box.children[-1]
    total = sum(len(layer.value) for layer in picture.children if isinstance(layer, widgets.HTML))

    def pages(stack):
        return sum(pages(c) if isinstance(c, widgets.Stack) else len(c.value) for c in stack.children)
    return total + pages(picture.children[-1])


def main(argv):
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    rows = []
    for notebook, name, make in scrubbers():
        times, box = [], None
        for _ in range(rounds + 1):                      # the first round warms fonts and caches
            frame, controls = make()
            start = time.perf_counter()
            box = bh.widgets.scrubber(frame, *controls)
            times.append(time.perf_counter() - start)
        frames = 1
        for c in controls:
            frames *= len(bh.widgets.choices(c)[0])
        rows.append({"notebook": notebook, "scrubber": name, "frames": frames,
                     "build_s": round(statistics.median(times[1:]), 2),
                     "stored_kb": round(stored_bytes(box) / 1000)})
    live = bh.show_learned.RetrainFrame()
    lr = bh.fast.LEARNING_RATE
    states = [(16, lr, 0, "lsb_first"), (4, lr, 0, "lsb_first"), (16, lr, 0, "msb_first"),
              (16, 10.0, 0, "lsb_first"), (8, lr, 1, "lsb_first")]
    for state in states:                                 # trained once (cached), as in the widget
        live.update(*state)
    steps = []
    for _ in range(rounds):
        for state in states:
            start = time.perf_counter()
            live.update(*state)
            bh.widgets.figure_png(live.fig)
            steps.append(time.perf_counter() - start)
    print(f"{'notebook':<8} {'kernel-free scrubber':<28} {'frames':>6} {'build s':>8} {'stored KB':>9}")
    for r in rows:
        print(f"{r['notebook']:<8} {r['scrubber']:<28} {r['frames']:>6} {r['build_s']:>8.2f} {r['stored_kb']:>9}")
    redraw = {"median_ms": round(1000 * statistics.median(steps), 1), "max_ms": round(1000 * max(steps), 1)}
    print(f"05 live scrubber, one redraw in the kernel (training cached): median {redraw['median_ms']} ms, "
          f"slowest {redraw['max_ms']} ms")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "rounds": rounds, "scrubbers": rows,
                                   "live_redraw": redraw}, indent=1) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
