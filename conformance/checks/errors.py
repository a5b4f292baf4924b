"""Checks of error responses: the code is declared, its status and body fit, 5xx only for server faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance import spec
from conformance.checks.error_codes import COMMON_ERRORS, COMMON_SERVER_ERRORS
from conformance.checks.registry import CheckContext, check, failed, server_failed
from conformance.findings import Finding, Severity
from conformance.protocols import BodyError
from conformance.spec.derive import Schema
from conformance.spec.validation import violations

CODE_KEYS = ("__type", "code")


def _known(ctx: CheckContext, code: str) -> bool:
    return code in ctx.declared_errors() or code in COMMON_ERRORS or ctx.documented(code)


@check(failed)
def error_code(ctx: CheckContext) -> Iterator[Finding]:
    """An error's code is declared for the operation, documented for the service, or one AWS sends anywhere."""
    response = ctx.response
    found = ctx.error_code()
    if found is None:
        if response.status >= 500 or ctx.protocol.codeless_error_allowed(ctx.exchange.request, response):
            return  # a codeless 5xx is not an AWS-shaped error at all: not_a_server_error says so
        if not _readable(ctx):
            return  # content_type reports a body that is not in the protocol's encoding
        yield ctx.finding("error_code", "error", "",
                          f"HTTP {response.status} error with no code where the {ctx.protocol.name} protocol "
                          f"carries it ({ctx.protocol.error_code_location})")
        return
    if not _known(ctx, found.code):
        declared = ctx.declared_errors()
        yield ctx.finding("error_code", "error", "/__type" if ctx.protocol.body_format == "json" else "",
                          f"error code {found.code!r} ({found.source}) is neither declared for "
                          f"{ctx.exchange.operation} ({', '.join(declared) or 'none declared'}), nor documented "
                          "for the service, nor a common AWS error")


def _readable(ctx: CheckContext) -> bool:
    body = ctx.response.body
    if not body.strip():
        return True
    try:
        ctx.protocol.parse_body(body)
    except BodyError:
        return False
    return True


@check(failed)
def error_status(ctx: CheckContext) -> Iterator[Finding]:
    """Client faults come with 4xx, server faults with 5xx, a declared httpStatusCode exactly (where the
    protocol honours HTTP bindings: awsJson ignores them)."""
    response = ctx.response
    found = ctx.error_code()
    if found is None:
        return
    code = found.code
    shape = ctx.declared_errors().get(code)
    if shape is not None:
        annotation = shape.get("x-aws-error", {})
        fault, exact = annotation.get("fault", "client"), annotation.get("httpStatusCode")
        if not ctx.protocol.honours_error_status:
            exact = None
    elif code in COMMON_ERRORS:
        fault, exact = ("server" if code in COMMON_SERVER_ERRORS else "client"), None
    elif ctx.documented(code):
        fault = ctx.documented_fault(code) or ("server" if response.status >= 500 else "client")
        statuses = ctx.documented_statuses(code)
        if statuses and ctx.protocol.honours_error_status and response.status not in statuses:
            yield ctx.finding("error_status", "error", "",
                              f"{code} is documented with HTTP {' or '.join(map(str, sorted(statuses)))}, "
                              f"got {response.status}")
            return
        exact = None
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


@check(failed)
def error_body(ctx: CheckContext) -> Iterator[Finding]:
    """The error body is the protocol's error shape, carrying the code and the error shape's members."""
    response, protocol = ctx.response, ctx.protocol
    if not response.body.strip():
        return
    try:
        body = protocol.parse_body(response.body)
    except BodyError:
        return  # content_type reports it
    found = ctx.error_code()
    if protocol.body_format == "json":
        if not isinstance(body, dict):
            yield ctx.finding("error_body", "error", "",
                              f"the error body is a JSON {type(body).__name__}, not an object")
            return
        # restJson1 carries the code in X-Amzn-ErrorType alone (Lambda's errors: `{"Type": "User", "Message":
        # ...}`; Smithy's RestJsonFooErrorUsingXAmznErrorType); awsJson services send __type in the body.
        in_header_only = found is not None and found.source.endswith("header") and protocol.name == "json"
        if in_header_only and found is not None and not any(key in body for key in CODE_KEYS):
            yield ctx.finding("error_body", "warning", "/__type",
                              f"the body does not carry the code {found.code!r} (only the {found.source}); "
                              "AWS sends __type")
    shape = ctx.declared_errors().get(found.code) if found is not None else None
    if shape is None:
        return  # no code: error_code (4xx) or not_a_server_error (5xx) says the body is not the error shape
    decoded = protocol.decode_error(response, ctx.document, str(shape["x-aws-shape"]))
    for violation in decoded.violations:
        yield ctx.finding("error_body", "error", violation.pointer, violation.message)
    if isinstance(decoded.value, dict):
        yield from _members(ctx, shape, decoded.value)


def _members(ctx: CheckContext, shape: Schema, members: dict[str, Any]) -> Iterator[Finding]:
    properties = shape.get("properties", {})
    if "message" in members and "message" not in properties and "Message" in properties:
        if ctx.protocol.body_format == "json":
            yield ctx.finding("error_body", "warning", "/message",
                              "the message is under 'message'; the model names it 'Message' (clients read both)")
        members = {("Message" if key == "message" else key): value for key, value in members.items()}
    if "Message" in members and "Message" not in properties and "message" in properties:
        members = {("message" if key == "Message" else key): value for key, value in members.items()}
    schema = spec.part(ctx.exchange.service, ctx.exchange.operation, f"error:{shape['x-aws-shape']}")
    for violation in violations(schema, members):
        if violation.unknown_member and violation.pointer.lower() == "/message":
            continue  # every AWS error carries a message, modelled or not
        severity: Severity = "warning" if violation.unknown_member and not ctx.strict else "error"
        yield ctx.finding("error_body", severity, violation.pointer, violation.message)


@check(server_failed)
def not_a_server_error(ctx: CheckContext) -> Iterator[Finding]:
    """A 5xx is a declared server fault (or a common one such as InternalFailure), shaped like AWS's."""
    response = ctx.response
    found = ctx.error_code()
    if found is None:
        yield ctx.finding("not_a_server_error", "error", "",
                          f"HTTP {response.status} that is not an AWS-shaped error (no error code)")
        return
    shape = ctx.declared_errors().get(found.code)
    declared_server_fault = shape is not None and shape.get("x-aws-error", {}).get("fault") == "server"
    documented_server_fault = ctx.documented_fault(found.code) == "server"
    if not (declared_server_fault or documented_server_fault) and found.code not in COMMON_SERVER_ERRORS:
        yield ctx.finding("not_a_server_error", "error", "",
                          f"HTTP {response.status} {found.code}: not a server fault the model declares")
