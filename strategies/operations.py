"""Per-operation strategies: valid inputs, output bodies and declared error bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.spec import document, part
from strategies.compile import from_schema


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
