"""argparse types shared by the ``tnrnn`` command and ``tnrnn experiment`` (no tnrnn imports
but the spec parser, so every command-line module can use them without an import cycle).

Each type refuses bad text in one line that names what was given and what is expected:

>>> int_list("1,2,3"), widths("3,2"), dilations("2")
([1, 2, 3], (3, 2), 2)
"""

from __future__ import annotations

import argparse
import re

__all__ = ["LIMITS", "int_list", "depth_lengths", "bounded_int", "seconds", "widths", "cells", "dilations",
           "show_text"]


def int_list(text: str) -> list[int]:
    """argparse type: comma-separated positive integers such as ``1,2,3``."""
    try:
        values = [bounded_int("T")(v) for v in text.split(",") if v.strip()]
    except argparse.ArgumentTypeError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers in 1..{LIMITS['T']:,} like 1,2,3, got {show_text(text)}"
        )
    return values


def depth_lengths(text: str) -> dict[int, int]:
    """argparse type: largest T per depth as ``L:T`` pairs, such as ``2:48,3:24``."""
    out = {}
    for item in text.split(","):
        L, sep, T = item.strip().partition(":")
        if not (sep and L.strip().isdigit() and T.strip().isdigit() and int(L) >= 1 and 2 <= int(T) <= 10**4):
            raise argparse.ArgumentTypeError(
                f"expected L:T pairs (depth >= 1, T in 2..10,000) like 2:48,3:24, got {show_text(text)}")
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
                f"expected an integer in {low}..{high:,}, got {show_text(text)}"
                + ("; write the number in full, e.g. 1000 for 10^3" if re.search(r"[\^e*]", text) else "")
            )
        value = int(stripped)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer in {low}..{high:,}, got {show_text(text)}")
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
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {show_text(text)}")
    return value


def show_text(text: str) -> str:
    """``text`` quoted for an error message, shortened when long."""
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
            f"expected a width in 1..{LIMITS['R']:,} or one per layer like 3,2, got {show_text(text)}") from None
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
            f"expected a dilation >= 1 or one per layer like 1,2, got {show_text(text)}") from None
    return values[0] if len(values) == 1 else values
