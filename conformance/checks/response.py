"""Checks of successful responses: shape, enums, content type, request id."""

from __future__ import annotations

from collections.abc import Iterator

from conformance import spec
from conformance.checks.aws_deviations import output_findings
from conformance.checks.registry import CheckContext, answered, check, succeeded
from conformance.findings import Finding
from conformance.protocols import BodyError


def _output_findings(ctx: CheckContext) -> list[Finding]:
    """The output's findings: its wire format's (as the protocol decodes it: always errors), then the schema's
    (conformance.checks.aws_deviations: unknown members and the deviations real AWS itself answers are
    warnings, errors with --strict)."""
    if "output_findings" not in ctx.memo:
        decoded = ctx.output()
        schema = spec.part(ctx.exchange.service, ctx.exchange.operation, "output")
        wire = [ctx.finding("response_schema", "error", v.pointer, v.message) for v in decoded.violations]
        if any(violation.pointer == "" for violation in decoded.violations):
            # The body could not be read at all: what the schema would say of the nothing decoded is no news.
            ctx.memo["output_findings"] = wire
        else:
            ctx.memo["output_findings"] = wire + output_findings(schema, decoded.value, strict=ctx.strict)
    found: list[Finding] = ctx.memo["output_findings"]
    return found


@check(succeeded)
def response_schema(ctx: CheckContext) -> Iterator[Finding]:
    """A 2xx answer is the output shape on the wire: its encoding, types, required members, lengths, ranges,
    patterns, nested members, and the members bound to headers and the status code."""
    yield from (finding for finding in _output_findings(ctx) if finding.check == "response_schema")


@check(succeeded)
def enum(ctx: CheckContext) -> Iterator[Finding]:
    """Enum members carry one of the model's values (AWS adds values: a warning, an error with --strict)."""
    yield from (finding for finding in _output_findings(ctx) if finding.check == "enum")


@check(answered)
def content_type(ctx: CheckContext) -> Iterator[Finding]:
    """An answer's body is in its protocol's encoding (JSON, XML, CBOR), with that protocol's Content-Type."""
    response, protocol = ctx.response, ctx.protocol
    if 200 <= response.status < 300 and protocol.body_is_payload(ctx.document):
        return  # the body is a raw payload (an S3 object): any content type is the object's own
    declared = (response.header("content-type") or "").split(";")[0].strip().lower()
    if response.body.strip():
        try:
            protocol.parse_body(response.body)
        except BodyError as error:
            yield ctx.finding("content_type", "error", "",
                              f"{error} (HTTP {response.status}, Content-Type {declared or 'none'}); "
                              f"the {protocol.name} protocol answers {protocol.body_format.upper()}")
            return
    elif not declared:
        return  # an empty body needs no content type
    expected = protocol.response_content_types
    if declared in expected:
        return
    if declared in protocol.tolerated_content_types or (protocol.body_format == "json" and declared.endswith("+json")):
        yield ctx.finding("content_type", "warning", "",
                          f"Content-Type is {declared}; the {protocol.name} protocol answers {expected[0]}")
    elif protocol.body_format == "xml" and response.body.strip():
        # XML clients read the body whatever its declared type: wrong, but nothing breaks.
        yield ctx.finding("content_type", "warning", "",
                          f"Content-Type is {declared or 'missing'}; the {protocol.name} protocol answers "
                          f"{' or '.join(expected)}")
    else:
        yield ctx.finding("content_type", "error", "", f"Content-Type is {declared or 'missing'}; "
                                                        f"the {protocol.name} protocol answers {expected[0]}")


@check(answered)
def request_id(ctx: CheckContext) -> Iterator[Finding]:
    """Every AWS answer carries a request id clients log and support asks for."""
    if not ctx.protocol.request_id(ctx.response):
        yield ctx.finding("request_id", "warning", "",
                          f"no request id in the answer (the {ctx.protocol.name} protocol carries it in "
                          f"{ctx.protocol.request_id_location})")
