"""No import cycles between tnrnn's modules (read with ``ast``, imports inside functions
included, so a lazy import counts as much as a top-level one).

An edge runs from a module to every tnrnn module it imports; importing ``a.b.c`` from
outside package ``a.b`` also runs ``a/b/__init__.py``, so that counts as an edge to ``a.b``
too (the top-level ``tnrnn`` package excepted: every module is imported through it).

``ALLOWED`` lists the import edges of the cycles that another developer is removing right
now (cli/_commands/experiments.cli, partition/_html, drawing render/decorate/figure); the
lead empties it at merge. Any other cycle fails the test, which names it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tnrnn"

#: Edges (importer, imported) allowed to close a cycle, to be emptied at merge.
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    ("tnrnn.experiments.cli", "tnrnn.cli"),  # cli -> _commands -> experiments.cli -> cli
    ("tnrnn.partition", "tnrnn._html"),  # partition <-> _html
    ("tnrnn.drawing.render", "tnrnn.drawing.decorate"),  # render <-> decorate
    ("tnrnn.drawing.render", "tnrnn.drawing.figure"),  # render <-> figure
})


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.AST, modules) -> list[str]:
    """The modules an import statement runs: ``from p import m`` names module ``p.m`` where
    that is a module, else (a name defined in p) ``p`` itself."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = importer if is_package else importer.rpartition(".")[0]
    if node.level:
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        prefix = base + ("." + node.module if node.module else "")
    else:
        prefix = node.module or ""
    subs = [f"{prefix}.{a.name}" for a in node.names]
    return [m if m in modules else prefix for m in subs]


def import_graph() -> dict[str, set[str]]:
    """``graph[m]``: the tnrnn modules that importing (or running) m imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _resolve(name, is_package, node, modules):
                if target not in modules:
                    continue
                parts = target.split(".")
                for k in range(2, len(parts) + 1):  # the packages on the way run too
                    pkg = ".".join(parts[:k])
                    inside = name == pkg or name.startswith(pkg + ".")
                    if pkg in modules and pkg != name and (pkg == target or not inside):
                        graph[name].add(pkg)
    return graph


def cycles(graph: dict[str, set[str]], allowed: frozenset = frozenset()) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative),
    after removing the ``allowed`` edges; each sorted, the list sorted."""
    edges = {u: sorted(v - {w for (a, w) in allowed if a == u}) for u, v in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on_stack.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if w not in edges:
                continue
            if w not in index:
                index[w] = low[w] = counter
                counter += 1
                stack.append(w)
                on_stack.add(w)
                work.append((w, iter(edges[w])))
            elif w in on_stack:
                low[v] = min(low[v], index[w])
    return sorted(out)


def test_no_import_cycles_outside_the_allow_list():
    found = cycles(import_graph(), ALLOWED)
    assert found == [], "import cycles between tnrnn modules: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_checker_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles(graph, frozenset({("c", "a")})) == []
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_imports():
    graph = import_graph()
    assert "tnrnn.netsize" in graph["tnrnn.spec"]  # imported inside RACSpec._repr_html_
    assert "tnrnn.cells" in graph["tnrnn.spec"]


if __name__ == "__main__":  # pragma: no cover
    for c in cycles(import_graph()):
        print(" <-> ".join(c))
    pytest.main([__file__])
