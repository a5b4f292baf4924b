"""Checks of successful responses: shape, enums, content type, request id."""

from __future__ import annotations

from collections.abc import Iterator

from conformance import spec
from conformance.checks.aws_deviations import output_findings
from conformance.checks.registry import CheckContext, answered, check, succeeded
from conformance.findings import Finding
from conformance.protocols import BodyError
from conformance.protocols.base import part_root, resolve


def _output_findings(ctx: CheckContext) -> list[Finding]:
    """The output's findings: its wire format's (as the protocol decodes it: always errors), then the schema's
    (conformance.checks.aws_deviations: unknown members and the deviations real AWS itself answers are
    warnings, errors with --strict). A value whose wire form is broken is reported once, by its wire
    violation, not again by the schema (a scalar element holding child elements is no enum value either)."""
    if "output_findings" not in ctx.memo:
        decoded = ctx.output()
        schema = spec.part(ctx.exchange.service, ctx.exchange.operation, "output")
        broken = {violation.pointer for violation in decoded.violations}
        wire = [ctx.finding("response_schema", "error", v.pointer, v.message) for v in decoded.violations]
        if "" in broken:
            # The body could not be read as a whole: what the schema would say of the nothing decoded is no news.
            ctx.memo["output_findings"] = wire
        else:
            ctx.memo["output_findings"] = wire + [finding for finding in output_findings(schema, decoded.value,
                                                                                          strict=ctx.strict)
                                                  if finding.pointer not in broken]
    found: list[Finding] = ctx.memo["output_findings"]
    return found


def _body_error(ctx: CheckContext) -> BodyError | None:
    """Why the answer's body is not in its protocol's encoding at all (None when it is, or is empty): content_type
    reports that, once; the other checks have nothing to read."""
    if "body_error" not in ctx.memo:
        ctx.memo["body_error"] = None
        if ctx.response.body.strip():
            try:
                ctx.protocol.parse_body(ctx.response.body)
            except BodyError as error:
                ctx.memo["body_error"] = error
    found: BodyError | None = ctx.memo["body_error"]
    return found


@check(succeeded)
def response_schema(ctx: CheckContext) -> Iterator[Finding]:
    """A 2xx answer is the output shape on the wire: its encoding, types, required members, lengths, ranges,
    patterns, nested members, and the members bound to headers and the status code."""
    if _body_error(ctx) is not None:
        return  # not JSON, XML or CBOR at all: content_type says so
    yield from (finding for finding in _output_findings(ctx) if finding.check == "response_schema")


@check(succeeded)
def enum(ctx: CheckContext) -> Iterator[Finding]:
    """Enum members carry one of the model's values (AWS adds values: a warning, an error with --strict)."""
    yield from (finding for finding in _output_findings(ctx) if finding.check == "enum")


def _binds_content_type(ctx: CheckContext) -> bool:
    """Whether the output binds a member to the Content-Type header (S3 HeadObject's ContentType)."""
    root = part_root(ctx.document, "output")
    members = resolve(ctx.document, root).get("properties", {}).values() if root is not None else ()
    return any(member.get("x-aws-location") == "header"
               and str(member.get("x-aws-location-name", "")).lower() == "content-type" for member in members)


@check(answered)
def content_type(ctx: CheckContext) -> Iterator[Finding]:
    """An answer's body is in its protocol's encoding (JSON, XML, CBOR), with that protocol's Content-Type."""
    response, protocol = ctx.response, ctx.protocol
    if 200 <= response.status < 300 and (protocol.body_is_payload(ctx.document) or _binds_content_type(ctx)):
        return  # the body is a raw payload (an S3 object), or the header a member: the type is the object's own
    declared = (response.header("content-type") or "").split(";")[0].strip().lower()
    error = _body_error(ctx)
    if error is not None:
        yield ctx.finding("content_type", "error", "",
                          f"{error} (HTTP {response.status}, Content-Type {declared or 'none'}); "
                          f"the {protocol.name} protocol answers {protocol.body_format.upper()}")
        return
    if not response.body.strip() and not declared:
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
