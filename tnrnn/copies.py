"""How many copies of each input and state the duplicated-input network of a RAC-family
member holds: exact integer counts (re-exported by :mod:`tnrnn.formulas`).

Derivation (dilations ``d_1..d_L``; widths and cells do not matter). The network of
``h^l_t`` is, for ``t >= 1``, one cell joining the network of ``h^l_{t-d_l}`` and a fresh
copy of the network of ``h^{l-1}_t``; for ``t <= 0`` it is the H0 node (no input). So a
copy of ``x^s`` in the network of ``y = W^O h^L_T`` is a path ``T = u_L >= u_{L-1} >= ...
>= u_0 = s`` that steps down ``j_l >= 0`` times by ``d_l`` on layer l and then descends
one layer, and

    copies of x^s = #{(j_1, ..., j_L) >= 0 : j_1 d_1 + ... + j_L d_L = T - s}
                  = [z^(T - s)] prod_l 1 / (1 - z^(d_l)),

which is ``C(T - s + L - 1, L - 1)`` when every ``d_l = 1`` (stars and bars), and 0 when
``T - s`` is no such sum (``y`` does not depend on that input at all; e.g. L = 1, d = 2:
only the steps of T's parity count). It is also the degree of ``y`` in ``f(x^s)``.

Sites and chains: layer L is one chain ``T, T - d_L, ...`` (down to a step ``<= d_L``,
whose previous state is an H0 node); every layer-(l+1) site at step ``tau`` hangs one
layer-l chain ``tau, tau - d_l, ...``. So with ``C_l(t)`` the number of layer-l chains
whose top site is at step t (``C_L(t) = [t = T]``) and ``S_l(t)`` the number of layer-l
sites at step t, ``S_l(t) = sum_{j >= 0} C_l(t + j d_l)`` and ``C_{l-1} = S_l``; the
copies of ``x^s`` are ``S_1(s)``.

Boundary copies: for a prefix ``1..k`` the suffix reads layer l's prefix only through
the states ``h^l_u``, ``k - d_l < u <= k``: every layer-l chain whose top site lies in
the suffix crosses the boundary once and enters the prefix at the u with ``u = top
(mod d_l)`` (or at an H0 node when that u is <= 0). So the suffix uses
``sum_{t > k, t = u (mod d_l)} C_l(t)`` copies of ``h^l_u``; with every ``d_l = 1`` this
is ``C(m + L - l - 1, L - l)`` copies of ``h^l_k`` (m = T - k), the ``c_l`` of
:func:`tnrnn.formulas.layer_copies`.
"""

from __future__ import annotations

import numbers

__all__ = ["copy_counts", "dilated_input_copies", "chain_counts", "boundary_copies", "lattice_size"]


def _check(T: object, dilations: object) -> tuple[int, tuple[int, ...]]:
    from .errors import TnrnnError

    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or T < 1:
        raise TnrnnError(f"T must be a positive integer, got {T!r}")
    if isinstance(dilations, numbers.Integral) and not isinstance(dilations, bool):
        dilations = (dilations,)
    d = tuple(dilations)
    if not d or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in d):
        raise TnrnnError(f"dilations must be one positive integer per layer, got {dilations!r}")
    return int(T), tuple(int(v) for v in d)


def copy_counts(T: int, dilations: tuple[int, ...]) -> tuple[int, ...]:
    """Copies of ``x^1, ..., x^T`` (exact): ``[z^(T-s)] prod_l 1/(1 - z^(d_l))``.

    One pass of ``L (T - 1)`` big-integer additions.

    >>> copy_counts(4, (1, 1))                 # C(T - s + 1, 1)
    (4, 3, 2, 1)
    >>> copy_counts(6, (2,)), copy_counts(6, (1, 2))
    ((0, 1, 0, 1, 0, 1), (3, 3, 2, 2, 1, 1))
    """
    T, d = _check(T, dilations)
    coef = [1] + [0] * (T - 1)  # coef[n]: ways to write n as sum j_l d_l
    for dl in d:
        for n in range(dl, T):
            coef[n] += coef[n - dl]
    return tuple(coef[T - s] for s in range(1, T + 1))


def dilated_input_copies(T: int, t: int, dilations: tuple[int, ...]) -> int:
    """Copies of ``x^t`` (see the module docstring).

    >>> dilated_input_copies(6, 1, (1, 2)), dilated_input_copies(7, 2, (3,))
    (3, 0)
    """
    T, d = _check(T, dilations)
    from .errors import TnrnnError

    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 1 <= t <= T:
        raise TnrnnError(f"t must be in 1..{T}, got {t!r}")
    return copy_counts(T - int(t) + 1, d)[0]


def chain_counts(T: int, dilations: tuple[int, ...]) -> list[tuple[list[int], list[int]]]:
    """Per layer l = 1..L: ``(C_l, S_l)``, lists over t = 1..T of the numbers of layer-l
    chains with their top site at t and of layer-l sites at t (exact).

    >>> chain_counts(4, (1, 2))[1]             # layer 2: one chain 2, 4
    ([0, 0, 0, 1], [0, 1, 0, 1])
    >>> chain_counts(4, (1, 2))[0][1]          # layer 1: chains from 2 and 4
    [2, 2, 1, 1]
    """
    T, d = _check(T, dilations)
    out = []
    chains = [0] * (T - 1) + [1]
    for dl in reversed(d):
        sites = list(chains)
        for i in range(T - 1 - dl, -1, -1):
            sites[i] += sites[i + dl]
        out.append((chains, sites))
        chains = sites
    return out[::-1]


def boundary_copies(T: int, k: int, dilations: tuple[int, ...], layer: int) -> dict[int, int]:
    """Copies of ``h^l_u`` (``max(1, k - d_l + 1) <= u <= k``) that the steps after the
    prefix ``1..k`` use (see the module docstring); ``{u: count}``.

    >>> boundary_copies(8, 4, (1, 1), 1), boundary_copies(8, 4, (1, 1), 2)   # c_1 = 4, c_2 = 1
    ({4: 4}, {4: 1})
    >>> boundary_copies(8, 4, (1, 2), 2), boundary_copies(8, 4, (1, 2), 1)
    ({3: 0, 4: 1}, {4: 2})
    """
    T, d = _check(T, dilations)
    from .errors import TnrnnError

    L = len(d)
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not 1 <= layer <= L:
        raise TnrnnError(f"layer must be in 1..{L}, got {layer!r}")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k < T:
        raise TnrnnError(f"the prefix 1..k needs 1 <= k < T={T}, got k={k!r}")
    chains, _ = chain_counts(T, d)[int(layer) - 1]
    dl = d[int(layer) - 1]
    out = {}
    for u in range(max(1, k - dl + 1), k + 1):
        out[u] = sum(chains[t - 1] for t in range(u + dl, T + 1, dl))
    return out


def lattice_size(T: int, dilations: tuple[int, ...], per_site: tuple[int, ...]) -> tuple[int, int]:
    """``(nodes, edges)`` of the network: ``per_site[l-1]`` nodes per layer-l site (cell
    nodes, plus the INPUT slot on layer 1), one H0 per chain, plus W_O; a tree.

    >>> lattice_size(4, (1,), (4,))            # the shallow RAC: H0, 4 x (DELTA, W_H, W_I, INPUT), W_O
    (18, 17)
    """
    nodes = 1
    for (chains, sites), per in zip(chain_counts(T, dilations), per_site):
        nodes += sum(chains) + per * sum(sites)
    return nodes, nodes - 1
