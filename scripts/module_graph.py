"""Print vbstui's module graph at the level of its top-level modules and packages.

    python scripts/module_graph.py [PATH_TO_CHECKOUT]

Each line is one dependency `a -> b` (type-checking imports left out, function-level
imports counted), followed by any import cycles between modules.  Uses grimp, the
graph library behind import-linter.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp


def top(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1]).resolve()
    sys.path.insert(0, str(root))
    graph = grimp.build_graph("vbstui", exclude_type_checking_imports=True, cache_dir=None)
    edges: set[tuple[str, str]] = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = top(module), top(imported)
            if b not in (a, "vbstui"):
                edges.add((a, b))
    for a, b in sorted(edges):
        print(f"{a} -> {b}")
    cycles = sorted({tuple(c) for c in _module_cycles(graph)})
    print(f"\n{len(edges)} dependencies between top-level parts; "
          f"{len(cycles)} module cycle(s)")
    for cycle in cycles:
        print("cycle: " + " -> ".join(cycle))
    return 0


def _module_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.find_modules_directly_imported_by(node):
            if other not in graph.modules:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


if __name__ == "__main__":
    raise SystemExit(main())
