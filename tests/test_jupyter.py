"""Notebook display, checked in a real kernel (nbclient): figures show as images, once,
without %matplotlib; results show as HTML; networks through the drawing layer's formatters."""

import base64
import struct

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = {
    "setup": "import tnrnn\nnet = tnrnn.compile_network(tnrnn.RACSpec(M=2, R=2, L=2, T=4))",
    "draw": 'tnrnn.draw(net, "start-end")',
    "draw_after_pyplot": 'import matplotlib.pyplot as plt\ntnrnn.draw(net, "start-end", cut=tnrnn.mincut_bound(net, "start-end"))',
    "rows": "rows = tnrnn.check_bounds([tnrnn.RACSpec(M=2, R=2, L=L, T=T) for L in (1, 2) for T in (2, 4)],"
            " with_mincut=False)\nrows",
    "plot": "tnrnn.plot_bounds(rows)",
    "network": "net",
    "spec": "tnrnn.RACSpec(M=2, R=3, L=2, T=8)",
    "partition": 'tnrnn.Partition.parse("A:1,3,5", 6)',
    "cut": 'tnrnn.mincut_bound(net, "start-end")',
    "rank": 'tnrnn.separation_rank(tnrnn.RACSpec(M=2, R=2, L=2, T=4), "start-end", rng=0)',
    "summary": "tnrnn.bounds_summary(tnrnn.RACSpec(M=2, R=2, L=2, T=4))",
    "quiet": "t = tnrnn.mincut_table([1], [4], [2], [2], progress=False)",
    "style": "tnrnn.Style.preset('single')",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(src) for src in CELLS.values()]
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    return dict(zip(CELLS, (c.outputs for c in book.cells)))


def _data(outs):
    assert [o["output_type"] for o in outs] == ["execute_result"], outs  # exactly one result, no error
    return outs[0]["data"]


@pytest.mark.parametrize("cell", ["draw", "draw_after_pyplot", "plot"])
def test_figures_display_as_one_png(outputs, cell):
    data = _data(outputs[cell])  # one output: no second copy from pyplot's inline backend
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    assert w > 200 and h > 100
    assert "image/svg+xml" not in data and data["text/plain"].startswith("<tnrnn figure")


def test_network_displays_through_registered_formatter(outputs):
    data = _data(outputs["network"])
    assert data["image/svg+xml"].lstrip().startswith(("<?xml", "<svg")) and "text/html" not in data


@pytest.mark.parametrize("cell,needle", [
    ("rows", "check_bounds (4 rows)"), ("spec", "M=2, R=3, L=2, T=8"),
    ("partition", "explicit A={1, 3, 5} B={2, 4, 6}"), ("cut", "start-end A={1..2} B={3..4}"),
    ("rank", "exact over F_p"), ("summary", "bounds_summary"), ("style", "#2166ac"),
])
def test_results_display_as_html(outputs, cell, needle):
    data = _data(outputs[cell])
    assert needle in data["text/html"] and len(data["text/html"]) < 20_000


def test_rank_result_shows_once_and_briefly(outputs):
    data = _data(outputs["rank"])
    assert data["text/plain"].count("\n") == 0 and data["text/plain"].startswith("RankResult(rank=")
    assert data["text/html"].count("<table") == 1


def test_progress_false_prints_nothing(outputs):
    assert outputs["quiet"] == []  # no TqdmWarning, no bar
