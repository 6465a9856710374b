"""Checks the notebooks print: ``compare`` for "ours equals the library's", and the exercises'
self-checks, which say what is right and, when something is not, where and by how much.

Every line is at most ``WIDTH`` characters: the slides show printed output in a column that wide.
A self-check never raises, whatever the function it checks does.
"""
import reprlib

import numpy as np

#: Characters in a printed line (tools/classroom.py: the deck's output column, 741 px / 11.5 px).
WIDTH = 64

_repr = reprlib.Repr()
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 8
_repr.maxstring = _repr.maxother = 40
_repr.maxlong = 30


def compare(name, ours, reference, rtol=1e-7, atol=1e-12):
    """Print one verdict: does ``ours`` equal ``reference``?

    ``name: exact`` when every entry is equal, ``name: close, max difference 3.1e-12`` when they
    agree within ``np.allclose(ours, reference, rtol, atol)``, ``name: DIFFERENT, max difference
    0.5`` otherwise.  A difference below 1e-9 is shown as "< 1e-9": its digits are rounding noise,
    which differs from one computer to the next.  When the line would be wider than ``WIDTH``,
    the verdict goes on a second, indented line.
    """
    ours, reference = np.asarray(ours), np.asarray(reference)
    if ours.shape != reference.shape:
        verdict = f"DIFFERENT shapes, {ours.shape} and {reference.shape}"
    elif np.array_equal(ours, reference):
        verdict = "exact"
    else:
        diff = float(np.max(np.abs(ours.astype(float) - reference.astype(float))))
        shown = "< 1e-9" if diff < 1e-9 else f"{diff:.1e}"
        close = np.allclose(ours, reference, rtol=rtol, atol=atol)
        verdict = f"{'close' if close else 'DIFFERENT'}, max difference {shown}"
    line = f"{name}: {verdict}"
    print(line if len(line) <= WIDTH else f"{name}:\n    {verdict}")


def check_function(fn, cases, name=None, rtol=1e-6):
    """Call ``fn(*args)`` for each ``(args, expected)`` in ``cases`` and print a verdict.

    All right: one line starting with ✓.  Otherwise a few lines starting with ✗: the first case
    that fails, its arguments, and what differs (for arrays the first mismatch and the largest
    difference).  A stub that still raises NotImplementedError gets "not implemented yet"; any
    other exception is reported, never raised.  Floats are compared with ``np.allclose(rtol)``.
    Returns True when every case is right.
    """
    name = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        _say(f"✗ {name} is {_short(fn)}, not a function: run the cell that defines it.")
        return False
    cases = list(cases)
    for k, (args, expected) in enumerate(cases, 1):
        try:
            got = fn(*args)
        except NotImplementedError:
            _say(f"✗ {name}: not implemented yet. Fill in the exercise cell, run it, "
                 "then run this check again.")
            return False
        except Exception as error:          # a check reports, whatever the student's code does
            _say(f"✗ {name} raised {type(error).__name__} on case {k} of {len(cases)}:",
                 f"  {_short(str(error), WIDTH - 2)}", f"  arguments: {_short_args(args)}")
            return False
        problems = _differences(got, expected, rtol)
        if problems:
            _say(f"✗ {name}: case {k} of {len(cases)} is wrong.",
                 f"  arguments: {_short_args(args)}", *("  " + p for p in problems))
            return False
    _say(f"✓ {name}: right." if len(cases) == 1 else f"✓ {name}: all {len(cases)} cases right.")
    return True


def check_value(got, expected, name="your answer", rtol=1e-6):
    """Compare a value the student computed (number or array) with the expected one and print
    a verdict as ``check_function`` does.  ``None`` or ``...`` means "not answered yet"."""
    if got is None or got is Ellipsis:
        _say(f"✗ {name}: not answered yet.")
        return False
    problems = _differences(got, expected, rtol)
    if problems:
        _say(f"✗ {name} is wrong.", *("  " + p for p in problems))
        return False
    _say(f"✓ {name}: right.")
    return True


def _say(*lines):
    for line in lines:
        print(line if len(line) <= WIDTH else _wrap(line))


def _wrap(line):
    """A long line broken at spaces into lines of at most WIDTH characters (indented after the
    first); a single word longer than that is cut."""
    out, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > WIDTH:
            out.append(current)
            current = "    " + word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return "\n".join(piece if len(piece) <= WIDTH else piece[:WIDTH - 3] + "..." for piece in out)


def _short(value, limit=WIDTH - 14):
    """A one-line description of ``value``, at most ``limit`` characters."""
    if isinstance(value, np.ndarray):
        if value.size <= 8 and value.ndim <= 1:
            text = np.array2string(value, precision=4, separator=", ")
        else:
            text = f"{value.dtype} array {value.shape}"
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = _repr.repr(value)
        except Exception:
            text = f"a {type(value).__name__}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _short_args(args):
    return _short(", ".join(_short(a, 30) for a in args))


def _differences(got, expected, rtol):
    """What differs between ``got`` and ``expected``, as a few short lines ([] if nothing)."""
    if got is None and expected is not None:
        return ["got None: does the function return its result?"]
    try:
        g, e = np.asarray(got), np.asarray(expected)
        numeric = g.dtype.kind in "biufc" and e.dtype.kind in "biufc"
    except Exception:
        numeric = False
    if not numeric:
        parts = _parts(got, expected)
        if parts is not None:                   # tuples, lists or dicts: item by item
            for key, (g_item, e_item) in parts:
                problems = _differences(g_item, e_item, rtol)
                if problems:
                    return [f"item [{key!r}] differs:"] + ["  " + p for p in problems]
            return []
        try:
            same = bool(got == expected)
        except Exception:
            same = False
        return [] if same else [f"got      {_short(got)}", f"expected {_short(expected)}"]
    if g.shape != e.shape:
        what = "items" if isinstance(expected, (list, tuple)) else "shape"
        if what == "items" and e.ndim == 1:
            return [f"got {_short(got)}",
                    f"expected {e.shape[0]} items, got {g.shape[0] if g.ndim else 'a number'}"]
        return [f"got shape {g.shape}, expected shape {e.shape}"]
    floats = g.dtype.kind in "fc" or e.dtype.kind in "fc"
    if floats:
        with np.errstate(invalid="ignore"):
            wrong = ~np.isclose(g, e, rtol=rtol, atol=1e-12)
    else:
        wrong = g != e
    if not wrong.any():
        return []
    if g.ndim == 0:
        return [f"got {_number(g[()])}, expected {_number(e[()])}"]
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(g.astype(complex if g.dtype.kind == "c" else float)
                      - e.astype(complex if e.dtype.kind == "c" else float))
    diff = np.where(np.isnan(diff), np.inf, diff)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape))
    index = lambda i: ", ".join(map(str, i))
    return [f"first mismatch at [{index(first)}]: got {_number(g[first])}, "
            f"expected {_number(e[first])}",
            f"largest difference {_number(diff[worst])} at [{index(worst)}]; "
            f"{int(wrong.sum())} of {wrong.size} differ"]


def _parts(got, expected):
    """Matching items of two tuples/lists of the same length, or two dicts with the same keys,
    as (key, (got_item, expected_item)) pairs; None for anything else."""
    if isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)) \
            and len(got) == len(expected):
        return list(enumerate(zip(got, expected)))
    if isinstance(expected, dict) and isinstance(got, dict) and got.keys() == expected.keys():
        return [(k, (got[k], expected[k])) for k in expected]
    return None


def _number(x):
    x = x.item() if hasattr(x, "item") else x
    return f"{x:.6g}" if isinstance(x, float) else str(x)
