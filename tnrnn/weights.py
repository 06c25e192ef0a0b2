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

Every spec, one path
--------------------
Each layer holds the parameters its cell declares (:meth:`tnrnn.cells.Cell.param_shapes`,
stored in the slots ``W_H``, ``W_I``, ``h0``, ``U``, ``A``, ``b_H``, ``b_I``;
:meth:`RACWeights.layer_params` gives them by name), drawn with the cell's variances and
rescaled by one stabiliser (the cell names what it scales). Float draws go layer by layer,
exact draws name by name, as tnrnn always drew the plain RAC, so seeds keep giving the
same plain weights.

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
from .cells.step import advance_states, initial_states, newest_states
from .spec import RACSpec

__all__ = ["RACWeights", "random_weights", "random_modular_weights"]


#: The per-layer weight fields of each cell (see :func:`layer_shapes`).
LAYER_FIELDS = ("W_H", "W_I", "h0", "U", "A", "b_H", "b_I")


def layer_shapes(spec: RACSpec, layer: int) -> dict[str, tuple[int, ...] | None]:
    """The shape of each per-layer weight of ``layer`` (1-based), as its cell declares them
    (:meth:`tnrnn.cells.Cell.param_shapes`); None where the cell has none.

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
    out: dict[str, tuple[int, ...] | None] = dict.fromkeys(LAYER_FIELDS)
    cell = spec.cells[layer - 1]
    out.update(cell.param_shapes(spec.width(layer), spec.input_dim(layer), spec.bias))
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

    def layer_params(self, index: int) -> dict[str, np.ndarray]:
        """The parameters of layer ``index + 1`` (index 0 is layer 1), by the names its cell
        declares (:meth:`tnrnn.cells.Cell.param_shapes`)."""
        s = self.spec
        names = s.cells[index].param_shapes(s.widths[index], s.input_dim(index + 1), s.bias)
        return {name: getattr(self, name)[index] for name in names}

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
    weights = _draw_weights(spec, draw, None)
    return _stabilize(weights, gen) if stabilize else weights


_PROBE_N, _BURN_IN, _PROBE_STEPS = 64, 32, 256


def random_modular_weights(spec: RACSpec, rng: RngLike = 0, *, prime: int = DEFAULT_PRIME) -> RACWeights:
    """Uniform random weights in ``F_p`` (int64 entries in ``[0, prime)``); ``rng`` as in
    :func:`random_weights` (default 0)."""
    p = check_prime(prime)
    gen = as_rng(rng)
    return _draw_weights(spec, lambda shape, var: gen.integers(0, p, size=shape, dtype=np.int64), p)


def _draw_weights(spec: RACSpec, draw, prime: int | None) -> RACWeights:
    """Every spec's weights, as its cells declare them (shapes, float variances), then W_O.

    The order of the draws is that of tnrnn's first releases, kept so that seeds give the
    same weights: float weights layer by layer (each layer's parameters in the order its
    cell declares them), exact weights name by name (every layer's ``W_H``, then every
    ``W_I``, and so on in the order of :data:`LAYER_FIELDS`).
    """
    shapes = [layer_shapes(spec, l) for l in range(1, spec.L + 1)]
    cells = spec.cells
    fields: dict[str, list] = {name: [None] * spec.L for name in LAYER_FIELDS}
    if prime is None:
        order = [(i, name) for i, cell in enumerate(cells)
                 for name in cell.param_shapes(spec.widths[i], spec.input_dim(i + 1), spec.bias)]
    else:
        order = [(i, name) for name in LAYER_FIELDS for i in range(spec.L) if shapes[i][name] is not None]
    for i, name in order:
        shape = shapes[i][name]
        fields[name][i] = draw(shape, cells[i].variance(name, shape))
    W_O = draw((spec.K, spec.widths[-1]), 1.0)
    return _assemble(spec, fields, W_O, prime, None)


def _assemble(spec: RACSpec, fields: dict, W_O: np.ndarray, prime: int | None, scales) -> RACWeights:
    """RACWeights from per-layer lists of every field (all-None fields passed as None)."""
    given = {name: (tuple(v) if any(a is not None for a in v) else None) for name, v in fields.items()}
    for name in ("W_H", "W_I", "h0"):  # always given, possibly as L Nones (full cells)
        given[name] = tuple(fields[name])
    return RACWeights(spec, given.pop("W_H"), given.pop("W_I"), given.pop("h0"), W_O, prime=prime, scales=scales,
                      **given)


def _stabilize(weights: RACWeights, gen: np.random.Generator) -> RACWeights:
    """Divide each layer's output-side parameters (its cell's :meth:`~tnrnn.cells.Cell.scaled`:
    ``W^H`` (and ``b^H``) for ``mi``, ``U`` for ``cp``, ``A`` for ``full``) by
    ``exp(lambda_l)``, the growth rate of ``ln ||h^l_t||`` per step.

    Every layer is renormalised to rms 1 after every step; h^l_t is linear in h^l_{t-d_l}
    and in h^{l-1}_t (without bias), so the sum of log rms values is layer l's growth when
    it is fed unit-rms states. Rescaling a layer does not change the normalised layers
    below, so one pass measures every layer (with a dilation, one step of one of the
    ``d_l`` interleaved chains). Exact for cells without bias; with bias it removes most
    of the drift.
    """
    spec = weights.spec
    probe = gen.normal(size=(_PROBE_N, _BURN_IN + _PROBE_STEPS, spec.M))
    h = initial_states(weights, _PROBE_N)
    log_rms = np.zeros((_PROBE_N, spec.L))
    for t in range(_BURN_IN + _PROBE_STEPS):
        h = advance_states(weights, h, probe[:, t : t + 1])
        newest = newest_states(spec, h)
        rms = np.stack([np.sqrt(np.mean(v**2, axis=1)) for v in newest], axis=1)  # (N, L)
        rms[rms == 0] = 1.0
        if t >= _BURN_IN:
            log_rms += np.log(rms)
        for l, v in enumerate(newest):
            v /= rms[:, l, None]
    rates = log_rms.mean(axis=0) / _PROBE_STEPS
    scales = tuple(float(np.exp(-r)) for r in rates)
    fields = {name: list(getattr(weights, name) or (None,) * spec.L) for name in LAYER_FIELDS}
    for i, (cell, c) in enumerate(zip(spec.cells, scales)):
        for name in cell.scaled(spec.bias):
            fields[name][i] = fields[name][i] * c
    return _assemble(spec, fields, weights.W_O, None, scales)
