"""The cell base class, the registry of cell kinds and :func:`parse_cell`.

A cell is one layer's recurrence ``h^l_t = cell(h^l_{t-d_l}, h^{l-1}_t)``. Each kind is a
subclass of :class:`Cell` in its own module, registered with :func:`register_cell`; the
rest of tnrnn asks the cell object (its parameters, its step, its piece of the network,
the dimensions the bounds need, its legend) and never tests its name.

A cell is also the string of its canonical name (``Cell`` subclasses ``str``), so
``spec.cells[0] == "mi"`` holds and cells go into JSON as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Mapping

import numpy as np

from ..errors import SpecError
from ..nodekind import NodeKind

__all__ = ["Cell", "CoreCell", "Site", "register_cell", "unregister_cell", "parse_cell", "cell_kinds", "MAX_BOND"]

#: The largest bond dimension a network holds (``edge_dim`` is int64).
MAX_BOND = 2**63 - 1

_REGISTRY: dict[str, type["Cell"]] = {}
_PARSED: dict[str, "Cell"] = {}
_TEXT = re.compile(r"([a-z_][a-z0-9_]*)(?::(.*))?\Z", re.S)


@dataclass(frozen=True)
class Site:
    """One site of a layer in the network: its node kinds (in node order) and its edges.

    ``edges`` holds ``(u, u_leg, v, v_leg, dim)``: ``u`` is a node offset in the site, or
    ``"prev"`` (the node holding the previous state) or ``"below"`` (the node holding the
    state of the layer below); ``v`` is an offset; ``dim`` is ``"S"`` (this layer's state
    dimension), ``"B"`` (the state dimension below) or ``"I"`` (the cell's inner
    dimension). ``out`` is ``(offset, leg)`` of the leg carrying the new state.
    """

    kinds: tuple[NodeKind, ...]
    edges: tuple[tuple, ...]
    out: tuple[int, int]


#: The merged form of every cell: one CORE node, ``C[a, b, c]`` (previous, below, out).
CORE_SITE = Site((NodeKind.CORE,), (("prev", None, 0, 0, "S"), ("below", None, 0, 1, "B")), (0, 2))
#: The site of a multiplicative-integration step: DELTA joining W_H and W_I.
DELTA_SITE = Site((NodeKind.DELTA, NodeKind.W_H, NodeKind.W_I),
                  (("prev", None, 1, 1, "S"), (1, 0, 0, 0, "I"), ("below", None, 2, 1, "B"), (2, 0, 0, 1, "I")),
                  (0, 2))


class Cell(str):
    """One kind of recurrent cell; an instance is one parametrised cell (e.g. ``cp:2``).

    Subclasses set :attr:`name` (the text before any ``:``), :attr:`syntax` (for error
    messages) and override the methods below. Parameters are named by the slots of
    :class:`tnrnn.weights.RACWeights` (``W_H``, ``W_I``, ``h0``, ``U``, ``A``, ``b_H``, ``b_I``).
    """

    name: ClassVar[str] = ""
    syntax: ClassVar[str] = ""
    #: True where the layer may have biases (``bias=True`` in the spec).
    supports_bias: ClassVar[bool] = False
    #: True where the layer's network needs the constant coordinate of every state and of
    #: the input (a spec with such a layer has ``bias=True``; e.g. ``glru``).
    needs_constant: ClassVar[bool] = False
    #: True where the plain RAC's vectorised kernels compute this cell (with one width,
    #: no bias and dilation 1 in every layer).
    plain_kernel: ClassVar[bool] = False
    #: True where a step is bilinear in (previous state, input).
    bilinear: ClassVar[bool] = True
    #: Number of random weight factors one step multiplies in (the degree of a step in the
    #: weights; biases add none).
    weight_degree: ClassVar[int] = 2
    #: The parameters the stabiliser divides by its factor (bias-free names; with bias
    #: the cell's :meth:`scaled` may add more).
    scaled_params: ClassVar[tuple[str, ...]] = ()
    #: Legend labels of the node kinds a site of this cell shows (full form).
    legend: ClassVar[Mapping[NodeKind, str]] = {}
    #: Dotted name of the torch module that trains this cell, where one exists (data only:
    #: the cells never import torch or the experiments).
    torch_module: ClassVar[str | None] = None

    def __new__(cls, text: str | None = None) -> "Cell":
        return str.__new__(cls, text if text is not None else cls.name)

    def __reduce__(self):
        return parse_cell, (str(self),)

    # -- text ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, arg: str | None, given: object) -> "Cell":
        """The cell from the text after ``name:`` (None when there is no ``:``)."""
        if arg is not None:
            raise SpecError(f"cell {cls.name!r} takes no parameter, got {given!r}")
        return cls()

    # -- parameters -----------------------------------------------------------------------
    def param_shapes(self, R: int, Rb: int, bias: bool) -> dict[str, tuple[int, ...]]:
        """Shape of each parameter of a layer of width R over inputs of dimension Rb, in
        the order they are drawn (``h0`` included)."""
        raise NotImplementedError

    def variance(self, name: str, shape: tuple[int, ...]) -> float:
        """Float entry variance: one over the fan-in (1 for vectors: h0, biases)."""
        return 1.0 if len(shape) == 1 else 1.0 / int(np.prod(shape[1:]))

    def scaled(self, bias: bool) -> tuple[str, ...]:
        """The parameters the stabiliser divides by its factor."""
        return self.scaled_params

    def step(self, params: Mapping[str, np.ndarray], prev: np.ndarray, below: np.ndarray, bias: bool,
             p: int | None) -> np.ndarray:
        """``h^l_t`` (N, R) from ``prev`` (N, R) and ``below`` (N, R_below), float64 or mod p."""
        raise NotImplementedError

    # -- network --------------------------------------------------------------------------
    def site(self, merged: bool) -> Site:
        """Nodes and edges of one site (without the INPUT node of layer 1)."""
        return CORE_SITE if merged else DELTA_SITE

    def bond_dim(self, R: int, bias: bool) -> int:
        """Dimension of the edges carrying the layer's state in the network: R, plus the
        constant coordinate with bias."""
        return R + int(bias)

    def inner_dim(self, state: int) -> int:
        """Dimension of the DELTA node (0 where the cell has none); ``state`` is the
        layer's state dimension."""
        return state

    def node_tensor(self, kind: NodeKind, params: Mapping[str, np.ndarray], bias: bool,
                    p: int | None) -> np.ndarray:
        """The tensor of a weight node of this cell's site (legs as in :mod:`tnrnn.network.model`)."""
        raise NotImplementedError

    # -- facts for the bounds -------------------------------------------------------------
    def state_space_dim(self, R: int, bias: bool) -> int:
        """Dimension of the space the layer's state lives in."""
        return R + int(bias)

    def input_space_dim(self, R: int, R_below: int) -> int:
        """Dimension through which a step reads its input."""
        return R_below

    def ideal_refusal(self, layer: int, L: int) -> str | None:
        """Why the boundary-ideal bound is not proven with this cell in ``layer`` of a
        depth-L net (no bias, no dilation), or None where this cell does not stand in the way."""
        return f"the boundary-ideal bound is not proven for a {str(self)!r} cell"


class CoreCell(Cell):
    """A cell whose site is one CORE node in both forms (no DELTA): its node tensor holds the
    whole bilinear or affine step (``full``, ``glru``)."""

    def site(self, merged: bool) -> Site:
        return CORE_SITE

    def inner_dim(self, state: int) -> int:
        return 0


def register_cell(cls: type[Cell]) -> type[Cell]:
    """Register a :class:`Cell` subclass under ``cls.name`` (usable as a decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Cell)) or not _TEXT.match(cls.name or "") or ":" in cls.name:
        raise SpecError(f"register_cell needs a Cell subclass with a lowercase name, got {cls!r}")
    _REGISTRY[cls.name] = cls
    _PARSED.clear()
    return cls


def unregister_cell(name: str) -> None:
    """Remove a registered kind (for tests that register a fixture cell)."""
    _REGISTRY.pop(name, None)
    _PARSED.clear()


def cell_kinds() -> dict[str, type[Cell]]:
    """The registered kinds, by name."""
    return dict(_REGISTRY)


def expected_cells() -> str:
    forms = [c.syntax for c in _REGISTRY.values()]
    return ", ".join(forms[:-1]) + " or " + forms[-1] if len(forms) > 1 else "".join(forms)


def parse_cell(cell: object) -> Cell:
    """The cell of one layer from its text (``"mi"``, ``"full"``, ``"cp:K"``, ...) or a cell.

    >>> parse_cell("mi"), parse_cell("CP:04"), parse_cell(" full ")
    ('mi', 'cp:4', 'full')
    >>> parse_cell("cp:4").K
    4
    >>> parse_cell("cp:0")
    Traceback (most recent call last):
    ...
    tnrnn.errors.SpecError: cell must be 'mi', 'full', 'glru' or 'cp:K' with K a positive integer, got 'cp:0'
    """
    if isinstance(cell, Cell) and _REGISTRY.get(cell.name) is type(cell):
        return cell
    text = cell.strip().lower() if isinstance(cell, str) else None
    if text is not None and text in _PARSED:
        return _PARSED[text]
    found = _TEXT.match(text) if text is not None else None
    kind = _REGISTRY.get(found.group(1)) if found else None
    if kind is None:
        raise SpecError(f"cell must be {expected_cells()}, got {cell!r}")
    out = kind.parse(found.group(2), cell)
    if len(_PARSED) < 4096:
        _PARSED[text] = out
    return out
