"""Compile a JSON Schema (as `conformance.spec` writes them, and the common keywords in general) into a
Hypothesis strategy of valid values, built from public strategies only.

Sizes: every container level deepens a value by one. The deeper a structure, the fewer optional members
it may draw (`OPTIONAL_LIMITS`) and the shorter its lists and maps; at `MAX_DEPTH` values are minimal
(required members only, lists and maps at their minimum size, a union's least-deep member). That bounds
recursion and keeps examples small, which is what makes generation fast and shrinking effective.

Strategies are cached per (reference, depth); leaf shapes (strings, numbers, enums) once per reference.
References on a cycle of the reference graph (recursive shapes) sit behind `deferred`, built on first
draw; the others are built at once, sparing every draw deferred's indirection. A schema with no valid
value at all (AWS models hold a few contradictions, such as a 36-character UUID pattern with maxLength 32)
compiles to an empty strategy, and optional members of that kind are simply never drawn.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

from hypothesis import strategies as st

from strategies.charsets import Ranges, difference, normalize
from strategies.graph import cyclic_nodes, refs_in
from strategies.strings import HEADER_NAME, HEADER_VALUE, epoch_timestamps, string_fits, string_strategy

Schema = dict[str, Any]
Strategy = st.SearchStrategy[Any]

MAX_DEPTH = 5
# Per depth 0..MAX_DEPTH-1: most optional members drawn, and most list items / map entries past the minimum.
OPTIONAL_LIMITS = (8, 4, 3, 2, 1)
LIST_LIMITS = (3, 3, 2, 2, 1)

_JSON_LEAVES: Strategy = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=16),
)
# Documents (and `{}` / `true` schemas): small JSON values.
JSON_VALUES: Strategy = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)

_TYPE_KEYWORDS = {
    "object": ("properties", "required", "additionalProperties", "propertyNames", "minProperties",
               "maxProperties"),
    "array": ("items", "minItems", "maxItems"),
    "string": ("minLength", "maxLength", "pattern", "contentEncoding"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}


class Compiler:
    """Strategies for the schemas inside one root document (its `$defs` resolve references)."""

    def __init__(self, root: Schema | bool) -> None:
        self.root = root
        self._refs: dict[tuple[str, int], Strategy] = {}
        self._heights: dict[str, float] | None = None
        self._empty_leaves: dict[int, bool] = {}
        self._cyclic: frozenset[str] | None = None

    # -- entry points --------------------------------------------------------------------------------

    def strategy(self, schema: Schema | bool, depth: int = 0) -> Strategy:
        if schema is True:
            return JSON_VALUES
        if schema is False:
            return st.nothing()
        assert isinstance(schema, dict)
        if "$ref" in schema:
            return self._reference(schema, depth)
        if "enum" in schema or "const" in schema:
            return _constants(schema)
        if schema.get("x-aws-type") == "document":
            return JSON_VALUES
        if "anyOf" in schema or "oneOf" in schema:
            return self._alternatives(schema, depth)
        if "allOf" in schema:
            return self._all_of(schema, depth)
        kinds = schema.get("type", _implied_type(schema))
        if isinstance(kinds, list):
            return st.one_of(*(self._typed({**schema, "type": kind}, kind, depth) for kind in kinds))
        return self._typed(schema, kinds, depth)

    def resolve(self, schema: Schema) -> Schema:
        """SCHEMA with `$ref`s followed (annotations beside a `$ref` are dropped)."""
        seen = 0
        while "$ref" in schema and seen < 64:
            schema = self._target(schema["$ref"])
            seen += 1
        return schema

    # -- references and recursion --------------------------------------------------------------------

    def _target(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise ValueError(f"only local references are supported, not {ref!r}")
        node: Any = self.root
        for token in filter(None, ref[1:].split("/")):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node  # type: ignore[no-any-return]

    def _reference(self, schema: Schema, depth: int) -> Strategy:
        ref = schema["$ref"]
        target = self._target(ref)
        if _is_leaf(target):
            # Strings, numbers, enums...: the same at every depth, and no recursion to defer.
            key = (ref, -1)
            if key not in self._refs:
                self._refs[key] = self.strategy(target, 0)
        else:
            key = (ref, min(depth, MAX_DEPTH))
            if key not in self._refs and ref in self.cyclic():
                # deferred: built on first draw, and a reference back to itself while building is fine.
                self._refs[key] = st.deferred(lambda: self.strategy(target, key[1]))
            elif key not in self._refs:
                # Not recursive: built now, without deferred's indirection on every draw.
                self._refs[key] = self.strategy(target, key[1])
        strategy = self._refs[key]
        siblings = {k: v for k, v in schema.items() if k in _ASSERTIONS}
        if siblings:  # rare outside our documents: keywords beside $ref also apply
            return strategy.filter(_validator(siblings).is_valid)
        return strategy

    def cyclic(self) -> frozenset[str]:
        """The references that lie on a cycle of the reference graph (recursive shapes)."""
        if self._cyclic is None:
            defs = self.root.get("$defs", {}) if isinstance(self.root, dict) else {}
            graph = {f"#/$defs/{_escape(name)}": sorted(refs_in(schema)) for name, schema in defs.items()}
            self._cyclic = cyclic_nodes(graph)
        return self._cyclic

    def height(self, schema: Schema | bool) -> float:
        """Fewest container levels a valid value of SCHEMA needs; inf when it has no valid value at all
        (a required member whose pattern cannot meet its length bounds: a few AWS models have them)."""
        if self._heights is None:
            self._heights = self._all_heights()
        return self._height(schema, self._heights)

    def _all_heights(self) -> dict[str, float]:
        defs = self.root.get("$defs", {}) if isinstance(self.root, dict) else {}
        heights = {f"#/$defs/{_escape(name)}": math.inf for name in defs}
        changed = True
        while changed:  # a fixpoint: recursion makes heights depend on each other
            changed = False
            for name, schema in defs.items():
                key = f"#/$defs/{_escape(name)}"
                value = self._height(schema, heights)
                if value < heights[key]:
                    heights[key], changed = value, True
        return heights

    def _height(self, schema: Schema | bool, known: dict[str, float]) -> float:
        if not isinstance(schema, dict):
            return 0 if schema else math.inf
        if "$ref" in schema:
            return known.get(schema["$ref"], 0)
        if "anyOf" in schema or "oneOf" in schema:
            options: list[Schema] = schema.get("anyOf") or schema.get("oneOf") or []
            return min((self._height(s, known) for s in options), default=0)
        if "properties" in schema and "enum" not in schema:
            properties = schema["properties"]
            if schema.get("x-aws-union"):
                return 1 + min((self._height(s, known) for s in properties.values()), default=math.inf)
            needed = [self._height(properties[k], known) for k in schema.get("required", []) if k in properties]
            return 1 + max(needed, default=0)
        if "items" in schema:
            return 1 + (self._height(schema["items"], known) if schema.get("minItems", 0) else 0)
        if isinstance(schema.get("additionalProperties"), dict) and schema.get("minProperties", 0):
            values = self._height(schema["additionalProperties"], known)
            keys = self._height(schema.get("propertyNames", True), known)
            return 1 + max(values, keys)
        return math.inf if self._leaf_is_empty(schema) else 0

    def _leaf_is_empty(self, schema: Schema) -> bool:
        key = id(schema)
        if key not in self._empty_leaves:
            kind = schema.get("type", _implied_type(schema))
            if "enum" in schema or "const" in schema:
                self._empty_leaves[key] = _constants(schema).is_empty
            elif kind in ("string", "integer", "number"):
                # Leaf strategies hold no reference, so asking Hypothesis whether one is empty is cheap.
                self._empty_leaves[key] = self._typed(schema, kind, 0).is_empty
            else:
                self._empty_leaves[key] = False
        return self._empty_leaves[key]

    def satisfiable(self, schema: Schema | bool) -> bool:
        return self.height(schema) < math.inf

    # -- by keyword ----------------------------------------------------------------------------------

    def _alternatives(self, schema: Schema, depth: int) -> Strategy:
        if "anyOf" in schema:
            options = [self.strategy(option, depth) for option in schema["anyOf"]]
            return _with_siblings(schema, "anyOf", st.one_of(*options))
        branches = schema["oneOf"]
        validators = [_validator({**self._defs_holder(), **b} if isinstance(b, dict) else b) for b in branches]
        # oneOf: exactly one branch may accept the value.
        combined = st.one_of(*(self.strategy(b, depth) for b in branches)).filter(
            lambda v: sum(validator.is_valid(v) for validator in validators) == 1)
        return _with_siblings(schema, "oneOf", combined)

    def _all_of(self, schema: Schema, depth: int) -> Strategy:
        parts = schema["allOf"]
        whole = _validator({**self._defs_holder(), **{k: v for k, v in schema.items() if k != "$defs"}})
        return self.strategy(parts[0], depth).filter(whole.is_valid) if parts else JSON_VALUES

    def _defs_holder(self) -> Schema:
        return {"$defs": self.root["$defs"]} if isinstance(self.root, dict) and "$defs" in self.root else {}

    def _typed(self, schema: Schema, kind: str | None, depth: int) -> Strategy:
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "string":
            return string_strategy(schema)
        if kind == "integer":
            return _integers(schema)
        if kind == "number":
            if "x-aws-timestamp-format" in schema:
                return epoch_timestamps()
            return _numbers(schema)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        return JSON_VALUES

    def _object(self, schema: Schema, depth: int) -> Strategy:
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if not properties and (isinstance(extra, dict) or "propertyNames" in schema):
            return self._map(schema, depth)
        if schema.get("x-aws-union") or (schema.get("maxProperties") == 1 and schema.get("minProperties") == 1):
            return self._union(properties, depth)
        fallback = extra if isinstance(extra, dict) else True
        required = {k: properties.get(k, fallback) for k in schema.get("required", [])}
        if not all(map(self.satisfiable, required.values())):
            return st.nothing()  # a required member has no valid value
        values = {k: self._member(s, depth + 1) for k, s in required.items()}
        optional = [(k, s) for k, s in properties.items() if k not in values and self.satisfiable(s)]
        most = OPTIONAL_LIMITS[depth] if depth < MAX_DEPTH else 0
        most = min(most, len(optional), schema.get("maxProperties", math.inf) - len(values))
        fewest = max(0, schema.get("minProperties", 0) - len(values))
        if fewest > most:
            most = min(len(optional), fewest)
        members = [(k, self._member(s, depth + 1)) for k, s in optional] if most > 0 else []
        return _structure(values, members, fewest, max(int(most), 0))

    def _member(self, schema: Schema, depth: int) -> Strategy:
        """A structure member: as its schema says, but header-safe when sent in HTTP headers (rest
        protocols): a value a real client cannot put in a header would never reach the endpoint."""
        location = schema.get("x-aws-location") if isinstance(schema, dict) else None
        if location not in ("header", "headers"):
            return self.strategy(schema, depth)
        target = self.resolve(schema)
        kind = target.get("type")
        if kind == "string":
            return string_strategy(target, HEADER_VALUE)
        if kind == "array" and self.resolve(target.get("items", {})).get("type") == "string":
            # A list header is comma-joined: its items must not hold the separator.
            items = string_strategy(self.resolve(target["items"]), _without(HEADER_VALUE, ","))
            fewest, most = _sizes(target, "minItems", "maxItems", depth)
            return st.lists(items, min_size=fewest, max_size=most)
        if kind == "object" and "propertyNames" in target:  # a `headers` map: name suffix -> value
            keys = string_strategy(self.resolve(target["propertyNames"]), HEADER_NAME)
            values = self.resolve(target.get("additionalProperties", {}))
            value_strategy = string_strategy(values, HEADER_VALUE) if values.get("type") == "string" else \
                self.strategy(values, depth + 1)
            fewest, most = _sizes(target, "minProperties", "maxProperties", depth)
            # Header names are case-insensitive: keys equal but for case would collide on the wire.
            return st.dictionaries(keys, value_strategy, min_size=fewest, max_size=most).filter(
                lambda d: len({k.lower() for k in d}) == len(d))
        return self.strategy(schema, depth)

    def _union(self, members: dict[str, Any], depth: int) -> Strategy:
        heights = {name: self.height(schema) for name, schema in members.items()}
        names = [name for name in members if heights[name] < math.inf]
        if depth >= MAX_DEPTH:
            # Minimal values: only the members that end soonest, so recursion through unions terminates.
            lowest = min((heights[name] for name in names), default=0)
            names = [name for name in names if heights[name] == lowest]
        return st.one_of(*(st.fixed_dictionaries({name: self.strategy(members[name], depth + 1)})
                           for name in names))

    def _map(self, schema: Schema, depth: int) -> Strategy:
        names = schema.get("propertyNames", {"type": "string"})
        extra = schema.get("additionalProperties", True)
        fewest, most = _sizes(schema, "minProperties", "maxProperties", depth)
        if not (self.satisfiable(names) and self.satisfiable(extra)):
            return st.builds(dict) if fewest == 0 else st.nothing()  # a new dict each time
        keys = self.strategy(names, depth + 1)
        values = self.strategy(extra, depth + 1)
        return st.dictionaries(keys, values, min_size=fewest, max_size=most)

    def _array(self, schema: Schema, depth: int) -> Strategy:
        fewest, most = _sizes(schema, "minItems", "maxItems", depth)
        if not self.satisfiable(schema.get("items", True)):
            return st.builds(list) if fewest == 0 else st.nothing()
        items = self.strategy(schema.get("items", True), depth + 1)
        if schema.get("uniqueItems"):
            return st.lists(items, min_size=fewest, max_size=most, unique_by=_json_key)
        return st.lists(items, min_size=fewest, max_size=most)


_ASSERTIONS = frozenset(
    ["type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems",
     "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum", "multipleOf", "minProperties", "maxProperties", "propertyNames", "anyOf",
     "oneOf", "allOf", "not", "uniqueItems"]
)


# Structures with at most this many optional members pick them with one bit mask (one choice per value).
MASK_MEMBERS = 16


def _structure(required: dict[str, Strategy], optional: list[tuple[str, Strategy]], fewest: int,
               most: int) -> Strategy:
    """Objects with every REQUIRED member and between FEWEST and MOST optional ones.

    fixed_dictionaries(optional=) draws about half of the optional members, far too many for structures
    with dozens of them, at the cost of a few choices per member. Here the optional members present are one
    integer used as a bit mask (a single choice; it shrinks towards 0, no optional member) when there are
    few, else a short list of member indices (which shrinks towards fewer and earlier members); past MOST
    members the rest are left out."""
    needed = tuple(required.items())
    names = tuple(name for name, _ in optional)
    members = tuple(strategy for _, strategy in optional)
    if not optional:
        if not needed:
            return st.builds(dict)
        return _fixed_structure(needed)
    if len(optional) <= MASK_MEMBERS and fewest == 0 and len(optional) <= 2 * most:
        return _masked_structure(needed, st.integers(0, 2 ** len(optional) - 1), names, members, most)
    chosen = st.lists(st.integers(0, len(optional) - 1), unique=True, min_size=fewest, max_size=most)
    return _listed_structure(needed, chosen, names, members)


# The drawing functions of structures, decorated once here: st.composite reads its function's source (to
# warn when it never draws): done for every structure, a quarter of a matrix worker's samples.


@st.composite
def _fixed_structure(draw: st.DrawFn, needed: tuple[tuple[str, Strategy], ...]) -> dict[str, Any]:
    # Not fixed_dictionaries: it also draws a shuffle of the keys, a cost with no use here.
    return {name: draw(strategy) for name, strategy in needed}


@st.composite
def _masked_structure(draw: st.DrawFn, needed: tuple[tuple[str, Strategy], ...], mask: Strategy,
                      names: tuple[str, ...], members: tuple[Strategy, ...], most: int) -> dict[str, Any]:
    value = {name: draw(strategy) for name, strategy in needed}
    bits, present = draw(mask), 0
    index = 0
    while bits and present < most:
        if bits & 1:
            value[names[index]] = draw(members[index])
            present += 1
        bits >>= 1
        index += 1
    return value


@st.composite
def _listed_structure(draw: st.DrawFn, needed: tuple[tuple[str, Strategy], ...], chosen: Strategy,
                      names: tuple[str, ...], members: tuple[Strategy, ...]) -> dict[str, Any]:
    value = {name: draw(strategy) for name, strategy in needed}
    for index in sorted(draw(chosen)):
        value[names[index]] = draw(members[index])
    return value


def _sizes(schema: Schema, low_keyword: str, high_keyword: str, depth: int) -> tuple[int, int]:
    fewest = int(schema.get(low_keyword, 0))
    extra = LIST_LIMITS[depth] if depth < MAX_DEPTH else 0
    most = fewest + max(0, extra - fewest) if extra else fewest
    if high_keyword in schema:
        most = min(most, int(schema[high_keyword]))
    return fewest, max(most, fewest)


def _without(ranges: Ranges, characters: str) -> Ranges:
    return difference(ranges, normalize((ord(c), ord(c)) for c in characters))


def _constants(schema: Schema) -> Strategy:
    values = list(schema["enum"]) if "enum" in schema else [schema["const"]]
    allowed = [v for v in values if not isinstance(v, str) or string_fits(schema, v)]
    return st.sampled_from(allowed) if allowed else st.nothing()


def _integers(schema: Schema) -> Strategy:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = max(low if low is not None else -math.inf, math.floor(schema["exclusiveMinimum"]) + 1)
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = min(high if high is not None else math.inf, math.ceil(schema["exclusiveMaximum"]) - 1)
    low = None if low is None else math.ceil(low)
    high = None if high is None else math.floor(high)
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        low_n = None if low is None else -(-low // step)
        high_n = None if high is None else high // step
        return st.integers(low_n, high_n).map(lambda n: n * step)
    return st.integers(low, high)


def _numbers(schema: Schema) -> Strategy:
    return st.floats(
        min_value=schema.get("minimum", schema.get("exclusiveMinimum")),
        max_value=schema.get("maximum", schema.get("exclusiveMaximum")),
        exclude_min="minimum" not in schema and "exclusiveMinimum" in schema,
        exclude_max="maximum" not in schema and "exclusiveMaximum" in schema,
        allow_nan=False, allow_infinity=False,  # JSON has neither (AWS spells them as strings)
    )


def _is_leaf(schema: Schema | bool) -> bool:
    """A schema that references nothing and holds no container (its strategy is cheap to build now)."""
    if not isinstance(schema, dict):
        return True
    if isinstance(schema.get("anyOf"), list) and not all(map(_is_leaf, schema["anyOf"])):
        return False  # e.g. a sparse member, `anyOf [{"$ref": ...}, null]`; non-finite floats are leaves
    if any(key in schema for key in ("$ref", "oneOf", "allOf", "properties", "items",
                                      "additionalProperties", "propertyNames")):
        return False
    return schema.get("type") not in ("object", "array") and schema.get("x-aws-type") != "document"


def _implied_type(schema: Schema) -> str | None:
    for kind, keywords in _TYPE_KEYWORDS.items():
        if any(keyword in schema for keyword in keywords):
            return kind
    return None


def _with_siblings(schema: Schema, keyword: str, strategy: Strategy) -> Strategy:
    siblings = {k: v for k, v in schema.items() if k in _ASSERTIONS and k != keyword}
    return strategy.filter(_validator(siblings).is_valid) if siblings else strategy


def _validator(schema: Any) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


# One compiler per root document, kept (with the document, so its id stays unique) in a small LRU.
_COMPILERS: OrderedDict[int, tuple[Any, Compiler]] = OrderedDict()
_COMPILER_CACHE_SIZE = 128


def compiler_for(root: Schema | bool) -> Compiler:
    key = id(root)
    entry = _COMPILERS.get(key)
    if entry is not None and entry[0] is root:
        _COMPILERS.move_to_end(key)
        return entry[1]
    compiler = Compiler(root)
    _COMPILERS[key] = (root, compiler)
    if len(_COMPILERS) > _COMPILER_CACHE_SIZE:
        _COMPILERS.popitem(last=False)
    return compiler


def from_schema(schema: Schema | bool) -> Strategy:
    """Values valid against SCHEMA (see the module docstring for sizes)."""
    return compiler_for(schema).strategy(schema)
