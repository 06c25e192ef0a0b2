"""``separation_rank``: one entry point for the probe, grid and float methods."""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Mapping, Sequence

import numpy as np

from .._rng import RngLike, as_rng
from ..errors import TnrnnError, WeightsError
from ..modular import DEFAULT_PRIME, check_prime
from ..partition import Partition
from ..spec import RACSpec
from ..weights import RACWeights, random_modular_weights, random_weights
from .floatpath import DEFAULT_MAX_FLOAT_PROBES, float_probe_rank
from .grid import grid_rank
from ..boundset import upper_bounds as registered_upper_bounds
from .probes import (
    DEFAULT_MAX_PROBES,
    check_probe_budget,
    output_degree,
    probe_rank,
    schwartz_zippel_bound,
)
from .result import RankResult, proven_by

__all__ = ["separation_rank"]

_METHODS = ("probes", "grid", "float")
_FUNCTION = "y as a polynomial in the represented inputs f(x^t) in F^M (identity representation)"


def _integral(w: RACWeights) -> bool:
    arrays = w.arrays()
    return all(np.all(a == np.round(a)) and np.all(np.abs(a) < 2.0**53) for a in arrays)


def _resolve(spec, partition, weights, method):
    """Check the arguments; returns (spec, partition) before anything random is drawn."""
    if method not in _METHODS:
        raise TnrnnError(f"method must be one of {_METHODS}, got {method!r}")
    if weights is not None:
        if not isinstance(weights, RACWeights):
            raise WeightsError(f"weights must be RACWeights, got {type(weights).__name__}")
        if spec is not None and spec != weights.spec:
            raise WeightsError(f"weights are for {weights.spec}, not for the given spec {spec}")
        spec = weights.spec
    if not isinstance(spec, RACSpec):
        raise TnrnnError(f"spec must be a RACSpec (or pass weights), got {spec!r}")
    return spec, Partition.coerce(partition, spec.T)


def _final_method(weights, method):
    """The method actually run: non-integer float weights cannot take the exact path."""
    if weights is not None and weights.prime is None and method == "probes" and not _integral(weights):
        return "float"
    return method


def _prepare(spec, weights, gen, method, prime, output):
    """Draw or convert the weights; returns (weights, given, notes)."""
    notes: list[str] = []
    given = weights is not None
    if weights is None:
        if method == "float":
            weights = random_weights(spec, gen)
        else:
            weights = random_modular_weights(spec, gen, prime=prime)
    elif weights.prime is None and method != "float":
        if _integral(weights):
            weights = weights.to_modular(prime)
            notes.append(f"integer-valued float weights taken exactly, reduced mod p={prime}")
    if weights.spec.K > 1:
        weights = weights.select_output(output)
        notes.append(f"output y_{output} of K={spec.K}")
    return weights, given, notes


def separation_rank(
    spec: RACSpec | None,
    partition: Partition | str = "start-end",
    weights: RACWeights | None = None,
    *,
    rng: RngLike = 0,
    method: str = "probes",
    prime: int | Sequence[int] = DEFAULT_PRIME,
    output: int = 0,
    n_start: int = 64,
    max_probes: int | None = None,
    templates: np.ndarray | None = None,
    n_templates: int | None = None,
    tol: float | None = None,
    backend: str = "auto",
    progress: bool = False,
    upper_bounds: Mapping[str, int | None] | None = None,
) -> RankResult:
    """The separation rank of a RAC's output for a partition (A, B) of the time steps.

    Parameters
    ----------
    spec : RACSpec or None
        The network (None when ``weights`` are given).
    partition : Partition or str, default "start-end"
        A :class:`~tnrnn.Partition`, or text such as ``"interleaved"``, ``"split:3"``.
    weights : RACWeights, optional
        Given weights. Exact (modular) and integer-valued weights are computed exactly
        over F_p; other float weights go through the float path (not certified). Default:
        random weights (uniform in F_p; Gaussian for ``method="float"``).
    rng : int or Generator, default 0
        Seed of every random choice (weights, probes, templates): same seed, same answer.
    method : {"probes", "grid", "float"}
        ``"probes"``: random probes over F_p, grown until the rank is below both probe
        counts (the default, certified). ``"grid"``: the paper's grid tensor on K
        templates (exact for exact weights, SVD for float weights). ``"float"``: float
        probes and SVD with a reported tolerance and gap (NOT certified).
    prime : int or sequence of int, default 2**31 - 1
        Modulus of exact arithmetic. Several primes (probe method): the rank is computed
        modulo each in turn, with independent random weights and probes, stopping early
        once it reaches the proven upper bound; the result is the largest rank (every one is
        a lower bound) and its failure bound the product of the per-prime bounds (they are
        independent). Small primes (below about ``2^21``) make the blas rank about twice as
        fast as ``2^31 - 1`` but weaken each bound by ``p / 2^31``.
    output : int, default 0
        Which output ``y_c`` when K > 1.
    n_start : int, default 64
        Probes per side at the first stage (doubled while the rank is full).
    max_probes : int, optional
        Largest probe count per side (4096 exact, 2048 float).
    templates, n_templates : optional
        Grid method: explicit template points (K, M), or how many random ones (default M).
    tol : float, optional
        Float SVD threshold (default ``max(n) * eps * sigma_1``).
    backend : {"auto", "blas", "flint", "numpy"}
        Rank over F_p (see :mod:`tnrnn.rank.fieldrank`).
    progress : bool
        Show a tqdm bar over the probe stages.
    upper_bounds : dict, optional
        Upper bounds on the rank proven elsewhere, by name, e.g. ``{"mincut":
        mincut_bound(spec, partition).bound}`` (this layer never computes the min-cut;
        :func:`tnrnn.bounds.bound_row` passes it). They join the registered closed forms
        (:mod:`tnrnn.boundset`) in the up-front refusal and the probe cap; a rank above one
        is a loud error.

    Returns
    -------
    RankResult

    Raises
    ------
    MemoryLimitError
        Up front, in well under a second and before any weight is drawn, when the
        smallest proven upper bound (:func:`tnrnn.boundset.smallest_upper_bound`: every
        registered closed-form bound that applies, with ``upper_bounds``) needs more than ``max_probes`` probes per side
        (:func:`tnrnn.rank.probes.check_probe_budget`); or later, if the rank reaches
        ``max_probes``.
    BoundViolationError
        If the rank exceeds a proven upper bound (a bug).

    Examples
    --------
    >>> from tnrnn import RACSpec
    >>> res = separation_rank(RACSpec(M=2, R=3, L=1, T=4), "start-end", rng=0)
    >>> res.rank, res.certified
    (3, True)
    """
    t0 = time.perf_counter()
    gen = as_rng(rng)
    primes = _primes(prime, method, weights)
    spec, partition = _resolve(spec, partition, weights, method)
    requested, method = method, _final_method(weights, method)
    limit = max_probes or (DEFAULT_MAX_FLOAT_PROBES if method == "float" else DEFAULT_MAX_PROBES)
    if method != "grid":
        check_probe_budget(spec, partition, limit, known=upper_bounds)
    if len(primes) > 1:
        return _multi_prime(primes, spec, partition, weights, rng, gen, output, t0, n_start=n_start,
                            max_probes=limit, backend=backend, progress=progress, known=upper_bounds)
    prime = primes[0]
    weights, given, notes = _prepare(spec, weights, gen, method, prime, output)
    if requested != method:
        notes.insert(0, "non-integer float weights: computed on the float path (NOT certified)")
    spec = weights.spec
    if method == "grid":
        out = grid_rank(weights, partition, gen, templates=templates, n_templates=n_templates,
                        tol=tol, backend=backend)
    elif method == "float":
        out = float_probe_rank(weights, partition, gen, n_start=n_start, tol=tol, progress=progress,
                               max_probes=limit, known=upper_bounds)
    else:
        out = probe_rank(weights, partition, gen, n_start=n_start, backend=backend, progress=progress,
                         max_probes=limit, known=upper_bounds)
    return _result(out, weights, partition, method, given, rng, notes, time.perf_counter() - t0)


def _primes(prime, method: str, weights) -> tuple[int, ...]:
    """The primes to run, validated; several only for the probe method with drawn or integer weights."""
    if isinstance(prime, (list, tuple, np.ndarray)):
        primes = tuple(check_prime(int(q) if isinstance(q, np.integer) else q) for q in prime)
        if not primes:
            raise TnrnnError("prime needs at least one prime, got an empty sequence")
    else:
        primes = (check_prime(prime),)
    if len(primes) > 1:
        if len(set(primes)) != len(primes):
            raise TnrnnError(f"the primes must be distinct, got {list(primes)}")
        if method != "probes":
            raise TnrnnError(f"several primes need method='probes', got method={method!r}")
        if weights is not None and getattr(weights, "prime", None) is not None:
            raise TnrnnError(
                f"given modular weights fix the prime {weights.prime}; pass one prime, or "
                "integer-valued float weights to reduce them modulo each prime"
            )
    return primes


def _multi_prime(primes, spec, partition, weights, seed, gen, output, t0, **kw) -> RankResult:
    """The probe rank modulo each prime in turn (independent draws); the largest wins."""
    runs: list[RankResult] = []
    for q in primes:
        w, given, notes = _prepare(spec, weights, gen, "probes", q, output)
        out = probe_rank(w, partition, gen, n_start=kw["n_start"], backend=kw["backend"],
                         progress=kw["progress"], max_probes=kw["max_probes"], known=kw["known"])
        runs.append(_result(out, w, partition, "probes", given, seed, notes, 0.0))
        if out["rank"] >= out["cap"]:  # the proven upper bound: no prime can give more
            break
    best = max(runs, key=lambda r: r.rank)
    fb = math.prod(r.failure_bound for r in runs)
    ranks = ", ".join(f"{r.rank} mod {r.prime}" for r in runs)
    notes = list(best.notes) + [f"ranks {ranks}; the largest is reported"]
    if len(runs) < len(primes):
        notes.append(f"stopped after {len(runs)} of {len(primes)} primes: the rank equals the proven upper bound")
    if len(runs) == 1:
        return dataclasses.replace(best, notes=tuple(notes), seconds=time.perf_counter() - t0)
    certifies = best.certifies.rsplit("with probability", 1)[0] + (
        f"with probability >= 1 - {fb:.3g} (product over {len(runs)} independent primes "
        f"{', '.join(str(r.prime) for r in runs)}: each run must fail for the largest rank to be low)")
    return dataclasses.replace(
        best, failure_bound=fb, certifies=certifies, notes=tuple(notes),
        primes=tuple(r.prime for r in runs), prime_ranks=tuple(r.rank for r in runs),
        seconds=time.perf_counter() - t0,
    )


def _result(out, weights, partition, method, given, seed, notes, seconds) -> RankResult:
    spec, p = weights.spec, weights.prime
    exact = p is not None
    degree = output_degree(spec, not given) if exact else None
    fb = None
    if exact and method == "probes":
        fb = schwartz_zippel_bound(degree, out["sizes"], out["cap"], p)
    elif exact and method == "grid":
        side = min(out["n_A"], out["n_B"])
        fb = schwartz_zippel_bound(degree, [side], side, p)
    certifies = _certifies(method, exact, given, fb, out, p)
    if not exact and out.get("rank", 0) > out.get("cap", out["rank"]):
        notes.append(f"float rank {out['rank']} exceeds the proven upper bound {out['cap']}: numerical noise")
    svals = tuple(float(v) for v in out.get("singular_values", ())[:64])
    uppers = registered_upper_bounds(spec, partition) if exact else {}  # the registry's cap bounds
    return RankResult(
        rank=int(out["rank"]), method=method, certified=exact, certifies=certifies,
        spec=repr(spec), partition=_describe(partition), prime=p,
        n_probes_A=int(out["n_A"]), n_probes_B=int(out["n_B"]), stages=tuple(out.get("stages", ())),
        seed=describe_seed(seed), seconds=seconds, degree=degree,
        failure_bound=fb, tolerance=out.get("tolerance"), sigma_gap=out.get("gap"),
        singular_values=svals, weights_given=given, capped=bool(out.get("capped", False)),
        notes=tuple(notes), primes=(p,) if exact else (), prime_ranks=(int(out["rank"]),) if exact else (),
        upper_bound=min(uppers.values(), default=None),
        proven_by=proven_by(int(out["rank"]), uppers) if exact else None,
    )


def describe_seed(rng) -> int | str:
    """The ``rng`` argument as a result records it: the int seed, or a fixed description
    (a Generator's state is not an id worth storing; its repr holds a memory address)."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return f"SeedSequence(entropy={rng.entropy})"
    if isinstance(rng, np.random.Generator):
        return f"numpy Generator ({type(rng.bit_generator).__name__}), state not recorded"
    return type(rng).__name__


def _describe(partition: Partition) -> str:
    return str(partition)


def _certifies(method, exact, given, fb, out, p) -> str:
    if not exact:
        return (f"NOT certified: floating-point SVD rank at tolerance {out['tolerance']:.3g} "
                f"(gap sigma_r/sigma_r+1 = {out['gap']:.3g}); float ranks of these matrices are unreliable")
    whose = "the given integer weights" if given else f"these random integer weights (representatives in [0, {p}))"
    what = "grid tensor on the templates" if method == "grid" else "random probe matrix"
    text = (f"exact rank over F_p of the {what}: a lower bound on the separation rank over Q of {_FUNCTION} "
            f"for {whose}")
    if not given:
        text += ", hence on the generic rank (the rank for almost all weights)"
    text += f"; equal to the {'generic grid' if method == 'grid' else 'generic'} rank over F_p "
    text += f"{'in the probes ' if given and method != 'grid' else ''}with probability >= 1 - {fb:.3g}"
    if method == "grid" and out.get("capped"):
        text += " (CAPPED by the grid size)"
    return text
