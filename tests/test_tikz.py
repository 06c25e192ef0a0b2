"""TikZ export: structure against the layout and the cut; compiled when pdflatex exists."""

import re
import shutil
import subprocess

import numpy as np
import pytest

from tnrnn import Partition, RACSpec, Style, compile_network, mincut_bound, to_tikz, write_tikz
from tnrnn.drawing.layout import network_layout
from tnrnn.drawing.tikz import MAX_TIKZ_NODES
from latex import latex_ready
from tnrnn.errors import MemoryLimitError, TnrnnError

NODE = re.compile(r"^\\node\[(\w+), fill=(\w+)\] \(n(\d+)\) at \(([-\d.]+),([-\d.]+)\) \{\};$")
EDGE = re.compile(r"^\\draw\[(edge|cut)\] \(n(\d+)\) -- (?:\([-\d.]+,[-\d.]+\) -- )*\(n(\d+)\);$")
# a wrapped chain: its first segment (edge or cut), then the dotted connector to the far node
STUB = re.compile(r"^\\draw\[(edge|cut)\] \(n(\d+)\) -- \(([-\d.]+),([-\d.]+)\);$")
WRAP = re.compile(r"^\\draw\[wrap\] \(([-\d.]+),([-\d.]+)\) -- (?:\([-\d.]+,[-\d.]+\) -- )*\(n(\d+)\);$")


def _parse(doc):
    nodes, edges = {}, []
    for line in doc.splitlines():
        m = NODE.match(line)
        if m:
            assert m.group(3) not in nodes, "node defined twice"
            nodes[int(m.group(3))] = (m.group(1), m.group(2), float(m.group(4)), float(m.group(5)))
        m = EDGE.match(line)
        if m:
            edges.append((m.group(1), int(m.group(2)), int(m.group(3))))
        m = STUB.match(line)
        if m:
            stub = m.groups()
        m = WRAP.match(line)
        if m:  # continues the stub just before it, from the same bend
            assert (stub[2], stub[3]) == m.groups()[:2]
            edges.append((stub[0], int(stub[1]), int(m.group(3))))
    return nodes, edges


@pytest.mark.parametrize("L,T", [(1, 4), (2, 4), (3, 4)])
@pytest.mark.parametrize("form", ["full", "merged", "view"])
def test_tikz_matches_layout_and_cut(L, T, form):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T), merged=form == "merged")
    cut = mincut_bound(net, Partition.start_end(T))
    doc = to_tikz(net, cut=cut, merged=form != "full")
    lay = network_layout(net, merged=form != "full", split=T // 2)
    nodes, edges = _parse(doc)
    assert sorted(nodes) == np.flatnonzero(lay.visible).tolist()
    for i, (_, fill, x, y) in nodes.items():
        assert (x, y) == tuple(lay.pos[i])
        if fill in ("sidea", "sideb"):
            assert (fill == "sidea") == bool(cut.side[i])
    assert len(edges) == int(lay.edge_visible.sum())
    assert all(u in nodes and v in nodes for _, u, v in edges)
    cut_set = {(int(net.edge_u[e]), int(net.edge_v[e])) for e in cut.cut_edges}
    drawn_cut = [(u, v) for kind, u, v in edges if kind == "cut"]
    assert len(drawn_cut) == int(lay.edge_visible[cut.cut_edges].sum())
    if form != "view":
        assert set(drawn_cut) == cut_set
    rings = doc.count(r"circle[radius=0.3]")
    assert rings == int((~lay.edge_visible[cut.cut_edges]).sum())
    assert f"rank $\\le {cut.bound:,}".replace(",", "{,}") in doc
    assert doc.count(r"\begin{") == doc.count(r"\end{")
    for colour in ("sidea", "sideb", "neutral", "line", "cut", "text"):
        assert rf"\definecolor{{{colour}}}{{HTML}}" in doc


def test_tikz_partition_labels_and_colours():
    net = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    style = Style(side_a="#00ff00")
    doc = to_tikz(net, Partition.interleaved(4), style=style)
    assert r"\definecolor{sidea}{HTML}{00FF00}" in doc
    nodes, _ = _parse(doc)
    for i in net.input_nodes:
        assert nodes[int(i)][1] == ("sidea" if net.node_step[i] % 2 else "sideb")
    labels = re.findall(r"\{\$x\^\{(\d+)\}_\{(\d+)\}\$\}", doc)
    assert sorted((int(t), int(c)) for t, c in labels) == sorted(
        (int(net.node_step[i]), int(net.node_copy[i])) for i in net.input_nodes)
    assert doc.startswith(r"\documentclass[tikz,border=4pt]{standalone}")
    assert doc.rstrip().endswith(r"\end{document}")


def test_write_tikz_and_limits(tmp_path):
    net = compile_network(RACSpec(M=2, R=2, L=1, T=3))
    path = write_tikz(net, tmp_path / "a.tex")
    assert path.read_text() == to_tikz(net)
    with pytest.raises(TnrnnError, match=r"\.tex"):
        write_tikz(net, tmp_path / "a.pdf")
    big = compile_network(RACSpec(M=2, R=2, L=2, T=120), merged=True)
    assert network_layout(big).visible.sum() > MAX_TIKZ_NODES
    with pytest.raises(MemoryLimitError, match="write_figure"):
        to_tikz(big)


@pytest.mark.skipif(not latex_ready(), reason="pdflatex with the standalone class is not installed")
@pytest.mark.parametrize("L,T,merged", [(2, 4, False), (3, 4, True), (3, 8, False)])
def test_tikz_compiles_with_pdflatex(tmp_path, L, T, merged):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T), merged=merged)
    write_tikz(net, tmp_path / "net.tex", cut=mincut_bound(net, Partition.start_end(T)))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "net.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    pdf = (tmp_path / "net.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_bare_tikzpicture_to_input():
    net = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    cut = mincut_bound(net, "start-end")
    bare = to_tikz(net, "start-end", cut=cut, standalone=False)
    full = to_tikz(net, "start-end", cut=cut)
    assert r"\documentclass" not in bare and r"\begin{document}" not in bare
    assert bare.rstrip().endswith(r"\endgroup%") and r"\begin{tikzpicture}" in bare
    assert _parse(bare) == _parse(full)  # the same picture
    assert r"\draw[partition]" in bare  # the partition line between steps 2 and 3
    assert "(3.1," in bare.split(r"\draw[partition]")[1].splitlines()[0]  # in the gap after step 2
    assert "2 cut edges" in bare or f"{cut.n_cut} cut edge" in bare


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_bare_tikzpicture_compiles_inside_an_article(tmp_path):
    net = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    write_tikz(net, tmp_path / "fig.tex", partition="start-end", cut=mincut_bound(net, "start-end"),
               standalone=False)
    (tmp_path / "paper.tex").write_text("\\documentclass{article}\\usepackage{tikz}"
                                        "\\usetikzlibrary{shapes.geometric}\\begin{document}"
                                        "\\input{fig.tex}\\end{document}\n")
    res = subprocess.run(["pdflatex", "-interaction=nonstopmode", "paper.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:]
