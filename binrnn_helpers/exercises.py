"""Checks the notebooks print: ``compare`` for "ours equals the library's", and the exercises'
self-checks, which say what is right and, when something is not, where and by how much.

Every line is at most ``WIDTH`` characters: the slides show printed output in a column that wide.
A self-check never raises, whatever the function it checks does.
"""
import contextlib
import copy
import dataclasses
import inspect
import math
import numbers
import random
import re
import reprlib
import sys
from fractions import Fraction

import numpy as np

from .encoding import check_float, shown

#: Characters in a printed line (tools/classroom.py: the deck's output column, 741 px / 11.5 px).
WIDTH = 64

_repr = reprlib.Repr()
_repr.maxlist = _repr.maxtuple = 16           # a short list (of bits, say) is shown whole
_repr.maxset = _repr.maxdict = 8
_repr.maxstring = _repr.maxother = 40
_repr.maxlong = 30


def compare(name, ours, reference, rtol=1e-7, atol=1e-12):
    """Print one verdict: does ``ours`` equal ``reference``?

    ``name: exact`` when every entry is equal, ``name: close, max difference 3.1e-12`` when they
    agree within ``np.allclose(ours, reference, rtol, atol)``, ``name: DIFFERENT, max difference
    0.5`` otherwise.  A difference below 1e-9 is shown as "< 1e-9": its digits are rounding noise,
    which differs from one computer to the next.  When the line would be wider than ``WIDTH``,
    the verdict goes on a second, indented line.

    NaN in the same place of both counts as equal; complex numbers differ by |ours - reference|;
    Python ints too big for int64 are compared exactly.  Whatever is given, it prints one line:
    ``name: ours is None, not an array`` (a function that returns nothing), ``name: cannot compare
    (could not turn ours into numbers)`` (strings, dicts, lists of different lengths).
    rtol, atol: numbers >= 0.
    """
    rtol = check_float(rtol, "rtol", 0, math.inf, include_low=True)
    atol = check_float(atol, "atol", 0, math.inf, include_low=True)
    verdict = _verdict(ours, reference, rtol, atol)
    line = f"{name}: {verdict}"
    print(line if len(line) <= WIDTH else f"{name}:\n    {verdict}")


def _verdict(ours, reference, rtol, atol):
    """compare's verdict, without the name."""
    arrays = []
    for label, value in (("ours", ours), ("reference", reference)):
        if value is None:
            return f"{label} is None, not an array"
        arrays.append(_numbers(value))
        if arrays[-1] is None:
            return f"cannot compare (could not turn {label} into numbers)"
    a, b = arrays
    if a.shape != b.shape:
        return f"DIFFERENT shapes, {a.shape} and {b.shape}"
    if object in (a.dtype, b.dtype) and a.dtype.kind in "biuO" and b.dtype.kind in "biuO":
        return _integer_verdict(a, b, rtol, atol)
    kind = complex if "c" in (a.dtype.kind, b.dtype.kind) else float
    try:
        fa, fb = a.astype(kind), b.astype(kind)
    except OverflowError:                                  # a Python int beyond float's range
        return "cannot compare (a number too large for a float)"
    if object in (a.dtype, b.dtype):
        a, b = fa, fb
    with np.errstate(invalid="ignore", over="ignore"):
        same = (a == b) | (np.isnan(fa) & np.isnan(fb))
        if same.all():
            return "exact"
        diff = float(np.max(np.where(same, 0, np.abs(fa - fb))))
        close = np.allclose(fa, fb, rtol=rtol, atol=atol, equal_nan=True)
    if math.isnan(diff):
        return "DIFFERENT, NaN in one where the other has a number"
    shown_diff = "< 1e-9" if diff < 1e-9 else f"{diff:.1e}"
    return f"{'close' if close else 'DIFFERENT'}, max difference {shown_diff}"


def _numbers(value):
    """``value`` as a numeric array (Python ints beyond int64 in an object array), or None."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError):         # lists of different lengths, say
        return None
    if arr.dtype.kind in "biufc" or arr.dtype == object and all(
            isinstance(v, numbers.Integral) for v in arr.flat):
        return arr
    return None


def _integer_verdict(a, b, rtol, atol):
    """compare's verdict for integers, some beyond int64: exact, by np.allclose's rule."""
    pairs = [(int(x), int(y)) for x, y in zip(a.flat, b.flat)]
    diff = max((abs(x - y) for x, y in pairs), default=0)
    if diff == 0:
        return "exact"
    close = all(abs(x - y) <= Fraction(atol) + Fraction(rtol) * abs(y) for x, y in pairs)
    shown_diff = f"{diff:.1e}" if diff.bit_length() <= 1000 else shown(diff)   # float's range
    return f"{'close' if close else 'DIFFERENT'}, max difference {shown_diff}"


def check_function(fn, cases, name=None, rtol=1e-6, forbid=(), must_call=(), item_names=None):
    """Call ``fn(*args)`` for each case and print a verdict.

    cases: ``(args, expected)`` or ``(args, expected, label)``; the label (such as "9 + 60") names
    the case when it fails.  All right: one line starting with ✓.  Otherwise a few lines starting
    with ✗: the first case that fails, its arguments, and what differs (a short list in full, for
    arrays the first mismatch and the largest difference).  A stub that still raises
    NotImplementedError gets "not implemented yet"; any other exception is reported, never
    raised.  Floats are compared with ``np.allclose(rtol)``.
    forbid: functions the exercise asks to do without (such as ``bh.forward``); calling one is
      reported as such.
    must_call: functions the exercise asks to use (such as ``bh.add``); right answers that never
      call one are not accepted.
    item_names: names of the items of a tuple the function returns, such as ("w", "m", "v").
    The function gets copies of the arguments; one that changes them in place is told so.
    Returns True when every case is right.
    """
    name = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        _say(f"✗ {name} is {_short(fn)}, not a function: run the cell that defines it.")
        return False
    cases = list(cases)
    calls = {_name_of(f): 0 for f in must_call}
    for k, (args, expected, *label) in enumerate(cases, 1):
        which = f"case {k} of {len(cases)}" + (f" ({label[0]})" if label else "")
        try:
            given = copy.deepcopy(args)
        except Exception:                   # something that cannot be copied: pass it as it is
            given = args
        try:
            with _refused(forbid, fn), _counted(must_call, fn, calls):
                got = fn(*given)
        except _Forbidden as refused:
            _say(f"✗ {name} calls {refused}, which this exercise asks you to do without: "
                 "write that step yourself.")
            return False
        except NotImplementedError as stub:
            hint = re.sub(r"^Exercise \w+:\s*", "", str(stub))
            _say(f"✗ {name}: not implemented yet.",
                 "  Fill in the exercise cell, run it, then run this check again.",
                 *([f"  Hint: {hint}"] if hint else []))
            return False
        except Exception as error:          # a check reports, whatever the student's code does
            _say(f"✗ {name} raised {type(error).__name__} on {which}:",
                 f"  {_short(str(error), 3 * WIDTH - 20)}", *_arguments(args))
            return False
        changed = [i for i, (a, b) in enumerate(zip(args, given)) if _differences(b, a, 0)]
        if changed:
            _say(f"✗ {name} changed {_argument_name(fn, changed[0])} in place on {which}: return "
                 "a new value instead, and leave what it was given as it was.")
            return False
        problems = _differences(got, expected, rtol, item_names)
        if problems:
            _say(f"✗ {name}: {which} is wrong.", *_arguments(args), *("  " + p for p in problems))
            return False
    unused = [f for f, n in calls.items() if n == 0]
    if unused:
        _say(f"✗ {name}: right answers, but {name} never calls {unused[0]}: the exercise is to "
             f"let {unused[0]} do the work.")
        return False
    _say(f"✓ {name}: right." if len(cases) == 1 else f"✓ {name}: all {len(cases)} cases right.")
    return True


def carry_chain_cases():
    """The cases of 01's exercise 2, ``longest_carry_chain(a, b)``: seven chosen pairs and 300
    drawn at random (Python's ``random.Random(2)``, the same everywhere), each with its answer,
    as ``check_function`` takes them.

    The answers are stored, not computed here: any code that computes them is a solution to the
    exercise (tests/test_exercises.py computes them two ways and compares).
    """
    rng = random.Random(2)
    pairs = list(_CHAIN_PAIRS) + [(int(rng.random() * 128), int(rng.random() * 128)) for _ in range(300)]
    answers = "".join(_CHAIN_ANSWERS.split())
    return [((a, b), int(n), f"{a} + {b}") for (a, b), n in zip(pairs, answers, strict=True)]


_CHAIN_PAIRS = ((9, 60), (127, 1), (85, 42), (5, 5), (0, 0), (127, 127), (64, 63))
_CHAIN_ANSWERS = """
    37010704363202511033341722525312612315312241253443513073622450011624326264030
    10252310173030204335123733333127226042070222413015327674131172161430220033500
    13664432333231033105001440616100021026360435121323116321112133231453221417247
    2436023332005111433250126652156237334022532430313205407131112234221221142222"""


class _Forbidden(Exception):
    """A function the exercise asks to do without was called (the message is its name)."""


def _patched(functions, fn, replacement):
    """Context: each of ``functions`` replaced by ``replacement(function)`` wherever
    binrnn_helpers or the namespace ``fn`` was defined in (a notebook's) holds it."""
    @contextlib.contextmanager
    def context():
        spaces = [vars(m) for n, m in list(sys.modules.items()) if n.split(".")[0] == "binrnn_helpers"]
        spaces.append(getattr(fn, "__globals__", {}))
        patched = []
        for function in functions:
            stand_in = replacement(function)
            for space in spaces:
                for key, value in list(space.items()):
                    if value is function:
                        patched.append((space, key, value))
                        space[key] = stand_in
        try:
            yield
        finally:
            for space, key, value in reversed(patched):
                space[key] = value
    return context()


def _name_of(function):
    """How a notebook calls ``function``: bh.add, bh.show_backprop.backward_steps, full_adder."""
    name = getattr(function, "__name__", "?")
    module = (getattr(function, "__module__", "") or "").split(".")
    if module[0] != "binrnn_helpers":
        return name
    if getattr(sys.modules["binrnn_helpers"], name, None) is function:
        return f"bh.{name}"
    return ".".join(["bh", *module[1:], name])


def _refused(functions, fn):
    """While inside, each of ``functions`` raises _Forbidden (with its name) when called."""
    def replacement(function):
        name = _name_of(function)             # now: the patching below changes what it finds

        def refuse(*args, **kwargs):
            raise _Forbidden(name)
        return refuse
    return _patched(functions, fn, replacement)


def _counted(functions, fn, calls):
    """While inside, calls of each of ``functions`` are counted in ``calls[its name]``."""
    def replacement(function):
        name = _name_of(function)

        def count(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return count
    return _patched(functions, fn, replacement)


def _say(*lines):
    for line in lines:
        print(line if len(line) <= WIDTH else _wrap(line))


def _wrap(line):
    """A long line broken at spaces into lines of at most WIDTH characters, the later ones
    indented 4 more than the first; a single word longer than that is cut."""
    indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
    out, current = [], ""
    for word in line.strip(" ").split(" "):
        if current and len(current) + 1 + len(word) > WIDTH:
            out.append(current)
            current = indent + word
        else:
            current = f"{current} {word}" if current else line[:len(indent) - 4] + word
    out.append(current)
    return "\n".join(piece if len(piece) <= WIDTH else piece[:WIDTH - 3] + "..." for piece in out)


def _kind(value):
    """'a str', 'an int', 'a generator': what a value is, in words."""
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _short(value, limit=WIDTH - 14, quote=False):
    """A one-line description of ``value``, at most ``limit`` characters (a string in quotes when
    ``quote``, so that '0' and 0 look different)."""
    if isinstance(value, np.ndarray):
        if value.size <= 8 and value.ndim <= 1:
            text = np.array2string(value, precision=4, separator=", ")
        else:
            text = f"{value.dtype} array {value.shape}"
    elif isinstance(value, str):
        text = repr(value) if quote else value
    elif dataclasses.is_dataclass(value):
        text = f"a {type(value).__name__}"
    elif isinstance(value, (list, tuple)) and len(value) > 4 and not all(
            isinstance(v, (int, float, np.number)) for v in value):
        text = f"a {type(value).__name__} of {len(value)} {type(value[0]).__name__}"
    else:
        try:
            text = _repr.repr(value)
        except Exception:
            text = f"a {type(value).__name__}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _argument_name(fn, i):
    """`h_prev` for the argument at position i of fn, or "its argument 2" when unknown."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return f"`{names[i]}`"
    except (TypeError, ValueError, IndexError):
        return f"its argument {i + 1}"


def _arguments(args):
    """The line that shows a case's arguments (none for a function of no arguments)."""
    return [f"  arguments: {_short_args(args)}"] if len(args) else []


def _short_args(args):
    return _short(", ".join(_short(a, 30) for a in args))


def _differences(got, expected, rtol, item_names=None):
    """What differs between ``got`` and ``expected``, as a few short lines ([] if nothing).
    A tuple (several results) is compared item by item, named by ``item_names``."""
    if got is None and expected is not None:
        return ["got None: does the function return its result?"]
    if inspect.isgenerator(got) or isinstance(got, (map, filter, zip, range)):
        return [f"got {_kind(got)}: return a list (or an array) of the values"]
    if isinstance(expected, tuple):
        names = item_names or [f"item [{i}]" for i in range(len(expected))]
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            what = f" ({', '.join(item_names)})" if item_names else ""
            return [f"expected a tuple of {_items(len(expected))}{what},",
                    f"got {_short(got, WIDTH - 6)}"]
        for item, g_item, e_item in zip(names, got, expected):
            problems = _differences(g_item, e_item, rtol)
            if problems:
                return [f"{item} differs:"] + ["  " + p for p in problems]
        return []
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
        if same:
            return []
        if type(got) is not type(expected):
            return [f"got      {_short(got, 34, quote=True)} ({_kind(got)})",
                    f"expected {_short(expected, 34, quote=True)} ({_kind(expected)})"]
        return [f"got      {_short(got, quote=True)}", f"expected {_short(expected, quote=True)}"]
    short_list = isinstance(expected, (list, tuple)) and e.ndim == 1 and e.size <= 16
    if g.shape != e.shape:
        if short_list:
            return [f"got      {_short(got)}", f"expected {_short(expected)}",
                    f"({_items(e.shape[0])} expected, "
                    f"{_items(g.shape[0]) if g.ndim == 1 else 'not a list'} given)"]
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
    if short_list:
        return [f"got      {_short(got)}", f"expected {_short(expected)}"]
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
    """Matching items of two tuples/lists of the same length, two dicts with the same keys, or two
    dataclasses of one type (such as Params), as (key, (got_item, expected_item)) pairs; None for
    anything else."""
    if dataclasses.is_dataclass(expected) and type(got) is type(expected):
        return [(f.name, (getattr(got, f.name), getattr(expected, f.name)))
                for f in dataclasses.fields(expected)]
    if isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)) \
            and len(got) == len(expected):
        return list(enumerate(zip(got, expected)))
    if isinstance(expected, dict) and isinstance(got, dict) and got.keys() == expected.keys():
        return [(k, (got[k], expected[k])) for k in expected]
    return None


def _items(n):
    return f"{n} item" if n == 1 else f"{n} items"


def _number(x):
    x = x.item() if hasattr(x, "item") else x
    if isinstance(x, float) and x == 0:
        x = 0.0                               # not "-0"
    return f"{x:.6g}" if isinstance(x, float) else str(x)
