"""Where in an input a mutation or a boundary can go, and how to reach it in a generated value.

A site is a path through the *schema* (member names, `[]` for a list item, `{}` for a map value), listed
once per root document, so cases cover members whether or not a given valid value happens to hold them.
`materialize` then makes the path exist in a valid value (drawing whatever members, items or entries are
missing, all valid) and returns the concrete path (indices and keys) to it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conformance.spec.validation import Violation, as_clients_read, json_pointer
from strategies.compile import Compiler, Schema

ITEM = "[]"
VALUE = "{}"
# Sites are listed breadth-first up to this depth and count: enough to reach every member of typical
# inputs, bounded for the few inputs whose shape graph is huge or recursive.
MAX_SITE_DEPTH = 8
MAX_SITES = 600

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Site:
    tokens: tuple[str, ...]  # schema path: member names, ITEM, VALUE
    schema: Schema  # the resolved schema of the value there
    nullable: bool  # reached through `anyOf [X, null]` (sparse list/map): jsonschema reports `anyOf`
    union: bool  # a member of a union (replacing it must keep the union's single member)
    under_nullable: bool  # inside a nullable site: jsonschema reports that site's `anyOf`, not the member


def kind_of(schema: Schema) -> str:
    """structure, union, map, list, string, integer, number, boolean, document or other."""
    aws = schema.get("x-aws-type")
    if aws == "document":
        return "document"
    if "anyOf" in schema:
        return "other"
    kind = schema.get("type")
    if kind == "object":
        if schema.get("x-aws-union"):
            return "union"
        if not schema.get("properties") and isinstance(schema.get("additionalProperties"), dict):
            return "map"
        return "structure"
    if kind == "array":
        return "list"
    return kind if isinstance(kind, str) else "other"


def unwrap_nullable(compiler: Compiler, schema: Schema) -> tuple[Schema, bool]:
    """The member schema inside `anyOf [member, {"type": "null"}]`, and whether it was wrapped."""
    options = schema.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        inner = next(o for o in options if o != {"type": "null"})
        return compiler.resolve(inner), True
    return compiler.resolve(schema), False


def sites(compiler: Compiler, root: Schema) -> tuple[Site, ...]:
    return _sites(compiler, id(root))


@functools.lru_cache(maxsize=256)
def _sites(compiler: Compiler, _root_id: int) -> tuple[Site, ...]:
    root = compiler.root
    assert isinstance(root, dict)
    found: list[Site] = []
    queue: list[tuple[tuple[str, ...], Schema, bool, bool, bool, frozenset[str]]] = [
        ((), compiler.resolve(root), False, False, False, frozenset())]
    while queue and len(found) < MAX_SITES:
        tokens, schema, nullable, union, under, refs = queue.pop(0)
        found.append(Site(tokens, schema, nullable, union, under))
        if len(tokens) >= MAX_SITE_DEPTH:
            continue
        for token, child in _children(schema):
            ref = child.get("$ref")
            if ref is not None and ref in refs:
                continue  # recursion: the first visit covers the shape
            target, wrapped = unwrap_nullable(compiler, child)
            queue.append(((*tokens, token), target, wrapped, kind_of(schema) == "union", under or nullable,
                          refs | {ref} if ref else refs))
    return tuple(found)


def key_space(compiler: Compiler, schema: Schema) -> float:
    """How many distinct keys the map SCHEMA can have (inf unless its key shape is an enum)."""
    names = compiler.resolve(schema.get("propertyNames", {}))
    return len(names["enum"]) if "enum" in names else math.inf


def _children(schema: Schema) -> Iterator[tuple[str, Schema]]:
    kind = kind_of(schema)
    if kind in ("structure", "union"):
        yield from schema.get("properties", {}).items()
    elif kind == "list" and isinstance(schema.get("items"), dict):
        yield ITEM, schema["items"]
    elif kind == "map":
        yield VALUE, schema["additionalProperties"]


# -- reaching a site in a value ------------------------------------------------------------------------


def base_values(compiler: Compiler, unread: tuple[str, ...] | None) -> st.SearchStrategy[Any]:
    """Valid values of the root to build a case on, for a case that never reads the value at schema path
    UNREAD (it replaces or deletes it). A top-level member the case discards is not drawn at all: drawing it
    would only spend choices that make no difference, and with them Hypothesis could never see that a small
    input has few distinct cases (GetMLTransform's TransformId alone has 19 boundary cases), so it would
    keep drawing the same ones. A case that replaces the whole root needs no value (None); deeper values
    are drawn as usual."""
    if unread == ():
        return st.none()
    if unread is None or len(unread) != 1:
        return compiler.strategy(compiler.root)
    return without_members(compiler, frozenset(unread))


@functools.lru_cache(maxsize=1024)
def without_members(compiler: Compiler, names: frozenset[str]) -> st.SearchStrategy[Any]:
    """Valid values of a structure root, except that its top-level members NAMES are never drawn (not
    even required ones): for a caller that sets or removes them itself. Any other root: its valid values."""
    root = compiler.root
    assert isinstance(root, dict)
    structure = compiler.resolve(root)
    if kind_of(structure) != "structure" or not names & set(structure.get("properties", {})):
        return compiler.strategy(root)
    properties = {k: v for k, v in structure.get("properties", {}).items() if k not in names}
    required = [k for k in structure.get("required", []) if k not in names]
    return compiler.strategy({**structure, "properties": properties, "required": required})


def materialize(draw: st.DrawFn, compiler: Compiler, value: Any, tokens: tuple[str, ...], *,
                draw_leaf: bool = True) -> tuple[Any, Path]:
    """VALUE (valid against the root) changed so that TOKENS exists in it; and the concrete path. Without
    DRAW_LEAF, a missing member at the end of the path is a placeholder (None) for the caller to replace."""
    root = compiler.root
    assert isinstance(root, dict)
    return _materialize(draw, compiler, root, value, tokens, 0, draw_leaf)


def _materialize(draw: st.DrawFn, compiler: Compiler, schema: Schema, value: Any, tokens: tuple[str, ...],
                 depth: int, draw_leaf: bool = True) -> tuple[Any, Path]:
    if not tokens:
        return value, ()
    schema, _ = unwrap_nullable(compiler, schema)
    token, rest = tokens[0], tokens[1:]
    if token == ITEM:
        items = list(value)
        if not items:
            items.append(draw(_non_null(compiler.strategy(schema["items"], depth + 1))))
        index = draw(st.integers(0, len(items) - 1))
        items[index], path = _step(draw, compiler, schema["items"], items[index], rest, depth, draw_leaf)
        return items, (index, *path)
    if token == VALUE:
        entries = dict(value)
        if not entries:
            key = draw(compiler.strategy(schema.get("propertyNames", {"type": "string"}), depth + 1))
            entries[key] = draw(_non_null(compiler.strategy(schema["additionalProperties"], depth + 1)))
        key = draw(st.sampled_from(sorted(entries)))
        entries[key], path = _step(draw, compiler, schema["additionalProperties"], entries[key], rest, depth,
                                   draw_leaf)
        return entries, (key, *path)
    member_schema = schema["properties"][token]
    # A union holds one member: reaching another one replaces it.
    members = {} if schema.get("x-aws-union") and token not in value else dict(value)
    current = members.get(token)
    if current is None and (rest or draw_leaf):
        current = draw(compiler.strategy(member_schema, depth + 1))
    members[token], path = _step(draw, compiler, member_schema, current, rest, depth, draw_leaf)
    return members, (token, *path)


def _step(draw: st.DrawFn, compiler: Compiler, schema: Schema, value: Any, rest: tuple[str, ...],
          depth: int, draw_leaf: bool = True) -> tuple[Any, Path]:
    if value is None and rest:  # a null item of a sparse list: replace it by a real one
        value = draw(_non_null(compiler.strategy(schema, depth + 1)))
    return _materialize(draw, compiler, schema, value, rest, depth + 1, draw_leaf)


def _non_null(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy.filter(lambda v: v is not None)


# -- changing a value at a path ------------------------------------------------------------------------


def get(value: Any, path: Path) -> Any:
    for token in path:
        value = value[token]
    return value


def replace(value: Any, path: Path, new: Any) -> Any:
    """VALUE with the item at PATH set to NEW; containers along the path are copied, VALUE is unchanged."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        items = list(value)
        items[head] = replace(items[head], rest, new)  # type: ignore[index]
        return items
    members = dict(value)
    members[head] = replace(members[head], rest, new) if rest else new
    return members


def delete(value: Any, path: Path) -> Any:
    """VALUE without the member at PATH (whose parent is an object)."""
    parent = get(value, path[:-1])
    return replace(value, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})


def pointer(path: Path) -> str:
    return json_pointer(path)


# -- validation --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _validator(compiler: Compiler) -> Draft202012Validator:
    return Draft202012Validator(compiler.root)


def violations(compiler: Compiler, value: Any) -> list[Violation]:
    """What jsonschema reports for VALUE against the root schema, read as AWS clients read it (null
    structure members absent), one entry per error: (pointer of the instance, keyword, message).

    Like `conformance.spec.validation.violations`, with the validator compiled once per root (that one
    serializes the schema on every call to find its cached validator, too slow for large inputs)."""
    root = compiler.root
    assert isinstance(root, dict)
    read = as_clients_read(root, value)
    return [Violation(json_pointer(error.absolute_path), keyword_of(error), error.message)
            for error in _validator(compiler).iter_errors(read)]


_DESCENDING = frozenset(["properties", "items", "additionalProperties", "propertyNames", "prefixItems"])


def keyword_of(error: Any) -> str:
    """The keyword an error breaks; for a map key, `propertyNames` (jsonschema names the keyword of the
    key's own schema, e.g. maxLength, and reports it at the map)."""
    descents = [step for step in error.absolute_schema_path if step in _DESCENDING]
    return "propertyNames" if descents and descents[-1] == "propertyNames" else str(error.validator)
