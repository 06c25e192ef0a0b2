"""The ``tnrnn`` command: a thin argparse layer over the public API (no maths here).

Every subcommand parses its arguments into tnrnn objects (RACSpec, Partition), calls one
public function and prints its result (text, or one JSON object with ``--json``). Bad
arguments give a one-line message and exit status 2; ``check`` exits 1 when an ordering of
bounds fails.
"""

from __future__ import annotations

import argparse
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
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 1,2,3, got {text!r}")
    return values


def _add_spec_options(p: argparse.ArgumentParser, *, partition: bool = True) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--M", type=int, required=True, help="representation functions (input dim)")
    g.add_argument("--R", type=int, required=True, help="channels per layer")
    g.add_argument("--L", type=int, default=1, help="layers (default 1)")
    g.add_argument("--T", type=int, required=True, help="time steps")
    if partition:
        g.add_argument(
            "--partition", default="start-end",
            help="start-end (default), interleaved, split:K, or A:1,2,5 (the steps of side A)",
        )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


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
    p.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, help="refuse larger networks")

    p = _subparser(sub, "rank", "exact separation rank over a prime field (random probes)")
    _add_spec_options(p)
    p.add_argument("--max-probes", type=int, default=DEFAULT_MAX_PROBES,
                   help=f"refuse ranks that may need more probes per side (default {DEFAULT_MAX_PROBES})")
    p.add_argument("--prime", type=int_list, default=None,
                   help="modulus, or several (comma-separated) for independent runs whose failure "
                        "bounds multiply (default 2147483647 = 2^31 - 1)")
    p.add_argument("--backend", default="auto", choices=("auto", "blas", "flint", "numpy"),
                   help="rank over F_p: blas (float64 BLAS, all cores), flint (nmod_mat), numpy")
    p.add_argument("--progress", action="store_true", help="show progress bars on stderr")

    p = _subparser(sub, "check", "bounds and exact rank side by side; exit 1 if an ordering fails")
    _add_spec_options(p)
    p.add_argument("--max-probes", type=int, default=DEFAULT_MAX_PROBES,
                   help=f"refuse ranks that may need more probes per side (default {DEFAULT_MAX_PROBES})")

    p = _subparser(sub, "sweep", "exact ranks and bounds over a grid, into a resumable SQLite store")
    p.add_argument("--L", type=int_list, default=[1, 2], help="layers, e.g. 1,2,3")
    p.add_argument("--M", type=int_list, default=[2], help="e.g. 2,3")
    p.add_argument("--R", type=int_list, default=[2], help="e.g. 2,3")
    p.add_argument("--T", type=int_list, default=[2, 4, 6], help="e.g. 2,4,6,8")
    p.add_argument("--partition", default="start-end",
                   help="partitions separated by ';', e.g. 'start-end;interleaved'")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True,
                   help="store (.sqlite), or a table (.csv .json .md .tex) exported at the end from the "
                        "store of the same name (.sqlite) written beside it; rerun to resume")
    p.add_argument("--workers", type=int, default=None,
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
    p.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, help="refuse larger networks")
    p.add_argument("--max-draw-nodes", type=int, default=200_000,
                   help="refuse, before compiling, networks too large to draw readably (default 200,000)")
    p.add_argument("-o", "--output", required=True, help="output file; format from the suffix")
    _add_figure_options(p)

    p = _subparser(sub, "atlas", "exact ranks with every bound and the proven flag over L=1..4, M,R=1..6 (resumable)")
    p.add_argument("--out", default="figures", help="output folder (default figures)")
    p.add_argument("--L", type=int_list, default=[2, 3, 1, 4], help="depths, in the order run (default 2,3,1,4)")
    p.add_argument("--M", type=int_list, default=list(range(1, 7)), help="default 1..6")
    p.add_argument("--R", type=int_list, default=list(range(1, 7)), help="default 1..6")
    p.add_argument("--max-rank", type=int, default=2000, help="refuse rows whose proven upper bound is above (2000)")
    p.add_argument("--max-seconds", type=float, default=60.0, help="stop growing T after a slower row (60)")
    p.add_argument("--budget", type=float, default=None, help="stop sending rows after this many seconds")
    p.add_argument("--workers", type=int, default=1, help="processes computing rows (default 1)")
    p.add_argument("--seed", type=int, default=0)

    p = _subparser(sub, "report", "regenerate the project's figures and tables (the main job)")
    p.add_argument("--out", default="figures", help="output folder (default figures)")
    p.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    _add_figure_options(p, title=False)

    p = _subparser(sub, "experiment", "train stacked RNNs of depth 1-3 on memory tasks (needs torch)")
    from .experiments.cli import add_experiment_arguments

    add_experiment_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tnrnn`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from . import _commands

    try:
        return getattr(_commands, f"cmd_{args.command}")(args)
    except BoundViolationError as err:
        print(f"tnrnn {args.command}: ordering violated: {err}", file=sys.stderr)
        return 1
    except TnrnnError as err:
        print(f"tnrnn {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tnrnn {args.command}: interrupted", file=sys.stderr)
        return 130
