"""Per-operation strategies: valid inputs, output bodies and declared error bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.spec import document, part
from strategies.compile import compiler_for, from_schema
from strategies.sites import without_members


@dataclass(frozen=True)
class ErrorResponse:
    """One declared error of an operation, as a server would answer it.

    `name` is the error's shape name, `code` the error code on the wire (the shape's `error.code`, else its
    name), `status` the HTTP status (the declared `httpStatusCode`, else 400 for client faults and 500 for
    server faults), `fault` "client" or "server", and `body` the error's members in the wire data model,
    valid against `part(service, operation, "error:" + name)`. The body holds no `__type`/`code` member:
    how the code travels (a `__type` member, an `x-amzn-ErrorType` header, an XML `<Code>`) is the
    protocol's business, so the server adds it.
    """

    name: str
    code: str
    status: int
    fault: str
    body: dict[str, Any]


def valid_inputs(service: str, operation: str) -> st.SearchStrategy[Any]:
    return from_schema(part(service, operation, "input"))


def hinted_inputs(service: str, operation: str, examples: Mapping[str, Sequence[Any]]) -> st.SearchStrategy[Any]:
    """Valid inputs with every member named like a key of EXAMPLES set to one of its values, at any depth
    (known-good values: resource names a run found or was given). A required top-level member so named is
    not drawn first only to be replaced: an input made of such members then has as few distinct values as
    there are combinations of examples, and Hypothesis sees that instead of drawing the same input again."""
    schema = part(service, operation, "input")
    compiler = compiler_for(schema)
    structure = compiler.resolve(schema)
    required = [name for name in structure.get("required", []) if name in examples]
    base = without_members(compiler, frozenset(required))
    chosen = st.fixed_dictionaries({name: st.sampled_from(list(values)) for name, values in examples.items()})

    def combine(pair: tuple[Any, dict[str, Any]]) -> Any:
        value, known = pair
        if not isinstance(value, dict):
            return with_examples(value, known)
        return {**with_examples(value, known), **{name: known[name] for name in required}}

    return st.tuples(base, chosen).map(combine)


def with_examples(value: Any, chosen: Mapping[str, Any]) -> Any:
    """VALUE with every member named like a key of CHOSEN set to its known-good value, at any depth."""
    if isinstance(value, dict):
        return {k: chosen[k] if k in chosen else with_examples(v, chosen) for k, v in value.items()}
    if isinstance(value, list):
        return [with_examples(item, chosen) for item in value]
    return value


def responses(service: str, operation: str) -> st.SearchStrategy[Any]:
    return from_schema(part(service, operation, "output"))


def error_responses(service: str, operation: str) -> st.SearchStrategy[ErrorResponse]:
    whole = document(service, operation)
    return st.one_of(*(_error(service, operation, name) for name in whole["x-aws-errors"]))


def _error(service: str, operation: str, name: str) -> st.SearchStrategy[ErrorResponse]:
    schema = part(service, operation, f"error:{name}")
    annotation = schema["$defs"][name].get("x-aws-error", {})
    fault = str(annotation.get("fault", "client"))
    status = int(annotation.get("httpStatusCode", 500 if fault == "server" else 400))
    code = str(annotation.get("code", name))

    def response(body: dict[str, Any]) -> ErrorResponse:
        return ErrorResponse(name, code, status, fault, body)

    return from_schema(schema).map(response)
