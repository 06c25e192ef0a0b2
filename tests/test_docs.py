"""The documentation covers the code: an API page for every name in ``tnrnn.__all__``, a
reference entry for every ``tnrnn`` subcommand, every notebook in the gallery, and (slow, with
the docs extra) a Sphinx build with warnings as errors that contains all of them."""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tnrnn
from tnrnn.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
import _generate  # noqa: E402  (docs/_generate.py: the build-time generators)

sys.path.remove(str(DOCS))


def parser_subcommands() -> set[str]:
    """The subcommands, read from ``tnrnn --help`` the way a user sees them (independent of
    docs/_generate.py, which reads the parser's internals)."""
    text = build_parser().format_help()
    listing = text.split("\n  COMMAND\n", 1)[1].split("\noptions:", 1)[0]
    return set(re.findall(r"^    ([a-z]+)(?:\s|$)", listing, flags=re.M))


def test_api_pages_cover_all(tmp_path):
    docnames = _generate.write_api_pages(tmp_path, tnrnn)
    assert len(docnames) == len(tnrnn.__all__) == len(set(tnrnn.__all__))
    for name in tnrnn.__all__:
        page = (tmp_path / f"tnrnn.{name}.rst").read_text(encoding="utf-8")
        obj = getattr(tnrnn, name)
        directive = "autoclass" if isinstance(obj, type) else "autofunction" if callable(obj) else "autodata"
        assert f".. {directive}:: {name}\n" in page, name
    index = (tmp_path / "index.rst").read_text(encoding="utf-8")
    toctree = index.split(".. toctree::")[1]
    assert [line.strip() for line in toctree.splitlines()[3:] if line.strip()] == [f"tnrnn.{n}" for n in tnrnn.__all__]
    assert f"The {len(tnrnn.__all__)} names" in index


def test_api_pages_follow_all(tmp_path):
    """A name added to __all__ gets a page; a name removed loses it."""
    import types

    module = types.ModuleType("fake")
    module.__all__ = ["one", "Two"]
    module.one = lambda: None
    module.Two = type("Two", (), {"__doc__": "A class.\n\nMore."})
    _generate.write_api_pages(tmp_path, module)
    assert sorted(p.name for p in tmp_path.glob("*.rst")) == ["fake.Two.rst", "fake.one.rst", "index.rst"]
    module.__all__ = ["Two", "three"]
    module.three = 3
    _generate.write_api_pages(tmp_path, module)
    assert sorted(p.name for p in tmp_path.glob("*.rst")) == ["fake.Two.rst", "fake.three.rst", "index.rst"]
    assert ".. autodata:: three\n   :annotation: = 3" in (tmp_path / "fake.three.rst").read_text()
    assert "- A class.\n" in (tmp_path / "index.rst").read_text()
    assert "- ``3``" in (tmp_path / "index.rst").read_text()
    module.three = lambda: None
    module.three.__doc__ = "A summary that\n    wraps.\n\n    Details."
    _generate.write_api_pages(tmp_path, module)
    assert "- A summary that wraps.\n" in (tmp_path / "index.rst").read_text()


def test_cli_reference_covers_every_subcommand(tmp_path):
    page = tmp_path / "cli.rst"
    documented = _generate.write_cli_page(page, build_parser())
    expected = parser_subcommands()
    assert expected >= {"bound", "rank", "check", "sweep", "export", "draw", "atlas", "report", "experiment"}
    assert set(documented) == expected
    text = page.read_text(encoding="utf-8")
    headings = set(re.findall(r"^tnrnn ([a-z]+)\n-+$", text, flags=re.M))
    assert headings == expected
    for name, sub in _generate.subcommands(build_parser()).items():
        for action in sub._actions:
            for option in action.option_strings:
                assert option in text, (name, option)


def test_notebooks_are_picked_up_by_glob(tmp_path):
    source, gallery = tmp_path / "nb", tmp_path / "gallery"
    source.mkdir()
    for name in ("02_b.ipynb", "01_a.ipynb"):
        (source / name).write_text("{}")
    assert _generate.copy_notebooks(source, gallery) == ["01_a.ipynb", "02_b.ipynb"]
    (source / "02_b.ipynb").unlink()
    (source / "07_new.ipynb").write_text('{"x": 1}')
    assert _generate.copy_notebooks(source, gallery) == ["01_a.ipynb", "07_new.ipynb"]
    assert sorted(p.name for p in gallery.glob("*.ipynb")) == ["01_a.ipynb", "07_new.ipynb"]
    assert (gallery / "07_new.ipynb").read_text() == '{"x": 1}'
    real = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(real) >= 5
    assert ":glob:" in (DOCS / "gallery" / "index.md").read_text()


def test_every_docs_page_is_in_a_toctree():
    pages = {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md") if "_build" not in p.parts}
    pages |= {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.rst")
              if "_build" not in p.parts and "generated" not in p.parts}
    linked = {"index"}
    for page in pages:
        path = next(DOCS.glob(page + ".*"))
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"toctree.*?\n(.*?)(?:```|\Z)", text, flags=re.S):
            for line in block.splitlines():
                line = line.strip()
                if line and not line.startswith(":") and line != "*":
                    linked.add((Path(page).parent / line).as_posix().lstrip("./"))
    assert pages - linked - {"gallery/index"} <= set(), pages - linked


def test_metadata_has_author_urls_and_license():
    cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert re.search(r"^author = tnrnn developers$", cfg, flags=re.M)
    assert re.search(r"^url = https://", cfg, flags=re.M)
    assert "project_urls =" in cfg and "keywords =" in cfg
    assert "License :: OSI Approved :: MIT License" in cfg
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    cff = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff and f"version: {tnrnn.__version__}" in cff
    assert "docs =" in cfg and "sphinx==" in cfg


@pytest.mark.slow
def test_sphinx_build_has_every_page(tmp_path):
    """The docs build with -W (warnings are errors); every API name and subcommand is in the HTML."""
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("numpydoc") is None:
        pytest.skip("the docs extra is not installed: pip install -e '.[docs]'")
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(out),
                           "-d", str(tmp_path / "doctrees")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in tnrnn.__all__:
        assert (out / "api" / "generated" / f"tnrnn.{name}.html").exists(), name
    cli = (out / "cli" / "generated.html").read_text(encoding="utf-8")
    for name in parser_subcommands():
        assert f'id="tnrnn-{name}"' in cli, name
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert (out / "gallery" / nb.with_suffix(".html").name).exists(), nb.name
    shutil.rmtree(out)


@pytest.mark.parametrize("K", [1, 3])
def test_spec_displays_explain_K(K):
    """``K=1`` in every spec is the number of outputs: the docstring and the notebook display say so."""
    spec = tnrnn.RACSpec(M=2, R=3, L=2, T=4, K=K)
    assert f"K={K}" in repr(spec)
    html = spec._repr_html_()
    assert "outputs" in html and f"K = {K} " in html
    assert "Number of outputs" in tnrnn.RACSpec.__doc__


def test_pages_speak_to_readers():
    """No page of the site refers to the tracker or to 'our machine': numbers say where they
    were measured (the notebooks are pages of the site too)."""
    pages = [p for p in DOCS.rglob("*.md") if "_build" not in p.parts]
    pages += sorted((ROOT / "notebooks").glob("*.ipynb"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\bissues? #?\d+", text, flags=re.I), page
        assert not re.search(r"\bour (2-core |loaded |own )?machine\b", text, flags=re.I), page


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(info, body)`` of every fenced block of a Markdown/MyST text, read line by line (a
    closing fence is a bare run of at least as many backticks as the opening one)."""
    blocks, fence, info, body = [], None, "", []
    for line in text.splitlines():
        match = re.match(r"^(`{3,})(.*)$", line)
        if fence is None and match:
            fence, info, body = match.group(1), match.group(2).strip(), []
        elif fence is not None and line.strip() == fence:
            blocks.append((info, "\n".join(body)))
            fence = None
        elif fence is not None:
            body.append(line)
    return blocks


def documented_commands() -> list[tuple[str, str]]:
    """Every ``tnrnn ...`` command line in the README's and the docs pages' fenced blocks
    (continuations joined, comments dropped), except synopses with ``...`` or ``[...]``."""
    found = []
    pages = [ROOT / "README.md"] + [p for p in DOCS.rglob("*.md") if "_build" not in p.parts]
    for page in pages:
        for _, block in fenced_blocks(page.read_text(encoding="utf-8")):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split(" #")[0].strip()
                line = re.sub(r"^nice ", "", line)
                if line.startswith("tnrnn ") and "..." not in line and "[" not in line:
                    found.append((page.name, line))
    return found


def test_fenced_blocks_pair_fences():
    text = "```{figure} a.png\n:alt: x\n```\n\n```text\ntnrnn rank --M 2\n```\n"
    assert fenced_blocks(text) == [("{figure} a.png", ":alt: x"), ("text", "tnrnn rank --M 2")]


def test_documented_commands_parse():
    """Each command shown in the docs is accepted by the parser as written."""
    import shlex

    commands = documented_commands()
    assert len(commands) >= 30
    seen = set()
    for page, line in commands:
        argv = shlex.split(line)[1:]
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{page}: the parser refuses {line!r}")
        seen.add(args.command)
    assert seen == parser_subcommands()
