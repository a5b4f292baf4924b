"""What one call put on the wire and got back: the input of every check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Headers that carry credentials or signatures: never kept in an Exchange, so never in a report or cassette.
SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token", "x-amz-credential", "x-amz-signature",
                            "x-amz-content-sha256"})


def redact_headers(headers: Any) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in dict(headers).items():
        if str(name).lower() in SECRET_HEADERS:
            continue
        kept[str(name)] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return kept


def header_value(headers: dict[str, str], name: str) -> str | None:
    """The value of header NAME in HEADERS, compared as HTTP compares names (case-insensitively)."""
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": _text(self.body)}


@dataclass
class HttpResponse:
    """The one HTTP response type: what a target got back, what `conformance serve` answers, what a fuzz case
    sends (`fuzz.wire.WireResponse` adds its labels), and what a cassette's interaction holds."""

    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    def json_body(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8")) if self.body.strip() else None

    def as_json(self, limit: int = 4096) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": _text(self.body, limit)}


@dataclass
class Exchange:
    """One call: the parameters given, the raw request and response, and botocore's reading of it."""

    service: str
    operation: str
    params: dict[str, Any]
    wire_input: Any = None
    request: HttpRequest | None = None
    response: HttpResponse | None = None
    parsed: dict[str, Any] | None = None
    client_error_code: str | None = None
    client_exception: str | None = None  # an exception other than ClientError while reading the response
    transport_error: str | None = None  # nothing came back: refused, timed out, ...
    endpoint_exception: str | None = None  # an in-process endpoint raised instead of answering (moto's KeyError)
    not_implemented: str | None = None
    cassette_miss: str | None = None  # replaying a cassette: it holds no response for this request
    label: str = ""  # what the case was, e.g. "invalid: maxLength at /TransformId"
    notes: list[str] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.response is not None and self.response.status >= 300


def _text(body: bytes, limit: int | None = None) -> str:
    text = body.decode("utf-8", errors="replace")
    if limit is not None and len(text) > limit:
        return text[:limit] + f"... ({len(body)} bytes)"
    return text
