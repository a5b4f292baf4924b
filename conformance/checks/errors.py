"""Checks of error responses: the code is declared, its status and body fit, 5xx only for server faults."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.checks.aws_deviations import status_deviation, violation_finding
from conformance.checks.error_codes import (
    COMMON_ERRORS,
    COMMON_SERVER_ERRORS,
    QUERY_COMPATIBLE_CODES,
    answers_without_body,
    common_errors,
    error_code,
    error_names,
)
from conformance.checks.registry import JSON_BODY_PROTOCOLS, CheckContext, body_schema, check
from conformance.exchange import HttpResponse
from conformance.findings import Finding
from conformance.spec.derive import Schema, shape_name_of
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
    names = error_names(response, ctx.document)
    if not names and response.status >= 500:
        return  # a codeless 5xx is not an AWS-shaped error at all: not_a_server_error says so
    yield from code_findings(ctx.document, names, declared_errors(ctx.document), response.status)


@check("error_status")
def error_status(ctx: CheckContext) -> Iterator[Finding]:
    """Client faults come with 4xx, server faults with 5xx, a declared httpStatusCode exactly (not on awsJson)."""
    response = _error_response(ctx)
    if response is None:
        return
    yield from status_findings(ctx.document, error_names(response, ctx.document), declared_errors(ctx.document),
                               response.status, strict=ctx.strict)


def known_error(names: Sequence[str], declared: dict[str, Schema],
                common: frozenset[str] = COMMON_ERRORS) -> tuple[str, Schema | None] | None:
    """(code, declared shape) of the first of NAMES the operation declares, else (code, None) of the first
    common error; None when no name is either."""
    for name in names:
        if name in declared:
            return name, declared[name]
    for name in names:
        if name in common:
            return name, None
    return None


def code_findings(document: Schema, names: Sequence[str], declared: dict[str, Schema],
                  status: int) -> Iterator[Finding]:
    """error_code's findings on an error that goes by NAMES (error_codes.error_names; empty: no code)."""
    if answers_without_body(document) and tuple(names) in ((), (str(status),)):
        return  # a HEAD answer: no body, the status is all a client reads
    if not names:
        yield Finding("error_code", "error", "",
                      f"HTTP {status} error with no determinable code (no __type, X-Amzn-ErrorType or code)")
    elif known_error(names, declared, common_errors(document["x-aws-service"])) is None:
        yield Finding("error_code", "error", "/__type",
                      f"error code {names[0]!r} is neither declared for {document['x-aws-operation']} "
                      f"({', '.join(declared) or 'none declared'}) nor a common AWS error")


def enforced_status(protocol: str, shape: Schema) -> int | None:
    """The declared httpStatusCode a response must use: none on awsJson 1.0/1.1, whose specifications say
    HTTP binding traits "MUST be ignored" (Keyspaces and Transcribe answer 400 for a declared 404 or 409)."""
    status = shape.get("x-aws-error", {}).get("httpStatusCode")
    return None if protocol == "json" or status is None else int(status)


def status_findings(document: Schema, names: Sequence[str], declared: dict[str, Schema], status: int, *,
                    strict: bool) -> Iterator[Finding]:
    """error_status's findings on an error that goes by NAMES, answered with STATUS."""
    known = known_error(names, declared, common_errors(document["x-aws-service"]))
    if known is None:
        return  # error_code reports an unknown code; its status means nothing
    code, shape = known
    if shape is not None:
        fault = shape.get("x-aws-error", {}).get("fault", "client")
        exact = enforced_status(str(document["x-aws-protocol"]), shape)
    else:
        fault, exact = ("server" if code in COMMON_SERVER_ERRORS else "client"), None
    in_class = 400 <= status < 500 if fault == "client" else 500 <= status < 600
    if not in_class:
        yield Finding("error_status", "error", "",
                      f"{code} is a {fault} fault and must come with a {'4xx' if fault == 'client' else '5xx'} "
                      f"status, got {status}")
    elif exact is not None and status != exact:
        yield status_deviation(code, status, exact, strict=strict)


def server_error_findings(names: Sequence[str], declared: dict[str, Schema], status: int) -> Iterator[Finding]:
    """not_a_server_error's findings on a 5xx that goes by NAMES."""
    if status < 500:
        return
    if not names:
        yield Finding("not_a_server_error", "error", "",
                      f"HTTP {status} that is not an AWS-shaped error (no error code)")
        return
    shape = next((declared[name] for name in names if name in declared), None)
    declared_server_fault = shape is not None and shape.get("x-aws-error", {}).get("fault") == "server"
    if not declared_server_fault and not any(name in COMMON_SERVER_ERRORS for name in names):
        yield Finding("not_a_server_error", "error", "",
                      f"HTTP {status} {names[0]}: not a server fault the model declares")


def declared_errors(document: Schema) -> dict[str, Schema]:
    """Declared error shapes of DOCUMENT by their wire code and, when that differs, their shape name too
    (the `__type` a query-compatible service sends), and by the query codes it still sends for them."""
    found: dict[str, Schema] = {}
    for name, pointer in document["x-aws-errors"].items():
        shape = document["$defs"][shape_name_of(pointer)]
        found[shape.get("x-aws-error", {}).get("code", name)] = shape
        found.setdefault(name, shape)
    if document.get("x-aws-query-compatible"):
        for code, name in QUERY_COMPATIBLE_CODES.get(document["x-aws-service"], {}).items():
            if name in found:
                found.setdefault(code, found[name])
    return found


def error_findings(document: Schema, names: Sequence[str], status: int, *, strict: bool = False) -> list[Finding]:
    """error_code's, error_status's and not_a_server_error's findings on an error known by NAMES, e.g. a
    botocore-parsed one (`Error.Code`, and `Error.QueryErrorCode` for a query-compatible service)."""
    declared = declared_errors(document)
    found = list(server_error_findings(names, declared, status))
    if names or status < 500:
        found += code_findings(document, names, declared, status)
    found += status_findings(document, names, declared, status, strict=strict)
    return found


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
        yield violation_finding("error_body", violation, strict=ctx.strict)


@check("not_a_server_error")
def not_a_server_error(ctx: CheckContext) -> Iterator[Finding]:
    """A 5xx is a declared server fault (or a common one such as InternalFailure), shaped like AWS's."""
    response = ctx.exchange.response
    if response is None or response.status < 500:
        return
    names = error_names(response, ctx.document) if ctx.protocol in JSON_BODY_PROTOCOLS else ()
    yield from server_error_findings(names, declared_errors(ctx.document), response.status)
