"""Rendering (Agg), file export, Jupyter reprs and result plots."""

import math
import struct
import tracemalloc
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tnrnn  # noqa: E402
from tnrnn import (Partition, RACSpec, Style, compile_network, draw, mincut_bound,  # noqa: E402
                   plot_bounds, write_figure)
from tnrnn.drawing import jupyter  # noqa: E402
from tnrnn.drawing.layout import network_layout  # noqa: E402
from tnrnn.drawing.style import COLUMN_WIDTHS  # noqa: E402
from tnrnn.drawing.render import input_label, resolve_cut  # noqa: E402
from tnrnn.errors import TnrnnError  # noqa: E402
from tnrnn.formulas import (all_chains_cut, degree_bound, paper_lower_bound,  # noqa: E402
                            symmetric_copies_bound)


def _scatter_points(fig):
    from matplotlib.collections import PathCollection

    ax = fig.axes[0]
    return sum(c.get_offsets().shape[0] for c in ax.collections if isinstance(c, PathCollection))


def _segments(fig, colour):
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    ax = fig.axes[0]  # solid strokes only: a wrapped chain's dotted connector continues its stub
    return sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection)
               and len(c.get_segments()) and np.allclose(c.get_colors()[0], to_rgba(colour))
               and c.get_linestyle()[0][1] is None)


PARTITIONS = {"none": None, "start-end": Partition.start_end, "interleaved": Partition.interleaved,
              "split": lambda T: Partition.split(T, 1)}


@pytest.mark.parametrize("L,T", [(1, 4), (2, 4), (3, 4)])
@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("part", list(PARTITIONS))
def test_draw_every_kind_and_partition(L, T, merged, part):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T), merged=merged)
    partition = PARTITIONS[part](T) if PARTITIONS[part] else None
    fig = draw(net, partition)
    assert type(fig.figure).__name__ == "Figure" and isinstance(fig, tnrnn.FigureResult)
    lay = network_layout(net, merged=merged)
    assert _scatter_points(fig) == int(lay.visible.sum())  # every node drawn exactly once
    assert _segments(fig, Style().line) == int(lay.edge_visible.sum())
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.startswith("$x^{") for t in texts) == net.input_nodes.size  # labelled inputs
    assert not fig.figure.texts  # paper mode: no title block unless asked
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert ("side $A$" in labels) == (partition is not None)
    assert any("$x^{t}" in t for t in labels)  # legend of tensor kinds
    assert ("partition" in labels) == (partition is not None and partition.is_prefix)
    assert [t for t in labels if t.startswith("layer")] == [f"layer {l}" for l in range(1, L + 1)
                                                            if L > 1]


@pytest.mark.parametrize("L,T,part", [(1, 6, "start-end"), (2, 4, "start-end"), (2, 4, "interleaved"),
                                      (3, 4, "start-end")])
@pytest.mark.parametrize("view", [False, True])
def test_draw_cut_highlights_edges_and_writes_bound(L, T, part, view):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T))
    cut = mincut_bound(net, Partition.parse(part, T))
    fig = draw(net, cut=cut, merged=view)
    lay = network_layout(net, merged=view)
    shown = int(lay.edge_visible[cut.cut_edges].sum())
    assert _segments(fig, Style().cut) == shown
    header = " ".join(t.get_text() for t in fig.figure.texts)
    edges = "1 cut edge," if cut.n_cut == 1 else f"{cut.n_cut} cut edges,"
    assert f"{edges} separation rank $\\leq$ ${cut.bound:,}$".replace(",}", "{,}}") in header
    # sides: every drawn node coloured by the cut's side
    from matplotlib.colors import to_rgba
    colours = np.concatenate([c.get_facecolors() for c in fig.axes[0].collections
                              if hasattr(c, "get_offsets") and c.get_offsets().shape[0]
                              and not hasattr(c, "get_segments")])
    a, b = to_rgba(Style().side_a), to_rgba(Style().side_b)
    n_a = int(np.all(np.isclose(colours, a), axis=1).sum())
    n_b = int(np.all(np.isclose(colours, b), axis=1).sum())
    assert n_a == int(cut.side[lay.visible].sum()) and n_b == int((~cut.side[lay.visible]).sum())


def test_cut_as_edge_list_bound_is_product_of_dims():
    net = compile_network(RACSpec(M=2, R=3, L=2, T=4))
    edges = [0, 5, 9]
    cv = resolve_cut(net, edges)
    assert cv.bound == math.prod(int(net.edge_dim[e]) for e in edges)
    assert cv.log2 == pytest.approx(math.log2(cv.bound))
    with pytest.raises(TnrnnError, match="outside"):
        draw(net, cut=[net.n_edges])
    other = compile_network(RACSpec(M=2, R=3, L=2, T=4), merged=True)
    with pytest.raises(TnrnnError, match="nodes"):
        draw(net, cut=mincut_bound(other, Partition.start_end(4)))
    with pytest.raises(TnrnnError, match="T=6"):
        draw(net, Partition.start_end(6))
    with pytest.raises(TnrnnError, match="RACNetwork or a RACSpec"):
        draw("M=2, R=3")
    spec = RACSpec(M=2, R=3, L=2, T=4)  # a spec is compiled, as mincut_bound(spec) does
    assert _scatter_points(draw(spec, "start-end")) == _scatter_points(draw(net, "start-end")) == net.n_nodes


def test_draw_into_given_axes_and_overview_mode():
    from matplotlib.figure import Figure

    net = compile_network(RACSpec(M=2, R=3, L=2, T=8))
    fig = Figure()
    ax = fig.add_subplot()
    assert draw(net, ax=ax).figure is fig
    small = Style(max_marks=50)
    fig = draw(net, Partition.start_end(8), style=small, cut=mincut_bound(net, Partition.start_end(8)))
    ax = fig.axes[0]
    assert len(ax.images) == 1 and _scatter_points(fig) == 0
    img = ax.images[0].get_array()
    side_a = np.array([int(Style().side_a[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.all(img == side_a, axis=-1).any()  # side-A pixels present


def test_auto_merged_view_for_large_full_networks():
    net = compile_network(RACSpec(M=2, R=2, L=2, T=20))
    fig = draw(net, style=Style(max_full_nodes=100), title=True)
    lay = network_layout(net, merged=True)
    assert _scatter_points(fig) == int(lay.visible.sum()) < net.n_nodes
    assert "merged view" in fig.figure.texts[0].get_text()


def test_L2_T32_is_legible():  # its time is measured by benchmarks/, never asserted here
    net = compile_network(RACSpec(M=2, R=2, L=2, T=32))
    fig = draw(net, Partition.start_end(32))
    from tnrnn.drawing.render import figure_bytes
    data = figure_bytes(fig, "png")
    lay = network_layout(net)
    assert not lay.merged_view and _scatter_points(fig) == net.n_nodes
    w, h = fig.get_size_inches() * fig.dpi
    # at least 12 pixels between neighbouring steps and 5 pixels between rows
    xmin, xmax, ymin, ymax = lay.bbox()
    assert w / (xmax - xmin + 2) > 12 and h / (ymax - ymin + 3) > 5
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("suffix", [".pdf", ".svg", ".png"])
@pytest.mark.parametrize("L", [1, 2])
def test_write_figure_formats(tmp_path, suffix, L):
    net = compile_network(RACSpec(M=2, R=2, L=L, T=4))
    path = tmp_path / f"net{suffix}"
    out = write_figure(net, path, partition=Partition.start_end(4))
    assert out == path and path.stat().st_size > 500
    data = path.read_bytes()
    if suffix == ".pdf":
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    elif suffix == ".svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        fig = draw(net, Partition.start_end(4))
        w, h = fig.get_size_inches() * 300  # exports are 300 dpi
        assert _png_size(data) == (round(w), round(h))
        dpi = struct.unpack(">II", data[data.index(b"pHYs") + 4:][:8])
        assert dpi == (11811, 11811)  # pixels per metre at 300 dpi
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp files left


def test_write_figure_rejects_unknown_suffix_and_keeps_old_file(tmp_path):
    net = compile_network(RACSpec(M=2, R=2, L=1, T=4))
    with pytest.raises(TnrnnError, match=r"\.pdf, \.svg or \.png.*'net\.jpg'"):
        write_figure(net, tmp_path / "net.jpg")
    path = tmp_path / "net.png"
    path.write_bytes(b"old")
    with pytest.raises(TnrnnError):
        write_figure(net, path, partition=Partition.start_end(6))  # fails while drawing
    assert path.read_bytes() == b"old"
    with pytest.raises(TnrnnError, match="only apply"):
        write_figure(draw(net), path, partition=Partition.start_end(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.png"]
    fig = draw(net)
    write_figure(fig, path, dpi=150)
    assert _png_size(path.read_bytes()) == tuple(round(v) for v in fig.get_size_inches() * 150)
    with pytest.raises(TnrnnError, match="dpi"):
        write_figure(fig, path, dpi=0)


def test_network_reprs_by_size():
    small = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    assert jupyter.display_mode(small) == "svg"
    svg = jupyter.network_svg(small)
    assert ET.fromstring(svg).tag.endswith("svg")
    assert jupyter.network_png(small) is None and jupyter.network_html(small) is None
    mid = compile_network(RACSpec(M=2, R=2, L=2, T=14))
    assert jupyter.display_mode(mid) == "png" and jupyter.network_svg(mid) is None
    assert jupyter.network_png(mid)[:8] == b"\x89PNG\r\n\x1a\n" and jupyter.network_html(mid) is None
    big = compile_network(RACSpec(M=2, R=2, L=2, T=250))
    assert jupyter.display_mode(big) == "summary"
    tracemalloc.start()  # work counted as memory: a summary, no drawing of 126,502 nodes
    assert jupyter.network_svg(big) is None and jupyter.network_png(big) is None
    page = jupyter.network_html(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 2**20  # 1 MiB measured
    assert f"{big.n_nodes:,}" in page
    ET.fromstring(page)  # well-formed


def test_ipython_picks_one_rich_format():
    formatters = pytest.importorskip("IPython.core.formatters")
    fmt = formatters.DisplayFormatter()
    assert not any(hasattr(tnrnn.RACNetwork, f"_repr_{m}_") for m in ("svg", "png", "html"))
    assert jupyter.register_formatters(fmt)  # the drawing layer teaches IPython, not the network
    data, _ = fmt.format(compile_network(RACSpec(M=2, R=2, L=1, T=3)))
    assert set(data) == {"text/plain", "image/svg+xml"}
    data, _ = fmt.format(compile_network(RACSpec(M=2, R=2, L=2, T=300)))
    assert set(data) == {"text/plain", "text/html"}
    assert not hasattr(Partition, "_repr_html_")  # the model imports no display code
    data, _ = fmt.format(Partition.parse("A:1,3", 4))
    strip = ET.fromstring(data["text/html"])
    assert "A={1, 3} B={2, 4}" in "".join(strip.itertext()) and len(list(strip.iter("td"))) == 4


def test_cut_and_rank_html():
    net = compile_network(RACSpec(M=2, R=3, L=2, T=4))
    cut = mincut_bound(net, Partition.start_end(4))
    page = cut._repr_html_()
    root = ET.fromstring(page)
    cells = {th.text: td.text for th, td in zip(root.iter("th"), root.iter("td"))}
    assert cells["bound"].startswith(str(cut.bound)) and cells["cut"].startswith(f"{cut.n_cut} cut edges")
    assert cells["spec"] == "M=2, R=3, L=2, T=4" and cells["partition"] == "start-end A={1..2} B={3..4}"
    from tnrnn.rank.result import RankResult
    res = RankResult(rank=17, method="probes", certified=True, certifies="a lower bound",
                     spec="M=2, R=3, L=2, T=4", partition="start-end", prime=2147483647,
                     n_probes_A=40, n_probes_B=40, failure_bound=1e-6, notes=("a <note> & more",))
    root = ET.fromstring(res._repr_html_())
    cells = {th.text: td.text for th, td in zip(root.iter("th"), root.iter("td"))}
    assert cells["rank"].startswith("17 (probes") and cells["prime"] == "2147483647"
    assert cells["matrix"] == "40 × 40" and cells["degree"] == "–" if "degree" in cells else True
    assert cells["note"] == "a <note> & more"  # escaped in the HTML, intact after parsing


def _rows(Ts=(2, 4, 6, 8), M=2, R=3):
    rows = []
    for L in (1, 2, 3):
        for T in Ts:
            p = Partition.start_end(T)
            rows.append(dict(L=L, T=T, M=M, R=R, partition="start-end",
                             lower=paper_lower_bound(M, R, L, T), exact=None,
                             mincut=all_chains_cut(R, L, T), degree=degree_bound(M, L, p),
                             symmetric=symmetric_copies_bound(R, L, T)))
    return rows


def test_plot_bounds_lines_match_rows():
    rows = _rows()
    rows[0]["exact"] = 3  # one exact value, L=1 T=2
    rows.append(dict(L=2, T=4, partition="interleaved", exact=999))  # filtered out
    fig = plot_bounds(rows, title=True)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and isinstance(fig, tnrnn.FigureResult)
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) and ln.get_linestyle() != "None"]
    # 3 depths x 4 bounds + the single exact point
    assert len(lines) == 3 * 4 + 1
    ys = sorted(tuple(np.round(ln.get_ydata(), 6)) for ln in lines)
    want = sorted(tuple(np.round([float(r[k]) for r in rows[:-1] if r["L"] == L], 6))
                  for L in (1, 2, 3) for k in ("lower", "mincut", "degree", "symmetric"))
    assert sorted(ys) == sorted(want + [(3.0,)])
    assert "start-end" in fig.figure.get_suptitle()
    exact = [ln for ln in lines if len(ln.get_xdata()) == 1][0]
    assert exact.get_zorder() > max(ln.get_zorder() for ln in lines if ln is not exact)  # on top
    legend = fig.figure.legends[0]
    entry = legend.legend_handles[[t.get_text() for t in legend.get_texts()].index("exact rank (over $F_p$)")]
    assert entry.get_marker() == "o" and entry.get_markerfacecolor() == entry.get_color()  # filled
    assert not plot_bounds(rows).figure.get_suptitle()  # paper mode: no title unless asked


def test_coinciding_bounds_stay_visible_and_small_ranks_get_a_tick_label():
    """M=R=2: the symmetric and ideal bounds equal the exact rank; each must still be seen."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from tnrnn.drawing.plots import BOUND_MARKERS

    exact = {2: 2, 4: 6, 6: 8, 8: 10}
    rows = [dict(L=2, T=t, exact=v, symmetric=v, ideal=v, mincut=4 * v) for t, v in exact.items()]
    rows += [dict(L=1, T=t, exact=2, degree=2 ** t, mincut=2) for t in range(2, 21, 2)]
    fig = plot_bounds(rows, panels=True).figure
    ax1, ax2 = fig.axes
    marks = {ln.get_marker(): ln for ln in ax2.get_lines() if ln.get_linestyle() == "None"}
    assert "x" not in marks  # the min-cut line is apart: no marker needed
    xs = {}
    for k in ("symmetric", "ideal"):
        ln = marks[BOUND_MARKERS[k]]
        np.testing.assert_allclose(ln.get_ydata(), list(exact.values()))
        assert np.all(np.abs(ln.get_xdata() - list(exact)) < 0.5)
        xs[k] = ln.get_xdata()
        assert ln.get_zorder() > max(l.get_zorder() for l in ax2.get_lines() if l.get_linestyle() != "None")
    assert np.all(np.abs(xs["symmetric"] - xs["ideal"]) > 0.1)  # dodged apart
    assert len({BOUND_MARKERS[k] for k in BOUND_MARKERS}) == len(BOUND_MARKERS)  # greyscale: by shape
    FigureCanvasAgg(fig).draw()
    lo, hi = ax1.get_ylim()
    labelled = [t.get_position()[1] for t in ax1.get_yticklabels()
                if t.get_text() and lo <= t.get_position()[1] <= hi]
    assert any(1.0 <= v <= 5.0 for v in labelled), labelled  # a labelled tick near the rank 2


def test_plot_bounds_panels_and_column_presets():
    rows = _rows()
    fig = plot_bounds(rows, panels=True, style=Style.preset("double"))
    assert len(fig.axes) == 3 and fig.get_size_inches()[0] == COLUMN_WIDTHS["double"]
    for ax, L in zip(fig.axes, (1, 2, 3)):
        top = max(max(ln.get_ydata()) for ln in ax.get_lines())
        assert top == pytest.approx(max(float(r[k]) for r in rows if r["L"] == L
                                        for k in ("lower", "mincut", "degree", "symmetric")))
    single = plot_bounds(rows, style=Style.preset("single"))
    assert single.get_size_inches()[0] == COLUMN_WIDTHS["single"]
    sizes = [t.get_fontsize() for t in single.figure.findobj(lambda a: hasattr(a, "get_fontsize"))
             if hasattr(t, "get_text") and t.get_text()]
    assert sizes and min(sizes) >= 7.0  # printed in one column: no type below 7 pt


def test_plot_bounds_huge_values_use_log10_and_errors():
    rows = _rows(Ts=(2, 400))
    fig = plot_bounds(rows, quantities=["mincut"])
    ax = fig.axes[0]
    assert ax.get_yscale() == "linear"
    top = max(max(ln.get_ydata()) for ln in ax.get_lines() if len(ln.get_ydata()))
    assert top == pytest.approx(math.log10(all_chains_cut(3, 3, 400)))
    with pytest.raises(TnrnnError, match="'L' and 'T'"):
        plot_bounds([{"T": 2, "exact": 1}])
    with pytest.raises(TnrnnError, match="unknown quantities"):
        plot_bounds(rows, quantities=["nonsense"])
    with pytest.raises(TnrnnError, match="positive"):
        plot_bounds([{"L": 1, "T": 2, "exact": 0}])
    with pytest.raises(TnrnnError, match="no rows"):
        plot_bounds(rows, partition="interleaved")


def test_style_validation_and_labels():
    with pytest.raises(TnrnnError, match="side_a"):
        Style(side_a="blue")
    with pytest.raises(TnrnnError, match="dpi"):
        Style(dpi=0)
    with pytest.raises(TnrnnError, match="no fields"):
        Style().replace(colour="#000000")
    assert Style().replace(dpi=200).dpi == 200
    assert input_label(12, 3) == "x\u00b9\u00b2\u2083" and input_label(4) == "x\u2074"
    assert input_label(12, 3, math=True) == "$x^{12}_{3}$"
    with pytest.raises(TnrnnError, match="single"):
        Style.preset("triple")
    page = Style()._repr_html_()
    assert Style().side_a in page and "<table" in page


def test_import_tnrnn_stays_light():
    import subprocess
    import sys
    code = ("import sys, tnrnn; heavy = [m for m in ('matplotlib', 'scipy', 'networkx', 'torch') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert {"draw", "write_figure", "to_tikz", "write_tikz", "plot_bounds", "Style"} <= set(tnrnn.__all__)


@pytest.mark.slow
@pytest.mark.parametrize("L,T", [(2, 1000), (3, 150), (4, 50)])
def test_huge_networks_draw(L, T):  # how fast: benchmarks/, never asserted here
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T))
    from tnrnn.drawing.render import figure_bytes
    assert figure_bytes(draw(net, Partition.start_end(T)), "png")[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_figure_bytes_are_reproducible(fmt):
    from tnrnn.drawing.render import figure_bytes

    net = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    first = figure_bytes(draw(net, Partition.start_end(4)), fmt)
    assert figure_bytes(draw(net, Partition.start_end(4)), fmt) == first


def _cli(capsys, *argv):
    from tnrnn.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_refuses_undrawable_networks_up_front(capsys, tmp_path, monkeypatch):
    import tnrnn.network
    from tnrnn.formulas import network_size

    def never(*args, **kwargs):
        raise AssertionError("compiled before refusing")

    monkeypatch.setattr(tnrnn.network, "compile_network", never)  # refused before compiling
    code, _, err = _cli(capsys, "draw", "--M", "2", "--R", "2", "--L", "2", "--T", "2000", "--cut",
                        "-o", str(tmp_path / "x.png"))
    assert code == 2 and err.count("\n") == 1
    assert "8,012,002 nodes" in err and not (tmp_path / "x.png").exists()
    T = int(err.split("draw T <= ")[1].split()[0])  # the largest drawable T, checked independently
    assert network_size(2, 2, 2, T)[0] <= 200_000 < network_size(2, 2, 2, T + 1)[0]
    code, _, _ = _cli(capsys, "draw", "--M", "2", "--R", "2", "--L", "2", "--T", "2000",
                      "--max-draw-nodes", "10", "-o", str(tmp_path / "x.png"))
    assert code == 2


def test_cli_figure_switches(capsys, tmp_path):
    png = tmp_path / "a.png"
    code, out, _ = _cli(capsys, "draw", "--M", "2", "--R", "2", "--L", "1", "--T", "6", "--cut",
                        "--column", "single", "--dpi", "200", "--title", "auto", "-o", str(png))
    assert code == 0 and "min cut 2" in out
    data = png.read_bytes()
    # single column (229.5 pt) at 200 dpi, whole screen pixels: within 0.01 in below
    assert int((COLUMN_WIDTHS["single"] - 0.01) * 200) <= _png_size(data)[0] <= int(COLUMN_WIDTHS["single"] * 200)
    ppm = round(200 / 0.0254)
    assert struct.unpack(">II", data[data.index(b"pHYs") + 4:][:8]) == (ppm, ppm)
    tex = tmp_path / "a.tex"
    assert _cli(capsys, "draw", "--M", "2", "--R", "2", "--T", "4", "--bare", "-o", str(tex))[0] == 0
    text = tex.read_text()
    assert r"\begin{tikzpicture}" in text and r"\documentclass" not in text and r"\begin{document}" not in text
    code, _, err = _cli(capsys, "draw", "--M", "2", "--R", "2", "--T", "4", "--dpi", "0", "-o", str(png))
    assert code == 2 and "dpi" in err


def _pdf_font_types(data: bytes) -> set:
    import re

    return set(re.findall(rb"/Subtype\s*/(Type[0-9]|TrueType|CIDFontType[0-9])", data))


def test_pdf_fonts_are_truetype_not_type3(tmp_path):
    import shutil
    import subprocess

    net = compile_network(RACSpec(M=2, R=2, L=2, T=4))
    path = write_figure(draw(net, "start-end", cut=mincut_bound(net, "start-end"), title=True), tmp_path / "a.pdf")
    rows = _rows()
    plot = write_figure(plot_bounds(rows, panels=True), tmp_path / "b.pdf")
    for p in (path, plot):
        types = _pdf_font_types(p.read_bytes())
        assert b"Type3" not in types and types & {b"TrueType", b"CIDFontType2"}, types
        if shutil.which("pdffonts"):
            listing = subprocess.run(["pdffonts", str(p)], capture_output=True, text=True).stdout
            assert "Type 3" not in listing and "TrueType" in listing


def test_report_is_byte_reproducible_without_timings(tmp_path):
    from tnrnn.report import make_report

    first = make_report(tmp_path / "a", quick=True, progress=False)
    second = make_report(tmp_path / "b", quick=True, progress=False)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    header = (tmp_path / "a" / "bounds_table.csv").read_text().splitlines()[0]
    assert "seconds" not in header and "seconds" not in (tmp_path / "a" / "bounds_table.json").read_text()


@pytest.mark.parametrize("L,T", [(2, 5), (3, 4), (4, 3)])
def test_layer_bands_one_per_chain_and_distinct_in_greyscale(L, T):
    from math import comb

    from matplotlib.collections import PatchCollection

    from tnrnn.drawing.decorate import layer_shade

    net = compile_network(RACSpec(M=2, R=2, L=L, T=T))
    fig = draw(net, "split:1")
    bands = [c for c in fig.axes[0].collections if isinstance(c, PatchCollection)]
    assert len(bands) == 1
    chains = sum(comb(T - 1 + L - l, L - l) for l in range(1, L + 1))  # closed form, per layer
    if L <= 2:
        assert len(bands[0].get_paths()) == chains
    else:  # block layout: a band per layer row of each shelf, one per staircase for layer 1
        st = Style()
        lay = network_layout(net, split=1, aspect=st.aspect * st.x_unit / st.y_unit)
        staircases = comb(T - 1 + L - 2, L - 2)  # chains of layer 2
        assert len(bands[0].get_paths()) == len(lay.bands) == (L - 1) * lay.shelves + staircases
    grey = [int(layer_shade(l)[1:3], 16) for l in range(1, L + 1)]
    assert all(a - b >= 12 for a, b in zip(grey, grey[1:]))  # lighter to darker, visibly


def test_bound_text_has_integer_exponents_and_plurals():
    from tnrnn.drawing.render import format_bound

    assert format_bound(2**40, factored="2^40") == "$2^{40}$"
    assert format_bound(3**30 * 2, factored="3^30 * 2^1") == r"$3^{30} \cdot 2$"
    assert format_bound(123456) == "$123{,}456$"
    net = compile_network(RACSpec(M=3, R=3, L=2, T=40), merged=True)
    cut = mincut_bound(net, "start-end")
    note = [t.get_text() for t in draw(net, cut=cut).figure.texts][-1]
    assert cut.bound > 10**9 and ".0}" not in note and "^{" in note and f"{cut.n_cut} cut edges" in note
