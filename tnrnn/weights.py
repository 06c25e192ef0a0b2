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


#: The per-layer weight fields of each cell (see :func:`layer_shapes`).
LAYER_FIELDS = ("W_H", "W_I", "h0", "U", "A", "b_H", "b_I")


def layer_shapes(spec: RACSpec, layer: int) -> dict[str, tuple[int, ...] | None]:
    """The shape of each per-layer weight of ``layer`` (1-based); None where the cell has none.

    ``mi``: ``W_H`` (R_l, R_l), ``W_I`` (R_l, R_{l-1}) and, with bias, ``b_H``, ``b_I``
    (R_l,). ``cp:K``: ``W_H`` holds V (K, R_l), ``W_I`` holds W (K, R_{l-1}), ``U``
    (R_l, K). ``full``: ``A`` (R_l, R_l, R_{l-1}), ``A[c, a, b]`` (out, previous state,
    below). Every layer has ``h0`` (R_l,).

    >>> spec = RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("cp:4", "full"))
    >>> {k: v for k, v in layer_shapes(spec, 1).items() if v}
    {'W_H': (4, 3), 'W_I': (4, 2), 'h0': (3,), 'U': (3, 4)}
    >>> {k: v for k, v in layer_shapes(spec, 2).items() if v}
    {'h0': (2,), 'A': (2, 2, 3)}
    """
    R, Rb = spec.width(layer), spec.input_dim(layer)
    out: dict[str, tuple[int, ...] | None] = dict.fromkeys(LAYER_FIELDS)
    out["h0"] = (R,)
    cell = spec.cells[layer - 1]
    if cell == "mi":
        out["W_H"], out["W_I"] = (R, R), (R, Rb)
        if spec.bias:
            out["b_H"], out["b_I"] = (R,), (R,)
    elif cell == "full":
        out["A"] = (R, R, Rb)
    else:
        k = spec.cp_rank(layer)
        out["W_H"], out["W_I"], out["U"] = (k, R), (k, Rb), (R, k)
    return out


@dataclass(frozen=True, eq=False)
class RACWeights:
    """All weights of a RAC (or of a member of its family), per layer (index 0 is layer 1).

    Attributes
    ----------
    spec : RACSpec
    W_H : tuple of arrays, each (R, R)
        ``W^{H,l}``; for a ``cp:K`` layer V^l (K, R_l); None for a ``full`` layer.
    W_I : tuple of arrays, (R, M) for layer 1 and (R, R) above
        ``W^{I,l}``; for a ``cp:K`` layer W^l (K, R_{l-1}); None for a ``full`` layer.
    h0 : tuple of arrays, each (R_l,)
    W_O : array (K, R_L)
    prime : int or None
        ``None`` for float64 weights; the modulus for exact integer weights (int64 entries
        in ``[0, prime)``).
    scales : tuple of float or None
        The stabilising factors of :func:`random_weights`.
    U, A, b_H, b_I : tuple or None
        Members only (see :func:`layer_shapes`): ``U^l`` of ``cp`` layers, ``A^l`` of
        ``full`` layers, the biases ``b^{H,l}``, ``b^{I,l}``; None (plain RAC), or one entry
        per layer, None where that layer has no such weight.
    """

    spec: RACSpec
    W_H: tuple[np.ndarray | None, ...]
    W_I: tuple[np.ndarray | None, ...]
    h0: tuple[np.ndarray, ...]
    W_O: np.ndarray
    prime: int | None = None
    scales: tuple[float, ...] | None = None
    U: tuple[np.ndarray | None, ...] | None = None
    A: tuple[np.ndarray | None, ...] | None = None
    b_H: tuple[np.ndarray | None, ...] | None = None
    b_I: tuple[np.ndarray | None, ...] | None = None

    def __post_init__(self) -> None:
        s = self.spec
        if not isinstance(s, RACSpec):
            raise WeightsError(f"spec must be a RACSpec, got {type(s).__name__}")
        if self.prime is not None:
            object.__setattr__(self, "prime", check_prime(self.prime))
        shapes = [layer_shapes(s, l) for l in range(1, s.L + 1)]
        for name in LAYER_FIELDS:
            seq = getattr(self, name)
            needed = any(sh[name] is not None for sh in shapes)
            if seq is None and not needed:
                continue
            if seq is None or isinstance(seq, np.ndarray) or len(seq) != s.L:
                got = "none" if seq is None else (len(seq) if not isinstance(seq, np.ndarray) else "an array")
                raise WeightsError(f"{name} needs one array per layer (L={s.L}) for {s}, got {got}")
            converted = []
            for l, (value, sh) in enumerate(zip(seq, shapes)):
                if sh[name] is None:
                    if value is not None:
                        raise WeightsError(f"{name}[{l}] must be None for {s}: layer {l + 1} "
                                           f"({s.cells[l]}{', bias' if s.bias else ''}) has no {name}")
                    converted.append(None)
                else:
                    converted.append(self._convert(f"{name}[{l}]", value, sh[name]))
            object.__setattr__(self, name, tuple(converted))
        object.__setattr__(self, "W_O", self._convert("W_O", self.W_O, (s.K, s.widths[-1])))

    def _convert(self, name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
        if value is None:
            raise WeightsError(f"{name} must have shape {shape} for {self.spec}, got None")
        arr = np.asarray(value)
        if arr.shape != shape:
            raise WeightsError(f"{name} must have shape {shape} for {self.spec}, got {arr.shape}")
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

    def arrays(self) -> list[np.ndarray]:
        """Every weight array (per-layer fields in layer order, then W_O)."""
        out = []
        for name in LAYER_FIELDS:
            out.extend(a for a in (getattr(self, name) or ()) if a is not None)
        return out + [self.W_O]

    def _fields(self) -> dict:
        return {name: getattr(self, name) for name in ("U", "A", "b_H", "b_I")}

    def to_modular(self, prime: int = DEFAULT_PRIME) -> "RACWeights":
        """Integer-valued weights as exact weights modulo ``prime`` (floats must be integral)."""
        return RACWeights(self.spec, self.W_H, self.W_I, self.h0, self.W_O, prime=prime, **self._fields())

    def to_float(self) -> "RACWeights":
        """The same numbers as float64 weights (modular entries as their representatives)."""
        return RACWeights(self.spec, self.W_H, self.W_I, self.h0, self.W_O, prime=None, **self._fields())

    def select_output(self, c: int) -> "RACWeights":
        """Weights with one output ``y_c`` only (K = 1)."""
        if not 0 <= c < self.spec.K:
            raise WeightsError(f"output index must be in 0..{self.spec.K - 1}, got {c}")
        return RACWeights(self.spec.replace(K=1), self.W_H, self.W_I, self.h0, self.W_O[c : c + 1], self.prime,
                          **self._fields())


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
    if not spec.plain:
        weights = _member_weights(spec, lambda shape, var: draw(shape, var), None)
        return _stabilize_member(weights, gen) if stabilize else weights
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
    draw = lambda shape: gen.integers(0, p, size=shape, dtype=np.int64)  # noqa: E731
    if not spec.plain:
        return _member_weights(spec, lambda shape, var: draw(shape), p)
    R = spec.R
    W_H = tuple(draw((R, R)) for _ in range(spec.L))
    W_I = tuple(draw((R, spec.input_dim(l))) for l in range(1, spec.L + 1))
    h0 = tuple(draw((R,)) for _ in range(spec.L))
    return RACWeights(spec, W_H, W_I, h0, draw((spec.K, R)), prime=p)


def _variance(name: str, shape: tuple[int, ...]) -> float:
    """Entry variance of a member weight: one over the fan-in (1 for h0 and biases)."""
    if name in ("h0", "b_H", "b_I"):
        return 1.0
    return 1.0 / int(np.prod(shape[1:]))


def _member_weights(spec: RACSpec, draw, prime: int | None) -> RACWeights:
    """Weights of a member, drawn layer by layer in the order of :data:`LAYER_FIELDS`, then W_O."""
    fields: dict[str, list] = {name: [] for name in LAYER_FIELDS}
    for l in range(1, spec.L + 1):
        for name, shape in layer_shapes(spec, l).items():
            fields[name].append(None if shape is None else draw(shape, _variance(name, shape)))
    W_O = draw((spec.K, spec.widths[-1]), 1.0)
    extra = {name: tuple(fields[name]) if any(a is not None for a in fields[name]) else None
             for name in ("U", "A", "b_H", "b_I")}
    return RACWeights(spec, tuple(fields["W_H"]), tuple(fields["W_I"]), tuple(fields["h0"]), W_O,
                      prime=prime, **extra)


def _stabilize_member(weights: RACWeights, gen: np.random.Generator) -> RACWeights:
    """The member version of :func:`_stabilize`: the same probes and growth rates, each
    layer's output-side weight (``W^H`` and ``b^H`` for ``mi``, ``U`` for ``cp``, ``A`` for
    ``full``) divided by ``exp(lambda_l)``. Every new state is computed from renormalised
    ones, so ``lambda_l`` is the growth of one application of the cell (with a dilation,
    one step of one of the ``d_l`` interleaved chains). Exact for cells without bias; with
    bias it removes most of the drift."""
    from .cells import member_initial_states, member_step  # cells imports this module

    spec = weights.spec
    probe = gen.normal(size=(_PROBE_N, _BURN_IN + _PROBE_STEPS, spec.M))
    log_rms = np.zeros((_PROBE_N, spec.L))
    t_now = [0]

    def normalise(l: int, h: np.ndarray) -> np.ndarray:
        rms = np.sqrt(np.mean(h**2, axis=1))
        rms[rms == 0] = 1.0
        if t_now[0] >= _BURN_IN:
            log_rms[:, l - 1] += np.log(rms)
        return h / rms[:, None]

    h = member_initial_states(weights, _PROBE_N)
    for t in range(_BURN_IN + _PROBE_STEPS):
        t_now[0] = t
        h = member_step(weights, h, probe[:, t], hook=normalise)
    rates = log_rms.mean(axis=0) / _PROBE_STEPS
    scales = tuple(float(np.exp(-r)) for r in rates)
    fields = {name: list(getattr(weights, name)) if getattr(weights, name) is not None else None
              for name in ("W_H", "U", "A", "b_H")}
    for i, (cell, c) in enumerate(zip(spec.cells, scales)):
        names = {"mi": ("W_H", "b_H"), "full": ("A",)}.get(cell, ("U",))
        for name in names:
            if fields[name] is not None and fields[name][i] is not None:
                fields[name][i] = fields[name][i] * c
    extra = {name: (tuple(v) if v is not None else None) for name, v in fields.items() if name != "W_H"}
    return RACWeights(spec, tuple(fields["W_H"]), weights.W_I, weights.h0, weights.W_O, scales=scales,
                      b_I=weights.b_I, **extra)
