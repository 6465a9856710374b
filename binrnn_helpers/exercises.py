"""Checks the notebooks print: ``compare`` for "ours equals the library's", and self-checks for
the exercises that say what is right, what is not, and why."""
import numpy as np


def compare(name, ours, reference, rtol=1e-7, atol=1e-12):
    """Print one line: does ``ours`` equal ``reference`` exactly, approximately (``np.allclose``
    with rtol, atol), and by how much at most?

    A difference below 1e-9 is shown as "< 1e-9": its digits are rounding noise, which differs
    from one computer to the next.
    """
    ours, reference = np.asarray(ours), np.asarray(reference)
    if ours.shape != reference.shape:
        print(f"{name:<12} shapes differ: {ours.shape} and {reference.shape}")
        return
    exact = bool(np.array_equal(ours, reference))
    approx = bool(np.allclose(ours, reference, rtol=rtol, atol=atol))
    diff = float(np.max(np.abs(ours.astype(float) - reference.astype(float)))) if ours.size else 0.0
    shown = "0" if diff == 0 else "< 1e-9" if diff < 1e-9 else f"{diff:.1e}"
    print(f"{name:<12} {str(ours.shape):10} | exact: {exact!s:<5} | approx: {approx!s:<5} | "
          f"max difference: {shown}")


def check_function(fn, cases, name=None):
    """Call ``fn(*args)`` for each ``(args, expected)`` in ``cases`` and print a verdict.

    An exercise stub that still raises NotImplementedError gets "not yet" rather than a
    traceback.  Returns True when every case is right.
    """
    name = name or getattr(fn, "__name__", "your function")
    for args, expected in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            print(f"{name}: not implemented yet -- fill in the exercise cell and run this one again.")
            return False
        if not _same(got, expected):
            print(f"{name}{tuple(args)!r}: got {got!r}, expected {expected!r}.")
            return False
    print(f"{name}: all {len(cases)} cases right.")
    return True


def check_value(got, expected, name="your answer", rtol=1e-6):
    """Compare a value (number or array) with the expected one and print a verdict."""
    if got is None or got is Ellipsis:
        print(f"{name}: not answered yet.")
        return False
    if not _same(got, expected, rtol):
        print(f"{name}: got {got!r}, expected {expected!r}.")
        return False
    print(f"{name}: right.")
    return True


def _same(got, expected, rtol=1e-6):
    try:
        g, e = np.asarray(got), np.asarray(expected)
        if g.shape != e.shape:
            return False
        if e.dtype.kind in "fc" or g.dtype.kind in "fc":
            return bool(np.allclose(g, e, rtol=rtol, atol=1e-12))
        return bool(np.array_equal(g, e))
    except (TypeError, ValueError):
        return got == expected
