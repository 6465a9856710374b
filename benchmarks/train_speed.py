"""How fast does each trainer reach 100 % on all 16,384 pairs?  (Measured, not a unit test.)

For seeds 0-4, in one process:
  - ``bh.train_fast`` (minibatches; stops itself once every pair is right with a margin), five
    times per seed, keeping the median time (a run takes tens of milliseconds);
  - the post's loop (``bh.train_like_the_post``: one example per step, SGD), checked every
    250 steps with ``bh.exhaustive_accuracy`` until it adds every pair right.
It prints steps and wall time to 100 % per seed, the medians and their ratio, then the same ratio
with the checks counted other ways (checks are measurement, not training, and the post loop's
float64 ones take about a third of its time): the post loop checked with train_fast's float32
checker instead; the post loop's training alone against all of train_fast; training alone on both
sides.  Then it checks ``train_fast`` for seeds 0-49 on 2,000 random 62-bit sums and 200 random
95-bit sums each (the unit test's sums; ``benchmarks/long_sums.py`` repeats this per CPU profile).
The figures are written to ``benchmarks/results/train_speed.json``, which notebook 04 reads.

Usage: python benchmarks/train_speed.py [--quick]   (--quick: seeds 0-1, long check on 5 seeds)
"""
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

import binrnn_helpers as bh
from binrnn_helpers.fast import StoppingRule      # train_fast's own float32 all-pairs check

CHECK_EVERY = 250
FAST_REPEATS = 5                 # train_fast runs per seed; the median time is kept
RESULTS = pathlib.Path(__file__).parent / "results" / "train_speed.json"


def post_loop_to_100(seed, max_steps=30000):
    """Steps and seconds until the post's loop adds all pairs right (checked every 250 steps).

    The time spent in the checks (``bh.exhaustive_accuracy``, float64, on all 16,384 pairs) is
    part of ``seconds`` and also reported on its own, so that the training alone can be compared.
    Each check point is also checked, not counted in ``seconds``, with train_fast's own float32
    checker, whose time is reported as ``float32_check_seconds``: what the post loop would
    spend checking with the checker train_fast uses.  (``float32_disagreements`` counts check
    points where the two checkers disagreed on "all pairs right".)"""
    reached, check_seconds, float32 = [], [0.0], {"seconds": 0.0, "disagreements": 0}
    rule = StoppingRule(8, "lsb_first", margin=0.0, seed=0)

    def check(step, params):
        if (step + 1) % CHECK_EVERY:
            return False
        start = time.perf_counter()
        done = bh.exhaustive_accuracy(params) == 1.0
        check_seconds[0] += time.perf_counter() - start
        float32_start = time.perf_counter()
        history = bh.History()
        rule.measure(step, params, history)
        float32_done = history.accuracy[-1] == 1.0
        float32["seconds"] += time.perf_counter() - float32_start
        float32["disagreements"] += int(float32_done != done)
        if done:
            reached.append(step + 1)
        return done

    start, cpu = time.perf_counter(), time.process_time()
    bh.train_like_the_post(steps=max_steps, seed=seed, log_every=max_steps, on_step=check)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if not reached:
        raise RuntimeError(f"seed {seed}: the post's loop did not reach 100 % in {max_steps} steps")
    seconds, cpu = seconds - float32["seconds"], cpu - float32["seconds"]   # (one thread: CPU = wall)
    return {"seed": seed, "steps": reached[0], "seconds": round(seconds, 4), "cpu_seconds": round(cpu, 4),
            "check_seconds": round(check_seconds[0], 4),
            "float32_check_seconds": round(float32["seconds"], 4),
            "float32_disagreements": float32["disagreements"]}


def fast_to_100(seed, repeats=FAST_REPEATS):
    """Steps and seconds of ``bh.train_fast`` (which stops itself at 100 % with its margin).

    A run takes some tens of milliseconds, so one preempted time slice would swing it; each seed is
    run ``repeats`` times (the same run: train_fast is deterministic) and its median time kept."""
    seconds, cpu, check = [], [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        params, history = bh.train_fast(seed=seed)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        check.append(history.check_seconds)
    if not history.converged:
        raise RuntimeError(f"seed {seed}: train_fast did not converge ({history.message})")
    return {"seed": seed, "steps": history.check_steps[-1], "seconds": round(statistics.median(seconds), 5),
            "cpu_seconds": round(statistics.median(cpu), 5), "check_seconds": round(statistics.median(check), 5),
            "repeats": repeats}


def summary(runs):
    result = {"runs": runs,
              "median_steps": statistics.median(r["steps"] for r in runs),
              "median_seconds": statistics.median(r["seconds"] for r in runs),
              "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs)}
    result["median_check_seconds"] = statistics.median(r["check_seconds"] for r in runs)
    result["median_training_seconds"] = statistics.median(r["seconds"] - r["check_seconds"] for r in runs)
    if "float32_check_seconds" in runs[0]:
        result["median_float32_check_seconds"] = statistics.median(r["float32_check_seconds"] for r in runs)
        result["median_seconds_with_float32_checks"] = statistics.median(
            r["seconds"] - r["check_seconds"] + r["float32_check_seconds"] for r in runs)
        result["float32_disagreements"] = sum(r["float32_disagreements"] for r in runs)
    return result


def main(argv):
    quick = "--quick" in argv
    seeds = range(2) if quick else range(5)
    long_seeds = range(5) if quick else range(50)

    bh.train_fast(seed=99)   # warm up imports and caches outside the timed runs
    # train_fast first: the float64 checks below wake OpenBLAS's worker thread, which then spins
    # on the second core for a while and would be counted in train_fast's CPU time
    fast = summary([fast_to_100(s) for s in seeds])
    post = summary([post_loop_to_100(s) for s in seeds])
    for seed in seeds:                 # checked independently, in float64, outside the timed runs
        assert bh.exhaustive_accuracy(bh.train_fast(seed=seed)[0]) == 1.0
    ratio = post["median_seconds"] / fast["median_seconds"]
    cpu_ratio = post["median_cpu_seconds"] / fast["median_cpu_seconds"]
    training_ratio = post["median_training_seconds"] / fast["median_seconds"]
    same_checker_ratio = post["median_seconds_with_float32_checks"] / fast["median_seconds"]
    no_checks_ratio = post["median_training_seconds"] / fast["median_training_seconds"]

    print(f"{'seed':>4} | {'post loop steps':>15} {'seconds':>8} | {'train_fast steps':>16} {'ms':>7}")
    for p, f in zip(post["runs"], fast["runs"]):
        print(f"{p['seed']:>4} | {p['steps']:>15} {p['seconds']:>8.2f} | {f['steps']:>16} "
              f"{1000 * f['seconds']:>7.1f}")
    print(f"median | {post['median_steps']:>13.0f} {post['median_seconds']:>8.2f} | "
          f"{fast['median_steps']:>16.0f} {1000 * fast['median_seconds']:>7.1f}")
    print(f"ratio of medians (post loop / train_fast), wall time: {ratio:.0f}x; CPU time: "
          f"{cpu_ratio:.0f}x; steps: {post['median_steps'] / fast['median_steps']:.0f}x")
    print(f"the post loop's float64 checks every {CHECK_EVERY} steps took {post['median_check_seconds']:.2f} s "
          f"(median), train_fast's own checks {1000 * fast['median_check_seconds']:.1f} ms; ratio of medians:")
    print(f"  as above, each side with its own checks (the issue's protocol): {ratio:.0f}x")
    print(f"  the post loop checked with train_fast's float32 checker ({post['median_float32_check_seconds']:.2f} s, "
          f"{post['float32_disagreements']} disagreements with float64): {same_checker_ratio:.0f}x")
    print(f"  the post loop's training alone against all of train_fast: {training_ratio:.0f}x")
    print(f"  training alone on both sides (post {post['median_training_seconds']:.2f} s, train_fast "
          f"{1000 * fast['median_training_seconds']:.1f} ms): {no_checks_ratio:.0f}x")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")

    exact, extra_exact, worst = 0, 0, 1.0
    tests = [bh.evaluation.long_sums(2000, 62, seed=7), bh.evaluation.long_sums(200, 95, seed=11)]
    for seed in long_seeds:
        params, history = bh.train_fast(seed=seed)
        acc, extra = (float(np.all(bh.predict_bits(params, x) == y, axis=0).mean()) for x, y in tests)
        exact += acc == 1.0
        extra_exact += extra == 1.0
        worst = min(worst, acc, extra)
    print(f"long sums: {exact} of {len(long_seeds)} networks (seeds 0-{len(long_seeds) - 1}) add all "
          f"2,000 random 62-bit sums (seed 7) exactly; {extra_exact} of {len(long_seeds)} all 200 random "
          f"95-bit sums (seed 11); worst network: {worst:.2%}")

    result = {"date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.machine()}, {platform.python_implementation()} "
                         f"{platform.python_version()}, numpy {np.__version__}, "
                         f"{os.cpu_count()} cores",
              "post_loop": {"check_every": CHECK_EVERY, **post},
              "train_fast": fast,
              "ratio": round(ratio, 1),
              "cpu_ratio": round(cpu_ratio, 1),
              "training_only_ratio": round(training_ratio, 1),
              "same_checker_ratio": round(same_checker_ratio, 1),
              "no_checks_ratio": round(no_checks_ratio, 1),
              "load_average": round(os.getloadavg()[0], 1),
              "long_sums": {"seeds": len(long_seeds), "bits": 62, "pairs": 2000, "all_exact": int(exact),
                            "extra_bits": 95, "extra_pairs": 200, "extra_all_exact": int(extra_exact),
                            "worst_accuracy": worst}}
    if not quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
