"""Checks of successful responses: shape, enums, content type, request id."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.aws_deviations import output_findings
from conformance.checks.registry import JSON_BODY_PROTOCOLS, CheckContext, body_schema, check
from conformance.findings import Finding

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


def _output_findings(ctx: CheckContext, body: object) -> list[Finding]:
    if "output_findings" not in ctx.memo:
        schema = body_schema(ctx.exchange.service, ctx.exchange.operation, "output")
        ctx.memo["output_findings"] = output_findings(schema, body, strict=ctx.strict)
    found: list[Finding] = ctx.memo["output_findings"]
    return found


@check("response_schema")
def response_schema(ctx: CheckContext) -> Iterator[Finding]:
    """A 2xx body is the output shape: types, required, lengths, ranges, patterns, nested members.

    Unknown members and the deviations real AWS itself answers (conformance.checks.aws_deviations) are
    warnings, errors with --strict."""
    body = _success_body(ctx)
    if body is None:
        return
    yield from (finding for finding in _output_findings(ctx, body) if finding.check == "response_schema")


@check("enum")
def enum(ctx: CheckContext) -> Iterator[Finding]:
    """Enum members carry one of the model's values (AWS adds values: a warning, an error with --strict)."""
    body = _success_body(ctx)
    if body is None:
        return
    yield from (finding for finding in _output_findings(ctx, body) if finding.check == "enum")


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
