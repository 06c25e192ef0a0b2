"""The README's and the documentation's Python blocks run as written, and .ci/run runs the
README's test command and its docs command."""

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_PAGES = sorted((ROOT / "docs").rglob("*.md"))
DOC_PAGES = [p for p in DOC_PAGES if "_build" not in p.parts]


def python_blocks(text: str) -> list[str]:
    """The fenced ```python blocks of a Markdown (or MyST) text, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def run_blocks(blocks: list[str], name: str) -> dict:
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, name, "exec"), namespace)
    return namespace


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    blocks = python_blocks(README)
    assert len(blocks) >= 1
    monkeypatch.chdir(tmp_path)
    namespace = run_blocks(blocks, "README.md")
    assert (tmp_path / "lattice.svg").stat().st_size > 0
    row, cut = namespace["row"], namespace["cut"]
    assert row.lower <= row.exact <= cut.bound == row.mincut


def test_readme_is_an_entry_point():
    assert len(README.splitlines()) <= 200
    for must in ("## Two commands for a fresh machine", "## Documentation", "## How to cite", "LICENSE"):
        assert must in README


def test_python_block_finder_sees_every_fence():
    text = "a\n```python\nx = 1\n```\n```text\nno\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = 2\n"]


@pytest.mark.parametrize("page", DOC_PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in DOC_PAGES])
def test_docs_python_blocks_run(page, tmp_path, monkeypatch):
    """Every ```python block of a docs page runs, in order, in one namespace per page."""
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    if not blocks:
        return
    monkeypatch.chdir(tmp_path)
    run_blocks(blocks, str(page.relative_to(ROOT)))


def test_docs_have_the_moved_examples():
    """The examples that left the README are executed from the docs pages."""
    text = "\n".join(b for p in DOC_PAGES for b in python_blocks(p.read_text(encoding="utf-8")))
    for call in ("bounds_table(", "random_modular_weights(", "write_tikz(", "Style.preset(", "check_bounds("):
        assert call in text, call
    assert len([p for p in DOC_PAGES if python_blocks(p.read_text(encoding="utf-8"))]) >= 5


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command.strip() in ci
    main_command = next(c for c in commands if "tnrnn report" in c)
    assert main_command.startswith("python3 -m venv")


def test_ci_builds_the_docs_with_the_readme_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    docs_command = next(c for c in commands if "sphinx" in c)
    assert "-W" in docs_command.split()
    ci = (ROOT / ".ci" / "run").read_text()
    assert docs_command.strip() in ci
