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

spec = importlib.util.spec_from_file_location("notebooks_build", ROOT / "notebooks" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def test_the_notebooks_and_the_gallery_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]
    assert NOTEBOOKS[-1].stem == "04_gallery"


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
    book = build.execute(path)
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "tnrnn." in code and "from tnrnn." not in code  # public API only
    errors = [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    for cell in _drawing_cells(book):
        assert len(_images(cell)) == 1, cell.source
