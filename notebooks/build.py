"""Execute the notebooks and store them with their outputs (deterministic), so they render on GitHub.

Run from the repository root after any change that alters what the notebooks show::

    PYTHONPATH=$PWD python notebooks/build.py            # every notebook
    PYTHONPATH=$PWD python notebooks/build.py 04_gallery # one (name or path)

Each notebook runs in a fresh kernel, in a temporary folder (files it writes do not land
in the repository), without timing metadata; execution counts are 1, 2, 3, ... and the
figures are PNGs encoded by matplotlib's Agg backend, so the same code gives the same
file. The test suite (``tests/test_notebooks.py``) re-executes them and checks that every
drawing cell produced an image.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
#: Largest stored notebook, in bytes.
MAX_BYTES = 2_000_000


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed in a fresh kernel (nothing written)."""
    book = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        NotebookClient(book, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": tmp}}).execute()
    for cell in book.cells:
        cell.metadata.pop("execution", None)
    return book


def build(path: Path) -> int:
    """Execute ``path`` and store it with its outputs; returns its size in bytes."""
    book = execute(path)
    text = nbformat.writes(book) + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise SystemExit(f"{path.name} would be {size:,} bytes with outputs (limit {MAX_BYTES:,}); "
                         "make its figures smaller")
    path.write_text(text, encoding="utf-8")
    return size


def main(argv: list[str]) -> int:
    paths = sorted(HERE.glob("*.ipynb"))
    if argv:
        paths = [p for p in paths if any(a in (p.name, p.stem, str(p)) or Path(a).resolve() == p for a in argv)]
        if not paths:
            print(f"no notebook matches {argv}; have {[p.stem for p in sorted(HERE.glob('*.ipynb'))]}")
            return 2
    for p in paths:
        print(f"{p.name}: {build(p):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
