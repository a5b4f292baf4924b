"""Boundary inputs: a valid input with one member at, or just past, one of its limits.

Limits: minLength/maxLength of strings (in code points; for blobs in whole bytes), minItems/maxItems of
lists, minProperties/maxProperties of maps, minimum/maximum of numbers; each at the limit and one step
past it (min-1, min, max, max+1; for floats the next representable float). Sizes are real, not soft-capped:
a 2048-character maximum yields a 2048-character string. Every case is validated with jsonschema and
labelled by the result; a case whose label would contradict its intent (a value "at the limit" that the
schema rejects for another reason, a blob byte bound that no length bound mirrors) is not generated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from conformance.spec import part
from strategies.compile import Compiler, Schema, compiler_for
from strategies.regex import pattern_strings
from strategies.sites import (
    Path,
    Site,
    base_values,
    get,
    key_space,
    kind_of,
    materialize,
    pointer,
    replace,
    sites,
    violations,
)
from strategies.strings import byte_bounds, encode_blob

MAX_BUILT_LENGTH = 300_000
MAX_BUILT_ITEMS = 100_000
MAX_BUILT_ENTRIES = 64
# Characters for strings without a pattern: ASCII first (what examples shrink to), then wider ones, since
# a limit counts code points, not bytes or UTF-16 units.
_FILLERS = ("a", "\u00e9", "\u4e2d", "\U0001f600")
# Kinds whose value at a limit is built without reading the valid one (lists and maps are cut or grown).
_BUILT_WHOLE = frozenset(["string", "integer", "number"])


@dataclass(frozen=True)
class BoundaryCase:
    """An input whose member at `pointer` has `size` (a length, a count or the number itself) at or one
    step past `limit`, the value of `keyword`. `valid` is what jsonschema says of the whole input."""

    value: Any
    keyword: str
    pointer: str
    limit: int | float
    size: int | float
    valid: bool
    label: str


@dataclass(frozen=True)
class _Option:
    site: Site
    keyword: str
    limit: int | float
    past: bool  # one step past the limit (invalid) rather than at it (valid)


def boundary_inputs(service: str, operation: str) -> st.SearchStrategy[BoundaryCase]:
    """Boundary cases of the operation's input; an empty strategy when its input has no limits at all."""
    return boundary_cases(part(service, operation, "input"))


def boundary_cases(schema: Schema) -> st.SearchStrategy[BoundaryCase]:
    compiler = compiler_for(schema)
    options = _options(compiler)
    if not options:
        return st.nothing()

    @st.composite
    def cases(draw: st.DrawFn) -> BoundaryCase:
        # The option first, then only the part of the valid value the case keeps (see `base_values`):
        # a string or a number at its limit is built whole, so the value it replaces is not drawn.
        option = draw(st.sampled_from(options))
        replaced = kind_of(option.site.schema) in _BUILT_WHOLE
        value = draw(base_values(compiler, option.site.tokens if replaced else None))
        value, path = materialize(draw, compiler, value, option.site.tokens, draw_leaf=not replaced)
        member = _build(draw, compiler, option, get(value, path), path)
        assume(member is not None)
        new = replace(value, path, member)
        is_valid = not violations(compiler, new)
        assume(is_valid != option.past)
        size = _size(member)
        side = "past" if option.past else "at"
        label = (f"{pointer(path) or '/'} {option.keyword} {option.limit}: {side} the limit "
                 f"({size}), {'valid' if is_valid else 'invalid'}")
        return BoundaryCase(new, option.keyword, pointer(path), option.limit, size, is_valid, label)

    return cases()


@functools.lru_cache(maxsize=256)
def _options(compiler: Compiler) -> tuple[_Option, ...]:
    root = compiler.root
    assert isinstance(root, dict)
    return tuple(option for site in sites(compiler, root) for option in _site_options(compiler, site))


def _site_options(compiler: Compiler, site: Site) -> Iterator[_Option]:
    schema = site.schema
    kind = kind_of(schema)
    limits: list[tuple[str, int | float]] = []
    if kind == "string" and "enum" not in schema:
        limits = _string_limits(schema)
    elif kind in ("integer", "number"):
        limits = [(k, schema[k]) for k in ("minimum", "maximum") if k in schema]
    elif kind == "list":
        limits = [(k, schema[k]) for k in ("minItems", "maxItems") if k in schema]
        limits = [(k, v) for k, v in limits if v <= MAX_BUILT_ITEMS]
    elif kind == "map":
        limits = [(k, schema[k]) for k in ("minProperties", "maxProperties") if k in schema]
        # One past a maximum needs that many distinct keys: an enum of keys may not have them.
        limits = [(k, v) for k, v in limits if v < MAX_BUILT_ENTRIES and key_space(compiler, schema) > v]
    for keyword, limit in limits:
        yield _Option(site, keyword, limit, past=False)
        # Sizes cannot go below zero; numbers can.
        below_zero = keyword.startswith("min") and limit <= 0 and kind not in ("integer", "number")
        if not below_zero and _has_past(schema, keyword, limit):
            yield _Option(site, keyword, limit, past=True)


def _string_limits(schema: Schema) -> list[tuple[str, int | float]]:
    limits = [(k, schema[k]) for k in ("minLength", "maxLength") if k in schema]
    return [(k, v) for k, v in limits if v <= MAX_BUILT_LENGTH]


def _has_past(schema: Schema, keyword: str, limit: int | float) -> bool:
    if schema.get("contentEncoding") == "base64" and "pattern" in schema:
        # A byte bound has a length twin only when one more (fewer) byte adds (drops) 4 characters.
        low, high = byte_bounds(schema)
        if keyword == "maxLength":
            return high is not None and high % 3 == 0
        return low > 0 and (low - 1) % 3 == 0
    return True


def _build(draw: st.DrawFn, compiler: Compiler, option: _Option, current: Any, path: Path) -> Any:
    schema, keyword, limit = option.site.schema, option.keyword, option.limit
    step = 1 if option.past else 0
    size = limit - step if keyword.startswith("min") else limit + step
    kind = kind_of(schema)
    if kind == "string":
        return _string(draw, schema, keyword, int(size), option.past)
    if kind in ("integer", "number"):
        if kind == "number" and option.past:
            return math.nextafter(limit, -math.inf if keyword == "minimum" else math.inf)
        return size if kind == "integer" else float(size)
    depth = len(path) + 1
    if kind == "list":
        items = list(current)[: int(size)]
        while len(items) < size:
            # New items are copies of a few drawn ones: long lists stay cheap to build and to validate.
            items.extend(items[: int(size) - len(items)] or [draw(compiler.strategy(schema["items"], depth))])
        return items
    keys = compiler.strategy(schema.get("propertyNames", {"type": "string"}), depth)
    values = compiler.strategy(schema["additionalProperties"], depth)
    entries = dict(list(current.items())[: int(size)])
    if len(entries) < size:
        extra = draw(st.dictionaries(keys, values, min_size=int(size), max_size=int(size)))
        for key, value in extra.items():
            if len(entries) >= size:
                break
            entries.setdefault(key, value)
    return entries if len(entries) == size else None


def _string(draw: st.DrawFn, schema: Schema, keyword: str, size: int, past: bool) -> str | None:
    if size < 0:
        return None
    if schema.get("contentEncoding") == "base64" and "pattern" in schema:
        low, high = byte_bounds(schema)
        count = (low - (1 if past else 0)) if keyword == "minLength" else (high or 0) + (1 if past else 0)
        return encode_blob(bytes([draw(st.integers(0, 255))]) * count)
    # The variant picks the filler character: ASCII or not (a limit counts code points, not bytes).
    variant = draw(st.integers(0, 7))
    pattern = schema.get("pattern")
    found = None if pattern is None else pattern_strings(pattern).exact(size, variant)
    if found is None and (pattern is None or past):
        # Past a limit any string of that length will do (it may break the pattern too: still invalid).
        return _FILLERS[variant % len(_FILLERS)] * size
    return found


def _size(member: Any) -> int | float:
    if isinstance(member, str | list | dict):
        return len(member)
    return member  # type: ignore[no-any-return]
