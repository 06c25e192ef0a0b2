"""The figures in a real paper: a two-column article that inputs bare TikZ drawings and
includes single-column PDFs, compiled with pdflatex; no box may be overfull and every
figure must be as wide as the column (measured by TeX itself)."""

import re
import shutil
import subprocess

import pytest

pytest.importorskip("matplotlib")

from tnrnn import RACSpec, Style, compile_network, mincut_bound, to_tikz, write_figure  # noqa: E402
from tnrnn.drawing.style import COLUMNS  # noqa: E402

ARTICLE = r"""\documentclass[twocolumn]{article}
\usepackage{graphicx}
\usepackage{tikz}
\usetikzlibrary{shapes.geometric}
\newcommand{\measure}[2]{\sbox0{#2}\typeout{SIZE #1 \the\wd0\space\the\ht0\space\the\dp0}}
\begin{document}
\typeout{COLUMN \the\columnwidth\space\the\textheight}
Text before the figures.
\begin{figure}[t]\centering\input{l2.tex}\caption{$L=2$, TikZ.}\end{figure}
\begin{figure}[t]\centering\input{l3.tex}\caption{$L=3$, TikZ.}\end{figure}
\begin{figure}[t]\centering\includegraphics{l3.pdf}\caption{$L=3$, PDF.}\end{figure}
\begin{figure}[t]\centering\includegraphics{plain.pdf}\caption{No partition, PDF.}\end{figure}
\measure{l2}{\input{l2.tex}}
\measure{l3}{\input{l3.tex}}
\measure{l3pdf}{\includegraphics{l3.pdf}}
\measure{plain}{\includegraphics{plain.pdf}}
\end{document}
"""


def _pt(text):
    return float(text.rstrip("pt"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_two_column_article_has_no_overfull_box(tmp_path):
    single = Style.preset("single")
    for name, L, T in (("l2", 2, 6), ("l3", 3, 8)):
        net = compile_network(RACSpec(M=2, R=2, L=L, T=T))
        cut = mincut_bound(net, "start-end")
        (tmp_path / f"{name}.tex").write_text(to_tikz(net, "start-end", cut, style=single, standalone=False))
        if L == 3:
            write_figure(net, tmp_path / "l3.pdf", partition="start-end", cut=cut, style=single)
    write_figure(compile_network(RACSpec(M=2, R=2, L=2, T=6)), tmp_path / "plain.pdf", style=single)
    (tmp_path / "paper.tex").write_text(ARTICLE)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    log = (tmp_path / "paper.log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert "Overfull" not in log, [line for line in log.splitlines() if "Overfull" in line]
    assert "Float too large" not in log
    column, height = map(_pt, re.search(r"COLUMN (\S+) (\S+)", log).groups())
    assert column == COLUMNS["single"].width_pt and height == COLUMNS["single"].height_pt
    sizes = {m[0]: tuple(map(_pt, m[1:])) for m in re.findall(r"SIZE (\w+) ([\d.]+pt)([\d.]+pt)([\d.]+pt)", log)}
    assert set(sizes) == {"l2", "l3", "l3pdf", "plain"}
    for name, (wd, ht, dp) in sizes.items():
        assert column - 3.0 <= wd <= column, (name, wd)  # the column, not much narrower
        assert ht + dp <= height - 48, (name, ht + dp)  # a text block with room for the caption
