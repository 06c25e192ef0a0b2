"""The RAC specification: inputs M, widths R, layers L, steps T, outputs K, and the cell family.

The default spec is the paper's RAC. The fields ``cell``, ``bias`` and ``dilations`` (and
per-layer widths ``R``) describe the members of issue 17's family:

- ``"mi"`` (multiplicative integration, the RAC):
  ``h^l_t = (W^{H,l} h^l_{t-d_l}) * (W^{I,l} h^{l-1}_t)``; with ``bias=True``
  ``h^l_t = (W^{H,l} h^l_{t-d_l} + b^{H,l}) * (W^{I,l} h^{l-1}_t + b^{I,l})``.
- ``"cp:K"`` (CP-decomposed second order): ``h^l_t = U^l [(V^l h^l_{t-d_l}) * (W^l h^{l-1}_t)]``
  with ``V^l`` K x R_l, ``W^l`` K x R_{l-1}, ``U^l`` R_l x K.
- ``"full"`` (second order): ``h^l_t[c] = sum_{a,b} A^l[c, a, b] h^l_{t-d_l}[a] h^{l-1}_t[b]``.
- dilations ``d_l >= 1``: ``h^l_s = h^l_0`` for ``s <= 0``.

The spec stores each cell by its canonical name (a string); :attr:`RACSpec.cells` gives
the cell objects of :mod:`tnrnn.cells`, which know everything specific to their kind.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .cells import Cell, parse_cell
from .errors import SpecError

__all__ = ["RACSpec", "parse_cell"]

#: The most layers a spec may have: it stores a tuple of L dilations, and deeper nets are far
#: beyond anything tnrnn can compile or evaluate.
MAX_LAYERS = 100_000
#: Largest lower bound on the sites (sum of T / d_l) for which the notebook display counts nodes.
_HTML_COUNT_SITES = 10**6
#: The cell of the paper's RAC, the default (left out of the repr).
DEFAULT_CELL = "mi"


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise SpecError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _per_layer(name: str, value: object, L: int, item) -> int | str | tuple:
    """One value for every layer (returned as it is) or a sequence of L (a tuple; one value
    when all are equal)."""
    if isinstance(value, (tuple, list)):
        if len(value) != L:
            raise SpecError(f"{name} needs one value or one per layer (L={L}), got {len(value)}: {tuple(value)!r}")
        values = tuple(item(name, v) for v in value)
        return values[0] if len(set(values)) == 1 else values
    return item(name, value)


@dataclass(frozen=True, repr=False)
class RACSpec:
    """A Recurrent Arithmetic Circuit, or a member of its family (see the module docstring).

    Parameters
    ----------
    M : int
        Number of representation functions (the input dimension, ``h^0_t = f(x^t)``).
    R : int or tuple of L ints
        Channels (hidden width) of every layer, or one width per layer ``(R_1, ..., R_L)``.
        A tuple of equal widths is stored as one int.
    L : int
        Number of layers; ``L = 1`` is the shallow RAC.
    T : int
        Number of time steps.
    K : int, default 1
        Number of outputs (classes), ``y = W^O h^L_T`` with ``W^O`` of shape K x R_L; the repr
        always shows it (``K=1``). Bounds and ranks are those of one output, so K never changes them.
    cell : str or tuple of L str, default "mi"
        ``"mi"``, ``"cp:K"`` or ``"full"``, for every layer or one per layer.
    bias : bool, default False
        Biases in every layer (``mi`` layers only).
    dilations : int or tuple of L ints, default 1
        The step ``d_l`` of layer l's recurrence; stored as a tuple of L ints.

    Raises
    ------
    SpecError
        One line naming the bad value and what is expected.

    Examples
    --------
    >>> RACSpec(M=2, R=3, L=2, T=4)
    RACSpec(M=2, R=3, L=2, T=4, K=1)
    >>> RACSpec(M=2, R=(3, 2), L=2, T=6, cell="cp:2", dilations=(1, 2))
    RACSpec(M=2, R=(3, 2), L=2, T=6, K=1, cell='cp:2', dilations=(1, 2))
    >>> RACSpec(M=2, R=0, L=1, T=4)
    Traceback (most recent call last):
    ...
    tnrnn.errors.SpecError: R must be a positive integer, got 0
    >>> RACSpec(M=2, R=(3, 2), L=3, T=4)
    Traceback (most recent call last):
    ...
    tnrnn.errors.SpecError: R needs one value or one per layer (L=3), got 2: (3, 2)
    """

    M: int
    R: int | tuple[int, ...]
    L: int
    T: int
    K: int = 1
    cell: str | tuple[str, ...] = DEFAULT_CELL
    bias: bool = False
    dilations: int | tuple[int, ...] = 1

    def __post_init__(self) -> None:
        for name in ("M", "L", "T", "K"):
            object.__setattr__(self, name, _positive_int(name, getattr(self, name)))
        L = self.L
        if L > MAX_LAYERS:  # a spec holds one dilation per layer: refuse before allocating them
            raise SpecError(f"L must be at most {MAX_LAYERS:,} layers, got {L:,}")
        object.__setattr__(self, "R", _per_layer("R", self.R, L, _positive_int))
        object.__setattr__(self, "cell", _per_layer("cell", self.cell, L, lambda _, c: str(parse_cell(c))))
        dil = _per_layer("dilations", self.dilations, L, _positive_int)
        object.__setattr__(self, "dilations", dil if isinstance(dil, tuple) else (dil,) * L)
        if type(self.bias) is not bool and not (isinstance(self.bias, numbers.Integral) and int(self.bias) in (0, 1)):
            raise SpecError(f"bias must be True or False, got {self.bias!r}")
        needy = [str(c) for c in self.cells if c.needs_constant]
        object.__setattr__(self, "bias", bool(self.bias) or bool(needy))
        if needy and not all(c.supports_bias for c in self.cells):
            bad = ", ".join(sorted({repr(str(c)) for c in self.cells if not c.supports_bias}))
            raise SpecError(f"cell {needy[0]!r} needs the constant coordinate (bias), which {bad} layers do not "
                            f"have, got cell={self.cell!r}; stack it with 'mi' or {needy[0]!r} layers")
        if self.bias and not all(c.supports_bias for c in self.cells):
            raise SpecError(f"bias is defined for 'mi' layers only, got cell={self.cell!r}; drop bias or use cell='mi'")

    def __repr__(self) -> str:
        text = f"RACSpec(M={self.M}, R={self.R}, L={self.L}, T={self.T}, K={self.K}"
        if self.cell != DEFAULT_CELL:
            text += f", cell={self.cell!r}"
        if self.bias:
            text += ", bias=True"
        if any(d != 1 for d in self.dilations):
            text += f", dilations={self._dilations_value()!r}"
        return text + ")"

    # -- normalised views -----------------------------------------------------------
    @property
    def widths(self) -> tuple[int, ...]:
        """``(R_1, ..., R_L)``."""
        return self.R if isinstance(self.R, tuple) else (self.R,) * self.L

    @property
    def cells(self) -> tuple[Cell, ...]:
        """The cell object of each layer (:mod:`tnrnn.cells`); each equals its name, e.g.
        ``('mi', 'cp:2')``."""
        cached = self.__dict__.get("_cells")
        if cached is None:  # parsed once per spec (not a field: no effect on eq, hash, repr)
            names = self.cell if isinstance(self.cell, tuple) else (self.cell,) * self.L
            cached = tuple(parse_cell(c) for c in names)
            object.__setattr__(self, "_cells", cached)
        return cached

    def _dilations_value(self) -> int | tuple[int, ...]:
        """The dilations as given: one int when all layers share it."""
        d = self.dilations
        return d[0] if len(set(d)) == 1 else d

    def dilation_of(self, layer: int) -> int:
        """``d_l`` of ``layer`` (1-based)."""
        return self.dilations[self._layer(layer) - 1]

    def cp_rank(self, layer: int) -> int | None:
        """K of a ``cp:K`` layer, None for other cells."""
        return getattr(self.cells[self._layer(layer) - 1], "K", None)

    @property
    def plain(self) -> bool:
        """True for the paper's RAC: one width, all ``mi``, no bias, every dilation 1."""
        return (isinstance(self.R, int) and not self.bias and all(d == 1 for d in self.dilations)
                and all(c.plain_kernel for c in self.cells))

    @property
    def shallow(self) -> bool:
        """True for ``L == 1`` (the network is a matrix product state)."""
        return self.L == 1

    def _layer(self, layer: int) -> int:
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not 1 <= layer <= self.L:
            raise SpecError(f"layer must be in 1..{self.L}, got {layer!r}")
        return int(layer)

    def width(self, layer: int) -> int:
        """``R_l`` of ``layer`` (1-based); ``width(0)`` is M."""
        return self.M if layer == 0 else self.widths[self._layer(layer) - 1]

    def input_dim(self, layer: int) -> int:
        """Dimension of the input of ``layer`` (1-based): ``M`` for layer 1, else ``R_{l-1}``."""
        return self.M if self._layer(layer) == 1 else self.widths[layer - 2]

    def state_dim(self, layer: int) -> int:
        """Dimension of layer l's state in the network: ``R_l``, plus 1 with bias (the
        constant coordinate; :meth:`tnrnn.cells.Cell.bond_dim`); ``state_dim(0)`` is that of
        the input, ``M`` (+ 1)."""
        if layer == 0:
            return self.M + int(self.bias)
        return self.cells[self._layer(layer) - 1].bond_dim(self.width(layer), self.bias)

    def _repr_html_(self) -> str:
        """Notebook display: the fields and the size of the network (no drawing)."""
        from ._html import html_table, spec_text
        from .netsize import count_cost, spec_network_size
        from .numbers import format_int

        kind = "shallow: a matrix product state" if self.L == 1 else "deep: a duplicated-input lattice"
        rows = [("spec", spec_text(self)), ("network", kind),
                ("outputs", f"K = {self.K} (y = W^O h^L_T; bounds and ranks are per output)")]
        if count_cost(self) <= _HTML_COUNT_SITES:
            rows.append(("nodes (full form)", format_int(spec_network_size(self)[0])))
        return html_table("RACSpec", rows)

    def fields(self) -> dict:
        """The spec as JSON-ready values: M, R, L, T, K, cell, bias, dilations (tuples as
        lists; ``cell``/``R`` one value when all layers share it).

        >>> RACSpec(M=2, R=(3, 2), L=2, T=4, cell="cp:2").fields()
        {'M': 2, 'R': [3, 2], 'L': 2, 'T': 4, 'K': 1, 'cell': 'cp:2', 'bias': False, 'dilations': [1, 1]}
        """
        out = {"M": self.M, "R": self.R, "L": self.L, "T": self.T, "K": self.K, "cell": self.cell,
               "bias": self.bias, "dilations": self.dilations}
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}

    def replace(self, **changes: object) -> "RACSpec":
        """A copy with some fields changed (validated again)."""
        fields = {"M": self.M, "R": self.R, "L": self.L, "T": self.T, "K": self.K,
                  "cell": self.cell, "bias": self.bias, "dilations": self._dilations_value()}
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            raise SpecError(f"replace got unknown fields {unknown}; RACSpec has {sorted(fields)}")
        fields.update(changes)
        return RACSpec(**fields)
