"""Cases: the inputs a run sends, each with what it is and what a conforming endpoint must do with it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st

from conformance import spec
from conformance.errors import UsageError
from conformance.spec.validation import violations

Expectation = Literal["valid", "invalid"]
KINDS = ("valid", "invalid", "boundary")


@dataclass(frozen=True)
class Case:
    kind: str  # valid, invalid or boundary
    value: Any  # the input in the wire data model
    expectation: Expectation
    label: str
    hinted: bool = False  # carries known-good values (--example or discovered resources)


def parse_examples(pairs: Sequence[str]) -> dict[str, list[Any]]:
    """`--example NAME=VALUE` pairs; VALUE is JSON when it parses as JSON, else a plain string."""
    examples: dict[str, list[Any]] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--example {pair!r} is not NAME=VALUE")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        examples.setdefault(name.strip(), []).append(value)
    return examples


def case_strategy(service: str, operation: str, kind: str,
                  examples: dict[str, list[Any]]) -> st.SearchStrategy[Case]:
    import strategies  # the generation stage; imported late so checks load without Hypothesis plumbing

    if kind == "valid":
        valid = strategies.valid_inputs(service, operation)
        plain = valid.map(lambda v: Case("valid", v, "valid", "valid input"))
        if not examples:
            return plain
        schema = spec.part(service, operation, "input")
        hinted = strategies.hinted_inputs(service, operation, examples).map(lambda value: _hinted_case(schema, value))
        return st.one_of(hinted, plain)
    if kind == "invalid":
        # No unknown-member cases: the client we send through cannot serialize a member its model lacks.
        invalid: st.SearchStrategy[Any] = strategies.invalid_inputs(service, operation, unknown_members=False)
        return invalid.map(
            lambda c: Case("invalid", c.value, "invalid", f"invalid input ({c.keyword} at {c.pointer or '/'})")
        )
    if kind == "boundary":
        boundary: st.SearchStrategy[Any] = strategies.boundary_inputs(service, operation)
        return boundary.map(_boundary_case)
    raise ValueError(f"unknown case kind {kind!r}")


def _hinted_case(schema: dict[str, Any], value: Any) -> Case:
    # Known values are found by member name: one from another shape of that name may break this one's
    # pattern or length (a Glue Column Name as a transform Name), and then the input is invalid.
    if violations(schema, value):
        return Case("valid", value, "invalid", "input with known-good values that break the schema", hinted=True)
    return Case("valid", value, "valid", "valid input with known-good values", hinted=True)


def _boundary_case(boundary: Any) -> Case:
    expectation: Expectation = "valid" if boundary.valid else "invalid"
    label = getattr(boundary, "label", "") or f"boundary {expectation} input"
    return Case("boundary", boundary.value, expectation, f"boundary: {label}")


def case_identity(case: Case) -> str:
    """The case as canonical JSON (its repr when its keys cannot be sorted): equal for equal cases."""
    try:
        text = json.dumps(case.value, sort_keys=True, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        text = repr(case.value)
    return f"{case.expectation} {text}"


def jsonable(value: Any) -> Any:
    """VALUE with what JSON cannot hold (bytes, datetimes, ...) as its repr: how reports show a case's input."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)
