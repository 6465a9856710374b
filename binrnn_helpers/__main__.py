"""Command line: ``python -m binrnn_helpers {reproduce,train,add} ...``; see ``--help``."""
import argparse
import json
import sys
import time

from . import add, exhaustive_accuracy, format_log, load_params, save_params, train_fast, \
    train_like_the_post


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit status 2, no usage dump
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


def build_parser():
    parser = _Parser(prog="python -m binrnn_helpers",
                     description="The binary-addition RNN of the binrnn notebooks.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rep = sub.add_parser("reproduce", help="train like the post and print its log")
    rep.add_argument("--seed", type=_int_at_least(0), default=0)
    rep.add_argument("--steps", type=_int_at_least(1), default=10000)

    tr = sub.add_parser("train", help="train fast; print steps, seconds and exhaustive accuracy")
    tr.add_argument("--hidden", type=_int_at_least(1), default=16)
    tr.add_argument("--seed", type=_int_at_least(0), default=0)
    tr.add_argument("--out", metavar="FILE", help="save the weights to this .npz file")
    tr.add_argument("--json", action="store_true", help="print one JSON object instead")

    ad = sub.add_parser("add", help="add two non-negative integers with the network")
    ad.add_argument("a", type=_int_at_least(0))
    ad.add_argument("b", type=_int_at_least(0))
    ad.add_argument("--weights", metavar="FILE", help=".npz from 'train --out' (default: train now)")
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        if args.command == "reproduce":
            _, log = train_like_the_post(steps=args.steps, seed=args.seed)
            sys.stdout.write(format_log(log))
        elif args.command == "train":
            start = time.perf_counter()
            params, history = train_fast(hidden_size=args.hidden, seed=args.seed)
            seconds = time.perf_counter() - start
            report = {"hidden": args.hidden, "seed": args.seed, "steps": history.steps[-1],
                      "converged": history.converged, "seconds": round(seconds, 3),
                      "accuracy": exhaustive_accuracy(params)}
            if args.out:
                save_params(args.out, params)
                report["out"] = args.out
            if args.json:
                print(json.dumps(report))
            else:
                print(f"steps: {report['steps']}  seconds: {report['seconds']:.3f}  "
                      f"exhaustive accuracy: {report['accuracy']:.2%}"
                      + ("" if history.converged else "  (step limit reached, not converged)"))
                if args.out:
                    print(f"weights saved to {args.out}")
        elif args.command == "add":
            params = load_params(args.weights) if args.weights else train_fast()[0]
            print(add(params, args.a, args.b))
    except (_Usage, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. --out names a folder that does not exist
        print(f"error: {err.strerror or err}: {err.filename}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
