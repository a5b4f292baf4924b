"""Invalid inputs: a valid input with one mutation that breaks one keyword at one member.

The mutations are listed per schema site (see `strategies.sites`): drop a required member, add an
unknown one, give a member a value of the wrong JSON type, make a string too short or too long, break its
pattern or enum, put a number past its range, a list or map past its size, give a map a key its key shape
rejects, a union zero or two members. Each generated case is validated with jsonschema and kept only if
jsonschema reports the named keyword at the named place, so no case claims a violation the schema does not
see: an unanchored pattern such as `[a-z]*` matches every string and yields no pattern case at all.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from conformance.spec import part
from conformance.spec.validation import Violation
from strategies.compile import Compiler, Schema, compiler_for
from strategies.regex import pattern_strings
from strategies.sites import (
    Path,
    Site,
    base_values,
    delete,
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

# Lists and maps past their maximum are built in full; beyond these sizes the case is skipped.
MAX_BUILT_ITEMS = 100_000
MAX_BUILT_ENTRIES = 64
MAX_BUILT_LENGTH = 300_000
UNKNOWN_MEMBER = "UnknownMemberAddedByConformance"

# Values of the wrong JSON type, per expected type (null only where a null is not read as "absent").
_WRONG_TYPES: dict[str, list[Any]] = {
    "string": [0, True, ["x"], {"x": "x"}],
    "integer": ["1", 1.5, True, []],
    "number": ["1", True, [1.0], {}],
    "boolean": ["true", 1, [], {}],
    "object": ["x", 0, [{}], True],
    "array": ["x", 0, {}, True],
}


@dataclass(frozen=True)
class InvalidCase:
    """An input that breaks `keyword` at `pointer` (a JSON pointer into `value`; for `required` and for an
    unknown member, the pointer of the member, though validators report those at its parent object; for
    `propertyNames`, the map's).
    `violations` is everything jsonschema reports for the value (usually just that one)."""

    value: Any
    keyword: str
    pointer: str
    violations: tuple[Violation, ...]
    description: str


@dataclass(frozen=True)
class _Mutation:
    keyword: str  # what jsonschema should report
    site: Site
    apply: Callable[[st.DrawFn, Any, Path], tuple[Any, Path, Path, str]]
    # apply(draw, value, path) -> (new value, path of the member for the case, path jsonschema reports, text)
    unread: tuple[str, ...] | None = None  # schema path of a value apply replaces or deletes without reading
    adds_member: bool = False  # adds a member the schema does not define


def invalid_inputs(service: str, operation: str, *, unknown_members: bool = True) -> st.SearchStrategy[InvalidCase]:
    return invalid_cases(part(service, operation, "input"), unknown_members=unknown_members)


def invalid_cases(schema: Schema, *, unknown_members: bool = True) -> st.SearchStrategy[InvalidCase]:
    """Invalid cases of any schema `strategies.from_schema` handles; without UNKNOWN_MEMBERS, no case adds a
    member the schema does not define (a botocore client cannot send one: its serializer walks the model's
    members and raises KeyError on any other)."""
    compiler = compiler_for(schema)
    mutations = tuple(m for m in _mutations(compiler) if unknown_members or not m.adds_member)
    if not mutations:
        return st.nothing()

    @st.composite
    def cases(draw: st.DrawFn) -> InvalidCase:
        # The mutation first, then only the part of the valid value it keeps (see `base_values`).
        mutation = draw(st.sampled_from(mutations))
        value = draw(base_values(compiler, mutation.unread))
        value, path = materialize(draw, compiler, value, mutation.site.tokens,
                                  draw_leaf=mutation.unread != mutation.site.tokens)
        mutated, member, reported, text = mutation.apply(draw, value, path)
        found = violations(compiler, mutated)
        keyword = mutation.keyword
        if mutation.site.nullable:
            # A sparse item or value is `anyOf [member, null]`: jsonschema reports the anyOf, at the item.
            keyword, reported = "anyOf", path
        # Keep only what jsonschema confirms (e.g. a too-long string may also break a pattern: fine).
        assume(any(v.keyword == keyword and v.pointer == pointer(reported) for v in found))
        return InvalidCase(mutated, keyword, pointer(member), tuple(found), text)

    return cases()


@functools.lru_cache(maxsize=256)
def _mutations(compiler: Compiler) -> tuple[_Mutation, ...]:
    root = compiler.root
    assert isinstance(root, dict)
    return tuple(m for site in sites(compiler, root) if not site.under_nullable
                 for m in _site_mutations(compiler, site))


def _site_mutations(compiler: Compiler, site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    kind = kind_of(schema)
    if kind in ("structure", "union"):
        yield from _object_mutations(compiler, site)
    if kind == "document":
        return  # any JSON value is a valid document
    if kind == "other" and "anyOf" in schema:
        yield _Mutation("anyOf", site, _set_to(["not-a-number", [], True], "a value none of anyOf accepts"),
                        site.tokens)
    expected = "object" if kind in ("structure", "union", "map") else "array" if kind == "list" else kind
    if expected in _WRONG_TYPES:
        wrong = [v for v in _WRONG_TYPES[expected] if not (kind == "number" and isinstance(v, bool))]
        yield _Mutation("type", site, _set_to(wrong, f"a value that is not of type {expected}"), site.tokens)
    if kind == "string":
        yield from _string_mutations(site)
    if kind in ("integer", "number"):
        yield from _range_mutations(site)
    if kind == "list":
        yield from _list_mutations(compiler, site)
    if kind == "map":
        yield from _map_mutations(compiler, site)


def _set_to(choices: list[Any], text: str) -> Callable[[st.DrawFn, Any, Path], tuple[Any, Path, Path, str]]:
    def apply(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
        return replace(value, path, draw(st.sampled_from(choices))), path, path, text

    return apply


def _object_mutations(compiler: Compiler, site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    properties: dict[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", []):
        def drop(draw: st.DrawFn, value: Any, path: Path, name: str = name) -> tuple[Any, Path, Path, str]:
            return delete(value, (*path, name)), (*path, name), path, f"required member {name!r} left out"
        yield _Mutation("required", site, drop, (*site.tokens, name))

    def unknown(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
        member = (*path, UNKNOWN_MEMBER)
        return replace(value, member, "x"), member, path, "a member the model does not define"
    yield _Mutation("additionalProperties", site, unknown, adds_member=True)
    if schema.get("x-aws-union") and len(properties) >= 2:
        def two(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            current = get(value, path)
            present = next(iter(current), None)
            other = draw(st.sampled_from([n for n in properties if n != present]))
            extra = draw(compiler.strategy(properties[other], len(path) + 1).filter(lambda v: v is not None))
            return replace(value, path, {**current, other: extra}), path, path, "a union with two members"
        yield _Mutation("maxProperties", site, two)

        def none(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            return replace(value, path, {}), path, path, "a union with no member"
        yield _Mutation("minProperties", site, none)


def _string_mutations(site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    if "enum" in schema:
        enum = set(schema["enum"])
        first = schema["enum"][0]
        outside = [c for c in (first.lower() + "x", first + "_", "NOT_A_MEMBER", "", "?") if c not in enum]
        yield _Mutation("enum", site, _set_to(outside, "a string outside the enum"), site.tokens)
    if low > 0:
        yield _Mutation("minLength", site, _resized(schema, shorter=True), site.tokens)
    if high is not None and high < MAX_BUILT_LENGTH:
        yield _Mutation("maxLength", site, _resized(schema, shorter=False), site.tokens)
    if "pattern" in schema:
        rejected = pattern_strings(schema["pattern"]).rejected(low, high if high is not None else float("inf"))
        if rejected:
            yield _Mutation("pattern", site, _set_to(list(rejected), "a string the pattern does not match"),
                            site.tokens)


def _resized(schema: Schema, shorter: bool) -> Callable[[st.DrawFn, Any, Path], tuple[Any, Path, Path, str]]:
    """A string just past minLength/maxLength that still matches the pattern when one exists (so only
    the length is wrong), else any string of that length."""
    def apply(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
        limit = schema["minLength"] if shorter else schema["maxLength"]
        offsets = range(1, min(limit, 4) + 1) if shorter else range(1, 5)
        lengths = [limit - k if shorter else limit + k for k in offsets]
        text = _string_of_length(schema, lengths, draw(st.integers(0, 3)))
        word = "shorter than minLength" if shorter else "longer than maxLength"
        return replace(value, path, text), path, path, f"a string of {len(text)} characters, {word} {limit}"
    return apply


def _string_of_length(schema: Schema, lengths: list[int], variant: int) -> str:
    if schema.get("contentEncoding") == "base64" and "pattern" in schema:
        low, high = byte_bounds(schema)
        # Whole bytes, so the value stays base64: 3 bytes fewer (or more) than the bound moves 4 characters.
        count = max(0, low - 3) if lengths[0] < schema.get("minLength", 0) else (high or 0) + 3
        return encode_blob(b"\x00" * count)
    pattern = schema.get("pattern")
    for length in lengths:
        if pattern is None:
            return "a" * length
        found = pattern_strings(pattern).exact(length, variant)
        if found is not None:
            return found
    return "a" * lengths[0]


def _range_mutations(site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    integer = schema.get("type") == "integer"
    for keyword, sign in (("minimum", -1), ("maximum", 1)):
        if keyword not in schema:
            continue
        def apply(draw: st.DrawFn, value: Any, path: Path, keyword: str = keyword,
                  sign: int = sign) -> tuple[Any, Path, Path, str]:
            offset = draw(st.integers(1, 1000))
            new = schema[keyword] + sign * offset
            new = int(new) if integer else float(new)
            word = "below" if sign < 0 else "above"
            return replace(value, path, new), path, path, f"{new} {word} {keyword} {schema[keyword]}"
        yield _Mutation(keyword, site, apply, site.tokens)


def _list_mutations(compiler: Compiler, site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    if schema.get("minItems", 0) > 0:
        def short(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            items = get(value, path)[: schema["minItems"] - 1]
            return replace(value, path, items), path, path, f"{len(items)} items, fewer than minItems"
        yield _Mutation("minItems", site, short)
    if schema.get("maxItems", MAX_BUILT_ITEMS) < MAX_BUILT_ITEMS:
        def long(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            items = list(get(value, path)) or [draw(compiler.strategy(schema["items"], len(path) + 1))]
            # Repeat the items already there: the list stays valid item by item, only too long.
            grown = (items * (schema["maxItems"] // len(items) + 2))[: schema["maxItems"] + 1]
            return replace(value, path, grown), path, path, f"{len(grown)} items, more than maxItems"
        yield _Mutation("maxItems", site, long)


def _bad_keys(key_schema: Schema) -> list[str]:
    """Map keys the key shape rejects: past its lengths, outside its enum or pattern."""
    low, high = key_schema.get("minLength", 0), key_schema.get("maxLength")
    keys = ["a" * (high + 1)] if high is not None and high < MAX_BUILT_LENGTH else []
    keys += [""] if low > 0 else []
    if "enum" in key_schema:
        keys += [k for k in ("NOT_A_MEMBER", "?") if k not in key_schema["enum"]]
    if "pattern" in key_schema:
        keys += list(pattern_strings(key_schema["pattern"]).rejected(low, high if high is not None else math.inf))
    return keys


def _map_mutations(compiler: Compiler, site: Site) -> Iterator[_Mutation]:
    schema = site.schema
    bad_keys = _bad_keys(compiler.resolve(schema.get("propertyNames", {})))
    if bad_keys:
        def bad_key(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            key = draw(st.sampled_from(bad_keys))
            entries = get(value, path)
            member = next(iter(entries.values()), None)
            if member is None:
                member = draw(compiler.strategy(schema["additionalProperties"], len(path) + 1))
            text = f"a key the key shape rejects: {key[:40]!r}"
            return replace(value, path, {**entries, key: member}), path, path, text
        yield _Mutation("propertyNames", site, bad_key)
    if schema.get("minProperties", 0) > 0:
        def few(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            entries = dict(list(get(value, path).items())[: schema["minProperties"] - 1])
            return replace(value, path, entries), path, path, f"{len(entries)} entries, fewer than minProperties"
        yield _Mutation("minProperties", site, few)
    most = schema.get("maxProperties")
    if most is not None and most < MAX_BUILT_ENTRIES and key_space(compiler, schema) > most:
        def many(draw: st.DrawFn, value: Any, path: Path) -> tuple[Any, Path, Path, str]:
            depth = len(path) + 1
            keys = compiler.strategy(schema.get("propertyNames", {"type": "string"}), depth)
            values = compiler.strategy(schema["additionalProperties"], depth)
            entries = dict(get(value, path))
            extra = draw(st.dictionaries(keys, values, min_size=most + 1, max_size=most + 1))
            grown = {**entries, **extra}
            return replace(value, path, grown), path, path, f"{len(grown)} entries, more than maxProperties"
        yield _Mutation("maxProperties", site, many)
