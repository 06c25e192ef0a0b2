"""The reference loops of tests/naive_modern.py held against independent computations.

Closed forms in Python integers (glru, linattn), tnrnn's own RAC forward pass (mi), finite
differences (degrees), and proven formulas and bounds (ranks): see
docs/modern-layers-findings.md for the statements and proofs.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import naive_modern as nm
from tnrnn import RACSpec, forward as rac_forward, random_modular_weights

P = nm.P


def _ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


def _dot(row, vec):
    return sum(a * b for a, b in zip(row, vec))


def _rows(W):
    return [_ints(r) for r in np.asarray(W)]


def closed_glru(layer, zs):
    """h_T = prod_t diag(A z_t) h_0 + sum_tau prod_{t > tau} diag(A z_t) B z_tau (Python ints)."""
    A, B, h0 = _rows(layer["A"]), _rows(layer["B"]), _ints(layer["h0"])
    T, R = len(zs), len(h0)
    out = []
    for r in range(R):
        gates = [_dot(A[r], z) for z in zs]
        total = h0[r]
        for g in gates:
            total *= g
        for tau in range(T):
            term = _dot(B[r], zs[tau])
            for t in range(tau + 1, T):
                term *= gates[t]
            total += term
        out.append(total)
    return out


def closed_linattn(layer, zs):
    """o_T = sum_{tau <= T} v_tau (k_tau . q_T) (Python ints)."""
    WK, WV, WQ = _rows(layer["W_K"]), _rows(layer["W_V"]), _rows(layer["W_Q"])
    q = [_dot(r, zs[-1]) for r in WQ]
    out = [0] * len(WV)
    for z in zs:
        k = [_dot(r, z) for r in WK]
        v = [_dot(r, z) for r in WV]
        kq = _dot(k, q)
        out = [o + vi * kq for o, vi in zip(out, v)]
    return out


def _extreme_stack(M, widths, cells):
    """Every weight p - 1 (the largest residue)."""
    st = nm.random_stack(M, widths, cells, np.random.default_rng(0))
    layers = tuple({k: np.full_like(v, P - 1) for k, v in layer.items()} for layer in st.layers)
    return nm.Stack(st.M, st.widths, st.cells, layers, np.full_like(st.w, P - 1), P)


@pytest.mark.parametrize("cell", ["glru", "linattn:1", "linattn:3"])
@pytest.mark.parametrize("M,R,T", [(1, 1, 1), (2, 3, 4), (3, 2, 7)])
@pytest.mark.parametrize("extreme", [False, True])
def test_one_layer_matches_closed_form_mod_p(cell, M, R, T, extreme):
    rng = np.random.default_rng(M * 100 + R * 10 + T)
    st = _extreme_stack(M, (R,), (cell,)) if extreme else nm.random_stack(M, (R,), (cell,), rng)
    z = np.full((1, T, M), P - 1, np.int64) if extreme else rng.integers(0, P, (1, T, M), dtype=np.int64)
    zs = [_ints(z[0, t]) for t in range(T)]
    closed = closed_glru if cell == "glru" else closed_linattn
    h = closed(st.layers[0], zs)
    assert int(nm.forward(st, z)[0]) == _dot(_ints(st.w), h) % P
    assert _ints(nm.layer_outputs(st, 0, z)[0, -1]) == [v % P for v in h]


@pytest.mark.parametrize("cells,T", [(("glru", "glru"), 3), (("linattn:2", "linattn:1"), 3),
                                     (("mi", "glru", "linattn:2"), 2)])
def test_float_and_mod_p_agree_on_small_integers(cells, T):
    """Small integer weights: float64 is exact, so float forward mod p equals the F_p forward."""
    rng = np.random.default_rng(5)
    st = nm.random_stack(2, (2,) * len(cells), cells, rng)
    small = tuple({k: rng.integers(-2, 3, v.shape) for k, v in layer.items()} for layer in st.layers)
    w = rng.integers(-2, 3, st.w.shape)
    as_float = nm.Stack(2, st.widths, cells, tuple({k: v.astype(float) for k, v in d.items()} for d in small),
                        w.astype(float), None)
    as_int = nm.Stack(2, st.widths, cells, tuple({k: v % P for k, v in d.items()} for d in small), w % P, P)
    z = rng.integers(-2, 3, (6, T, 2))
    y_float = nm.forward(as_float, z.astype(float))
    assert np.all(np.abs(y_float) < 2.0**52) and np.any(y_float != 0)
    assert [int(v) % P for v in y_float] == _ints(nm.forward(as_int, z % P))


@pytest.mark.parametrize("M,R,L,T", [(2, 2, 1, 3), (3, 2, 2, 4), (2, 3, 2, 5), (2, 2, 3, 3)])
def test_mi_matches_tnrnn_rac_forward(M, R, L, T):
    w = random_modular_weights(RACSpec(M=M, R=R, L=L, T=T), rng=L * 10 + T)
    layers = tuple({"W_H": w.W_H[l], "W_I": w.W_I[l], "h0": w.h0[l]} for l in range(L))
    st = nm.Stack(M, (R,) * L, ("mi",) * L, layers, w.W_O[0], w.prime)
    z = np.random.default_rng(T).integers(0, w.prime, (5, T, M), dtype=np.int64)
    assert _ints(nm.forward(st, z)) == _ints(rac_forward(w, z)[:, 0])


@pytest.mark.parametrize("cells", [("glru",), ("linattn:2",), ("glru", "glru"), ("linattn:1", "linattn:1"),
                                   ("mi", "glru"), ("glru", "linattn:1"), ("glru",) * 3])
def test_degree_recursion_matches_finite_differences(cells):
    T = 4
    st = nm.random_stack(2, (2,) * len(cells), cells, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    assert [nm.measured_degree(st, T, s, rng) for s in range(1, T + 1)] == nm.input_degrees(cells, T)


def test_degree_supports_closed_forms():
    # glru: z_s for s < T in degrees 0..C(T - s + L - 1, L - 1), z_T in degree 1 only
    for L in (1, 2, 3):
        sup = nm.degree_supports(("glru",) * L, 5)
        assert sup[-1] == {1}
        assert [max(d) for d in sup] == [comb(5 - s + L - 1, L - 1) for s in range(1, 6)]
    # linattn: y = sum_tau (v_tau . w)(k_tau . q_T): z_s in degrees {0, 2} (s < T), {1, 3} (s = T)
    assert nm.degree_supports(("linattn:2",), 3) == [{0, 2}, {0, 2}, {1, 3}]
    # mi: homogeneous, degree C(T - s + L - 1, L - 1)
    assert nm.degree_supports(("mi", "mi"), 3) == [{3}, {2}, {1}]


def glru1_formula(M, R, h):
    """Depth-1 glru, Start-End, T = 2h: min(min(R, multiset(M, h)) + 1, M (M + 1)^(h - 1))."""
    return min(min(R, comb(M + h - 1, h)) + 1, M * (M + 1) ** (h - 1))


@pytest.mark.parametrize("M", [1, 2, 3])
@pytest.mark.parametrize("R", [1, 2, 4, 5, 9])
@pytest.mark.parametrize("h", [1, 2, 3])
def test_glru_depth1_start_end_rank_formula(M, R, h):
    r, n = nm.probe_rank(M, (R,), ("glru",), 2 * h, seed=M + R + h)
    assert r < n
    assert r == glru1_formula(M, R, h)


@pytest.mark.parametrize("M", [1, 2, 3])
@pytest.mark.parametrize("K", [1, 2, 4])
@pytest.mark.parametrize("T,part", [(2, "start-end"), (6, "start-end"), (7, "split:3"), (5, "split:1")])
def test_linattn_depth1_rank_is_min_K_M_plus_one(M, K, T, part):
    r, n = nm.probe_rank(M, (3,), (f"linattn:{K}",), T, part, seed=M + K + T)
    assert r < n
    assert r == min(K, M) + 1 == nm.linattn_boundary_bound(M, (3,), (K,))


@pytest.mark.parametrize("M,R", [(2, 2), (3, 3), (2, 3), (3, 2)])
@pytest.mark.parametrize("h", [2, 3])
def test_mi_depth2_matches_the_proven_boundary_ideal_formula(M, R, h):
    """The oracle reproduces the RAC's known exact depth-2 rank (paper-notes.md): the least of
    the boundary-ideal bound R [multiset(R, h) - multiset(R - min(M, R), h)] and the degree bound."""
    ms = lambda n, k: comb(n + k - 1, k) if n > 0 else int(k == 0)  # noqa: E731
    r, n = nm.probe_rank(M, (R, R), ("mi", "mi"), 2 * h, seed=h)
    ideal = R * (ms(R, h) - ms(R - min(M, R), h))
    assert r < n
    assert r == min(ideal, nm.degree_bound(M, ("mi", "mi"), 2 * h, range(1, h + 1)))


GRID = [(cells, M, R) for cells in [("glru", "glru"), ("linattn:1", "linattn:1"), ("linattn:2", "linattn:2")]
        for M, R in [(2, 2), (3, 2)]]


@pytest.mark.parametrize("cells,M,R", GRID)
@pytest.mark.parametrize("h", [1, 2, 3, 4])
def test_depth2_ranks_below_proven_bounds(cells, M, R, h):
    T = 2 * h
    r, n = nm.probe_rank(M, (R, R), cells, T, seed=h)
    assert r < n
    Ks = [nm.parse_layer(c)[1] for c in cells]
    bound = (nm.glru_boundary_bound((R, R), h) if cells[0] == "glru"
             else nm.linattn_boundary_bound(M, (R, R), Ks))
    assert r <= bound
    assert r <= nm.degree_bound(M, cells, T, range(1, h + 1))
    assert r <= nm.degree_bound(M, cells, T, range(1, h + 1), refined=False)


@pytest.mark.parametrize("cells,M,R,expected", [
    (("linattn:1", "linattn:1"), 2, 2, 9), (("linattn:1", "linattn:1"), 3, 3, 10),
    (("linattn:2", "linattn:2"), 2, 2, 18), (("linattn:2", "linattn:2"), 3, 2, 25)])
def test_linear_attention_rank_stops_growing(cells, M, R, expected):
    """Measured: the depth-2 rank is the same at T = 4, 8 and 14 (the bound is T-free)."""
    ranks = [nm.probe_rank(M, (R, R), cells, T, seed=T)[0] for T in (4, 8, 14)]
    assert ranks == [expected] * 3
    assert expected <= nm.linattn_boundary_bound(M, (R, R), [nm.parse_layer(c)[1] for c in cells])


def test_glru_depth2_rank_keeps_growing():
    ranks = [nm.probe_rank(2, (2, 2), ("glru", "glru"), 2 * h, seed=h)[0] for h in (2, 3, 4, 5)]
    assert ranks == [11, 22, 36, 53]  # measured: (3h^2 + 7h - 4) / 2 for M = R = 2
    assert all(r <= nm.glru_boundary_bound((2, 2), h) for r, h in zip(ranks, (2, 3, 4, 5)))


def test_more_probes_do_not_raise_the_rank():
    """The doubling stops with enough probes: a larger matrix has the same rank."""
    r, n = nm.probe_rank(2, (2, 2), ("glru", "glru"), 6, seed=3)
    rng = np.random.default_rng(9)
    st = nm.random_stack(2, (2, 2), ("glru", "glru"), np.random.default_rng(3), nm.P)
    Y = nm.probe_matrix(st, 6, [1, 2, 3], 2 * n, 2 * n, rng)
    assert nm.rank_mod_p(Y, nm.P) == r == 22


def test_bad_layer_name_is_one_clear_line():
    with pytest.raises(ValueError, match=r"layer must be 'mi', 'glru' or 'linattn:K' \(K >= 1\), got 'linattn:0'"):
        nm.parse_layer("linattn:0")
    with pytest.raises(ValueError, match="one width per layer"):
        nm.random_stack(2, (2,), ("glru", "glru"), np.random.default_rng(0))
