"""Legible deep lattices: no text overlaps, page-friendly aspect, one band per layer row."""

import numpy as np
import pytest

from tnrnn import RACSpec, Style, compile_network, mincut_bound
from tnrnn.drawing import draw, network_layout
from tnrnn.drawing.render import figure_units
from tnrnn.network.model import NodeKind as K


def _text_boxes(fig):
    """Display-space boxes (x0, y0, x1, y1) and strings of every visible text, as rendered."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in fig.findobj(lambda a: type(a).__name__ == "Text")
             if t.get_visible() and t.get_text().strip()]
    boxes = np.array([list(t.get_window_extent(renderer).extents) for t in texts]).reshape(-1, 4)
    return boxes, [t.get_text() for t in texts]


def _overlaps(boxes, slack=0.5):
    """Pairs (i, j) of boxes that overlap by more than ``slack`` pixels both ways."""
    out = []
    for i in range(len(boxes)):
        w = np.minimum(boxes[i, 2], boxes[i + 1:, 2]) - np.maximum(boxes[i, 0], boxes[i + 1:, 0])
        h = np.minimum(boxes[i, 3], boxes[i + 1:, 3]) - np.maximum(boxes[i, 1], boxes[i + 1:, 1])
        out += [(i, i + 1 + j) for j in np.flatnonzero((w > slack) & (h > slack))]
    return out


def _check_legible(L, T, merged, cut, style=None, spec=None):
    net = compile_network(spec or RACSpec(M=2, R=2, L=L, T=T), merged=merged)
    cb = mincut_bound(net, "start-end") if cut else None
    fig = draw(net, "start-end", cut=cb, style=style).figure
    boxes, strings = _text_boxes(fig)
    assert len(strings) > 5
    bad = _overlaps(boxes)
    assert not bad, [(strings[i], strings[j]) for i, j in bad[:5]]
    W, H = fig.bbox.width, fig.bbox.height
    inside = ((boxes[:, 0] >= -0.5) & (boxes[:, 1] >= -0.5)
              & (boxes[:, 2] <= W + 0.5) & (boxes[:, 3] <= H + 0.5))
    assert inside.all(), [s for s, ok in zip(strings, inside) if not ok][:5]
    # no text within 1 point of a partition line (the A/B names sit under its end)
    ax = fig.axes[0]
    lay = network_layout(net, merged=merged or net.n_nodes > Style().max_full_nodes, split=T // 2)
    px = 1.0 * fig.dpi / 72
    for x, y0, y1 in lay.lines:
        (dx, dy0), (_, dy1) = ax.transData.transform([(x, y0), (x, y1)])
        lo, hi = min(dy0, dy1), max(dy0, dy1)
        near = (boxes[:, 0] < dx + px) & (boxes[:, 2] > dx - px) & (boxes[:, 1] < hi) & (boxes[:, 3] > lo)
        assert not near.any(), [s for s, n in zip(strings, near) if n][:5]
    return fig


@pytest.mark.parametrize("L,T,merged,cut", [(3, 6, False, True), (3, 6, True, False), (4, 6, True, True),
                                            (2, 12, False, True), (1, 10, False, True)])
def test_no_text_overlaps_and_labels_clear_of_the_partition_line(L, T, merged, cut):
    _check_legible(L, T, merged, cut)


@pytest.mark.slow
@pytest.mark.parametrize("L,T", [(3, 6), (3, 10), (3, 16), (4, 8), (2, 32)])
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("cut", [False, True])
def test_no_text_overlaps_at_the_issue_sizes(L, T, merged, cut):
    _check_legible(L, T, merged, cut)


def test_no_text_overlaps_in_a_column_preset():
    _check_legible(3, 8, True, True, Style.preset("double"))


@pytest.mark.parametrize("spec", [
    RACSpec(M=2, R=(3, 2), L=2, T=6, cell="cp:2", dilations=(2, 1)),
    RACSpec(M=2, R=(2, 3, 2), L=3, T=6, cell=("mi", "cp:2", "full"), dilations=(2, 1, 1)),
    RACSpec(M=2, R=2, L=3, T=6, bias=True, dilations=(1, 1, 2)),
])
def test_no_text_overlaps_for_family_members(spec):
    """Longer layer labels (width, cell, dilation) keep their room too."""
    _check_legible(spec.L, spec.T, False, True, spec=spec)


@pytest.mark.parametrize("L,T", [(3, 6), (3, 10), (3, 16), (4, 8), (4, 5), (3, 30)])
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("style", [Style(), Style.preset("double")])
def test_deep_lattices_fit_a_page(L, T, merged, style):
    """Height/width of the drawing between 1:2 and 3:2 (the nested staircase was 2.6-20:1)."""
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T), merged=merged)
    lay = network_layout(net, merged=True if merged else None, split=T // 2,
                         aspect=style.aspect * style.x_unit / style.y_unit)
    w, h, xu, yu = figure_units(lay, style)
    assert 0.5 <= h / w <= 1.5, (h / w, lay.shelves)
    assert yu / xu >= 0.8 * style.y_unit / style.x_unit  # hardly squashed to fit (was up to 8x)


@pytest.mark.parametrize("L,T,merged", [(3, 6, False), (3, 10, True), (4, 6, False), (4, 8, True)])
def test_each_layer_lies_in_its_own_bands(L, T, merged):
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T), merged=merged)
    lay = network_layout(net, merged=merged, split=T // 2)
    bands = lay.bands
    assert bands is not None and set(bands[:, 0].astype(int)) == set(range(1, L + 1))
    chain_layer = np.where(net.node_kind == K.INPUT, 1, net.node_layer)
    for i in np.flatnonzero(lay.visible & (net.node_kind != K.W_O)):
        x, y = lay.pos[i]
        mine = bands[bands[:, 0] == chain_layer[i]]
        assert np.any((mine[:, 1] <= x) & (x <= mine[:, 2]) & (mine[:, 3] <= y) & (y <= mine[:, 4])), \
            (K(net.node_kind[i]).name, chain_layer[i], x, y)
    # bands of different layers never overlap
    for a in range(len(bands)):
        b = bands[a + 1:]
        other = b[:, 0] != bands[a, 0]
        ov = ((np.minimum(bands[a, 2], b[:, 2]) > np.maximum(bands[a, 1], b[:, 1]))
              & (np.minimum(bands[a, 4], b[:, 4]) > np.maximum(bands[a, 3], b[:, 3])))
        assert not (ov & other).any()
    # one label per layer per shelf, level with its row
    assert len(lay.band_labels) == L * lay.shelves
    for x, y, layer in lay.band_labels:
        rows = bands[bands[:, 0] == layer]
        assert np.any((rows[:, 3] <= y) & (y <= rows[:, 4]))


def test_block_layout_wraps_and_keeps_inputs_under_their_steps():
    """Inside every staircase the copies of x^t share the x of step t (relative to its start)."""
    net = compile_network(RACSpec(M=2, R=2, L=3, T=10), merged=True)
    lay = network_layout(net)
    assert lay.shelves >= 2 and len(lay.routes) == lay.shelves - 1
    layer2 = np.flatnonzero((net.node_kind == K.CORE) & (net.node_layer == 2))
    start = {}  # x of step 0 of each layer-2 chain, from its sites
    for i in layer2:
        start.setdefault(round(lay.pos[i, 1], 6), set()).add(round(lay.pos[i, 0] - net.node_step[i], 6))
    assert all(len(s) >= 1 for s in start.values())
    inputs = net.input_nodes
    x0 = lay.pos[inputs, 0] - net.node_step[inputs]
    # every input sits at (start of some staircase) + its step
    starts = np.array(sorted({v for s in start.values() for v in s}))
    assert np.all(np.isin(np.round(x0, 6), np.round(starts, 6)))
