"""Command line: ``python -m binrnn_helpers {reproduce,train,add} ...``; see ``--help``.

Nothing typed ends in a traceback: a bad argument gets one line on stderr and exit status 2, a
run that needs more memory than there is, or output that cannot be written (stdout closed, disk
full), exit status 1, Ctrl-C exit status 130; a reader that stops reading (``| head -1``) ends the
run quietly with 141, as other tools do.  ``--out`` refuses an existing file unless ``--force``
(checked before training); it is written only once training has finished (and atomically, by
``save_params``), so an interrupted run leaves any old file as it was.  Long runs show one
updating progress line on a terminal.
"""
import argparse
import contextlib
import inspect
import json
import os
import sys
import time

from . import add, exhaustive_accuracy, format_log, load_params, save_params, storage, train_fast, \
    train_like_the_post
from .encoding import long_ints
from .storage import shown_path as _shown_path
from .training import MAX_STEPS          # reproduce --steps at most: a few minutes; the post runs 10,000

PROG = "python -m binrnn_helpers"

MAX_HIDDEN = 1024       # train --hidden: minutes (model.MAX_HIDDEN_SIZE, 4096, would take hours)
MAX_DIGITS = 20_000     # add a b: the network answers in about a second (Python's int() stops at 4,300)
MAX_SEED = 2**32 - 1    # what numpy's RandomState takes
TRAIN_STEPS = inspect.signature(train_fast).parameters["max_steps"].default   # train's step limit


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit status 2, no usage dump
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


class _NoOutput(Exception):
    """The result could not be written to stdout (closed, disk full): a machine problem."""


def _shown(text, value=None):
    """An argument as an error message shows it: short ones whole, long ones by their length."""
    if len(text) <= 40:
        return repr(text) if value is None else str(value)
    digits = text.strip().lstrip("+-").replace("_", "")
    if digits.isdigit():
        sign = "negative " if text.strip().startswith("-") else ""
        return f"a {sign}{len(digits):,}-digit number"
    return f"a {len(text):,}-character text"


def _int_in(minimum, maximum=None):
    """An argparse type: an integer in [minimum, maximum] of at most MAX_DIGITS digits."""
    def parse(text):
        if len(text.strip().lstrip("+-").replace("_", "")) > MAX_DIGITS:
            raise argparse.ArgumentTypeError(
                f"must be an integer of at most {MAX_DIGITS:,} digits, got {_shown(text)}")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {_shown(text)}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum:,}, got {_shown(text, value)}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be <= {maximum:,}, got {_shown(text, value)}")
        return value
    return parse


def _npz_file(text):
    """--weights: the file really meant (storage's one rule: "w" is "w.npz"); ValueError if none."""
    if text == "-":
        raise ValueError("'-' (stdin or stdout) is not supported for weights; "
                         "give a file name such as weights.npz")
    return storage.weights_path(text)


def _out_file(text):
    """--out: as --weights, in a folder that exists (checked now, not after a long training)."""
    path = _npz_file(text)
    folder = path.parent
    if not os.path.isdir(folder):
        first = next(p for p in (*reversed(folder.parents), folder) if not os.path.isdir(p))
        if os.path.lexists(first):
            raise ValueError(f"{_shown_path(first)} is not a folder")
        raise ValueError(f"folder {_shown_path(folder)} does not exist")
    return path


def _judge_files(args):
    """--out and --weights, judged once parsing is done (so a repeated option counts only as the
    last one given) and before anything runs: an existing --out file needs --force."""
    for name, judge in (("out", _out_file), ("weights", _npz_file)):
        if getattr(args, name, None) is not None:
            with _about(args, f"--{name}"):
                setattr(args, name, judge(getattr(args, name)))
    if getattr(args, "out", None) is not None and args.out.exists() and not args.force:
        raise _argument_error(args, "--out", f"{_shown_path(args.out)} exists; add --force to "
                                             "replace it, or choose another name")


def build_parser():
    parser = _Parser(prog=PROG,
                     description="The binary-addition RNN of the binrnn notebooks.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    seed = dict(type=_int_in(0, MAX_SEED), default=0, help=f"0 to {MAX_SEED:,} (default 0)")
    quiet = dict(action="store_true", help="no progress line (it is shown only on a terminal)")

    rep = sub.add_parser("reproduce", help="train like the post and print its log")
    rep.add_argument("--seed", **seed)
    rep.add_argument("--steps", type=_int_in(1, MAX_STEPS), default=10000,
                     help=f"1 to {MAX_STEPS:,} (default 10,000, the post's)")
    rep.add_argument("--quiet", **quiet)

    tr = sub.add_parser("train", help="train fast; print steps, seconds and exhaustive accuracy")
    tr.add_argument("--hidden", type=_int_in(1, MAX_HIDDEN), default=16,
                    help=f"hidden units, 1 to {MAX_HIDDEN:,} (default 16, the post's)")
    tr.add_argument("--seed", **seed)
    tr.add_argument("--out", metavar="FILE",
                    help="save the weights to this .npz file (.npz is added to a name without it)")
    tr.add_argument("--force", action="store_true", help="replace an existing --out file")
    tr.add_argument("--json", action="store_true", help="print one JSON object instead")
    tr.add_argument("--quiet", **quiet)

    ad = sub.add_parser("add", help="add two non-negative integers with the network")
    ad.add_argument("a", type=_int_in(0), help=f"at most {MAX_DIGITS:,} digits")
    ad.add_argument("b", type=_int_in(0), help=f"at most {MAX_DIGITS:,} digits")
    ad.add_argument("--weights", metavar="FILE",
                    help=".npz from 'train --out' (default: train now)")
    return parser


def main(argv=None):
    args = None
    try:
        with long_ints(MAX_DIGITS + 1):          # a + b has one digit more than a or b
            args = build_parser().parse_args(argv)
            _judge_files(args)
            if sys.stdout is None:                # started with stdout closed (>&-)
                raise _NoOutput("stdout is closed")
            COMMANDS[args.command](args)
    except _Usage as err:
        return _fail(err, 2)
    except BrokenPipeError:                       # the reader stopped reading: quietly
        _discard_stdout()
        return 141
    except _NoOutput as err:
        _discard_stdout()
        return _fail(f"could not write the output: {err}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was saved", 130)
    except MemoryError:
        return _fail(f"not enough memory for {_asking_for_memory(args)}", 1)
    except (ValueError, TypeError) as err:
        return _fail(err, 2)
    except OSError as err:  # a file the system would not let us read or write
        return _fail(f"{err.strerror or err}"
                     + (f": {_shown_path(err.filename)}" if err.filename else ""), 2)
    return 0


def reproduce(args):
    with _progress(args, args.steps, "reproduce", done_after_step=1, at_most=False) as on_step:
        _, log = train_like_the_post(steps=args.steps, seed=args.seed, on_step=on_step)
    _print(format_log(log), end="")


def train(args):
    start = time.perf_counter()
    with _progress(args, TRAIN_STEPS, "train", done_after_step=0, at_most=True) as on_step:
        params, history = train_fast(hidden_size=args.hidden, seed=args.seed, on_step=on_step)
    seconds = time.perf_counter() - start
    report = {"hidden": args.hidden, "seed": args.seed, "steps": history.steps[-1],
              "converged": history.converged, "seconds": round(seconds, 3),
              "accuracy": exhaustive_accuracy(params)}
    if args.out is not None:                   # written only now, when training has finished
        with _about(args, "--out"):
            report["out"] = str(save_params(args.out, params))
    if args.json:
        _print(json.dumps(report))
        return
    _print(f"steps: {report['steps']}  seconds: {report['seconds']:.3f}  "
           f"exhaustive accuracy: {report['accuracy']:.2%}"
           + ("" if history.converged else "  (step limit reached, not converged)"))
    if args.out is not None:
        _print(f"weights saved to {report['out']}")


def add_numbers(args):
    if args.weights is None:
        params = train_fast()[0]
    else:
        with _about(args, "--weights"):
            params = load_params(args.weights)
    _print(str(add(params, args.a, args.b)))


COMMANDS = {"reproduce": reproduce, "train": train, "add": add_numbers}


def _print(text, end="\n"):
    """Write the result to stdout, flushed now, so that a failure to write it is caught here."""
    try:
        sys.stdout.write(text + end)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as err:          # ValueError: stdout was closed by the program
        raise _NoOutput(getattr(err, "strerror", None) or "stdout is closed") from None


def _discard_stdout():
    """Point stdout at the null device, so Python's own flush at exit cannot fail a second time."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _argument_error(args, option, message):
    """A problem with ``option`` found after parsing, worded as argparse words its own."""
    return _Usage(f"{PROG} {args.command}: argument {option}: {message}")


@contextlib.contextmanager
def _about(args, option):
    """A ValueError inside (a file that cannot be saved or read) is about ``option``."""
    try:
        yield
    except ValueError as err:
        raise _argument_error(args, option, err) from None


def _fail(message, status):
    if sys.stderr is not None:                    # 2>&-: nowhere to say it, the status still tells
        with contextlib.suppress(OSError, ValueError):
            print(f"error: {message}", file=sys.stderr)
    return status


def _asking_for_memory(args):
    """The argument that asked for more memory than there is."""
    if args is None:
        return "these arguments"
    if args.command == "add":
        return "a and b" if args.weights is None else f"--weights {_shown_path(args.weights)}"
    name = {"reproduce": "steps", "train": "hidden"}[args.command]
    return f"--{name} {getattr(args, name):,}; try a smaller --{name}"


@contextlib.contextmanager
def _progress(args, total, what, done_after_step, at_most):
    """A trainer's ``on_step`` that draws a progress line, or None: only on a terminal without
    --quiet.  done_after_step: steps done when on_step(step, params) is called (train_like_the_post
    calls it after update ``step``, counted from 0: 1; train_fast before it: 0).  at_most: see
    _ProgressLine."""
    if args.quiet or sys.stderr is None or not sys.stderr.isatty():
        yield None
        return
    line = _ProgressLine(total, what, at_most)
    try:
        yield lambda step, _params: line.show(step + done_after_step)
    finally:
        line.clear()


class _ProgressLine:
    """One line on stderr, redrawn in place: steps done / total, rate, time left.

    Nothing for the first FIRST seconds (short runs stay silent), then at most every EVERY seconds.
    at_most: the run may stop before ``total`` (train stops once the network adds right).
    """
    FIRST, EVERY = 1.0, 0.25

    def __init__(self, total, what, at_most=False):
        self.total, self.what, self.at_most = total, what, at_most
        self.start = time.monotonic()
        self.next_draw = self.start + self.FIRST
        self.width = 0

    def show(self, done):
        now = time.monotonic()
        if now < self.next_draw:
            return
        self.next_draw = now + self.EVERY
        rate = done / max(now - self.start, 1e-9)
        left = _duration((self.total - done) / rate) if done else "?"
        upto = "at most " if self.at_most else ""
        text = (f"{self.what}: {done:,} / {upto}{self.total:,} steps, "
                f"{rate:,.{1 if rate < 10 else 0}f} steps/s, {upto}{left} left")
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def clear(self):
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _duration(seconds):
    """12 s, 3 min 05 s, 2 h 07 min."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


if __name__ == "__main__":
    sys.exit(main())
