"""Compile a JSON Schema (as `conformance.spec` writes them, and the common keywords in general) into a
Hypothesis strategy of valid values, built from public strategies only.

Sizes: every container level deepens a value by one. The deeper a structure, the fewer optional members
it may draw (`OPTIONAL_LIMITS`) and the shorter its lists and maps; at `MAX_DEPTH` values are minimal
(required members only, lists and maps at their minimum size, a union's least-deep member). That bounds
recursion and keeps examples small, which is what makes generation fast and shrinking effective. Strategies
are cached per (reference, depth), each behind `deferred` so that recursive references (and the large
shape graphs of some services) are only built when first drawn from.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

from hypothesis import strategies as st

from strategies.strings import epoch_timestamps, string_fits, string_strategy

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
        key = (ref, min(depth, MAX_DEPTH))
        if key not in self._refs:
            # deferred: built on first draw, and a reference back to itself while building is fine.
            self._refs[key] = st.deferred(lambda: self.strategy(self._target(ref), key[1]))
        strategy = self._refs[key]
        siblings = {k: v for k, v in schema.items() if k in _ASSERTIONS}
        if siblings:  # rare outside our documents: keywords beside $ref also apply
            return strategy.filter(_validator(siblings).is_valid)
        return strategy

    def height(self, schema: Schema | bool) -> float:
        """Fewest container levels a valid value of SCHEMA needs (inf: none is finite)."""
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
            return 0
        if "$ref" in schema:
            return known.get(schema["$ref"], 0)
        if "enum" in schema or "const" in schema:
            return 0
        if "anyOf" in schema or "oneOf" in schema:
            options: list[Schema] = schema.get("anyOf") or schema.get("oneOf") or []
            return min((self._height(s, known) for s in options), default=0)
        if "properties" in schema:
            properties = schema["properties"]
            if schema.get("x-aws-union"):
                return 1 + min((self._height(s, known) for s in properties.values()), default=0)
            needed = [self._height(properties[k], known) for k in schema.get("required", []) if k in properties]
            return 1 + max(needed, default=0)
        if "items" in schema:
            return 1 + (self._height(schema["items"], known) if schema.get("minItems", 0) else 0)
        if isinstance(schema.get("additionalProperties"), dict) and schema.get("minProperties", 0):
            return 1 + self._height(schema["additionalProperties"], known)
        return 0

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
        required = [k for k in schema.get("required", [])]
        values = {k: self.strategy(properties.get(k, extra if isinstance(extra, dict) else True), depth + 1)
                  for k in required}
        optional = [(k, s) for k, s in properties.items() if k not in values]
        most = OPTIONAL_LIMITS[depth] if depth < MAX_DEPTH else 0
        most = min(most, len(optional), schema.get("maxProperties", math.inf) - len(values))
        fewest = max(0, schema.get("minProperties", 0) - len(values))
        if fewest > most:
            most = min(len(optional), fewest)
        if most <= 0:
            return st.fixed_dictionaries(values)
        return _structure(values, [(k, self.strategy(s, depth + 1)) for k, s in optional], fewest, int(most))

    def _union(self, members: dict[str, Any], depth: int) -> Strategy:
        names = list(members)
        if depth >= MAX_DEPTH:
            # Minimal values: only the members that end soonest, so recursion through unions terminates.
            heights = {name: self.height(members[name]) for name in names}
            lowest = min(heights.values(), default=0)
            names = [name for name in names if heights[name] == lowest]
        return st.one_of(*(st.fixed_dictionaries({name: self.strategy(members[name], depth + 1)})
                           for name in names))

    def _map(self, schema: Schema, depth: int) -> Strategy:
        keys = self.strategy(schema.get("propertyNames", {"type": "string"}), depth + 1)
        extra = schema.get("additionalProperties", True)
        values = self.strategy(extra, depth + 1)
        fewest, most = _sizes(schema, "minProperties", "maxProperties", depth)
        return st.dictionaries(keys, values, min_size=fewest, max_size=most)

    def _array(self, schema: Schema, depth: int) -> Strategy:
        items = self.strategy(schema.get("items", True), depth + 1)
        fewest, most = _sizes(schema, "minItems", "maxItems", depth)
        if schema.get("uniqueItems"):
            return st.lists(items, min_size=fewest, max_size=most, unique_by=_json_key)
        return st.lists(items, min_size=fewest, max_size=most)


_ASSERTIONS = frozenset(
    ["type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems",
     "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum", "multipleOf", "minProperties", "maxProperties", "propertyNames", "anyOf",
     "oneOf", "allOf", "not", "uniqueItems"]
)


def _structure(required: dict[str, Strategy], optional: list[tuple[str, Strategy]], fewest: int,
               most: int) -> Strategy:
    """Objects with every REQUIRED member and between FEWEST and MOST optional ones.

    fixed_dictionaries(optional=) draws about half of the optional members, which is far too many for
    structures with dozens of them; choosing a bounded subset by index keeps values small, and the list of
    indices shrinks towards fewer (and earlier) members."""
    fixed = st.fixed_dictionaries(required)
    chosen = st.lists(st.integers(0, len(optional) - 1), unique=True, min_size=fewest, max_size=most)

    @st.composite
    def structures(draw: st.DrawFn) -> dict[str, Any]:
        value: dict[str, Any] = draw(fixed)
        for index in sorted(draw(chosen)):
            key, strategy = optional[index]
            value[key] = draw(strategy)
        return value

    return structures()


def _sizes(schema: Schema, low_keyword: str, high_keyword: str, depth: int) -> tuple[int, int]:
    fewest = int(schema.get(low_keyword, 0))
    extra = LIST_LIMITS[depth] if depth < MAX_DEPTH else 0
    most = fewest + max(0, extra - fewest) if extra else fewest
    if high_keyword in schema:
        most = min(most, int(schema[high_keyword]))
    return fewest, max(most, fewest)


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
