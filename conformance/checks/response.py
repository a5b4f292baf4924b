"""Checks of successful responses: shape, enums, content type, request id."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.registry import JSON_BODY_PROTOCOLS, CheckContext, body_schema, check
from conformance.findings import Finding
from conformance.spec.validation import Violation, violations

JSON_CONTENT_TYPES = {"json": ("application/x-amz-json-1.1", "application/x-amz-json-1.0"),
                      "rest-json": ("application/json",)}


def _success_body(ctx: CheckContext) -> object | None:
    response = ctx.exchange.response
    if response is None or not 200 <= response.status < 300 or ctx.protocol not in JSON_BODY_PROTOCOLS:
        return None
    try:
        body = response.json_body()
    except ValueError:
        return None  # content_type reports a body that is not JSON
    return {} if body is None else body


def _output_violations(ctx: CheckContext, body: object) -> list[Violation]:
    if "output_violations" not in ctx.memo:
        schema = body_schema(ctx.exchange.service, ctx.exchange.operation, "output")
        ctx.memo["output_violations"] = violations(schema, body)
    found: list[Violation] = ctx.memo["output_violations"]
    return found


@check("response_schema")
def response_schema(ctx: CheckContext) -> Iterator[Finding]:
    """A 2xx body is the output shape: types, required, lengths, ranges, patterns, nested members."""
    body = _success_body(ctx)
    if body is None:
        return
    for violation in _output_violations(ctx, body):
        if violation.keyword == "enum":
            continue  # reported by the enum check, with the allowed set
        if violation.unknown_member:
            yield ctx.finding("response_schema", "error" if ctx.strict else "warning", violation.pointer,
                              f"{violation.message}: AWS may add members, but the model does not have it")
        else:
            yield ctx.finding("response_schema", "error", violation.pointer, violation.message)


@check("enum")
def enum(ctx: CheckContext) -> Iterator[Finding]:
    """Enum members carry one of the model's values."""
    body = _success_body(ctx)
    if body is None:
        return
    for violation in _output_violations(ctx, body):
        if violation.keyword == "enum":
            yield ctx.finding("enum", "error", violation.pointer, violation.message)


@check("content_type")
def content_type(ctx: CheckContext) -> Iterator[Finding]:
    """JSON protocols answer with their JSON content type and a body that is JSON."""
    response = ctx.exchange.response
    if response is None or ctx.protocol not in JSON_CONTENT_TYPES:
        return
    expected = JSON_CONTENT_TYPES[ctx.protocol]
    declared = (response.header("content-type") or "").split(";")[0].strip().lower()
    if response.body.strip():
        try:
            response.json_body()
        except (ValueError, UnicodeDecodeError):
            yield ctx.finding("content_type", "error", "",
                              f"the body is not valid JSON (HTTP {response.status}, Content-Type {declared or 'none'})")
            return
    if not response.body.strip() and not declared:
        return  # an empty body needs no content type
    if declared in expected:
        return
    if declared == "application/json" or declared.endswith("+json"):
        yield ctx.finding("content_type", "warning", "",
                          f"Content-Type is {declared}; the {ctx.protocol} protocol answers {expected[0]}")
    else:
        yield ctx.finding("content_type", "error", "",
                          f"Content-Type is {declared or 'missing'}; the {ctx.protocol} protocol answers {expected[0]}")


@check("request_id")
def request_id(ctx: CheckContext) -> Iterator[Finding]:
    """Every AWS answer carries a request id clients log and support asks for."""
    response = ctx.exchange.response
    if response is None:
        return
    if not (response.header("x-amzn-requestid") or response.header("x-amz-request-id")):
        yield ctx.finding("request_id", "warning", "", "no x-amzn-RequestId header in the response")
