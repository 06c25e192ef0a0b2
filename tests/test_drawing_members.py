"""Drawings of the RAC family's members (issue 17): every member draws and exports TikZ."""

import re
import subprocess

import numpy as np
import pytest

from tnrnn import RACSpec, compile_network, mincut_bound, to_tikz, write_tikz
from tnrnn.drawing import draw, network_layout
from tnrnn.drawing.decorate import layer_label
from tnrnn.drawing.layout import SPLIT_GAP
from latex import latex_ready
from tnrnn.network.model import NodeKind as K

MEMBERS = {
    "widths": RACSpec(M=2, R=(3, 2), L=2, T=4),
    "cp": RACSpec(M=2, R=3, L=2, T=4, cell="cp:2"),
    "full": RACSpec(M=2, R=2, L=2, T=4, cell="full"),
    "bias": RACSpec(M=2, R=2, L=2, T=4, bias=True),
    "dilated-1": RACSpec(M=2, R=2, L=2, T=6, dilations=(2, 1)),
    "dilated-2": RACSpec(M=2, R=2, L=2, T=6, dilations=(1, 2)),
    "shallow-dilated-cp": RACSpec(M=3, R=2, L=1, T=6, dilations=2, cell="cp:3"),
    "deep-mixed": RACSpec(M=2, R=(2, 3, 2), L=3, T=5, cell=("mi", "cp:2", "full"), dilations=(2, 1, 1)),
    "deep-cp-dilated": RACSpec(M=2, R=2, L=3, T=6, cell="cp:3", dilations=(1, 2, 1)),
    "deep-bias-dilated": RACSpec(M=2, R=(2, 3, 2), L=3, T=6, bias=True, dilations=(1, 1, 2)),
}
NODE = re.compile(r"^\\node\[(\w+), fill=(\w+)\] \(n(\d+)\) at \(([-\d.]+),([-\d.]+)\) \{\};$")


def _steps(spec, layer, tau):
    d = spec.dilations[layer - 1]
    return list(range((tau - 1) % d + 1, tau + 1, d))


@pytest.mark.parametrize("name", list(MEMBERS))
@pytest.mark.parametrize("form", ["full", "merged", "view"])
def test_every_member_lays_out_without_collisions(name, form):
    spec = MEMBERS[name]
    net = compile_network(spec, merged=form == "merged")
    lay = network_layout(net, merged=form != "full", split=2)
    shown = lay.pos[lay.visible]
    assert np.unique(shown, axis=0).shape[0] == shown.shape[0]  # no two nodes on one spot
    hidden = lay.pos[~lay.visible]
    assert all((shown == p).all(axis=1).any() for p in hidden)  # hidden nodes sit in their site
    kind = net.node_kind
    # every edge is a path of horizontal and vertical pieces (a cp site's U steps along,
    # then down into the next site) through no other node
    e = np.flatnonzero(lay.edge_visible)
    paths = lay.edge_paths(net.edge_u, net.edge_v, e)
    for i, path in zip(e, paths):
        assert np.all((path[:-1, 0] == path[1:, 0]) | (path[:-1, 1] == path[1:, 1])), path
        hits = 0
        for a, b in zip(path[:-1], path[1:]):
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            hits += np.all((shown >= lo - 1e-9) & (shown <= hi + 1e-9), axis=1).sum()
        assert hits == 2, (K(kind[net.edge_u[i]]).name, path)
    # U sits above its DELTA, in the full form only
    u = np.flatnonzero(kind == K.U)
    if form == "full" and u.size:
        delta = {(int(net.node_layer[i]), int(net.node_step[i]), int(net.node_copy[i])): i
                 for i in np.flatnonzero(kind == K.DELTA)}
        for i in u:
            d = delta[(int(net.node_layer[i]), int(net.node_step[i]), int(net.node_copy[i]))]
            assert lay.pos[i, 0] == lay.pos[d, 0] and lay.pos[i, 1] == pytest.approx(lay.pos[d, 1] + 0.5)


@pytest.mark.parametrize("name", ["dilated-1", "dilated-2", "shallow-dilated-cp", "deep-mixed"])
def test_dilated_chains_interleave_on_their_own_rows(name):
    """Each chain's sites are d_l steps apart, at the x of their steps (inputs under their
    step inside the staircase), and chains of different residues start at different x."""
    spec = MEMBERS[name]
    net = compile_network(spec)
    lay = network_layout(net, merged=False)
    kind, layer, step = net.node_kind, net.node_layer, net.node_step
    prod = {(int(v), int(vl)): int(u) for u, v, vl in zip(net.edge_u, net.edge_v, net.edge_v_leg)}

    def previous(site):  # walk the graph back to the previous site of the chain (or its H0)
        node = prod[(site, 0)] if kind[site] == K.CORE else prod[(prod[(site, 0)], 1)]
        return prod[(node, 1)] if kind[node] == K.U else node

    sites = np.flatnonzero(np.isin(kind, [K.DELTA, K.CORE]))
    is_end = np.ones(net.n_nodes, dtype=bool)
    for i in sites:
        p = previous(int(i))
        is_end[p] = False
    starts = set()
    for end in sites[is_end[sites]]:
        chain, node = [], int(end)
        while kind[node] != K.H0:
            chain.append(node)
            node = previous(node)
        chain.reverse()
        st = [int(step[i]) for i in chain]
        l = int(layer[chain[0]])
        assert st == _steps(spec, l, st[-1]), (l, st)  # one whole chain, d_l apart
        y = {round(float(lay.pos[i, 1]), 6) for i in chain}
        assert len(y) == 1  # on one row
        if l <= 2:  # inside a staircase x follows time
            assert np.allclose(np.diff([lay.pos[i, 0] for i in chain]), np.diff(st)), (l, st)
        assert lay.pos[node, 0] == lay.pos[chain[0], 0] - 1 and lay.pos[node, 1] == lay.pos[chain[0], 1]
        starts.add((l, st[0]))
    for l in range(1, spec.L):  # every residue class of a dilated lower layer is drawn
        d = spec.dilations[l - 1]
        if d > 1 and spec.T > d:
            assert {s for ll, s in starts if ll == l} == set(range(1, d + 1))


@pytest.mark.parametrize("name", list(MEMBERS))
def test_every_member_draws_with_labels_and_legend(name):
    spec = MEMBERS[name]
    net = compile_network(spec)
    cut = mincut_bound(net, "split:2") if spec.T > 2 else None
    fig = draw(net, "split:2", cut=cut)
    texts = [t.get_text() for t in fig.figure.findobj(lambda a: type(a).__name__ == "Text")]
    legend = fig.axes[0].get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    cells = spec.cells
    assert any("(cp cell)" in t for t in entries) == any(c.startswith("cp:") for c in cells)
    assert any("full cell" in t for t in entries) == ("full" in cells)
    if spec.L > 1:
        for l in range(1, spec.L + 1):
            assert layer_label(spec, l) in texts  # width, cell and dilation of every layer
    assert (spec.bias and spec.L > 1) == any("{+}1" in t for t in texts)


def test_layer_labels_name_widths_cells_dilations_and_bias():
    assert layer_label(RACSpec(M=2, R=2, L=2, T=4), 1) == "$l{=}1$"
    assert layer_label(MEMBERS["deep-cp-dilated"], 2) == "$l{=}2$: $R{=}2$, cp:3, $d{=}2$"
    assert layer_label(MEMBERS["deep-bias-dilated"], 3) == "$l{=}3$: $R{=}2{+}1$, $d{=}2$"
    assert layer_label(MEMBERS["widths"], 1) == "$l{=}1$: $R{=}3$"


@pytest.mark.parametrize("name", list(MEMBERS))
def test_every_member_exports_tikz_matching_its_layout(name):
    spec = MEMBERS[name]
    net = compile_network(spec)
    doc = to_tikz(net, "split:2")
    lay = network_layout(net, split=2)
    nodes = {}
    for line in doc.splitlines():
        m = NODE.match(line)
        if m:
            nodes[int(m.group(3))] = (m.group(1), float(m.group(4)), float(m.group(5)))
    assert sorted(nodes) == np.flatnonzero(lay.visible).tolist()
    for i, (style, x, y) in nodes.items():
        assert (x, y) == tuple(lay.pos[i])
        assert (style == "umatrix") == (net.node_kind[i] == K.U)
    assert doc.count(r"\begin{") == doc.count(r"\end{")
    if spec.L >= 3:
        assert layer_label(spec, 2) in doc


@pytest.mark.skipif(not latex_ready(), reason="pdflatex with the standalone class is not installed")
@pytest.mark.parametrize("name", ["deep-mixed", "shallow-dilated-cp"])
def test_member_tikz_compiles(tmp_path, name):
    net = compile_network(MEMBERS[name])
    write_tikz(net, tmp_path / "net.tex", cut=mincut_bound(net, "split:2"))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "net.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "net.pdf").read_bytes().startswith(b"%PDF-")


def test_split_gap_constant_is_what_the_layout_uses():
    net = compile_network(MEMBERS["cp"])
    a, b = network_layout(net), network_layout(net, split=2)
    moved = b.pos[:, 0] - a.pos[:, 0]
    assert set(np.round(moved, 6)) == {0.0, SPLIT_GAP}


def test_bond_labels_show_member_dimensions_in_both_renderers():
    """Widths (3, 2) with bias: bonds of R_1 + 1 = 4, R_2 + 1 = 3 and M + 1 = 3 are written."""
    from tnrnn import Style

    spec = RACSpec(M=2, R=(3, 2), L=2, T=3, bias=True)
    net = compile_network(spec)
    style = Style(bond_labels=True)
    lay = network_layout(net)
    want = sorted(int(d) for d in net.edge_dim[lay.edge_visible])
    assert set(want) == {3, 4}
    ax = draw(net, style=style).axes[0]
    top = lay.ticks[0, 1]  # the step numbers are written there: not bond labels
    texts = [t.get_text() for t in ax.texts if t.get_position()[1] < top]
    assert sorted(int(t) for t in texts if t.isdigit()) == want
    doc = to_tikz(net, style=style)
    got = re.findall(r"\\node\[lbl, anchor=(?:south|west)\] at \([-\d.]+,([-\d.]+)\) \{(\d+)\};", doc)
    assert sorted(int(d) for y, d in got if float(y) < top) == want
