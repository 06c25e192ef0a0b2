"""Experiments of the paper: stacked RNNs of depth 1-3 on long-memory tasks (PyTorch).

Install the ``experiments`` extra (``pip install torch==2.13.0`` first for a CPU build).
``import tnrnn.experiments`` does not import torch: the task generators (numpy) are loaded
eagerly, the torch parts (:mod:`.models`, :mod:`.train`) on first use of their names, and
:mod:`.plots` imports matplotlib inside its functions.

Modules
-------
tasks
    :class:`StartEndSimilarity`, :class:`CopyingMemory` (our conventions or the authors'),
    :func:`batches` (seeded, on the fly).
ranktask
    :class:`RankTask` (a regression target of known Start-End rank r),
    :func:`eckart_young_floor` (the exact error floor of a depth-1 RAC with R channels).
stats
    :func:`parse_seeds`, :func:`summarize`, :func:`aggregate_records` (seed statistics, tables).
models
    ``RACStack``, ``ScoRNNStack``, ``build_model``, ``rac_from_weights`` (the theory's RAC in
    torch), ``param_count``, ``match_width``.
train
    ``RunConfig``, ``train_run``, ``run_sweep``, ``load_records`` (JSON records).
cost
    ``estimate_cost`` (measured seconds per step times the grid).
plots
    ``plot_accuracy``, ``plot_rank_errors``, ``write_accuracy_plot``.
cli
    ``tnrnn experiment ses|copy|rank ...`` (also ``python -m tnrnn.experiments``).
"""

from __future__ import annotations

import importlib

from .ranktask import RankTask, eckart_young_floor
from .stats import aggregate_records, parse_seeds, summarize
from .tasks import CopyingMemory, StartEndSimilarity, batches, make_task, ses_label

_LAZY = {
    "CELLS": "models", "RACStack": "models", "ScoRNNStack": "models", "TorchRNN": "models", "build_model": "models",
    "rac_from_weights": "models", "param_count": "models", "match_width": "models",
    "RunConfig": "train", "train_run": "train", "run_sweep": "train", "load_records": "train",
    "record_path": "train",
    "plot_accuracy": "plots", "write_accuracy_plot": "plots", "accuracy_table": "plots",
    "plot_rank_errors": "plots", "estimate_cost": "cost",
}

__all__ = ["StartEndSimilarity", "CopyingMemory", "RankTask", "eckart_young_floor", "batches", "make_task",
           "ses_label", "parse_seeds", "summarize", "aggregate_records", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
