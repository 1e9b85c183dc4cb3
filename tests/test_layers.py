"""The layer contract: data flows one way, ingest -> analysis -> reporting, with no cycles.

Every ``import`` and ``from ... import`` of ``src/insights`` is read with :mod:`ast`, including
imports inside functions (a local import hides a cycle; it does not remove it). Each module
belongs to one layer of :data:`LAYERS`, listed from the top. A module may import modules of
lower layers and modules of its own wing (a subpackage such as ``ingest``); it may not import
upward, nor sideways into another member of its own layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: From the top. Members of one layer are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("reporting",),
    ("nbtools",),
    ("claims", "segments"),
    ("portfolio", "simulate"),
    ("costs",),
    ("pricing", "authenticity", "scale"),
    ("stats", "plotting", "audit", "calibration", "ingest"),
    ("metrics", "moments"),
    ("schemas", "references", "verdicts", "tiers", "formatting"),
    ("paths",),
)


def unit(module: str) -> str:
    """The contract unit of a dotted module name: the first name below ``insights``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "insights"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The insights modules a file imports, anywhere in it (``from insights import x`` -> x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("insights")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("insights"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = (SRC / Path(*candidate.split("."))).with_suffix(".py").is_file() or (
                    SRC / Path(*candidate.split(".")) / "__init__.py").is_file()
                found.add(candidate if is_module else base)
    return found - {here}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted((SRC / "insights").rglob("*.py"))}


def violations(graph: Mapping[str, Iterable[str]],
               layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[str]:
    """Each import that breaks the layer order, as ``"a imports b (layer i above j)"``."""
    rank = {name: i for i, layer in enumerate(layers) for name in layer}
    problems = []
    for module, targets in graph.items():
        source = unit(module)
        for target in sorted(targets):
            dest = unit(target)
            if source == dest or dest == "insights":
                continue
            if source not in rank or dest not in rank:
                problems.append(f"{module} -> {target}: {source if source not in rank else dest}"
                                " is in no layer of the contract")
            elif rank[dest] < rank[source]:
                problems.append(f"{module} imports {target}, a higher layer")
            elif rank[dest] == rank[source]:
                problems.append(f"{module} imports {target}, a member of its own layer")
    return problems


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles between modules (Tarjan's strongly connected components of size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -------------------------------------------------------------------------------- the contract


def test_every_module_is_in_a_layer():
    named = {name for layer in LAYERS for name in layer}
    units = {unit(m) for m in import_graph()} - {"insights"}
    assert sorted(units - named) == []


def test_no_import_points_upward_or_sideways():
    assert violations(import_graph()) == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_registry_is_a_leaf_of_the_ingest_wing():
    graph = import_graph()
    assert graph["insights.ingest.registry"] <= {"insights.paths"}


# -------------------------------------------------------------------------------- the checker


def test_graph_reads_local_and_relative_imports(tmp_path, monkeypatch):
    package = tmp_path / "insights"
    (package / "wing").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("")
    (package / "wing" / "__init__.py").write_text("")
    (package / "wing" / "a.py").write_text(
        "def f():\n    from insights import low\n    from . import b\n"
    )
    (package / "wing" / "b.py").write_text("import insights.low\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path)
    result = imports_of(package / "wing" / "a.py")
    assert result == {"insights.low", "insights.wing.b"}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"insights.paths": {"insights.claims"}}, ["insights.paths imports insights.claims, a "
                                                   "higher layer"]),
        ({"insights.stats": {"insights.plotting"}}, ["insights.stats imports insights.plotting,"
                                                     " a member of its own layer"]),
        ({"insights.claims": {"insights.metrics", "insights.ingest.registry"}}, []),
        ({"insights.ingest.intake": {"insights.ingest.parsing"}}, []),
        ({"insights.newthing": {"insights.paths"}}, ["insights.newthing -> insights.paths: "
                                                     "newthing is in no layer of the contract"]),
    ],
)
def test_violations_known_answers(graph, expected):
    assert violations(graph) == expected


def test_cycles_known_answers():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
