"""Figures that drop into a LaTeX paper: nothing cropped, column widths and heights of real
templates, fonts that match the document, warnings for unreadable drawings."""

import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import tnrnn  # noqa: E402
from tnrnn import Partition, RACSpec, Style, compile_network, draw, mincut_bound  # noqa: E402
from tnrnn.drawing.style import COLUMNS  # noqa: E402


def artist_boxes(fig):
    """(name, x0, y0, x1, y1) in pixels of every drawn thing, computed independently of the
    renderer's own layout: marker discs from offsets and sizes, texts from the font
    renderer, lines and patches from their vertices."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # a Figure made without pyplot has a bare canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = []

    def add(name, artist, x0, y0, x1, y1):
        clip = artist.get_clip_box() if artist.get_clip_on() else None
        boxes.append((name, x0, y0, x1, y1, None if clip is None else tuple(clip.extents)))

    for artist in fig.findobj(lambda a: a.get_visible() and a is not fig and a.axes is not None or
                              isinstance(a, Text)):
        if isinstance(artist, Text):
            if not artist.get_text().strip():
                continue
            b = artist.get_window_extent(renderer)
            add("text " + artist.get_text(), artist, b.x0, b.y0, b.x1, b.y1)
        elif isinstance(artist, PathCollection) and len(artist.get_offsets()):
            xy = artist.get_offset_transform().transform(artist.get_offsets())
            r = np.sqrt(np.broadcast_to(artist.get_sizes(), (len(xy),))) * fig.dpi / 72 / 2
            lw = np.max(artist.get_linewidths(), initial=0) * fig.dpi / 72 / 2
            add("markers", artist, (xy[:, 0] - r).min() - lw, (xy[:, 1] - r).min() - lw,
                (xy[:, 0] + r).max() + lw, (xy[:, 1] + r).max() + lw)
        elif isinstance(artist, Line2D) and artist.axes is not None and len(artist.get_xdata()):
            b = artist.get_window_extent(renderer)
            add("line", artist, b.x0, b.y0, b.x1, b.y1)
        elif hasattr(artist, "get_paths") and artist.axes is not None and artist.get_paths():
            trans = artist.get_transform()
            pts = np.concatenate([trans.transform(p.vertices) for p in artist.get_paths() if len(p.vertices)])
            add(type(artist).__name__, artist, *pts.min(axis=0), *pts.max(axis=0))
    return boxes


def cropped(fig, tol=0.5):
    """Everything that reaches outside the canvas, or outside the box it is clipped to
    (the axes), by more than ``tol`` pixels."""
    boxes = artist_boxes(fig)
    W, H = fig.canvas.get_width_height()
    out = []
    for name, x0, y0, x1, y1, clip in boxes:
        cx0, cy0, cx1, cy1 = clip if clip is not None else (0, 0, W, H)
        cx0, cy0, cx1, cy1 = max(cx0, 0), max(cy0, 0), min(cx1, W), min(cy1, H)
        if x0 < cx0 - tol or y0 < cy0 - tol or x1 > cx1 + tol or y1 > cy1 + tol:
            out.append(name)
    return out


CASES = [  # (spec, partition, cut, style)
    (RACSpec(M=2, R=2, L=1, T=4), None, False, None),
    (RACSpec(M=2, R=2, L=2, T=6), None, False, None),
    (RACSpec(M=2, R=2, L=2, T=6), None, False, "single"),
    (RACSpec(M=2, R=2, L=2, T=6), "start-end", True, "single"),
    (RACSpec(M=2, R=2, L=3, T=8), None, False, "single"),
    (RACSpec(M=2, R=2, L=3, T=8), "start-end", True, "single"),
    (RACSpec(M=3, R=3, L=2, T=12), "interleaved", True, "double"),
    (RACSpec(M=2, R=2, L=1, T=99), "split:50", True, "ieee"),
    (RACSpec(M=2, R=2, L=4, T=6), "split:2", True, "acm"),
]


@pytest.mark.parametrize("spec,partition,cut,column", CASES)
def test_no_artist_outside_the_canvas(spec, partition, cut, column):
    net = compile_network(spec)
    part = Partition.parse(partition, spec.T) if partition else None
    style = Style.preset(column) if column else Style()
    fig = draw(net, part, mincut_bound(net, part) if cut else None, style=style).figure
    assert artist_boxes(fig), "nothing measured"
    assert cropped(fig) == []


@pytest.mark.parametrize("column", sorted(COLUMNS))
def test_column_presets_fit_their_template(column):
    c = COLUMNS[column]
    style = Style.preset(column)
    fig = draw(RACSpec(M=2, R=2, L=3, T=8), "start-end", style=style).figure
    w, h = fig.get_size_inches()
    assert w * 72.27 <= c.width_pt and w * 72.27 > c.width_pt - 1.0  # the column, not narrower by a point
    assert h * 72.27 <= c.height_pt - 48  # the text block less a caption


def test_single_column_is_the_two_column_article_column():
    assert COLUMNS["single"].width_pt == 229.5 and COLUMNS["double"].width_pt == 469.0
    assert Style.preset("single").width * 72.27 <= 229.5


def _text_fonts(fig):
    """(text family, mathtext set) of every text drawn, from the Text objects themselves."""
    from matplotlib.text import Text

    return {(t.get_fontproperties().get_family()[0], t.get_fontproperties().get_math_fontfamily())
            for t in fig.findobj(Text) if t.get_text().strip()}


@pytest.mark.parametrize("style,family,maths", [
    (Style(), "DejaVu Sans", "dejavusans"),
    (Style(font="cm"), "cmr10", "cm"),
    (Style(font="times"), "STIXGeneral", "stix"),
    (Style(font="serif"), "DejaVu Serif", "dejavuserif"),
    (Style(font_family="serif"), "serif", "dejavuserif"),  # maths follows the family given
])
def test_fonts_match_text_and_maths(style, family, maths):
    fig = draw(RACSpec(M=2, R=2, L=2, T=4), "start-end", style=style).figure
    assert _text_fonts(fig) == {(family, maths)}


def test_unknown_font_is_refused_in_one_line_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not ~25 findfont warnings and a silent fallback
        with pytest.raises(tnrnn.TnrnnError, match="'No Such Sans' is not installed") as err:
            draw(RACSpec(M=2, R=2, L=1, T=3), style=Style(font_family="No Such Sans"))
    assert "\n" not in str(err.value)
    with pytest.raises(tnrnn.TnrnnError, match="Style.font must be one of"):
        Style(font="helvetica")


def test_svg_keeps_text_as_text():
    from tnrnn.drawing.figure import figure_bytes

    svg = figure_bytes(draw(RACSpec(M=2, R=2, L=1, T=4), "start-end"), "svg").decode()
    assert svg.count("<text") >= 5 and 'id="DejaVuSans-' not in svg  # no glyph outlines
    assert "font-family" in svg or "font:" in svg


def test_partition_as_list_points_to_from_sets():
    with pytest.raises(tnrnn.TnrnnError, match=r"Partition.from_sets\(A, T=4\)"):
        draw(RACSpec(M=2, R=2, L=1, T=4), [1, 2])


def test_wrap_connector_is_not_drawn_as_a_cut_edge():
    """L=3, T=8 wraps its top chain onto a second shelf, and the min cut crosses that
    chain edge: the cut is marked on the edge's first segment only, the connector is thin
    and dotted, in both renderers."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_hex

    net = compile_network(RACSpec(M=2, R=2, L=3, T=8))
    cut = mincut_bound(net, "start-end")
    lay = tnrnn.drawing.layout.network_layout(net, split=4, aspect=Style().aspect * Style().x_unit / Style().y_unit)
    assert set(lay.routes) & set(cut.cut_edges.tolist()), "the case no longer wraps a cut edge"
    fig = draw(net, "start-end", cut, style=Style.preset("single")).figure
    ax = fig.axes[0]
    cut_paths = [p for c in ax.collections if isinstance(c, LineCollection)
                 and to_hex(c.get_colors()[0]) == Style().cut for p in c.get_paths()]
    assert cut_paths and all(len(p.vertices) == 2 for p in cut_paths)  # straight pieces, no frame
    longest_bond = max(np.abs(np.diff(p.vertices, axis=0)).sum() for p in cut_paths)
    assert longest_bond < 3.0  # layout units: never the shelf-long connector
    dotted = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_linestyle()[0][1] is not None]
    assert any(len(p.vertices) >= 4 for c in dotted for p in c.get_paths())  # the connector, with its bends
    doc = tnrnn.to_tikz(net, "start-end", cut, style=Style.preset("single"))
    cut_lines = [line for line in doc.splitlines() if line.startswith(r"\draw[cut]")]
    assert cut_lines and all(line.count("--") == 1 for line in cut_lines)
    connectors = [line for line in doc.splitlines() if line.startswith(r"\draw[wrap]") and "(n" in line]
    assert len(connectors) == len(lay.routes)  # (the legend's sample connector names no node)


@pytest.mark.parametrize("T,column,warned", [(200, "single", True), (1000, None, True), (200, None, True),
                                             (6, "single", False), (40, "double", False)])
def test_unreadable_drawings_warn_in_one_line(T, column, warned):
    style = Style.preset(column) if column else Style()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fig = draw(RACSpec(M=2, R=2, L=1, T=T), "start-end", style=style)
    said = [w for w in seen if issubclass(w.category, tnrnn.drawing.style.DrawingWarning)]
    assert len(said) == int(warned)
    if warned:
        text = str(said[0].message)
        w, h = fig.get_size_inches()
        assert "\n" not in text and f"T={T}" in text and f"{w:.2f} x {h:.2f} in" in text


def test_cli_draw_warns_in_one_line(capsys, tmp_path):
    from tnrnn.cli import main

    assert main(["draw", "--M", "2", "--R", "2", "--T", "300", "--column", "single", "-o",
                 str(tmp_path / "x.pdf")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tnrnn draw: warning: the drawing of L=1, T=300")
    assert (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("L,T", [(2, 6), (3, 8)])
def test_tikz_type_sizes_match_the_matplotlib_drawing(L, T):
    """No TikZ text is smaller than the style's minimum; input labels are all there or all
    left out (never squeezed into each other); bound note and legend in the body size of
    the figure (the style's font size), below the picture; bands for every layer."""
    import re

    style = Style.preset("single")
    net = compile_network(RACSpec(M=2, R=2, L=L, T=T))
    cut = mincut_bound(net, "start-end")
    doc = tnrnn.to_tikz(net, "start-end", cut, style=style, standalone=False)
    sizes = [float(s) for s in re.findall(r"\\fontsize\{([\d.]+)\}", doc)]
    assert sizes and min(sizes) >= style.min_font_size
    labels = re.findall(r"\{\$x\^\{\d+\}_\{\d+\}\$\}", doc)
    assert len(labels) in (0, int(net.input_nodes.size))
    fig = draw(net, "start-end", cut, style=style)
    mpl_labels = [t for t in fig.axes[0].texts if t.get_text().startswith("$x^")]
    assert len(labels) == len(mpl_labels)  # the same decision in both renderers
    note = next(line for line in doc.splitlines() if "min cut:" in line)
    assert note.startswith(r"\node[note, anchor=north west]") and rf"note/.style={{text=text, font=\fontsize{{{style.font_size:.2f}}}" in doc
    for layer in range(1, L + 1):
        assert rf"\fill[layer{layer}]" in doc
    assert "cut edge" in doc and "side $A$" in doc and "layer 1" in doc and r"$W^{O}$" in doc


def test_usetex_without_latex_is_refused_in_one_line(monkeypatch):
    from tnrnn.drawing import style as style_module

    monkeypatch.setattr(style_module, "_usetex_missing", lambda: "latex")
    with pytest.raises(tnrnn.TnrnnError, match=r"usetex=True\) needs latex") as err:
        draw(RACSpec(M=2, R=2, L=1, T=4), "start-end", style=Style(usetex=True))
    assert "\n" not in str(err.value) and "font='cm'" in str(err.value)


@pytest.mark.slow
def test_usetex_typesets_with_latex(tmp_path):
    from tnrnn.drawing.style import _usetex_missing

    if _usetex_missing() is not None:
        pytest.skip(f"usetex needs {_usetex_missing()}")
    path = tnrnn.write_figure(RACSpec(M=2, R=2, L=2, T=4), tmp_path / "tex.pdf", partition="start-end",
                              style=Style(usetex=True, font="cm"))
    data = path.read_bytes()
    assert b"DejaVu" not in data and (b"CMR" in data or b"SFRM" in data)  # LaTeX's own fonts
