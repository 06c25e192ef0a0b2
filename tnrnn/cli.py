"""The ``tnrnn`` command: a thin argparse layer over the public API (no maths here).

Every subcommand parses its arguments into tnrnn objects (RACSpec, Partition), calls one
public function and prints its result (text, or one JSON object with ``--json``).

The error contract: whatever fails (a tnrnn error, a file that cannot be written or read,
corrupt JSON, memory, an unexpected exception), the command prints **one line** on stderr
that names what was given and what to do, writes no partial file (every file goes through
:mod:`tnrnn._io`'s atomic writes), and exits with status 2; no traceback (set
``TNRNN_TRACEBACK=1`` to see one). ``check`` exits 1 when an ordering of bounds fails, and
an interrupt (Ctrl-C) exits 130.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from typing import Sequence

from ._version import __version__
from .errors import BoundViolationError, TnrnnError
from .network.compile import DEFAULT_MAX_NODES
from .rank.probes import DEFAULT_MAX_PROBES

__all__ = ["main", "build_parser"]


_EXAMPLES = {
    "bound": "tnrnn bound --M 3 --R 3 --L 2 --T 8 --partition start-end --json",
    "rank": "tnrnn rank --M 2 --R 2 --L 2 --T 8 --seed 0",
    "check": "tnrnn check --M 2 --R 3 --L 3 --T 6 --partition interleaved",
    "sweep": "tnrnn sweep --L 1,2 --M 2 --R 2 --T 2,4,6 --workers 2 -o table.sqlite",
    "export": "tnrnn export table.sqlite -o table.csv -o table.tex",
    "draw": "tnrnn draw --M 2 --R 2 --L 2 --T 6 --cut -o lattice.pdf",
    "report": "tnrnn report --quick --out figures",
    "atlas": "nice tnrnn atlas --out figures --budget 1800   # resumable: rerun to extend",
    "experiment": "tnrnn experiment ses --quick",
}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D401
        self.exit(2, f"{self.prog}: error: {message}\n")


def int_list(text: str) -> list[int]:
    """argparse type: comma-separated positive integers such as ``1,2,3``."""
    try:
        values = [bounded_int("T")(v) for v in text.split(",") if v.strip()]
    except argparse.ArgumentTypeError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers in 1..{LIMITS['T']:,} like 1,2,3, got {_show(text)}"
        )
    return values


def depth_lengths(text: str) -> dict[int, int]:
    """argparse type: largest T per depth as ``L:T`` pairs, such as ``2:48,3:24``."""
    out = {}
    for item in text.split(","):
        L, sep, T = item.strip().partition(":")
        if not (sep and L.strip().isdigit() and T.strip().isdigit() and int(L) >= 1 and 2 <= int(T) <= 10**4):
            raise argparse.ArgumentTypeError(
                f"expected L:T pairs (depth >= 1, T in 2..10,000) like 2:48,3:24, got {_show(text)}")
        out[int(L)] = int(T)
    return out


#: Largest values the command line takes (the network's arrays hold dimensions as int64;
#: every larger case is refused by the size limits long before these).
LIMITS = {"M": 2**63 - 1, "R": 2**63 - 1, "L": 10**6, "T": 10**9, "seed": 2**63 - 1, "count": 2**62}


def bounded_int(name: str, low: int = 1):
    """argparse type: an integer in ``low..LIMITS[name]``, refused in one line otherwise."""
    high = LIMITS[name]

    def parse(text: str) -> int:
        stripped = text.strip()
        if len(stripped) > 25 or not re.fullmatch(r"[+-]?\d+", stripped):
            raise argparse.ArgumentTypeError(
                f"expected an integer in {low}..{high:,}, got {_show(text)}"
                + ("; write the number in full, e.g. 1000 for 10^3" if re.search(r"[\^e*]", text) else "")
            )
        value = int(stripped)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer in {low}..{high:,}, got {_show(text)}")
        return value

    parse.__name__ = "integer"
    return parse


def seconds(text: str) -> float:
    """argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {_show(text)}")
    return value


def _show(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:20] + "..." + text[-8:]) + f" ({len(text)} characters)"


def widths(text: str) -> int | tuple[int, ...]:
    """argparse type of ``--R``: one width, or comma-separated widths (one per layer)."""
    parse = bounded_int("R")
    items = text.split(",")
    if len(items) == 1:
        return parse(text)
    try:
        values = tuple(parse(v) for v in items)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a width in 1..{LIMITS['R']:,} or one per layer like 3,2, got {_show(text)}") from None
    return values[0] if len(values) == 1 else values


def cells(text: str) -> str | tuple[str, ...]:
    """argparse type of ``--cell``: mi, cp:K or full, or one per layer (comma-separated)."""
    from .errors import SpecError
    from .spec import parse_cell

    try:
        values = tuple(parse_cell(v) for v in text.split(","))
    except SpecError as err:
        raise argparse.ArgumentTypeError(f"{err}; or one per layer like mi,cp:2") from None
    return values[0] if len(values) == 1 else values


def dilations(text: str) -> int | tuple[int, ...]:
    """argparse type of ``--dilations``: one positive integer, or one per layer like 1,2."""
    parse = bounded_int("T")
    try:
        values = tuple(parse(v) for v in text.split(","))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a dilation >= 1 or one per layer like 1,2, got {_show(text)}") from None
    return values[0] if len(values) == 1 else values


def _add_spec_options(p: argparse.ArgumentParser, *, partition: bool = True) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--M", type=bounded_int("M"), required=True, help="representation functions (input dim)")
    g.add_argument("--R", type=widths, required=True, help="channels per layer, or one per layer (3,2)")
    g.add_argument("--L", type=bounded_int("L"), default=1, help="layers (default 1)")
    g.add_argument("--T", type=bounded_int("T"), required=True, help="time steps")
    g.add_argument("--cell", type=cells, default="mi",
                   help="mi (the RAC, default), cp:K (CP second order) or full (second order); or one per layer")
    g.add_argument("--bias", action="store_true", help="biases in every (mi) layer")
    g.add_argument("--dilations", type=dilations, default=1, help="recurrence step of each layer (default 1), e.g. 1,2")
    if partition:
        g.add_argument(
            "--partition", default="start-end",
            help="start-end (default), interleaved, split:K, or A:1,2,5 (the steps of side A)",
        )
    p.add_argument("--seed", type=bounded_int("seed", 0), default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (integers of more than 4000 digits as strings of digits)")


def _add_figure_options(p: argparse.ArgumentParser, *, title: bool = True) -> None:
    g = p.add_argument_group("figure")
    g.add_argument("--dpi", type=int, default=300, help="resolution of PNG files (default 300)")
    g.add_argument("--column", choices=("single", "double"), default=None,
                   help="journal column preset: single (3.25 in) or double (7 in) wide, 8 pt type")
    g.add_argument("--no-legend", dest="legend", action="store_false", help="leave out the legend")
    if title:
        g.add_argument("--title", default=None,
                       help="a title above the drawing ('auto' for spec and partition; default none)")
        g.add_argument("--no-bound", dest="bound", action="store_false",
                       help="leave out the bound written below the drawing")
        g.add_argument("--bare", action="store_true",
                       help=".tex only: a bare tikzpicture to \\input (default: a standalone document)")


def _subparser(sub, name: str, help_text: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name, help=help_text, description=help_text,
        epilog=f"example:\n  {_EXAMPLES[name]}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tnrnn`` command."""
    parser = _Parser(
        prog="tnrnn",
        description="Tensor networks, min-cut bounds and exact separation ranks of RACs.",
        epilog="examples:\n" + "\n".join(f"  {e}" for e in _EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tnrnn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _subparser(sub, "bound", "min-cut, degree and symmetric-copies bounds, and the paper's lower bound")
    _add_spec_options(p)
    p.add_argument("--max-nodes", type=bounded_int("count"), default=DEFAULT_MAX_NODES, help="refuse larger networks")

    p = _subparser(sub, "rank", "exact separation rank over a prime field (random probes)")
    _add_spec_options(p)
    p.add_argument("--max-probes", type=bounded_int("count"), default=DEFAULT_MAX_PROBES,
                   help=f"refuse ranks that may need more probes per side (default {DEFAULT_MAX_PROBES})")
    p.add_argument("--prime", type=int_list, default=None,
                   help="modulus, or several (comma-separated) for independent runs whose failure "
                        "bounds multiply (default 2147483647 = 2^31 - 1)")
    p.add_argument("--backend", default="auto", choices=("auto", "blas", "flint", "numpy"),
                   help="rank over F_p: blas (float64 BLAS, all cores), flint (nmod_mat), numpy")
    p.add_argument("--progress", action="store_true", help="show progress bars on stderr")

    p = _subparser(sub, "check", "bounds and exact rank side by side; exit 1 if an ordering fails")
    _add_spec_options(p)
    p.add_argument("--max-probes", type=bounded_int("count"), default=DEFAULT_MAX_PROBES,
                   help=f"refuse ranks that may need more probes per side (default {DEFAULT_MAX_PROBES})")

    p = _subparser(sub, "sweep", "exact ranks and bounds over a grid, into a resumable SQLite store")
    p.add_argument("--L", type=int_list, default=[1, 2], help="layers, e.g. 1,2,3")
    p.add_argument("--M", type=int_list, default=[2], help="e.g. 2,3")
    p.add_argument("--R", type=int_list, default=[2], help="e.g. 2,3")
    p.add_argument("--T", type=int_list, default=[2, 4, 6], help="e.g. 2,4,6,8")
    p.add_argument("--partition", default="start-end",
                   help="partitions separated by ';', e.g. 'start-end;interleaved'")
    p.add_argument("--seed", type=bounded_int("seed", 0), default=0)
    p.add_argument("-o", "--output", required=True,
                   help="store (.sqlite), or a table (.csv .json .md .tex) exported at the end from the "
                        "store of the same name (.sqlite) written beside it; rerun to resume")
    p.add_argument("--workers", type=bounded_int("count"), default=None,
                   help="worker processes (default: every core; 1 runs in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="send the rows to a Dask scheduler, e.g. tcp://host:8786 (extra distributed)")

    p = _subparser(sub, "export", "write a store's rows as a table: CSV, JSON, Markdown or booktabs LaTeX")
    p.add_argument("store", help="a store written by tnrnn sweep (.sqlite)")
    p.add_argument("-o", "--output", action="append", required=True,
                   help="table file (.csv .json .md .tex); repeat for several, written all or nothing")

    p = _subparser(sub, "draw", "draw a network (and its min cut) to .pdf .svg .png or .tex")
    _add_spec_options(p)
    p.add_argument("--cut", action="store_true", help="highlight the min cut of the partition")
    p.add_argument("--merged", action="store_true", help="merge each (delta, W^H, W^I) into one core")
    p.add_argument("--max-nodes", type=bounded_int("count"), default=DEFAULT_MAX_NODES, help="refuse larger networks")
    p.add_argument("--max-draw-nodes", type=bounded_int("count"), default=200_000,
                   help="refuse, before compiling, networks too large to draw readably (default 200,000)")
    p.add_argument("-o", "--output", required=True, help="output file; format from the suffix")
    _add_figure_options(p)

    p = _subparser(sub, "atlas", "exact ranks with every bound and the proven flag over L=1..4, M,R=1..6 (resumable)")
    p.add_argument("--out", default="figures", help="output folder (default figures)")
    p.add_argument("--L", type=int_list, default=[2, 3, 1, 4], help="depths, in the order run (default 2,3,1,4)")
    p.add_argument("--M", type=int_list, default=list(range(1, 7)), help="default 1..6")
    p.add_argument("--R", type=int_list, default=list(range(1, 7)), help="default 1..6")
    p.add_argument("--T-max", type=depth_lengths, default=None, metavar="L:T,...",
                   help="largest T per depth, e.g. 2:48,3:24 (default 1:24,2:24,3:16,4:12; deeper: 12)")
    p.add_argument("--max-rank", type=bounded_int("count"), default=2000,
                   help="refuse rows whose proven upper bound is above (2000)")
    p.add_argument("--max-seconds", type=seconds, default=60.0, help="stop growing T after a slower row (60)")
    p.add_argument("--budget", type=seconds, default=None, help="stop sending rows after this many seconds")
    p.add_argument("--workers", type=bounded_int("count"), default=1, help="processes computing rows (default 1)")
    p.add_argument("--seed", type=bounded_int("seed", 0), default=0)

    p = _subparser(sub, "report", "regenerate the project's figures and tables (the main job)")
    p.add_argument("--out", default="figures", help="output folder (default figures)")
    p.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    _add_figure_options(p, title=False)

    p = _subparser(sub, "experiment", "train stacked RNNs of depth 1-3 on memory tasks (needs torch)")
    from .experiments.cli import add_experiment_arguments

    add_experiment_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tnrnn`` command; returns the exit status (see the module docstring)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version exit 0 as usual; bad arguments return 2
        if exc.code in (0, None):
            raise
        return int(exc.code) if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        _say("", "interrupted; nothing was written")
        return 130
    if args.command is None:  # an argparse error: the usage line and one error line on stderr, status 2
        parser.print_usage(sys.stderr)
        _say("", "error: a command is required; tnrnn --help lists them with examples")
        return 2
    try:
        from . import _commands

        return getattr(_commands, f"cmd_{args.command}")(args)
    except BoundViolationError as err:
        _say(args.command, f"ordering violated: {_one_line(str(err))}")
        return 1
    except KeyboardInterrupt:
        _say(args.command, "interrupted; files already written are complete, none is partial")
        return 130
    except Exception as err:  # noqa: BLE001 - the one error contract of the command line
        if os.environ.get("TNRNN_TRACEBACK"):
            raise
        _say(args.command, f"error: {explain(err, args.command)}")
        return 2


_MEMORY = "ran out of memory; lower T, M, R or L, or the limits (--max-probes, --max-nodes)"


def _say(command: str, text: str) -> None:
    print(f"tnrnn {command}: {text}" if command else f"tnrnn: {text}", file=sys.stderr)


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


#: Python advice in API messages, and what the command line says instead.
_FLAGS = [
    (re.compile(r"pass an explicit Partition \(e\.g\. Partition\.split\((\d+), (\d+)\)\)"),
     r"pass --partition split:\2 (or A:1,2,... naming the steps of side A)"),
    (re.compile(r"use merged=True, or raise max_nodes \(--max-nodes\)"), "use --merged, or raise --max-nodes"),
    (re.compile(r"raise max_nodes \(--max-nodes\)"), "raise --max-nodes"),
    (re.compile(r"raise max_probes(?: \(--max-probes\))?"), "raise --max-probes"),
    (re.compile(r"above max_probes="), "above --max-probes "),
    (re.compile(r"above max_nodes="), "above --max-nodes "),
]
_NO_MERGED = (re.compile(r"use --merged, or "), "")


def flag_advice(message: str, command: str) -> str:
    """An API message with its Python advice (``merged=True``) turned into flags."""
    for pattern, repl in _FLAGS:
        message = pattern.sub(repl, message)
    if command != "draw":  # only draw has --merged
        message = _NO_MERGED[0].sub(_NO_MERGED[1], message)
    return message


_OS_ADVICE = {
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "choose another folder",
    errno.ENOSPC: "free some disk space or write elsewhere",
    errno.EDQUOT: "free some disk space or write elsewhere",
    errno.EISDIR: "give a file name, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EEXIST: "a file is in the way where a folder is needed; remove it or choose another path",
    errno.ENOENT: "check the path",
    errno.ENAMETOOLONG: "choose a shorter name",
}


def explain(err: BaseException, command: str) -> str:
    """One line for any exception: what was given, what went wrong, what to do."""
    if isinstance(err, TnrnnError):
        return _one_line(flag_advice(str(err), command))
    if isinstance(err, OSError):
        where = " -> ".join(repr(str(f)) for f in (err.filename, err.filename2) if f is not None)
        what = err.strerror or type(err).__name__
        advice = _OS_ADVICE.get(err.errno, "check the path and try again")
        return f"{where + ': ' if where else ''}{what}; {advice}"
    if isinstance(err, json.JSONDecodeError):
        return (f"a JSON file it read is not valid JSON ({err.msg} at line {err.lineno}, column "
                f"{err.colno}); remove or replace that file")
    if isinstance(err, UnicodeError):
        return f"a file it read is not UTF-8 text ({err}); remove or replace that file"
    if isinstance(err, MemoryError):
        return _MEMORY
    text = _one_line(str(err)) or "(no message)"
    return (f"unexpected {type(err).__name__}: {text[:300]}; this is a bug in tnrnn or a damaged "
            "input file: please report it (TNRNN_TRACEBACK=1 shows the traceback)")
