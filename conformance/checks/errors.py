"""Checks of error responses: the code is declared, its status and body fit, 5xx only for server faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.error_codes import COMMON_ERRORS, COMMON_SERVER_ERRORS, error_code
from conformance.checks.registry import JSON_BODY_PROTOCOLS, CheckContext, body_schema, check
from conformance.exchange import HttpResponse
from conformance.findings import Finding, Severity
from conformance.spec.derive import Schema
from conformance.spec.validation import violations

CODE_KEYS = ("__type", "code")


def _error_response(ctx: CheckContext) -> HttpResponse | None:
    response = ctx.exchange.response
    if response is None or response.status < 300 or ctx.protocol not in JSON_BODY_PROTOCOLS:
        return None
    return response


@check("error_code")
def error_code_check(ctx: CheckContext) -> Iterator[Finding]:
    """An error's code is declared for the operation, or one AWS sends to any operation."""
    response = _error_response(ctx)
    if response is None:
        return
    code, _ = error_code(response)
    if code is None and response.status >= 500:
        return  # a codeless 5xx is not an AWS-shaped error at all: not_a_server_error says so
    if code is None:
        yield ctx.finding("error_code", "error", "",
                          f"HTTP {response.status} error with no determinable code (no __type, "
                          "X-Amzn-ErrorType or code)")
        return
    declared = ctx.declared_errors()
    if code not in declared and code not in COMMON_ERRORS:
        yield ctx.finding("error_code", "error", "/__type",
                          f"error code {code!r} is neither declared for {ctx.exchange.operation} "
                          f"({', '.join(declared) or 'none declared'}) nor a common AWS error")


@check("error_status")
def error_status(ctx: CheckContext) -> Iterator[Finding]:
    """Client faults come with 4xx, server faults with 5xx, a declared httpStatusCode exactly."""
    response = _error_response(ctx)
    if response is None:
        return
    code, _ = error_code(response)
    if code is None:
        return
    shape = ctx.declared_errors().get(code)
    if shape is not None:
        annotation = shape.get("x-aws-error", {})
        fault, exact = annotation.get("fault", "client"), annotation.get("httpStatusCode")
    elif code in COMMON_ERRORS:
        fault, exact = ("server" if code in COMMON_SERVER_ERRORS else "client"), None
    else:
        return  # error_code reports an unknown code; its status means nothing
    if exact is not None and response.status != exact:
        yield ctx.finding("error_status", "error", "",
                          f"{code} is declared with HTTP {exact}, got {response.status}")
    elif exact is None and fault == "client" and not 400 <= response.status < 500:
        yield ctx.finding("error_status", "error", "",
                          f"{code} is a client fault and must come with a 4xx status, got {response.status}")
    elif exact is None and fault == "server" and not 500 <= response.status < 600:
        yield ctx.finding("error_status", "error", "",
                          f"{code} is a server fault and must come with a 5xx status, got {response.status}")


@check("error_body")
def error_body(ctx: CheckContext) -> Iterator[Finding]:
    """The error body is an object carrying the code and the error shape's members."""
    response = _error_response(ctx)
    if response is None or not response.body.strip():
        return
    try:
        body = response.json_body()
    except (ValueError, UnicodeDecodeError):
        return  # content_type reports it
    if not isinstance(body, dict):
        yield ctx.finding("error_body", "error", "", f"the error body is a JSON {type(body).__name__}, not an object")
        return
    code, source = error_code(response)
    if code is not None and not any(key in body for key in CODE_KEYS):
        yield ctx.finding("error_body", "warning", "/__type",
                          f"the body does not carry the code {code!r} (only the {source}); AWS sends __type")
    shape = ctx.declared_errors().get(code or "")
    if shape is None:
        return
    members = {key: value for key, value in body.items() if key not in CODE_KEYS}
    yield from _members(ctx, shape, members)


def _members(ctx: CheckContext, shape: Schema, members: dict[str, Any]) -> Iterator[Finding]:
    properties = shape.get("properties", {})
    if "message" in members and "message" not in properties and "Message" in properties:
        yield ctx.finding("error_body", "warning", "/message",
                          "the message is under 'message'; the model names it 'Message' (clients read both)")
        members = {("Message" if key == "message" else key): value for key, value in members.items()}
    schema = body_schema(ctx.exchange.service, ctx.exchange.operation, f"error:{shape['x-aws-shape']}")
    for violation in violations(schema, members):
        severity: Severity = "warning" if violation.unknown_member and not ctx.strict else "error"
        yield ctx.finding("error_body", severity, violation.pointer, violation.message)


@check("not_a_server_error")
def not_a_server_error(ctx: CheckContext) -> Iterator[Finding]:
    """A 5xx is a declared server fault (or a common one such as InternalFailure), shaped like AWS's."""
    response = ctx.exchange.response
    if response is None or response.status < 500:
        return
    code, _ = error_code(response) if ctx.protocol in JSON_BODY_PROTOCOLS else (None, None)
    if code is None:
        yield ctx.finding("not_a_server_error", "error", "",
                          f"HTTP {response.status} that is not an AWS-shaped error (no error code)")
        return
    shape = ctx.declared_errors().get(code)
    declared_server_fault = shape is not None and shape.get("x-aws-error", {}).get("fault") == "server"
    if not declared_server_fault and code not in COMMON_SERVER_ERRORS:
        yield ctx.finding("not_a_server_error", "error", "",
                          f"HTTP {response.status} {code}: not a server fault the model declares")
