"""The SIMD features numpy dispatches to on this CPU, for NPY_DISABLE_CPU_FEATURES.

Other CPUs round floating point differently in the last bits; switching numpy's SIMD dispatch off
is the cheapest "other CPU" a test run can have.  The names vary with numpy's version and the CPU,
so they are read from numpy at run time.

    python tools/numpy_dispatch.py            print them, space-separated (empty if none)
    python tools/numpy_dispatch.py --off      exit 1 unless every one of them is switched off now
"""
import sys

try:
    from numpy._core import _multiarray_umath as umath          # numpy 2
except ImportError:
    from numpy.core import _multiarray_umath as umath           # numpy 1


def dispatched():
    """The features numpy can dispatch to that this CPU has (and are not switched off)."""
    return [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]


if __name__ == "__main__":
    if sys.argv[1:] == ["--off"]:
        still_on = dispatched()
        if still_on:
            sys.exit(f"numpy still dispatches to {' '.join(still_on)}: set NPY_DISABLE_CPU_FEATURES")
        print("numpy's SIMD dispatch is off (baseline only: " + " ".join(umath.__cpu_baseline__) + ")")
    else:
        print(" ".join(dispatched()))
