"""Where does training break?  (Measured, not a unit test; notebook 05 reads the results.)

Every run is ``bh.train_fast(hidden_size=H, seed=s, learning_rate=lr, bit_order=order,
max_steps=MAX_STEPS)`` with the other arguments at their defaults; "converged" is train_fast's own
verdict (every one of the 16,384 pairs right with its margin, and 146 long sums right), and the
exhaustive accuracy is re-measured with ``bh.exhaustive_accuracy`` on the returned weights.

Three sweeps, seeds 0-9 each:
  - hidden size 1, 2, ..., 8 (train_fast's default learning rate, 0.3; LSB first);
  - learning rate 0.001 ... 10 (hidden size 16, LSB first);
  - bit order "msb_first" (default learning rate) with hidden sizes 16 and 32.
It prints a table per sweep and writes every run to ``benchmarks/results/where_it_breaks.json``.
CPU time (time.process_time) is recorded as well as wall time: the machine is shared.

Also the loss curves of a few configurations (seed 0), ``CURVES``, for the notebook's figure.

Usage: python benchmarks/where_it_breaks.py [--quick]   (--quick: seeds 0-2)
"""
import json
import pathlib
import platform
import statistics
import sys
import time

import binrnn_helpers as bh

RESULTS = pathlib.Path(__file__).parent / "results" / "where_it_breaks.json"
MAX_STEPS = 3000
HIDDEN_SIZES = [1, 2, 3, 4, 5, 6, 7, 8]
LR = bh.fast.LEARNING_RATE                                    # train_fast's default, 0.3
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0]
MSB_HIDDEN_SIZES = [16, 32]
#: (label, hidden_size, learning_rate, bit_order): configurations whose loss curve (seed 0) is kept
CURVES = [(f"hidden 16, rate {LR:g} (defaults)", 16, LR, "lsb_first"),
          (f"hidden 4, rate {LR:g}", 4, LR, "lsb_first"),
          (f"hidden 2, rate {LR:g}", 2, LR, "lsb_first"),
          ("hidden 16, rate 0.001", 16, 0.001, "lsb_first"),
          ("hidden 16, rate 10", 16, 10.0, "lsb_first"),
          (f"hidden 16, rate {LR:g}, MSB first", 16, LR, "msb_first")]


def curve(label, hidden_size, learning_rate, bit_order, seed=0):
    _, history = bh.train_fast(hidden_size=hidden_size, seed=seed, learning_rate=learning_rate,
                               bit_order=bit_order, max_steps=MAX_STEPS)
    return {"label": label, "hidden_size": hidden_size, "learning_rate": learning_rate,
            "bit_order": bit_order, "seed": seed, "converged": bool(history.converged),
            "steps": [int(s) for s in history.steps], "loss": [round(float(v), 5) for v in history.loss],
            "check_steps": [int(s) for s in history.check_steps],
            "accuracy": [float(a) for a in history.accuracy]}


def run(hidden_size, seed, learning_rate=LR, bit_order="lsb_first"):
    cpu, wall = time.process_time(), time.perf_counter()
    params, history = bh.train_fast(hidden_size=hidden_size, seed=seed, learning_rate=learning_rate,
                                    bit_order=bit_order, max_steps=MAX_STEPS)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    accuracy = history.accuracy[-1]   # train_fast's own count (float32, in the order it was trained on)
    # the same count in float64 with bh.exhaustive_accuracy (LSB first only): a network that is only
    # barely right on some pair can differ by a pair or two between the two precisions
    accuracy64 = bh.exhaustive_accuracy(params) if bit_order == "lsb_first" else None
    return {"hidden_size": hidden_size, "seed": seed, "learning_rate": learning_rate,
            "bit_order": bit_order, "converged": bool(history.converged),
            "steps": int(history.check_steps[-1]), "accuracy": float(accuracy), "accuracy_float64": accuracy64,
            "final_loss": round(float(history.loss[-1]), 5),
            "min_loss": round(float(min(history.loss)), 5),
            "cpu_seconds": round(cpu, 3), "wall_seconds": round(wall, 3)}


def summarise(runs, key):
    rows = []
    for value in sorted({r[key] for r in runs}):
        part = [r for r in runs if r[key] == value]
        done = [r["steps"] for r in part if r["converged"]]
        rows.append({key: value, "runs": len(part), "converged": len(done),
                     "median_steps_converged": statistics.median(done) if done else None,
                     "median_accuracy": statistics.median(r["accuracy"] for r in part),
                     "max_accuracy": max(r["accuracy"] for r in part),
                     "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in part), 3)})
    return rows


def reliable_sizes(rows):
    """The smallest hidden size at which every seed converged, and the smallest from which on every
    size in the sweep had every seed converged (None where there is none)."""
    full = [r["converged"] == r["runs"] for r in rows]
    sizes = [r["hidden_size"] for r in rows]
    first = next((h for h, ok in zip(sizes, full) if ok), None)
    stable = next((h for k, h in enumerate(sizes) if all(full[k:])), None)
    return {"smallest_all_converged_hidden_size": first, "smallest_reliable_hidden_size": stable}


def show(title, rows, key):
    print(f"\n{title}")
    print(f"{key:>14} | converged | median steps (converged) | median accuracy | max accuracy | median CPU s")
    for r in rows:
        steps = "-" if r["median_steps_converged"] is None else f"{r['median_steps_converged']:.0f}"
        print(f"{r[key]:>14} | {r['converged']:>4} / {r['runs']:<3}| {steps:>24} | "
              f"{r['median_accuracy']:>15.4f} | {r['max_accuracy']:>12.4f} | {r['median_cpu_seconds']:>12.2f}")


def main(argv):
    seeds = range(3) if "--quick" in argv else range(10)
    start = time.perf_counter()
    sizes = [run(h, s) for h in HIDDEN_SIZES for s in seeds]
    rates = [run(16, s, learning_rate=lr) for lr in LEARNING_RATES for s in seeds]
    msb = [run(h, s, bit_order="msb_first") for h in MSB_HIDDEN_SIZES for s in seeds]
    curves = [curve(*c) for c in CURVES]
    summary = {"hidden_size": summarise(sizes, "hidden_size"),
               "learning_rate": summarise(rates, "learning_rate"),
               "msb_first": summarise(msb, "hidden_size")}
    summary.update(reliable_sizes(summary["hidden_size"]))
    show(f"hidden size (learning rate {LR:g}, LSB first)", summary["hidden_size"], "hidden_size")
    show("learning rate (hidden size 16, LSB first)", summary["learning_rate"], "learning_rate")
    show(f"MSB first (learning rate {LR:g})", summary["msb_first"], "hidden_size")
    print(f"\nsmallest hidden size with every seed converged: {summary['smallest_all_converged_hidden_size']}")
    print(f"smallest hidden size from which every size tested had every seed converged: "
          f"{summary['smallest_reliable_hidden_size']}")
    print(f"total wall time {time.perf_counter() - start:.0f} s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {platform.system()}",
        "python": platform.python_version(), "max_steps": MAX_STEPS, "seeds": list(seeds),
        "how": "python benchmarks/where_it_breaks.py", "summary": summary,
        "runs": {"hidden_size": sizes, "learning_rate": rates, "msb_first": msb},
        "curves": curves}, indent=1) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
