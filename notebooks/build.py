"""Execute the notebooks and store them with their outputs (deterministic), so they render on GitHub.

Run from the repository root after any change that alters what the notebooks show::

    PYTHONPATH=$PWD python notebooks/build.py            # every notebook
    PYTHONPATH=$PWD python notebooks/build.py 04_gallery # one (name or path)

Each notebook runs in a fresh kernel, in a temporary folder (files it writes do not land
in the repository), without timing metadata; execution counts are 1, 2, 3, ... and the
figures are PNGs encoded by matplotlib's Agg backend, so the same code gives the same
file. Widget state (the explorer) is stored so JupyterLab and nbviewer can show the
widgets without a kernel; its random model ids are renumbered in display order and
widgets no displayed one refers to are dropped, which keeps the file reproducible. The
test suite (``tests/test_notebooks.py``) re-executes them and checks that every drawing
cell produced an image.
"""

from __future__ import annotations

import json
import re
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
    return stable_widget_ids(book)


def stable_widget_ids(book: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with its widget models renumbered in the order they are displayed and
    reached (``IPY_MODEL_`` references), and unreachable models dropped."""
    key = "application/vnd.jupyter.widget-state+json"
    state = book.metadata.get("widgets", {}).get(key, {}).get("state")
    if not state:
        return book
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in book.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    order, queue = [], [m for m in views if m in state]
    while queue:
        m = queue.pop(0)
        if m in order:
            continue
        order.append(m)
        queue += [r for r in re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(state[m], sort_keys=True))
                  if r in state]
    book.metadata["widgets"][key]["state"] = {m: state[m] for m in order}
    new = {m: f"{i:032x}" for i, m in enumerate(order)}
    text = re.sub(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", lambda x: new.get(x.group(0), x.group(0)),
                  nbformat.writes(book))
    return nbformat.reads(text, as_version=4)


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
