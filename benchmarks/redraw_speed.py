"""How long does one scrub step take?  (Measured, not a unit test.)

For every widget frame the notebooks use (each ``bh.show_*`` module lists them in
``example_frames()``), time one scrub step -- ``frame.update(*state)`` plus rendering the
figure to PNG, exactly what the widget does on a slider move -- for every state, several
rounds, and print the median and the slowest step per frame.  The bar is a median under 100 ms.
Results go to ``benchmarks/results/redraw_speed.json``.

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
MODULES = [bh.show_start, bh.show_encoding, bh.show_forward, bh.show_backprop, bh.show_training,
           bh.show_learned]   # show_learned's frame retrains: its bar is 2 s, see retrain_speed.py


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
    for module in MODULES:
        for name, frame, states in module.example_frames():
            frame.update(*states[0])
            bh.widgets.figure_png(frame.fig)          # warm-up: fonts, caches
            times = time_frame(frame, states, rounds)
            rows.append({"module": module.__name__.split(".")[-1], "frame": name,
                         "states": len(states), "median_ms": round(1000 * statistics.median(times), 1),
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
