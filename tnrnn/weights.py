"""Weights of a RAC in two number systems: float64, and exact integers modulo a prime.

Float scaling (Gaussian, the default)
-------------------------------------
Entries are first drawn i.i.d. with ``W^{H,l} ~ N(0, 1/R)``, ``W^{I,1} ~ N(0, 1/M)``,
``W^{I,l} ~ N(0, 1/R)`` for l >= 2, and ``h^l_0``, ``W^O ~ N(0, 1)`` (``kind="uniform"``:
uniform entries with the same variances). With unit-mean-square inputs these variances
keep the *mean* square of each state constant, but the *typical* size of a product of
many random factors still drifts geometrically (for R = 4, L = 2 the state vanishes below
1e-300 within a few hundred steps). So, unless ``stabilize=False``, each layer is then
rescaled once: on ``64`` probe sequences of standard Gaussian inputs (drawn from the same
``rng``) tnrnn measures the mean growth rate ``lambda_l`` of ``ln ||h^l_t||`` per step over
steps 33..288 when every layer is fed unit-rms states, and divides ``W^{H,l}`` by
``exp(lambda_l)``. Scaling ``W^{H,l}`` by c multiplies ``h^l_t`` by exactly ``c^t``, so this
removes the linear drift. The factors are stored in ``RACWeights.scales``.

What this does and does not buy: for L = 1, ``ln ||h_t||`` becomes a driftless random
walk (spread ~ sqrt(t)) and sequences of thousands of steps stay far inside the float64
range. For L >= 2 the size of layer l also multiplies in the size of the layer below at
every step, so ``ln ||h^l_t||`` is an (l-1)-times integrated random walk: it stays in range
for tens to a few hundred steps (more with larger R), not thousands. No fixed scaling can
remove this for a multiplicative network; for exact work at any length use
:func:`random_modular_weights`.

Modular weights
---------------
Uniform integers in ``[0, p)`` for a prime ``p < 2**31`` (default ``2**31 - 1``), for exact
work over the field ``F_p``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._rng import RngLike, as_rng
from .errors import WeightsError
from .modular import DEFAULT_PRIME, check_prime, to_field
from .spec import RACSpec

__all__ = ["RACWeights", "random_weights", "random_modular_weights"]


@dataclass(frozen=True, eq=False)
class RACWeights:
    """All weights of a RAC, per layer (index 0 is layer 1).

    Attributes
    ----------
    spec : RACSpec
    W_H : tuple of arrays, each (R, R)
    W_I : tuple of arrays, (R, M) for layer 1 and (R, R) above
    h0 : tuple of arrays, each (R,)
    W_O : array (K, R)
    prime : int or None
        ``None`` for float64 weights; the modulus for exact integer weights (int64 entries
        in ``[0, prime)``).
    """

    spec: RACSpec
    W_H: tuple[np.ndarray, ...]
    W_I: tuple[np.ndarray, ...]
    h0: tuple[np.ndarray, ...]
    W_O: np.ndarray
    prime: int | None = None
    scales: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        s = self.spec
        if not isinstance(s, RACSpec):
            raise WeightsError(f"spec must be a RACSpec, got {type(s).__name__}")
        for name in ("W_H", "W_I", "h0"):
            seq = getattr(self, name)
            if len(seq) != s.L:
                raise WeightsError(f"{name} needs one array per layer (L={s.L}), got {len(seq)}")
        expected = {"W_O": (s.K, s.R)}
        for l in range(s.L):
            expected[f"W_H[{l}]"] = (s.R, s.R)
            expected[f"W_I[{l}]"] = (s.R, s.input_dim(l + 1))
            expected[f"h0[{l}]"] = (s.R,)
        if self.prime is not None:
            object.__setattr__(self, "prime", check_prime(self.prime))
        convert = self._convert
        object.__setattr__(self, "W_H", tuple(convert(f"W_H[{l}]", a, expected) for l, a in enumerate(self.W_H)))
        object.__setattr__(self, "W_I", tuple(convert(f"W_I[{l}]", a, expected) for l, a in enumerate(self.W_I)))
        object.__setattr__(self, "h0", tuple(convert(f"h0[{l}]", a, expected) for l, a in enumerate(self.h0)))
        object.__setattr__(self, "W_O", convert("W_O", self.W_O, expected))

    def _convert(self, name: str, value: object, expected: dict) -> np.ndarray:
        arr = np.asarray(value)
        if arr.shape != expected[name]:
            raise WeightsError(f"{name} must have shape {expected[name]} for {self.spec}, got {arr.shape}")
        if self.prime is None:
            if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
                raise WeightsError(f"{name} must hold finite real numbers, got dtype {arr.dtype}")
            out = arr.astype(np.float64)
        else:
            out = to_field(arr, self.prime)
        out.setflags(write=False)
        return out

    @property
    def exact(self) -> bool:
        """True for modular (exact) weights."""
        return self.prime is not None

    def to_modular(self, prime: int = DEFAULT_PRIME) -> "RACWeights":
        """Integer-valued weights as exact weights modulo ``prime`` (floats must be integral)."""
        return RACWeights(self.spec, self.W_H, self.W_I, self.h0, self.W_O, prime=prime)

    def to_float(self) -> "RACWeights":
        """The same numbers as float64 weights (modular entries as their representatives)."""
        return RACWeights(self.spec, self.W_H, self.W_I, self.h0, self.W_O, prime=None)

    def select_output(self, c: int) -> "RACWeights":
        """Weights with one output ``y_c`` only (K = 1)."""
        if not 0 <= c < self.spec.K:
            raise WeightsError(f"output index must be in 0..{self.spec.K - 1}, got {c}")
        return RACWeights(self.spec.replace(K=1), self.W_H, self.W_I, self.h0, self.W_O[c : c + 1], self.prime)


def random_weights(
    spec: RACSpec, rng: RngLike = 0, *, kind: str = "gaussian", stabilize: bool = True
) -> RACWeights:
    """Float64 weights, scaled as in the module docstring.

    Parameters
    ----------
    spec : RACSpec
    rng : int or numpy Generator, default 0
        Seed (one convention across tnrnn: every random choice takes ``rng``, default 0,
        so the same call gives the same answer; pass a Generator to continue a stream).
    kind : {"gaussian", "uniform"}
    stabilize : bool, default True
        Rescale each ``W^{H,l}`` so that ``ln ||h^l_t||`` has no drift per step.
    """
    gen = as_rng(rng)
    if kind == "gaussian":
        draw = lambda shape, var: gen.normal(0.0, np.sqrt(var), size=shape)  # noqa: E731
    elif kind == "uniform":
        draw = lambda shape, var: gen.uniform(-np.sqrt(3 * var), np.sqrt(3 * var), size=shape)  # noqa: E731
    else:
        raise WeightsError(f"kind must be 'gaussian' or 'uniform', got {kind!r}")
    R = spec.R
    W_H, W_I, h0 = [], [], []
    for l in range(1, spec.L + 1):
        W_H.append(draw((R, R), 1.0 / R))
        W_I.append(draw((R, spec.input_dim(l)), 1.0 / spec.input_dim(l)))
        h0.append(draw((R,), 1.0))
    W_O = draw((spec.K, R), 1.0)
    weights = RACWeights(spec, tuple(W_H), tuple(W_I), tuple(h0), W_O)
    return _stabilize(weights, gen) if stabilize else weights


_PROBE_N, _BURN_IN, _PROBE_STEPS = 64, 32, 256


def _stabilize(weights: RACWeights, gen: np.random.Generator) -> RACWeights:
    """Divide each W^{H,l} by exp(growth rate of ln||h^l_t||), bottom layer first."""
    from .rac import advance, initial_states  # rac imports this module

    spec = weights.spec
    probe = gen.normal(size=(_PROBE_N, _BURN_IN + _PROBE_STEPS, spec.M))
    # Every layer is renormalised to rms 1 after every step; h^l_t is linear in h^l_{t-1}
    # and in h^{l-1}_t, so the sum of log rms values is layer l's growth when it is fed
    # unit-rms states. Rescaling W^{H,l} does not change the normalised layers below, so
    # one pass measures every layer.
    h = initial_states(weights, _PROBE_N)
    log_rms = np.zeros((_PROBE_N, spec.L))
    for t in range(_BURN_IN + _PROBE_STEPS):
        h = advance(weights, h, probe[:, t : t + 1])
        rms = np.sqrt(np.mean(h**2, axis=2))  # (N, L)
        rms[rms == 0] = 1.0
        if t >= _BURN_IN:
            log_rms += np.log(rms)
        h = h / rms[:, :, None]
    rates = log_rms.mean(axis=0) / _PROBE_STEPS
    scales = tuple(float(np.exp(-r)) for r in rates)
    W_H = [w * c for w, c in zip(weights.W_H, scales)]
    return RACWeights(spec, tuple(W_H), weights.W_I, weights.h0, weights.W_O, scales=scales)


def random_modular_weights(spec: RACSpec, rng: RngLike = 0, *, prime: int = DEFAULT_PRIME) -> RACWeights:
    """Uniform random weights in ``F_p`` (int64 entries in ``[0, prime)``); ``rng`` as in
    :func:`random_weights` (default 0)."""
    p = check_prime(prime)
    gen = as_rng(rng)
    R = spec.R
    draw = lambda shape: gen.integers(0, p, size=shape, dtype=np.int64)  # noqa: E731
    W_H = tuple(draw((R, R)) for _ in range(spec.L))
    W_I = tuple(draw((R, spec.input_dim(l))) for l in range(1, spec.L + 1))
    h0 = tuple(draw((R,)) for _ in range(spec.L))
    return RACWeights(spec, W_H, W_I, h0, draw((spec.K, R)), prime=p)
