"""The notebooks are stored with their outputs (they render on GitHub), run top to bottom on
the package as it is, and every drawing cell shows an image."""

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DRAWING_CALLS = ("tnrnn.draw(", "tnrnn.plot_bounds(", "explorer.snapshot(")
#: Optional packages a notebook needs (it is skipped cleanly without them).
NEEDS = {"06_quimb_cotengra": ("quimb", "cotengra")}

spec = importlib.util.spec_from_file_location("notebooks_build", ROOT / "notebooks" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def test_the_notebooks_and_the_gallery_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    assert [p.stem for p in NOTEBOOKS][3:] == ["04_gallery", "05_architectures", "06_quimb_cotengra"]


def _drawing_cells(book):
    """Code cells whose last line is a draw / plot_bounds call (their value is displayed)."""
    return [c for c in book.cells if c.cell_type == "code"
            and c.source.strip().splitlines()[-1].lstrip().startswith(DRAWING_CALLS)]


def _images(cell):
    return [o for o in cell.get("outputs", []) if {"image/png", "image/svg+xml"} & set(o.get("data", {}))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_with_outputs_and_small(path):
    book = nbformat.read(path, as_version=4)
    assert path.stat().st_size < build.MAX_BYTES
    code = [c for c in book.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run notebooks/build.py"
    assert all(not c.metadata.get("execution") for c in code)  # no timestamps stored
    drawing = _drawing_cells(book)
    assert drawing and all(len(_images(c)) == 1 for c in drawing), "every drawing cell shows one image"
    text = json.dumps([c.get("outputs", []) for c in code])
    assert "'seconds'" not in text and "Traceback" not in text and "TqdmWarning" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_every_drawing_cell_shows_an_image(path):
    for package in NEEDS.get(path.stem, ()):
        pytest.importorskip(package)
    book = build.execute(path)
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "tnrnn." in code and "from tnrnn." not in code  # public API only
    errors = [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    for cell in _drawing_cells(book):
        assert len(_images(cell)) == 1, cell.source


def test_architectures_table_is_consistent():
    """The stored table of 05_architectures: every family at every T, no rank above a bound,
    ``proven`` exactly where the rank meets the smallest bound, the markdown's key numbers."""
    book = nbformat.read(ROOT / "notebooks" / "05_architectures.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in book.cells if c.cell_type == "code" for o in c.outputs)
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] in ("1", "2") and parts[-1] in ("True", "False"):
            L, *name, T, params, rank, mincut, degree, sym, ideal, proven = parts
            bounds = [int(v) for v in (mincut, degree, sym, ideal) if v != "-"]
            rows.append((int(L), " ".join(name), int(T), int(rank), min(bounds), proven == "True"))
    assert len(rows) == 5 * 5 + 6 * 5
    for L, name, T, rank, least, proven in rows:
        assert rank <= least and proven == (rank == least), (L, name, T)
    ranks = {(L, name, T): rank for L, name, T, rank, _, _ in rows}
    assert ranks[(1, "CP", 10)] == 3 and ranks[(2, "RAC (mi)", 10)] == 200 and ranks[(2, "CP", 10)] == 12
    assert ranks[(2, "second-order (full)", 10)] == 63 and ranks[(2, "dilated", 10)] == 64
