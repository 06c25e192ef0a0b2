"""Bounds for members of the RAC family (tnrnn.family_bounds) against an independent rank.

The oracle: random weights over F_p, random probe inputs on each side, the matrix
``Y[i, j] = y(a_i, b_j)`` from tnrnn's forward pass (itself held to nested loops in
tests/test_members.py), and its rank by a Gaussian elimination mod p written here. That
rank is a lower bound on the separation rank at those weights, so no proven upper bound
may be below it; where they meet, the bound is tight.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, TnrnnError, mincut_bound, random_modular_weights
from tnrnn import family_bounds as fb
from tnrnn import formulas
from tnrnn.boundset.members import _ideal_value
from tnrnn.rac import forward

from specs import MEMBERS
from specs import PARTITIONS as PARTS


def rank_mod_p(a: np.ndarray, p: int) -> int:
    """Rank over F_p by row reduction (int64; p < 2^31 keeps products in range)."""
    a = np.array(a, dtype=np.int64) % p
    rank, (n, m) = 0, a.shape
    for c in range(m):
        piv = next((i for i in range(rank, n) if a[i, c]), None)
        if piv is None:
            continue
        a[[rank, piv]] = a[[piv, rank]]
        a[rank] = a[rank] * pow(int(a[rank, c]), p - 2, p) % p
        rows = np.flatnonzero(a[:, c])
        rows = rows[rows != rank]
        a[rows] = (a[rows] - a[rows, c][:, None] * a[rank]) % p
        rank += 1
        if rank == n:
            break
    return rank


def probe_rank(spec: RACSpec, partition: Partition, n: int, seed: int) -> int:
    """Rank of y(a_i, b_j) over F_p for n random probes per side (a lower bound on sep)."""
    w = random_modular_weights(spec, rng=seed)
    p = w.prime
    rng = np.random.default_rng(seed + 1)
    A, B = np.array(partition.A) - 1, np.array(partition.B) - 1
    a = rng.integers(0, p, (n, len(A), spec.M))
    b = rng.integers(0, p, (n, len(B), spec.M))
    x = np.zeros((n, n, spec.T, spec.M), dtype=np.int64)
    x[:, :, A] = a[:, None]
    x[:, :, B] = b[None, :]
    y = forward(w, x.reshape(n * n, spec.T, spec.M))[:, 0]
    return rank_mod_p(y.reshape(n, n), p)




def _ids(spec):
    return repr(spec)[8:-1]


@pytest.mark.parametrize("kw", MEMBERS, ids=_ids)
@pytest.mark.parametrize("part", PARTS)
def test_every_bound_is_at_least_the_exact_rank(kw, part):
    spec = kw
    partition = Partition.coerce(part, spec.T)
    bounds = fb.member_upper_bounds(spec, partition)
    bounds["mincut"] = mincut_bound(spec, partition).bound
    if spec.L == 1 and formulas.prefix_split(partition) is not None:
        bounds["shallow"] = fb.shallow_member_bound(spec, partition)
    least = min(bounds.values())
    n = min(least + 4, 130)
    rank = probe_rank(spec, partition, n, seed=len(part) + spec.T)
    assert all(v >= rank for v in bounds.values()), (spec, part, rank, bounds)
    if least + 4 <= 130:  # enough probes: the rank is the generic rank (w.h.p.), never above
        assert rank <= least


TIGHT = [  # (spec, partition, bound name) where the generic rank meets the bound (measured)
    (RACSpec(M=2, R=6, L=1, T=8, cell="cp:3"), "start-end", "symmetric"),      # min(R, K) = 3
    (RACSpec(M=2, R=3, L=1, T=6, bias=True), "start-end", "symmetric"),        # R + 1 = 4
    (RACSpec(M=2, R=9, L=1, T=4, bias=True), "start-end", "degree"),           # (M + 1)^2 = 9 < R + 1
    (RACSpec(M=2, R=5, L=1, T=8, dilations=2), "start-end", "degree"),         # M^2 = 4: x^2, x^4 read
    (RACSpec(M=2, R=(3, 2), L=2, T=6), "start-end", "ideal"),                  # 2 * (10 - 1)
    (RACSpec(M=3, R=3, L=2, T=6, cell=("cp:2", "mi")), "start-end", "ideal"),  # 3 * (4 - 0)
    (RACSpec(M=2, R=(3, 4), L=2, T=6, cell=("mi", "cp:2")), "start-end", "ideal"),   # K_2 (10 - 1)
    (RACSpec(M=2, R=3, L=2, T=8, cell=("cp:3", "cp:2")), "start-end", "ideal"),       # 2 (15 - 1)
    (RACSpec(M=2, R=2, L=2, T=8, dilations=(2, 1)), "start-end", "symmetric"),  # 2 * mset(2, 2)^2 * 2
    (RACSpec(M=2, R=2, L=2, T=8, dilations=(1, 2)), "start-end", "symmetric"),  # 2 * mset(2, 2)
]


@pytest.mark.parametrize("kw,part,name", TIGHT, ids=[_ids(t[0]) for t in TIGHT])
def test_bounds_meet_the_exact_rank(kw, part, name):
    """The member forms are not only valid but reached: a wrong form (M for M + 1 with
    bias, R for min(R, K), ...) would sit below the rank or above it here."""
    spec = kw
    partition = Partition.coerce(part, spec.T)
    bounds = fb.member_upper_bounds(spec, partition)
    value = bounds[name]
    assert value == min(bounds.values())
    assert probe_rank(spec, partition, value + 4, seed=3) == value


PLAIN = [(M, R, L, T) for M in (1, 2, 3) for R in (1, 2, 4) for L in (1, 2, 3) for T in (2, 4, 6)]


@pytest.mark.parametrize("M,R,L,T", PLAIN)
def test_plain_specs_give_the_plain_formulas(M, R, L, T):
    spec = RACSpec(M=M, R=R, L=L, T=T)
    for part in ("start-end", "interleaved", f"split:{T - 1}"):
        p = Partition.coerce(part, T)
        assert fb.member_degree_bound(spec, p) == formulas.degree_bound(M, L, p)
        split = formulas.prefix_split(p)
        if split is not None:
            m = split[1]
            assert fb.member_symmetric_bound(spec, p) == formulas.symmetric_copies_bound(R, L, 2 * m)
            if L >= 2:
                assert _ideal_value(spec, m) == formulas.boundary_ideal_bound(M, R, L, p)
        want = {"degree": formulas.degree_bound(M, L, p), "bottleneck": formulas.bottleneck_degree_bound(M, R, L, p)}
        if split is not None:
            want["symmetric"] = formulas.symmetric_copies_bound(R, L, 2 * split[1])
            if L >= 2:
                want["ideal"] = formulas.boundary_ideal_bound(M, R, L, p)
            if formulas.boundary_syzygy_bound(M, R, L, p) is not None:
                want["syzygy"] = formulas.boundary_syzygy_bound(M, R, L, p)
        assert fb.member_upper_bounds(spec, p) == want
    if L == 1:
        assert fb.shallow_member_bound(spec, Partition.start_end(T)) == formulas.shallow_start_end_rank(M, R, T)


def test_degree_bound_closed_forms():
    """Against copy counts computed here by brute force over (j_1..j_L) with sum j_l d_l = T - t."""
    import itertools

    for dil in ((1,), (2,), (3,), (1, 2), (2, 3), (1, 1, 2)):
        for T in (5, 8):
            for bias in (False, True):
                spec = RACSpec(M=2, R=2, L=len(dil), T=T, dilations=dil, bias=bias)
                deg = [sum(1 for js in itertools.product(range(T), repeat=len(dil))
                           if sum(j * d for j, d in zip(js, dil)) == T - t) for t in range(1, T + 1)]
                Mp = 2 + bias
                for A in ([1, 2], [1, 3, 5], [2, T]):
                    p = Partition.from_sets(A, T)
                    sides = [np.prod([comb(Mp + deg[t - 1] - 1, deg[t - 1]) for t in s], dtype=object)
                             for s in (p.A, p.B)]
                    assert fb.member_degree_bound(spec, p) == min(int(x) for x in sides)


def test_refusals_are_one_clear_line():
    se = Partition.start_end(8)
    cases = [
        (RACSpec(M=2, R=3, L=2, T=8, bias=True), "not proven with bias"),
        (RACSpec(M=2, R=3, L=2, T=8, dilations=(1, 2)), "not proven with dilations"),
        (RACSpec(M=2, R=3, L=2, T=8, cell=("mi", "full")), "'full' cell in layer 2"),
        (RACSpec(M=2, R=3, L=3, T=8, cell="cp:2"), "'mi' cells only"),
        (RACSpec(M=3, R=(3, 2, 3), L=3, T=8), r"min\(M, R_1\) = 3 <= R_l .* R_2 = 2"),
        (RACSpec(M=2, R=3, L=1, T=8, cell="cp:2"), "depth L >= 2"),
    ]
    for spec, msg in cases:
        with pytest.raises(TnrnnError, match=msg) as err:
            fb.member_ideal_bound(spec, se)
        assert "\n" not in str(err.value)
        assert "ideal" not in fb.member_upper_bounds(spec, se)
    inter = Partition.interleaved(8)
    with pytest.raises(TnrnnError, match="needs a partition with a prefix side"):
        fb.member_symmetric_bound(RACSpec(M=2, R=3, L=2, T=8, cell="cp:2"), inter)
    with pytest.raises(TnrnnError, match="depth L = 1"):
        fb.shallow_member_bound(RACSpec(M=2, R=3, L=2, T=8), se)
    with pytest.raises(TnrnnError):
        fb.member_degree_bound(RACSpec(M=2, R=3, L=2, T=6), se)  # T mismatch


def test_ideal_bound_with_widths_against_the_plain_formula():
    """L = 3 widths form on equal widths is the plain formula; and a wider last layer only
    scales it (the factor R_L), a narrower first layer lowers it."""
    for M, R, T in ((2, 2, 8), (2, 3, 6), (3, 3, 8), (4, 2, 10)):
        p = Partition.start_end(T)
        plain = formulas.boundary_ideal_bound(M, R, 3, p)
        assert fb.member_ideal_bound(RACSpec(M=M, R=R, L=3, T=T), p) == plain
        assert fb.member_ideal_bound(RACSpec(M=M, R=(R, R, 2 * R), L=3, T=T), p) == 2 * plain


def test_bounds_summary_of_members_names_what_is_not_proven():
    from tnrnn import bounds_summary

    s = bounds_summary(RACSpec(M=2, R=3, L=2, T=8, bias=True))
    assert s["spec"] == {"M": 2, "R": [3, 3], "L": 2, "T": 8, "cell": ["mi", "mi"], "bias": True,
                         "dilations": [1, 1]}
    assert (s["degree"], s["symmetric"], s["ideal"], s["lower"], s["all_chains"]) == (2700, 140, None, None, None)
    assert "bias" in s["not_proven"]["ideal"] and "plain RAC only" in s["not_proven"]["lower"]
    assert s["mincut"] == mincut_bound(RACSpec(M=2, R=3, L=2, T=8, bias=True), "start-end").bound
    plain = bounds_summary(RACSpec(M=2, R=3, L=2, T=8))
    assert "not_proven" not in plain and plain["ideal"] == 42


@pytest.mark.parametrize("kw", MEMBERS[::2], ids=_ids)
def test_the_rank_engine_agrees_with_the_probe_rank_here(kw):
    """tnrnn.separation_rank on members (its own probe matrices) gives the same Start-End rank
    as the independent probe rank above, and never passes a member bound."""
    from tnrnn import separation_rank

    spec = kw
    part = Partition.start_end(spec.T)
    bounds = fb.member_upper_bounds(spec, part)
    bounds["mincut"] = mincut_bound(spec, part).bound
    res = separation_rank(spec, part, rng=2)
    assert res.certified and res.rank <= min(bounds.values())
    assert res.rank == probe_rank(spec, part, min(bounds.values()) + 4, seed=9)
