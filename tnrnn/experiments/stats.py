"""Seed statistics of experiment records: mean, 95% interval, min-max, n; tables (numpy only).

Runs that differ only in their seed form one *cell of a table*; :func:`aggregate_records`
groups them. The interval is Student's t interval of the mean,
``mean +- t_{0.975, n-1} s / sqrt(n)`` (s the sample standard deviation), None when n = 1;
the t quantiles come from a table (:data:`T975`, to 4 digits), so no scipy is needed.

Examples
--------
>>> parse_seeds("0-2,7")
[0, 1, 2, 7]
>>> s = summarize([0.5, 0.7, 0.6])
>>> s["n"], round(s["mean"], 3), round(s["lo"], 3), round(s["hi"], 3)
(3, 0.6, 0.352, 0.848)
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from ..errors import InputError

__all__ = ["parse_seeds", "summarize", "aggregate_records", "x_of", "series_label", "format_table", "T975"]

#: 0.975 quantiles of Student's t with 1..30 degrees of freedom (beyond: the normal 1.96).
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042)

#: Config fields that do not define a series: the seed, the swept axis and the matched width.
_NOT_SERIES = ("seed", "length", "rank", "width")


def parse_seeds(text: str) -> list[int]:
    """``"0-4"`` -> [0, 1, 2, 3, 4]; ``"1,3,8-9"`` -> [1, 3, 8, 9] (sorted, no repeats)."""
    seeds: set[int] = set()
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part:
                lo, hi = (int(v) for v in part.split("-", 1))
                if lo > hi:
                    raise ValueError
                seeds.update(range(lo, hi + 1))
            else:
                seeds.add(int(part))
        except ValueError:
            raise InputError(f"seeds must look like 0-4 or 0,2,5 (non-negative), got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise InputError(f"seeds must look like 0-4 or 0,2,5 (non-negative), got {text!r}")
    return sorted(seeds)


def summarize(values) -> dict:
    """n, mean, the 95% t interval (lo, hi; None for n = 1), min, max and std of finite values."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = int(arr.size)
    if n == 0:
        return {"n": 0, "mean": None, "lo": None, "hi": None, "min": None, "max": None, "std": None}
    mean = float(arr.mean())
    std = float(arr.std(ddof=1)) if n > 1 else None
    half = (T975[n - 2] if n - 1 <= len(T975) else 1.96) * std / math.sqrt(n) if n > 1 else None
    return {"n": n, "mean": mean, "lo": None if half is None else mean - half,
            "hi": None if half is None else mean + half, "min": float(arr.min()), "max": float(arr.max()),
            "std": std}


def x_of(config: dict) -> int:
    """The swept value of a run: r for the rank task, else T or B (``length``)."""
    return int(config["rank"]) if config.get("task") == "rank" else int(config["length"])


def _series(config: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in config.items() if k not in _NOT_SERIES))


def series_label(key: tuple, varying: set[str]) -> str:
    """``"rac, depth 2"`` plus the parameters that tell this series from the others."""
    d = dict(key)
    extra = ", ".join(f"{k}={d[k]}" for k in sorted(varying - {"cell", "depth"}))
    return f"{d['cell']}, depth {d['depth']}" + (f" ({extra})" if extra else "")


def aggregate_records(records: list[dict], metric: str = "accuracy") -> list[dict]:
    """One row per (series, swept value): the seed statistics of the test ``metric``.

    Each row: ``series`` (the config without seed, swept value and width, as sorted pairs),
    ``label``, ``cell``, ``depth``, ``x``, ``widths``, ``seeds``, ``values`` (per seed, in seed
    order), the :func:`summarize` fields, ``chance`` (of that metric), ``left_chance`` (the
    per-seed "steps to leave chance", None where a run never did) and ``n_left`` (how many left).
    """
    if metric not in ("accuracy", "loss"):
        raise InputError(f"metric must be 'accuracy' or 'loss', got {metric!r}")
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[(_series(r["config"]), x_of(r["config"]))].append(r)
    keys = sorted({k for k, _ in groups}, key=repr)
    varying = {name for name in {n for k in keys for n, _ in k}
               if len({dict(k).get(name) for k in keys}) > 1}
    rows = []
    for (key, x), runs in sorted(groups.items(), key=lambda kv: (keys.index(kv[0][0]), kv[0][1])):
        runs = sorted(runs, key=lambda r: r["config"]["seed"])
        values = [r["test"][metric] for r in runs]
        c = runs[0]["config"]
        rows.append({"series": key, "label": series_label(key, varying), "cell": c["cell"], "depth": c["depth"],
                     "x": x, "widths": sorted({r["config"]["width"] for r in runs}),
                     "seeds": [r["config"]["seed"] for r in runs], "values": values, **summarize(values),
                     "chance": runs[0]["chance"][metric],
                     "left_chance": [r.get("left_chance_step") for r in runs],
                     "n_left": sum(r.get("left_chance_step") is not None for r in runs)})
    return rows


def _num(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def format_table(rows: list[dict], *, axis: str = "T", metric: str = "accuracy") -> str:
    """A Markdown table of :func:`aggregate_records` rows, every seed's value included."""
    head = (f"| series | {axis} | width | n | mean {metric} | 95% interval | min-max | chance | per seed "
            f"| left chance (steps) |\n|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        interval = f"[{_num(r['lo'])}, {_num(r['hi'])}]" if r["lo"] is not None else "-"
        per_seed = " ".join(f"{s}:{_num(v)}" for s, v in zip(r["seeds"], r["values"]))
        left = " ".join("never" if s is None else str(s) for s in r["left_chance"])
        lines.append(f"| {r['label']} | {r['x']} | {','.join(map(str, r['widths']))} | {r['n']} | "
                     f"{_num(r['mean'])} | {interval} | {_num(r['min'])}-{_num(r['max'])} | "
                     f"{_num(r['chance'])} | {per_seed} | {left} |")
    return "\n".join(lines)
