"""Do the networks train_fast returns add long numbers, whatever the CPU?  (Measured, not a unit test.)

CPUs round the last bit of a float differently, and training amplifies the difference; train_fast
computes in float64 so that it stays far below anything its checks can see.  This measures, once
per numpy dispatch profile this machine can set (native; then numpy's SIMD dispatch
switched off in groups, from the newest feature down, until all of it is off, with
``NPY_DISABLE_CPU_FEATURES``; the names are read from numpy at run time), each in its own process,
whether the networks add long sums and whether the profiles train the same networks.

Per profile: ``bh.train_fast(seed=s)`` for seeds 0-49, each network checked on 2,000 random 62-bit
sums (``bh.evaluation.long_sums(2000, 62, seed=7)``) and 200 random 95-bit sums (seed 11), the unit
test's sums, and on 20,000 random 64-bit sums (seed 5).  It reports the seeds that fail, the worst
accuracy, the worst output margin (how far the output closest to the wrong side of 0.5 is from it;
negative means a wrong bit), and how far apart the profiles' networks end.  It also runs the post's
loop (``bh.train_like_the_post``, 10,000 steps, seed 0) under each profile and reports how far its
final weights end from ``tests/data/post_final_weights.npz``: the tolerance the tests and notebook
04 use.  ``--jitter K`` adds K runs in which every starting weight is scaled by (1 + 1e-7 * noise),
so that each seed trains a different network: how often would the stopping rule let through a
network that fails a long sum, if the networks were not the ones measured above?
Results: ``benchmarks/results/long_sums.json``.

Usage: python benchmarks/long_sums.py [--jitter K] [--seeds N]
"""
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time
from unittest import mock

import numpy as np

import binrnn_helpers as bh

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "tools"))
import numpy_dispatch  # noqa: E402  (tools/ is not a package)

RESULTS = pathlib.Path(__file__).parent / "results" / "long_sums.json"
REFERENCE = pathlib.Path(__file__).parents[1] / "tests" / "data" / "post_final_weights.npz"
TESTS = {"62": (2000, 62, 7), "95": (200, 95, 11), "64": (20000, 64, 5)}     # (sums, bits, seed)


def dispatch_profiles():
    """[(name, NPY_DISABLE_CPU_FEATURES value)]: native, then the dispatched features this CPU has
    switched off from the newest down, until none is left."""
    have = numpy_dispatch.dispatched()
    profiles = [("native", "")]
    for k in range(len(have) - 1, -1, -1):
        off = " ".join(have[k:])
        profiles.append(("all SIMD dispatch off" if k == 0 else f"off: {off}", off))
    return profiles




def measure(seeds, jitter):
    """One run in this process: every seed's network on the long test sums; the post loop's weights."""
    tests = {k: bh.evaluation.long_sums(*v) for k, v in TESTS.items()}
    def jittered(hidden_size, seed):
        p = bh.init_params(hidden_size, seed)
        noise = np.random.RandomState(1000 + jitter)
        return bh.Params(*(a * (1 + 1e-7 * noise.standard_normal(a.shape)) for a in (p.U, p.W, p.V)))
    rows = []
    with mock.patch.object(bh.fast, "init_params", jittered if jitter else bh.init_params):
        for seed in seeds:
            params, history = bh.train_fast(seed=seed)
            row = {"seed": seed, "converged": bool(history.converged), "steps": int(history.check_steps[-1]),
                   "seconds": round(history.seconds, 4), "weights": [getattr(params, n).tolist() for n in "UWV"]}
            for key, (inputs, targets) in tests.items():
                o = bh.forward(params, inputs).output
                margins = np.where(targets > 0.5, o - 0.5, 0.5 - o)     # > 0 where the bit is right
                row[f"accuracy_{key}"] = float(np.all(margins > 0, axis=0).mean())
                row[f"margin_{key}"] = round(float(margins.min()), 4)
            rows.append(row)
    return rows


def child(out, seeds, jitter):
    rows = measure(seeds, jitter)
    post = {}
    if not jitter:
        params, _ = bh.train_like_the_post(steps=10000, seed=0)
        post = {n: getattr(params, n).tolist() for n in "UWV"}
    pathlib.Path(out).write_text(json.dumps({"rows": rows, "post": post}))


def summary(name, rows):
    failing = [r["seed"] for r in rows if not (r["converged"] and all(r[f"accuracy_{k}"] == 1.0 for k in TESTS))]
    return {"profile": name, "networks": len(rows), "failing_seeds": failing,
            **{f"worst_accuracy_{k}": min(r[f"accuracy_{k}"] for r in rows) for k in TESTS},
            "worst_margin": min(min(r[f"margin_{k}"] for k in TESTS) for r in rows),
            "median_steps": float(np.median([r["steps"] for r in rows])),
            "max_steps": max(r["steps"] for r in rows)}


def main(argv):
    if argv[:1] == ["--child"]:
        return child(argv[1], range(int(argv[2])), int(argv[3]))
    jitter = int(argv[argv.index("--jitter") + 1]) if "--jitter" in argv else 0
    n_seeds = int(argv[argv.index("--seeds") + 1]) if "--seeds" in argv else 50
    runs = [(name, off, 0) for name, off in dispatch_profiles()]
    runs += [(f"native, starting weights jittered ({k})", "", k) for k in range(1, jitter + 1)]
    start, table, jitter_table, posts, networks = time.perf_counter(), [], [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, off, k in runs:
            out = os.path.join(tmp, "run.json")
            env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=off)
            subprocess.run([sys.executable, __file__, "--child", out, str(n_seeds), str(k)], env=env, check=True)
            result = json.loads(pathlib.Path(out).read_text())
            if not k:
                networks[name] = [(r["steps"], [np.array(w) for w in r.pop("weights")]) for r in result["rows"]]
            for r in result["rows"]:
                r.pop("weights", None)
            (jitter_table if k else table).append(summary(name, result["rows"]) | {"rows": result["rows"]})
            if result["post"]:
                posts[name] = {n: np.array(v) for n, v in result["post"].items()}
            s = (jitter_table if k else table)[-1]
            print(f"{name:<52} failing {str(s['failing_seeds']):<10} worst accuracy "
                  + "  ".join(f"{key}-bit {s[f'worst_accuracy_{key}']:.4f}" for key in TESTS)
                  + f"  worst margin {s['worst_margin']:+.3f}"
                  f"  steps median {s['median_steps']:.0f}, max {s['max_steps']}", flush=True)
    with np.load(REFERENCE) as ref:
        to_reference = {name: max(float(np.abs(p[n] - ref[n]).max()) for n in "UWV") for name, p in posts.items()}
    names = list(posts)
    between = max((max(float(np.abs(posts[a][n] - posts[b][n]).max()) for n in "UWV")
                   for a in names for b in names), default=0.0)
    first = next(iter(networks.values()))
    same_steps = all([s for s, _ in nets] == [s for s, _ in first] for nets in networks.values())
    fast_between = max(float(np.abs(a - b).max()) for nets in networks.values()
                       for (_, ws), (_, ws0) in zip(nets, first) for a, b in zip(ws, ws0))
    print(f"train_fast between profiles: same steps for every seed: {same_steps}; "
          f"largest weight difference {fast_between:.1e}")
    print("post loop, 10,000 steps: largest difference from the stored weights:",
          ", ".join(f"{k}: {v:.1e}" for k, v in to_reference.items()), f"; between profiles: {between:.1e}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {platform.system()}",
        "python": platform.python_version(), "numpy": np.__version__,
        "how": "python benchmarks/long_sums.py" + (f" --jitter {jitter}" if jitter else ""),
        "tests": {k: {"sums": v[0], "bits": v[1], "seed": v[2]} for k, v in TESTS.items()},
        "train_fast_same_steps_between_profiles": same_steps,
        "train_fast_max_difference_between_profiles": fast_between,
        "post_loop_max_difference_from_stored": to_reference, "post_loop_max_difference_between_profiles": between,
        "profiles": table, "jittered": jitter_table}, indent=1) + "\n")
    print(f"total wall time {time.perf_counter() - start:.0f} s; written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
