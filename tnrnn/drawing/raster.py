"""Pixel overviews of networks too large to draw mark by mark (numpy only).

The layouts are made of horizontal and vertical edges only, so a whole network rasterises
in O(nodes + pixels) with difference arrays: +1 where a segment starts, -1 past its end,
then a cumulative sum along the segment's direction.
"""

from __future__ import annotations

import numpy as np

from ..network.model import RACNetwork
from .layout import Layout

__all__ = ["overview_image"]


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)


def overview_image(network: RACNetwork, lay: Layout, sides: np.ndarray, shape: tuple[int, int],
                   extent: tuple[float, float, float, float], colours: dict[str, str]) -> np.ndarray:
    """An RGB image (rows top to bottom) of the visible edges and nodes.

    Parameters
    ----------
    network, lay : the network and its layout
    sides : ndarray of int8
        0 (no side), 1 (A) or 2 (B) per node, as from :func:`~tnrnn.drawing.render.node_sides`.
    shape : (height, width) in pixels
    extent : (xmin, xmax, ymin, ymax) in layout units, mapped onto the image borders
    colours : dict with ``'line'``, ``'neutral'``, ``'side_a'``, ``'side_b'`` hex colours

    Returns
    -------
    ndarray of uint8, shape (height, width, 3)
    """
    h, w = shape
    xmin, xmax, ymin, ymax = extent

    def pix(p):
        col = np.rint((p[:, 0] - xmin) / (xmax - xmin) * (w - 1)).astype(np.int64)
        row = np.rint((ymax - p[:, 1]) / (ymax - ymin) * (h - 1)).astype(np.int64)
        return np.clip(row, 0, h - 1), np.clip(col, 0, w - 1)

    e = np.flatnonzero(lay.edge_visible)
    a, b = lay.pos[network.edge_u[e]], lay.pos[network.edge_v[e]]
    if lay.routes:  # wrapped chain edges: one segment per piece of the route
        paths = lay.edge_paths(network.edge_u, network.edge_v, np.fromiter(lay.routes, dtype=np.int64))
        a = np.concatenate([a, *(p[:-1] for p in paths)])
        b = np.concatenate([b, *(p[1:] for p in paths)])
    ru, cu = pix(a)
    rv, cv = pix(b)
    horiz = np.zeros((h, w + 1), dtype=np.int32)
    vert = np.zeros((h + 1, w), dtype=np.int32)
    flat = ru == rv  # horizontal (or a single pixel)
    c0, c1 = np.minimum(cu, cv)[flat], np.maximum(cu, cv)[flat]
    np.add.at(horiz, (ru[flat], c0), 1)
    np.add.at(horiz, (ru[flat], c1 + 1), -1)
    up = ~flat
    r0, r1 = np.minimum(ru, rv)[up], np.maximum(ru, rv)[up]
    np.add.at(vert, (r0, cu[up]), 1)
    np.add.at(vert, (r1 + 1, cu[up]), -1)
    ink = (np.cumsum(horiz, axis=1)[:, :w] > 0) | (np.cumsum(vert, axis=0)[:h] > 0)
    img = np.full((h, w, 3), 255, dtype=np.uint8)
    img[ink] = _hex_rgb(colours["line"])
    nodes = np.flatnonzero(lay.visible)
    r, c = pix(lay.pos[nodes])
    for code, name in ((0, "line"), (1, "side_a"), (2, "side_b")):
        sel = sides[nodes] == code
        img[r[sel], c[sel]] = _hex_rgb(colours[name])
    return img
