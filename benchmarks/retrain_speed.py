"""How long does the retraining widget of notebook 05 take to answer?  (Measured, not a unit test.)

For a grid of configurations (hidden size, learning rate, seed, bit order) the widget can show, time
one uncached ``RetrainFrame.update`` plus rendering the figure to PNG -- what a control change costs
the first time -- and then the cached redraw (going back to a configuration).  Wall time and CPU
time (time.process_time) are both printed: the machine is shared.  The bar: median <= 2 s.

Usage: python benchmarks/retrain_speed.py
"""
import json
import pathlib
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import binrnn_helpers as bh  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "retrain_speed.json"
LR = bh.fast.LEARNING_RATE                             # train_fast's default
CONFIGS = [(h, lr, seed, order) for h, lr, order in [(16, LR, "lsb_first"), (4, LR, "lsb_first"),
                                                      (2, LR, "lsb_first"), (16, 0.001, "lsb_first"),
                                                      (16, 10.0, "lsb_first"), (16, LR, "msb_first"),
                                                      (8, 1.0, "lsb_first")]
           for seed in (0, 1)]


def main(argv):
    frame = bh.show_learned.RetrainFrame()
    frame.update(8, LR, 5, "lsb_first")                 # warm-up: fonts, caches
    bh.widgets.figure_png(frame.fig)
    rows = []
    for config in CONFIGS:
        cpu, wall = time.process_time(), time.perf_counter()
        text = frame.update(*config)
        bh.widgets.figure_png(frame.fig)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        cached = time.perf_counter()
        frame.update(*config)
        bh.widgets.figure_png(frame.fig)
        cached = time.perf_counter() - cached
        rows.append({"config": list(config), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                     "cached_wall_s": round(cached, 3), "converged": frame.result(*config)["converged"]})
        print(f"{str(config):<32} first {wall:6.2f} s wall {cpu:6.2f} s CPU | cached {1000 * cached:6.1f} ms | {text}")
    med = {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "cpu_s", "cached_wall_s")}
    print(f"\nmedian over {len(rows)} configurations: first update {med['wall_s']:.2f} s wall, "
          f"{med['cpu_s']:.2f} s CPU; cached {1000 * med['cached_wall_s']:.0f} ms; "
          f"slowest first update {max(r['wall_s'] for r in rows):.2f} s wall (max_steps {frame.max_steps})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "max_steps": frame.max_steps,
                                   "median": med, "runs": rows}, indent=1) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
