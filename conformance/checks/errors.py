"""Checks of error responses: the code is declared, its status and body fit, 5xx only for server faults.

An error's verdict depends only on the operation's document, the codes it goes by and its status, so the
same functions judge a live answer (whose codes its protocol reads) and a botocore-parsed one (whose codes
botocore read: `conformance.parsed_responses`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance import spec
from conformance.checks.aws_deviations import status_deviation, violation_finding
from conformance.checks.error_codes import COMMON_ERRORS, COMMON_SERVER_ERRORS, answers_without_body
from conformance.checks.registry import CheckContext, check, declared_errors, failed, server_failed
from conformance.findings import Finding
from conformance.protocols import BodyError, protocol_for
from conformance.protocols.documented_errors import documented_fault, documented_statuses, is_documented
from conformance.spec.derive import Schema
from conformance.spec.validation import violations

CODE_KEYS = ("__type", "code")


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
def error_code(ctx: CheckContext) -> Iterator[Finding]:
    """An error's code is declared for the operation, documented for the service, or one AWS sends anywhere."""
    response = ctx.response
    names = ctx.error_names()
    if not names and (response.status >= 500 or not _readable(ctx)
                      or ctx.protocol.codeless_error_allowed(ctx.exchange.request, response)):
        # A codeless 5xx is not an AWS-shaped error at all (not_a_server_error says so); a body that is not in
        # the protocol's encoding is content_type's; S3 answers HEAD errors with no body.
        return
    yield from code_findings(ctx.document, names, declared_errors(ctx.document), response.status)


@check(failed)
def error_status(ctx: CheckContext) -> Iterator[Finding]:
    """Client faults come with 4xx, server faults with 5xx, a declared httpStatusCode (or a documented status)
    exactly where the protocol honours HTTP bindings (awsJson ignores them)."""
    yield from status_findings(ctx.document, ctx.error_names(), declared_errors(ctx.document), ctx.response.status,
                               strict=ctx.strict)


def _documented(document: Schema, code: str) -> bool:
    return is_documented(str(document["x-aws-service"]), str(document["x-aws-protocol"]), code)


def known_error(document: Schema, names: Sequence[str],
                declared: dict[str, Schema]) -> tuple[str, Schema | None] | None:
    """(code, declared shape) of the first of NAMES the operation declares, else (code, None) of the first
    common or documented one; None when no name is any of those."""
    for name in names:
        if name in declared:
            return name, declared[name]
    for name in names:
        if name in COMMON_ERRORS or _documented(document, name):
            return name, None
    return None


def code_findings(document: Schema, names: Sequence[str], declared: dict[str, Schema],
                  status: int) -> Iterator[Finding]:
    """error_code's findings on an error that goes by NAMES (empty: no code)."""
    if answers_without_body(document) and tuple(names) in ((), (str(status),)):
        return  # a HEAD answer: no body, the status is all a client reads
    protocol = protocol_for(document)
    if not names:
        yield Finding("error_code", "error", "",
                      f"HTTP {status} error with no code where the {protocol.name} protocol carries it "
                      f"({protocol.error_code_location})")
    elif known_error(document, names, declared) is None:
        yield Finding("error_code", "error", "/__type" if protocol.body_format == "json" else "",
                      f"error code {names[0]!r} is neither declared for {document['x-aws-operation']} "
                      f"({', '.join(declared) or 'none declared'}), nor documented for the service, "
                      "nor a common AWS error")


def enforced_status(document: Schema, shape: Schema) -> int | None:
    """The declared httpStatusCode a response must use: none where the protocol ignores HTTP binding traits
    (awsJson 1.0/1.1's specifications say they "MUST be ignored": Keyspaces and Transcribe answer 400 for a
    declared 404 or 409)."""
    status = shape.get("x-aws-error", {}).get("httpStatusCode")
    return None if status is None or not protocol_for(document).honours_error_status else int(status)


def status_findings(document: Schema, names: Sequence[str], declared: dict[str, Schema], status: int, *,
                    strict: bool) -> Iterator[Finding]:
    """error_status's findings on an error that goes by NAMES, answered with STATUS."""
    known = known_error(document, names, declared)
    if known is None:
        return  # error_code reports an unknown code; its status means nothing
    code, shape = known
    exact: int | None = None
    documented: frozenset[int] = frozenset()
    if shape is not None:
        fault = shape.get("x-aws-error", {}).get("fault", "client")
        exact = enforced_status(document, shape)
    elif code in COMMON_ERRORS:
        fault = "server" if code in COMMON_SERVER_ERRORS else "client"
    else:
        service, protocol = str(document["x-aws-service"]), str(document["x-aws-protocol"])
        fault = documented_fault(service, protocol, code) or ("server" if status >= 500 else "client")
        if protocol_for(document).honours_error_status:
            documented = documented_statuses(service, protocol, code)
    in_class = 400 <= status < 500 if fault == "client" else 500 <= status < 600
    if not in_class:
        yield Finding("error_status", "error", "",
                      f"{code} is a {fault} fault and must come with a {'4xx' if fault == 'client' else '5xx'} "
                      f"status, got {status}")
    elif exact is not None and status != exact:
        yield status_deviation(code, status, exact, strict=strict)
    elif documented and status not in documented:
        yield Finding("error_status", "error", "",
                      f"{code} is documented with HTTP {' or '.join(map(str, sorted(documented)))}, got {status}")


def server_error_findings(document: Schema, names: Sequence[str], declared: dict[str, Schema],
                          status: int) -> Iterator[Finding]:
    """not_a_server_error's findings on a 5xx that goes by NAMES."""
    if status < 500:
        return
    if not names:
        yield Finding("not_a_server_error", "error", "",
                      f"HTTP {status} that is not an AWS-shaped error (no error code)")
        return
    shape = next((declared[name] for name in names if name in declared), None)
    declared_server_fault = shape is not None and shape.get("x-aws-error", {}).get("fault") == "server"
    service, protocol = str(document["x-aws-service"]), str(document["x-aws-protocol"])
    documented_server_fault = any(documented_fault(service, protocol, name) == "server" for name in names)
    if not (declared_server_fault or documented_server_fault) and not any(name in COMMON_SERVER_ERRORS
                                                                          for name in names):
        yield Finding("not_a_server_error", "error", "",
                      f"HTTP {status} {names[0]}: not a server fault the model declares")


def error_findings(document: Schema, names: Sequence[str], status: int, *, strict: bool = False) -> list[Finding]:
    """error_code's, error_status's and not_a_server_error's findings on an error known by NAMES, e.g. a
    botocore-parsed one (`Error.Code`, and `Error.QueryErrorCode` for a query-compatible service)."""
    declared = declared_errors(document)
    found = list(server_error_findings(document, names, declared, status))
    if names or status < 500:
        found += code_findings(document, names, declared, status)
    found += status_findings(document, names, declared, status, strict=strict)
    return found


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
    declared = declared_errors(ctx.document)
    shape = next((declared[name] for name in ctx.error_names() if name in declared), None)
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
        yield violation_finding("error_body", violation, strict=ctx.strict)


@check(server_failed)
def not_a_server_error(ctx: CheckContext) -> Iterator[Finding]:
    """A 5xx is a declared server fault (or a common or documented one such as InternalFailure), shaped like
    AWS's."""
    yield from server_error_findings(ctx.document, ctx.error_names(), declared_errors(ctx.document),
                                     ctx.response.status)
