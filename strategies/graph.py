"""The reference graph of a schema document: which `$ref`s a schema holds, which lie on a cycle."""

from __future__ import annotations

from typing import Any


def refs_in(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["$ref"]} if isinstance(schema.get("$ref"), str) else set()
        for value in schema.values():
            if isinstance(value, dict | list):
                found |= refs_in(value)
        return found
    if isinstance(schema, list):
        return set().union(*map(refs_in, schema)) if schema else set()
    return set()


def cyclic_nodes(graph: dict[str, list[str]]) -> frozenset[str]:
    """Nodes on a cycle: members of a strongly connected component with more than one node or a self-loop
    (Tarjan's algorithm, iterative: reference chains can be long)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cyclic: set[str] = set()
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = [n for n in graph.get(node, []) if n in graph]
            if position < len(successors):
                work.append((node, position + 1))
                child = successors[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, []):
                    cyclic.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return frozenset(cyclic)
