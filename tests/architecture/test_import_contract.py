"""The import contract: which parts of the package may import which (docs/architecture.md).

Read from the source with ``ast``, so an import inside a function or under ``TYPE_CHECKING`` counts
as much as one at the top. A unit is a subpackage (``voicebot/session/``) or a top-level module
(``voicebot/runtime.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "voicebot"

# (importer, imported, why not)
FORBIDDEN = (
    ("store", "web", "storage serves every door; the web app is one of them"),
    ("runtime", "web", "the runtime serves the AudioSocket door and the CLI too"),
    ("session", "protocol", "each door renders the session's events itself"),
    ("session", "transport", "the session knows no door"),
    ("session", "telephony", "the session knows no door"),
    ("session", "web", "the session knows no door"),
    ("session", "runtime", "the session asks for what it needs (session/services.py)"),
    ("dialogue", "session", "the dialogue machine is pure: events in, actions out"),
)
# engines/ (xtts, openvoice, voices) and voice/ (cloning) still import each other: left to the voice work.
KNOWN_CYCLES = {frozenset({"engines", "voice"})}


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "voicebot" and len(parts) > 1 else None


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def import_graph(package: Path) -> dict[tuple[str, str], list[str]]:
    """(importer unit, imported unit) -> where, as ``path:line``."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent)
        source = unit_of(".".join(relative.with_suffix("").parts))
        if source is None or source == "__init__":
            continue
        for module, line in imports_of(path):
            target = unit_of(module)
            known = target is not None and (
                (package / target).is_dir() or (package / f"{target}.py").exists())
            where = f"{relative}:{line}"
            if known and target != source and where not in edges.get((source, target), []):
                edges.setdefault((source, target), []).append(where)
    return edges


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one unit (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_forbidden_imports() -> None:
    edges = import_graph(PACKAGE)
    broken = [f"{source} -> {target} ({why}): {', '.join(edges[source, target])}"
              for source, target, why in FORBIDDEN if (source, target) in edges]
    assert not broken, "forbidden imports:\n" + "\n".join(broken)


def test_no_import_cycles_between_units() -> None:
    edges = import_graph(PACKAGE)
    found = [group for group in cycles(edges) if frozenset(group) not in KNOWN_CYCLES]
    detail = []
    for group in found:
        members = set(group)
        detail += [f"  {s} -> {t}: {', '.join(where)}" for (s, t), where in edges.items()
                   if s in members and t in members]
    assert not found, f"import cycles: {found}\n" + "\n".join(detail)


def test_the_checker_sees_a_cycle_and_a_function_local_import(tmp_path: Path) -> None:
    package = tmp_path / "voicebot"
    for name in ("a", "b"):
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("")
    (package / "a" / "x.py").write_text("from voicebot.b import y\n")
    (package / "b" / "y.py").write_text("def f() -> None:\n    from voicebot.a.x import g\n")
    edges = import_graph(package)
    assert edges == {("a", "b"): ["voicebot/a/x.py:1"], ("b", "a"): ["voicebot/b/y.py:2"]}
    assert cycles(edges) == [["a", "b"]]
