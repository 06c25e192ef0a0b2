"""Sphinx configuration of the tnrnn documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (no network needed).
Three kinds of pages are generated here at build time, so that they follow the code:

* ``api/generated/*.rst``: one page per name in ``tnrnn.__all__``;
* ``cli/generated.rst``: the command-line reference, from the argparse parser;
* ``gallery/*.ipynb``: a copy of every ``notebooks/*.ipynb`` (rendered with their stored
  outputs, never executed).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))

import tnrnn  # noqa: E402
from _generate import copy_notebooks, write_api_pages, write_cli_page  # noqa: E402
from tnrnn.cli import build_parser  # noqa: E402

project = "tnrnn"
author = "tnrnn developers"
copyright = "2026, tnrnn developers"
release = tnrnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # serves MathJax from _static: formulas render with no network
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    ]

# -- sources -----------------------------------------------------------------------------
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# The notebooks are stored with their outputs; the docs render them as they are.
nb_execution_mode = "off"
# A live widget (the explorer in 01_quickstart) cannot work in a static page: its stored view is
# skipped, and the notebook's static snapshot image shows instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]

# -- API reference -------------------------------------------------------------------------
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
# Offline build: no intersphinx inventories are downloaded.
intersphinx_mapping: dict = {}

# -- bibliography ---------------------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"tnrnn {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # The atlas page's table and heatmaps need the width of the right-hand contents column.
    "secondary_sidebar_items": {"**": ["page-toc"], "results/atlas": []},
}
# Pages without sub-pages need no section navigation on the left.
html_sidebars = {name: [] for name in ("index", "getting-started", "concepts", "changelog", "citing")}
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- broken links in the hand-written pages --------------------------------------------------
# Sphinx reports a missing Python reference only in nitpicky mode, which would also flag every
# external type in the docstrings (numpy, pathlib: no intersphinx offline). The pages written
# by hand must not link to a name that does not exist, so those are reported here (and -W
# turns the report into an error).


def _missing_tnrnn_reference(app, env, node, contnode):
    target = node.get("reftarget", "")
    page = node.get("refdoc", "")
    if node.get("refdomain") == "py" and target.startswith("tnrnn") and not page.startswith("api/generated/"):
        from sphinx.util import logging

        logging.getLogger(__name__).warning("%s: no API entry for %r", page, target, location=node)


def setup(app) -> None:
    app.connect("missing-reference", _missing_tnrnn_reference)


# -- generated pages (written before Sphinx looks for sources) -----------------------------
write_api_pages(DOCS / "api" / "generated", tnrnn)
write_cli_page(DOCS / "cli" / "generated.rst", build_parser())
copy_notebooks(ROOT / "notebooks", DOCS / "gallery")
