"""How long does one scrub step take?  (Measured, not a unit test.)

For every widget frame the notebooks use (built in ``frames()`` below, as the notebooks build
them), time one scrub step -- ``frame.update(*state)`` plus rendering the figure to PNG, exactly
what the widget does on a slider move -- for every state, several rounds, and print the median
and the slowest step per frame.  Results go to ``benchmarks/results/redraw_speed.json``.

Usage: python benchmarks/redraw_speed.py [--rounds R]
"""
import json
import pathlib
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import binrnn_helpers as bh  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "redraw_speed.json"


def frames():
    """[(module, name, frame, states)]: each notebook's scrubber frame and the states it shows."""
    untrained, trained = bh.init_params(16, seed=0), bh.train_fast(seed=0)[0]
    pairs = [(9, 60), (127, 1), (127, 127), (85, 42), (0, 0)]     # incl. the longest carry chain
    forward = bh.show_forward.ForwardStepFrame({"untrained": untrained, "trained": trained}, 9, 60)
    recorder = bh.show_training.StepRecorder(untrained, 600)
    bh.train_like_the_post(steps=600, seed=0, on_step=recorder)
    steps, snapshots = recorder.snapshots(100)
    lr = bh.fast.LEARNING_RATE
    return [
        ("show_encoding", "column addition", bh.show_encoding.ColumnAdditionFrame(),
         [(a, b, t) for a, b in pairs for t in range(8)]),
        ("show_forward", "forward step 9 + 60", forward, forward.states()),
        ("show_backprop", "backward step 9 + 60", bh.show_backprop.BackwardStepFrame(untrained, 9, 60),
         [(t,) for t in range(7, -1, -1)]),
        ("show_training", "training snapshots", bh.show_training.TrainingFrame(snapshots, steps, 9, 60),
         [(s,) for s in steps]),
        # this frame retrains the network (benchmarks/retrain_speed.py measures that part)
        ("show_learned", "retrain", bh.show_learned.RetrainFrame(),
         [(16, lr, 0, "lsb_first"), (4, lr, 0, "lsb_first"), (16, lr, 0, "msb_first"),
          (16, 10.0, 0, "lsb_first"), (8, lr, 1, "lsb_first")]),
    ]


def time_frame(frame, states, rounds):
    times = []
    for _ in range(rounds):
        for state in states:
            start = time.perf_counter()
            frame.update(*state)
            bh.widgets.figure_png(frame.fig)
            times.append(time.perf_counter() - start)
    return times


def main(argv):
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    rows = []
    for module, name, frame, states in frames():
        frame.update(*states[0])
        bh.widgets.figure_png(frame.fig)              # warm-up: fonts, caches
        times = time_frame(frame, states, rounds)
        rows.append({"module": module, "frame": name, "states": len(states),
                     "median_ms": round(1000 * statistics.median(times), 1),
                     "max_ms": round(1000 * max(times), 1)})
    print(f"{'module':<14} {'frame':<28} {'states':>6} {'median ms':>10} {'max ms':>8}")
    for r in rows:
        print(f"{r['module']:<14} {r['frame']:<28} {r['states']:>6} {r['median_ms']:>10.1f} {r['max_ms']:>8.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "rounds": rounds, "frames": rows},
                                  indent=1) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
