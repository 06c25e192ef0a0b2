"""Collection rules for the whole tree (pytest's root conftest; tests/conftest.py has the rest).

The ``experiments`` extra (torch) is optional: without it, the modules that import torch at
the top cannot be imported, so ``--doctest-modules`` must not collect them. Everything else,
tests of the experiments included, skips itself (``pytest.importorskip("torch")``). The same
holds for the doctests of tnrnn/interop/ (quimb_io.py, tensor_rank.py) without the ``quimb`` extra.
"""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob += ["tnrnn/experiments/models.py", "tnrnn/experiments/train.py"]
if importlib.util.find_spec("quimb") is None:  # the quimb extra: its doctests need quimb
    collect_ignore_glob += ["tnrnn/interop/quimb_io.py", "tnrnn/interop/tensor_rank.py"]
