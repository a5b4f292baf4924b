"""Run the spec's response checks on recorded interactions: each becomes the Exchange the checks already read.

The recorded request's validity is not known the way a generated case's is, so by default only the checks that
judge the answer alone run (the registry's RESPONSE_CHECKS: a new response check reaches check-cassette with no
second list). Selecting `negative_data_rejection` or `positive_data_acceptance` explicitly judges a request by
decoding it with its protocol and validating that against the input schema.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from conformance import spec
from conformance.cassettes.identify import Operation, RequestView, identify
from conformance.cassettes.matching import body_bytes
from conformance.cassettes.reading import Interaction
from conformance.checks import CHECKS, CheckContext, CheckFunction, select_checks
from conformance.checks.registry import RESPONSE_CHECKS, CaseKind
from conformance.exchange import Exchange, HttpRequest, HttpResponse, redact_headers
from conformance.findings import Finding
from conformance.protocols import protocol_for
from conformance.spec.models import load_service
from conformance.spec.validation import violations
from conformance.targets.base import answer_not_implemented as is_not_implemented


def select_cassette_checks(names: str | None) -> dict[str, CheckFunction]:
    """The checks to run on recorded responses: RESPONSE_CHECKS, or exactly the ones named."""
    if not names:
        return {name: CHECKS[name] for name in RESPONSE_CHECKS}
    return select_checks(names)


@dataclass
class CheckedInteraction:
    interaction: Interaction
    operation: Operation | None  # None: not an AWS request conformance can place
    findings: list[Finding] = field(default_factory=list)
    not_implemented: str | None = None  # the endpoint said it does not implement the operation

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


class CassetteChecker:
    """Checks a cassette's interactions in file order, remembering which operations answered already."""

    def __init__(self, checks: dict[str, CheckFunction], *, strict: bool = False, hints: Sequence[str] = (),
                 source: str = "") -> None:
        self.checks, self.strict, self.hints, self.source = checks, strict, tuple(hints), source
        self._answered: set[Operation] = set()

    def check(self, interaction: Interaction) -> CheckedInteraction:
        request = interaction.request
        view = RequestView.of(request.method, request.uri, dict(request.headers.items()), body_bytes(request.body))
        operation = identify(view, self.hints)
        checked = CheckedInteraction(interaction, operation)
        if operation is None:
            return checked
        exchange = exchange_of(interaction, operation, view)
        # As in a run: an HTML 500 means "not implemented" only before the operation answered otherwise.
        checked.not_implemented = is_not_implemented(exchange, first=operation not in self._answered)
        if checked.not_implemented:
            return checked
        self._answered.add(operation)
        case_checks = set(self.checks) - set(RESPONSE_CHECKS)
        expectation = _request_validity(exchange) if case_checks else None
        context = CheckContext(exchange, expectation or "valid", strict=self.strict)
        where = f"{self.source} interaction {interaction.number}".strip()
        target = view.headers.get("x-amz-target")
        for name, function in self.checks.items():
            if name in case_checks and expectation is None:
                continue
            for finding in function(context):
                finding.request = exchange.request.as_json() if exchange.request else {}
                finding.response = exchange.response.as_json() if exchange.response else {}
                finding.reproduce = f"{where}: {request.method} {request.uri}" + (f" ({target})" if target else "")
                checked.findings.append(finding)
        return checked


def exchange_of(interaction: Interaction, operation: Operation, view: RequestView) -> Exchange:
    """The Exchange a live call would have produced: raw request and response, and botocore's reading."""
    headers = {name: ", ".join(values) for name, values in interaction.headers.items()}
    body, note = _decoded(interaction.body, headers)
    response = HttpResponse(interaction.status, redact_headers(headers), body)
    request = HttpRequest(view.method, view.uri, redact_headers(dict(view.headers)), view.body)
    exchange = Exchange(operation.service, operation.operation, {}, wire_input=_json_input(view),
                        request=request, response=response)
    if note:
        exchange.notes.append(note)
    _parse(exchange)
    return exchange


def _decoded(body: bytes, headers: dict[str, str]) -> tuple[bytes, str | None]:
    encoding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "").strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body), None
        if encoding == "deflate":
            return zlib.decompress(body), None
    except (OSError, zlib.error, EOFError):
        return body, f"the body says Content-Encoding {encoding} but does not decode as it"
    return body, None


def _json_input(view: RequestView) -> Any:
    try:
        return json.loads(view.body) if view.body.strip() else {}
    except ValueError:
        return None


def _parse(exchange: Exchange) -> None:
    """botocore's parser on the recorded response, as the client would run it."""
    assert exchange.response is not None
    model = load_service(exchange.service)
    operation_model = model.operation_model(exchange.operation)
    response_dict = {"status_code": exchange.response.status, "headers": HeadersDict(exchange.response.headers),
                     "body": exchange.response.body, "context": {"operation_name": exchange.operation}}
    try:
        parsed = create_parser(model.resolved_protocol).parse(response_dict, operation_model.output_shape)
    except Exception as error:  # the parser's failure is what client_parse reports
        exchange.client_exception = f"{type(error).__name__}: {error}"
        return
    if exchange.response.status >= 300:
        exchange.client_error_code = str(parsed.get("Error", {}).get("Code", ""))
    else:
        exchange.parsed = parsed


def _request_validity(exchange: Exchange) -> CaseKind | None:
    """Whether the recorded request is a valid input, as its protocol decodes it; None when it cannot say."""
    if exchange.request is None:
        return None
    document = spec.document(exchange.service, exchange.operation)
    try:
        decoded = protocol_for(document).decode_request(exchange.request, document)
    except NotImplementedError:
        return None
    schema = spec.part(exchange.service, exchange.operation, "input")
    return "invalid" if decoded.violations or violations(schema, decoded.value) else "valid"
