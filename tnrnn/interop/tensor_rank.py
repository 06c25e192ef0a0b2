"""Exact rank of a matricization of any tensor network with integer entries, over F_p.

With the min-cut of :func:`tnrnn.mincut_bound` this brackets the rank of the matricization
of a quimb network: ``rank over F_p <= rank over Q <= min-cut bound``. The left inequality
holds for every prime (a minor that vanishes over Q vanishes mod p), so where the two ends
meet the rank is proven. The network is contracted exactly, reducing mod p after every
pairwise step (the engine of :func:`tnrnn.contract` for modular weights), and the rank is
taken with :func:`tnrnn.rank.fieldrank.rank_mod_p`.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import opt_einsum as oe

from ..errors import MemoryLimitError, TnrnnError
from ..mincut.anynet import as_index_network, is_tensor_network
from ..modular import DEFAULT_PRIME, check_prime, to_field
from ..network.contract import DEFAULT_MEMORY_LIMIT, run_mod_path
from ..rank.fieldrank import rank_mod_p

__all__ = ["matricization_rank"]


def matricization_rank(tn: Any, left_inds: Iterable, *, prime: int = DEFAULT_PRIME,
                       memory_limit: int = DEFAULT_MEMORY_LIMIT) -> int:
    """Rank over F_p of the contracted network, ``left_inds`` as rows, the other open
    indices as columns.

    Parameters
    ----------
    tn : quimb.tensor.TensorNetwork
        Every tensor must hold integers (integer dtype, or floats with integer values).
    left_inds : iterable
        Open indices of the rows.
    prime : int
        A prime below 2**31.
    memory_limit : int, default 1 GiB
        Refuse, before contracting, a matricization or intermediate larger than this.

    Returns
    -------
    int
        A lower bound on the rank over Q (equal to it for all but finitely many primes).

    Examples
    --------
    >>> import numpy as np, quimb.tensor as qtn
    >>> rng = np.random.default_rng(0)
    >>> mps = qtn.MPS_rand_state(6, 3, seed=0)
    >>> for t in mps:
    ...     t.modify(data=rng.integers(-3, 4, size=t.shape))
    >>> matricization_rank(mps, ["k0", "k1", "k2"])   # min(chi, d^3, d^3) = 3
    3
    """
    if not is_tensor_network(tn):
        raise TnrnnError(f"matricization_rank needs a quimb TensorNetwork, got {type(tn).__name__}")
    p = check_prime(prime)
    net = as_index_network(tn)
    left = list(dict.fromkeys([left_inds] if isinstance(left_inds, str) else left_inds))
    bad = [ix for ix in left if ix not in net.open]
    if bad or not left:
        raise TnrnnError(f"left_inds must be a non-empty list of open indices; {bad[:5]} are not open")
    right = [ix for ix in net.open if ix not in set(left)]
    rows = math.prod(net.sizes[ix] for ix in left)
    cols = math.prod(net.sizes[ix] for ix in right)
    if rows * cols * 8 > memory_limit:
        raise MemoryLimitError(f"the matricization is {rows} x {cols} (int64: {rows * cols * 8} bytes), over "
                               f"memory_limit={memory_limit}; pass a larger memory_limit= or fewer open indices")
    symbol = {ix: oe.get_symbol(k) for k, ix in enumerate(net.sizes)}
    terms = ["".join(symbol[ix] for ix in term) for term in net.terms]
    output = "".join(symbol[ix] for ix in left + right)
    ops = [to_field(np.asarray(t.data), p) for t in tn.tensors]
    path, info = oe.contract_path(",".join(terms) + "->" + output, *ops, optimize="auto")
    if int(info.largest_intermediate) * 24 > memory_limit:
        raise MemoryLimitError(f"contracting needs an intermediate of {int(info.largest_intermediate) * 24} bytes, "
                               f"over memory_limit={memory_limit}; pass a larger memory_limit=")
    full = run_mod_path(list(terms), ops, output, path, p) if len(ops) > 1 else \
        np.asarray(oe.contract(f"{terms[0]}->{output}", ops[0])) % p
    return rank_mod_p(np.asarray(full).reshape(rows, cols), p)
