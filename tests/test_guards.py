"""Guards and boundaries that other tests never reached: each test here was seen to fail on a
bug injected by hand (listed in the branch's report), and passes on the real code.

Every expected value comes from an independent computation: a closed form, Python integers,
or a second code path. Extreme values: entries p - 1 everywhere, sizes at the exact limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from math import comb
from pathlib import Path

import numpy as np
import pytest

import tnrnn
from tnrnn import Partition, RACSpec, RACWeights, forward
from tnrnn.cli import main
from tnrnn.errors import MemoryLimitError, TnrnnError
from tnrnn.modular import DEFAULT_PRIME, mod_matmul
from tnrnn.numbers import JSON_MAX_DIGITS, json_safe, text_to_int

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- worker threads
_THREADS = """
from tnrnn.store import Job, ResultStore, run_jobs
from tnrnn.store import run
import worker_probe

run.default_workers = lambda: 6  # as if on 6 cores: 2 workers get 3 threads each
with ResultStore(None) as store:
    run_jobs(store, worker_probe.thread_report, [Job((("n", i),), i) for i in range(8)], workers=2,
             progress=False)
    rows = store.rows()
print(sorted({r["omp"] for r in rows}), sorted({r["numba"] for r in rows}), len({r["worker"] for r in rows}))
"""


def test_each_worker_gets_its_share_of_the_cores():
    numba = pytest.importorskip("numba")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    proc = subprocess.run([sys.executable, "-c", _THREADS], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    share = 6 // 2
    pool = numba.config.NUMBA_NUM_THREADS  # numba's pool size here; a worker uses at most that
    assert proc.stdout.split("]")[:2] == [f"['{share}'", f" [{min(share, pool)}"], proc.stdout


# --------------------------------------------------------------------------- JSON digits
@pytest.mark.parametrize("sign", [1, -1])
def test_json_keeps_numbers_up_to_exactly_4000_digits(sign, tmp_path):
    at = sign * (10**JSON_MAX_DIGITS - 1)  # 4000 nines: the longest JSON number
    past = sign * 10**JSON_MAX_DIGITS  # 4001 digits: a string of digits
    assert len(str(abs(at))) == 4000 and len(str(abs(past))) == 4001
    out = json_safe({"at": at, "past": past, "list": [at, past]})
    assert out["at"] == at and isinstance(out["at"], int)
    assert isinstance(out["past"], str) and text_to_int(out["past"]) == past
    assert json.loads(json.dumps(out))["at"] == at  # Python reads it back (its limit is 4300)
    from tnrnn.store import read_table, write_table

    path = write_table([{"at": at, "past": past}], tmp_path / "t.json")
    doc = json.loads(path.read_text())
    assert isinstance(doc["rows"][0]["at"], int) and isinstance(doc["rows"][0]["past"], str)
    assert read_table(path)[1] == [{"at": at, "past": past}]


# --------------------------------------------------------------------------- durable table files
def test_a_table_file_is_synced_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    from tnrnn import _io

    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(src), str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(_io.os, "fsync", fsync)
    monkeypatch.setattr(_io.os, "replace", replace)
    target = tmp_path / "t.csv"
    _io.write_text_atomic(target, "a,b\n1,2\n")
    kinds = [e[0] for e in events]
    assert "replace" in kinds and "fsync" in kinds[:kinds.index("replace")], events
    tmp = events[kinds.index("replace")][1]
    assert ("fsync", tmp) in events[:kinds.index("replace")]  # the data of the file itself
    assert ("fsync", str(tmp_path)) in events[kinds.index("replace"):]  # then its folder entry
    assert target.read_text() == "a,b\n1,2\n"


# --------------------------------------------------------------------------- cp:K state dimension
@pytest.mark.parametrize("R,K", [((3, 2), 6), ((4, 3), 2), ((2, 2), 2)])
def test_cp_state_dimension_is_min_R_K_in_the_symmetric_bound(R, K):
    spec = RACSpec(M=3, R=R, L=2, T=6, cell=f"cp:{K}")
    r1, r2 = min(R[0], K), min(R[1], K)
    expected = r2 * comb(r1 + 3 - 1, 3)  # r2 * multiset(r1, T/2): 20 for cp:6 with R = (3, 2)
    assert tnrnn.bounds_summary(spec, Partition.start_end(6))["symmetric"] == expected


def test_cp6_exact_rank_reaches_the_symmetric_bound():
    spec = RACSpec(M=3, R=(3, 2), L=2, T=6, cell="cp:6")
    assert tnrnn.separation_rank(spec, Partition.start_end(6), rng=0).rank == 20


# --------------------------------------------------------------------------- p - 1 on every path
def _full(p, *shape):
    return np.full(shape, p - 1, dtype=np.int64)


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("part", ["start-end", "interleaved", "split:1"])
def test_numpy_engine_at_p_minus_1_equals_forward(p, L, part):
    """Every weight, initial state and probe entry p - 1 (the largest products) with R = 6
    channels (more terms than one reduction interval of 2**64 // (p-1)**2 = 4 products)."""
    from tnrnn.rank.evaluate import evaluate_pairs

    M, R, T = 3, 6, 6
    spec = RACSpec(M=M, R=R, L=L, T=T)
    w = RACWeights(spec, tuple(_full(p, R, R) for _ in range(L)),
                   tuple(_full(p, R, M if l == 0 else R) for l in range(L)),
                   tuple(_full(p, R) for _ in range(L)), _full(p, 1, R), prime=p)
    partition = {"start-end": Partition.start_end, "interleaved": Partition.interleaved,
                 "split:1": lambda n: Partition.split(n, 1)}[part](T)
    rng = np.random.default_rng(L)
    a = np.concatenate([_full(p, 3, len(partition.A), M), rng.integers(0, p, (2, len(partition.A), M))])
    b = np.concatenate([_full(p, 3, len(partition.B), M), rng.integers(0, p, (2, len(partition.B), M))])
    Y = evaluate_pairs(w, partition, a, b, engine="numpy")
    X = np.zeros((len(a) * len(b), T, M), dtype=np.int64)
    A, B = [t - 1 for t in partition.A], [t - 1 for t in partition.B]
    X[:, A] = np.repeat(a, len(b), axis=0)
    X[:, B] = np.tile(b, (len(a), 1, 1))
    assert np.array_equal(Y, forward(w, X)[:, 0].reshape(len(a), len(b)))


def _naive_matmul_mod(a, b, p):
    return np.array([[sum(int(x) * int(y) for x, y in zip(row, col)) % p for col in b.T] for row in a],
                    dtype=np.int64)


@pytest.mark.parametrize("p", [65_521, DEFAULT_PRIME])
def test_mod_matmul_at_its_largest_inner_dimension_with_entries_p_minus_1(p):
    inner = 1 << 16  # the largest the int64 split allows: 2**16 products of 2**31 * 2**16
    a, b = _full(p, 2, inner), _full(p, inner, 2)
    assert (mod_matmul(a, b, p) == inner % p).all()  # (p-1)^2 = 1 mod p, summed 2**16 times
    small = np.random.default_rng(0).integers(0, p, (3, 50))
    assert np.array_equal(mod_matmul(small, small.T, p), _naive_matmul_mod(small, small.T, p))
    with pytest.raises(TnrnnError, match="inner dimension up to 65536"):
        mod_matmul(_full(p, 1, inner + 1), _full(p, inner + 1, 1), p)


# --------------------------------------------------------------------------- int32 max-flow
def _graph(u, v):
    from tnrnn.mincut.flow import FlowGraph

    u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
    return FlowGraph(network=None, partition=Partition.start_end(2), n=4, u=u, v=v, is_a_input=None,
                     is_b_input=None, dim=np.full(u.size, 2, np.int64))


def test_max_flow_capacities_at_the_int32_margin():
    """Two opposite edges between the inner nodes 0 and 1 add up in one int32 capacity, so an
    edge may weigh at most (2**31 - 1) // 2. Source 2 -- 0 == 1 -- sink 3."""
    from tnrnn.mincut.flow import INT32_LIMIT, min_cut_side

    graph = _graph([2, 0, 1, 1], [0, 1, 0, 3])
    half = INT32_LIMIT // 2
    _, value = min_cut_side(graph, np.array([half, half, half, half]))
    assert value == half  # brute force: min(half, half + half, half)
    _, value = min_cut_side(graph, np.array([half, half // 3, half // 3, half]))
    assert value == 2 * (half // 3)  # the middle pair, summed exactly
    with pytest.raises(MemoryLimitError, match="int32"):  # the pair would sum past int32
        min_cut_side(graph, np.array([half, half + 1, half + 1, half]))
    _, value = min_cut_side(graph, np.array([5, 1, 2, 7]))
    assert value == 3  # brute force: min(5, 1 + 2, 7)
    two_ways = _graph([2, 2, 0, 1], [0, 1, 3, 3])  # source -- 0, 1 -- sink: flow up to 2 * half
    _, value = min_cut_side(two_ways, np.array([half, half, half, half]))
    assert value == 2 * half == INT32_LIMIT - 1


# --------------------------------------------------------------------------- atlas max-rank
def test_atlas_max_rank_refuses_only_bounds_above_it(tmp_path, capsys):
    """L = 1, M = R = 2, T = 2: every proven upper bound is 2 = min(R, M)."""
    for max_rank, want in ((2, {"ok"}), (1, {"too-large"})):
        out = tmp_path / f"a{max_rank}"
        assert main(["atlas", "--out", str(out), "--L", "1", "--M", "2", "--R", "2", "--T-max", "1:2",
                     "--max-rank", str(max_rank), "--workers", "1"]) == 0
        rows = tnrnn.bounds.read_bounds_table(out / "atlas.sqlite")
        assert rows and {r["status"] for r in rows} == want, [(r["partition"], r["status"]) for r in rows]
        if want == {"ok"}:
            assert {r["exact"] for r in rows} == {2}
    capsys.readouterr()
