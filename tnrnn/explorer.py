"""An interactive explorer for notebooks (needs the ``jupyter`` extra: ipywidgets).

``tnrnn.explorer.explore()`` shows sliders for M, R, L and T, a partition picker
(start-end, interleaved, split:k, or steps clicked into side A or B), and, updated live,
the drawing with its min cut, the min-cut bound and the exact separation rank when it is
small enough to compute quickly. It sits on top of the public API (top layer, like the CLI).

Examples
--------
>>> from tnrnn.explorer import Explorer          # doctest: +SKIP
>>> Explorer(M=2, R=2, L=2, T=6).widget          # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .drawing import Style, draw
from .drawing.figure import figure_bytes
from .errors import TnrnnError
from .mincut import mincut_bound
from .network import compile_network
from .numbers import format_int
from .partition import Partition
from .spec import RACSpec

__all__ = ["Explorer", "Snapshot", "explore", "RANK_LIMIT", "NODE_LIMIT"]

#: The exact rank is computed live only when the min-cut bound is at most this.
RANK_LIMIT = 400
#: Networks with more nodes are described, not drawn (keeps every update under a second or two).
NODE_LIMIT = 20_000
_MODES = ("start-end", "interleaved", "split", "clicked")


def _widgets():
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - depends on the environment
        raise TnrnnError("the explorer needs ipywidgets: pip install -e '.[jupyter]'") from None
    return ipywidgets


class Explorer:
    """The widgets and their state; ``widget`` is what a notebook displays.

    Attributes
    ----------
    widget : ipywidgets.VBox
    image : ipywidgets.Image
        The drawing (PNG).
    numbers : ipywidgets.HTML
        The spec, the partition, the min-cut bound and the exact rank (or why not).
    sliders : dict of ipywidgets.IntSlider
        ``M``, ``R``, ``L``, ``T``, ``k`` (the split step).
    mode : ipywidgets.ToggleButtons
        ``start-end``, ``interleaved``, ``split`` or ``clicked``.
    steps : list of ipywidgets.ToggleButton
        One per step; pressed = side A (used in ``clicked`` mode; clicking switches to it).
    """

    def __init__(self, M: int = 2, R: int = 2, L: int = 2, T: int = 6, partition: str = "start-end",
                 style: Style | None = None, rng: int = 0) -> None:
        w = _widgets()
        self.style = style or Style(dpi=80)
        self.rng = rng
        self.sliders = {
            "M": w.IntSlider(value=M, min=1, max=6, description="M (inputs)"),
            "R": w.IntSlider(value=R, min=1, max=6, description="R (channels)"),
            "L": w.IntSlider(value=L, min=1, max=4, description="L (layers)"),
            "T": w.IntSlider(value=T, min=2, max=24, step=1, description="T (steps)"),
            "k": w.IntSlider(value=max(1, T // 2), min=1, max=T - 1, description="split at k"),
        }
        self.mode = w.ToggleButtons(options=_MODES, value=partition if partition in _MODES else "start-end")
        self.steps_box = w.HBox()
        self.steps: list = []
        self.image = w.Image(format="png")
        self.numbers = w.HTML()
        self._building = False
        for s in self.sliders.values():
            s.observe(self._changed, names="value")
        self.mode.observe(self._changed, names="value")
        self.widget = w.VBox([w.HBox([self.sliders["M"], self.sliders["R"]]),
                              w.HBox([self.sliders["L"], self.sliders["T"]]),
                              w.HBox([self.mode, self.sliders["k"]]), self.steps_box,
                              self.numbers, self.image])
        self._make_steps()
        self.update()

    # -- state -------------------------------------------------------------------------
    @property
    def spec(self) -> RACSpec:
        v = {k: self.sliders[k].value for k in "MRLT"}
        return RACSpec(**v)

    def partition(self) -> Partition:
        """The partition the controls describe (raises a TnrnnError if they describe none)."""
        T = self.spec.T
        mode = self.mode.value
        if mode == "split":
            return Partition.split(T, min(self.sliders["k"].value, T - 1))
        if mode == "clicked":
            return Partition.from_sets([i + 1 for i, b in enumerate(self.steps) if b.value], T)
        return Partition.parse(mode, T)

    def _make_steps(self) -> None:
        w = _widgets()
        T = self.sliders["T"].value
        try:
            current = set(self.partition().A)
        except TnrnnError:
            current = set(range(1, T // 2 + 1))
        self._building = True
        self.steps = [w.ToggleButton(value=t in current, description=str(t), tooltip=f"step {t}: pressed = side A",
                                     layout=w.Layout(width="2.6em")) for t in range(1, T + 1)]
        for b in self.steps:
            b.observe(self._clicked, names="value")
        self.steps_box.children = tuple(self.steps)
        self._building = False

    def _clicked(self, change: Any) -> None:
        if self._building:
            return
        if self.mode.value != "clicked":
            self.mode.value = "clicked"  # triggers an update
        else:
            self.update()

    def _changed(self, change: Any) -> None:
        if self._building:
            return
        owner = change["owner"]
        if owner is self.sliders["T"]:
            T = change["new"]
            self._building = True
            self.sliders["k"].max = T - 1
            self.sliders["k"].value = min(self.sliders["k"].value, T - 1)
            self._building = False
        if owner is self.sliders["T"] or (owner is self.mode and change["new"] != "clicked"):
            if owner is self.sliders["T"] and self.mode.value == "clicked":
                self.mode.value = "start-end" if change["new"] % 2 == 0 else "split"
            self._make_steps()
        self.update()

    # -- output ------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the drawing, the bound and (when small) the exact rank."""
        spec = self.spec
        try:
            part = self.partition()
        except TnrnnError as err:
            self.numbers.value = f"<b>{spec_line(spec)}</b><br>partition: {_esc(str(err))}"
            self.image.value = b""
            return
        net = compile_network(spec, merged=None if spec.L < 3 else True, max_nodes=5 * NODE_LIMIT)
        cut = mincut_bound(net, part)
        lines = [f"<b>{spec_line(spec)}</b>", f"partition {_esc(str(part))}",
                 f"min-cut bound: {format_int(cut.bound)} = {_esc(cut.factored())} "
                 f"({cut.n_cut} cut edge{'s' if cut.n_cut != 1 else ''})"]
        if cut.bound <= RANK_LIMIT:
            from .rank import separation_rank

            res = separation_rank(spec, part, rng=self.rng)
            lines.append(f"exact separation rank (over F_p): <b>{format_int(res.rank)}</b>")
        else:
            lines.append(f"exact rank not computed live (min-cut bound above {RANK_LIMIT}; "
                         "use tnrnn.separation_rank)")
        self.numbers.value = "<br>".join(lines)
        if net.n_nodes > NODE_LIMIT:
            self.image.value = b""
            lines.append(f"network of {format_int(net.n_nodes)} nodes: not drawn live")
            self.numbers.value = "<br>".join(lines)
            return
        self.image.value = figure_bytes(draw(net, part, cut=cut, style=self.style), "png")

    def snapshot(self) -> Snapshot:
        """The current drawing and numbers as a static :class:`Snapshot` (a fallback image
        for places that do not run widgets)."""
        return Snapshot(bytes(self.image.value), self.numbers.value)


class Snapshot:
    """What the explorer shows at one moment, as a static picture (PNG) and text.

    Displayed in a notebook it is an ordinary image output, so it renders where widgets do
    not (GitHub, nbconvert, a PDF export).
    """

    def __init__(self, png: bytes, html_text: str) -> None:
        self.png, self.html = png, html_text

    @property
    def text(self) -> str:
        """The numbers without markup."""
        import html
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.html.replace("<br>", "\n")))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": self.text}
        if self.png:
            bundle["image/png"] = self.png
        return bundle

    def __repr__(self) -> str:
        return self.text


def spec_line(spec: RACSpec) -> str:
    return f"M={spec.M}, R={spec.R}, L={spec.L}, T={spec.T}"


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def explore(M: int = 2, R: int = 2, L: int = 2, T: int = 6, partition: str = "start-end", **kwargs: Any):
    """The explorer's widget (display it as the last expression of a cell)."""
    return Explorer(M, R, L, T, partition, **kwargs).widget
