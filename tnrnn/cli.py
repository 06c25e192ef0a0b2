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
import warnings
from typing import Sequence

from ._version import __version__
from .errors import BoundViolationError, TnrnnError
from .network.compile import DEFAULT_MAX_NODES
from .drawing.style import COLUMNS, DrawingWarning
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


from ._argtypes import (LIMITS, bounded_int, cells, depth_lengths, dilations,  # noqa: F401
                        int_list, seconds, widths)


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


_GRID_HELP = ("The network grid: --L, --M and --T take comma lists of values (every combination is "
              "swept). --R, --cell and --dilations take one value per layer as in 'tnrnn bound' (--R 3,2 "
              "--cell mi,cp:2 --dilations 1,2: one member of depth 2); repeat an option for a grid of "
              "members (--R 2 --R 3, --cell mi --cell cp:2). A per-layer value needs one value per layer of "
              "every depth in --L.")


def _add_member_grid(p: argparse.ArgumentParser, *, R_default: list) -> None:
    """``--R``, ``--cell``, ``--bias``, ``--dilations`` of ``sweep`` and ``atlas``: per-layer
    values as for ``bound``; each option repeated for a grid of members."""
    g = p.add_argument_group("members", _GRID_HELP)
    g.add_argument("--R", type=widths, action="append", default=None, metavar="R[,R2...]",
                   help="channels, or one per layer (3,2); repeat for several "
                        f"(default {','.join(map(str, R_default)) if len(R_default) == 1 else '1..6, each'})")
    g.add_argument("--cell", type=cells, action="append", default=None, metavar="CELL[,CELL2...]",
                   help="mi (default), cp:K or full, or one per layer (mi,cp:2); repeat for several")
    g.add_argument("--bias", action="store_true", help="biases in every (mi) layer")
    g.add_argument("--dilations", type=dilations, action="append", default=None, metavar="D[,D2...]",
                   help="recurrence step of each layer (default 1), e.g. 1,2; repeat for several")
    p.set_defaults(R_default=R_default)


def _add_figure_options(p: argparse.ArgumentParser, *, title: bool = True) -> None:
    g = p.add_argument_group("figure")
    g.add_argument("--dpi", type=int, default=300, help="resolution of PNG files (default 300)")
    g.add_argument("--column", choices=tuple(COLUMNS), default=None,
                   help="column of a LaTeX template: single (two-column article, 229.5 pt), double (its full "
                        "width, 469 pt), ieee (3.5 in), acm (3.33 in), neurips (5.5 in), icml (6.75 in); at most "
                        "a text block tall, 8 pt type, never below 7 pt")
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
    _add_member_grid(p, R_default=[2])
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
    _add_member_grid(p, R_default=list(range(1, 7)))
    p.add_argument("--T-max", type=depth_lengths, default=None, metavar="L:T,...",
                   help="largest T per depth, e.g. 2:48,3:24 (default 1:24,2:24,3:16,4:12; deeper: 12)")
    p.add_argument("--max-rank", type=bounded_int("count"), default=2000,
                   help="refuse rows whose proven upper bound is above (2000)")
    p.add_argument("--max-seconds", type=seconds, default=60.0, help="stop growing T after a slower row (60)")
    p.add_argument("--budget", type=seconds, default=None, help="stop sending rows after this many seconds")
    p.add_argument("--workers", type=bounded_int("count"), default=1, help="processes computing rows (default 1)")
    p.add_argument("--seed", type=bounded_int("seed", 0), default=0)
    p.add_argument("--rederive", action="store_true",
                   help="compute no rank: recompute every closed-form bound and proven flag of <out>/atlas.csv.gz "
                        "from the code and rewrite the table, summary and figures")
    p.add_argument("--export", action="append", default=[], metavar="FILE",
                   help="also write <out>/atlas.csv.gz's rows to FILE (.csv .json .md .tex); repeat for several")

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

        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warnings(args.command, warnings.showwarning)
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


def _one_line_warnings(command: str, show):
    """A ``warnings.showwarning`` that prints a DrawingWarning as one line (others as before)."""
    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DrawingWarning):
            _say(command, f"warning: {_one_line(str(message))}")
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


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
