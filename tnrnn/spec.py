"""The RAC specification: inputs M, channels R, layers L, steps T, outputs K."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .errors import SpecError

__all__ = ["RACSpec"]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise SpecError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class RACSpec:
    """A Recurrent Arithmetic Circuit: ``h^l_t = (W^{H,l} h^l_{t-1}) * (W^{I,l} h^{l-1}_t)``.

    Parameters
    ----------
    M : int
        Number of representation functions (the input dimension, ``h^0_t = f(x^t)``).
    R : int
        Channels (hidden width) of every layer.
    L : int
        Number of layers; ``L = 1`` is the shallow RAC.
    T : int
        Number of time steps.
    K : int, default 1
        Number of outputs ``y = W^O h^L_T``.

    Raises
    ------
    SpecError
        If any field is not a positive integer.

    Examples
    --------
    >>> RACSpec(M=2, R=3, L=2, T=4)
    RACSpec(M=2, R=3, L=2, T=4, K=1)
    >>> RACSpec(M=2, R=0, L=1, T=4)
    Traceback (most recent call last):
    ...
    tnrnn.errors.SpecError: R must be a positive integer, got 0
    """

    M: int
    R: int
    L: int
    T: int
    K: int = 1

    def __post_init__(self) -> None:
        for name in ("M", "R", "L", "T", "K"):
            object.__setattr__(self, name, _positive_int(name, getattr(self, name)))

    @property
    def shallow(self) -> bool:
        """True for ``L == 1`` (the network is a matrix product state)."""
        return self.L == 1

    def input_dim(self, layer: int) -> int:
        """Dimension of the input of ``layer`` (1-based): ``M`` for layer 1, else ``R``."""
        if not 1 <= layer <= self.L:
            raise SpecError(f"layer must be in 1..{self.L}, got {layer!r}")
        return self.M if layer == 1 else self.R

    def _repr_html_(self) -> str:
        """Notebook display: the fields and the size of the network (no drawing)."""
        from ._html import html_table, spec_text
        from .formulas import network_size
        from .numbers import format_int

        kind = "shallow: a matrix product state" if self.L == 1 else "deep: a duplicated-input lattice"
        return html_table("RACSpec", [
            ("spec", spec_text(self)), ("network", kind),
            ("nodes (full form)", format_int(network_size(self.M, self.R, self.L, self.T)[0])),
        ])

    def replace(self, **changes: int) -> "RACSpec":
        """A copy with some fields changed (validated again)."""
        fields = {"M": self.M, "R": self.R, "L": self.L, "T": self.T, "K": self.K}
        fields.update(changes)
        return RACSpec(**fields)
