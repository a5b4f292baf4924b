"""vcrpy request matchers that work for AWS protocols, registered by name on a `vcr.VCR`.

JSON protocols send every operation as `POST /`: vcrpy's default matching (method and URI) would hand any
recorded answer to any request. These matchers add what tells AWS requests apart, and leave out what changes
on every call (signature, dates, `amz-sdk-invocation-id`, an idempotency token botocore filled in):

- `aws_target`: the `X-Amz-Target` header (JSON protocols: service prefix and operation);
- `aws_body`: the body, canonical by content type: JSON parsed (key order and whitespace ignored), a
  query-protocol form as sorted pairs, anything else as bytes; credentials and idempotency tokens left out;
- `aws_query`: the query string as sorted pairs, without presigned-URL credentials.

Use them from your own pytest-recording suite:

    @pytest.fixture(scope="module")
    def vcr_config():
        return {"match_on": conformance.cassettes.matching.AWS_MATCH_ON}

(the conformance pytest plugin registers the matchers on pytest-recording's VCR by itself).
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from typing import Any

from conformance import spec
from conformance.cassettes.identify import Operation, RequestView, identify
from conformance.errors import UsageError
from conformance.spec.derive import shape_name_of

AWS_MATCH_ON = ("method", "scheme", "host", "port", "path", "aws_query", "aws_target", "aws_body")
# Query and form parameters that carry credentials or a signature (SigV2 and presigned SigV4 URLs).
CREDENTIAL_PARAMETERS = frozenset({"x-amz-credential", "x-amz-signature", "x-amz-security-token",
                                   "awsaccesskeyid", "signature", "securitytoken"})
IGNORED_PARAMETERS = CREDENTIAL_PARAMETERS | {"x-amz-date"}  # left out of matching: they change on every call
JSON_TYPES = ("json",)  # application/x-amz-json-1.1, application/json, application/vnd.api+json...
FORM_TYPE = "application/x-www-form-urlencoded"
_CACHE_ATTRIBUTE = "_conformance_canonical"


def register_matchers(vcr: Any) -> Any:
    """Register `aws_target`, `aws_body` and `aws_query` on a `vcr.VCR`; returns it."""
    vcr.register_matcher("aws_target", aws_target)
    vcr.register_matcher("aws_body", aws_body)
    vcr.register_matcher("aws_query", aws_query)
    return vcr


def aws_target(r1: Any, r2: Any) -> None:
    first, second = _header(r1, "x-amz-target"), _header(r2, "x-amz-target")
    if first != second:
        raise AssertionError(f"X-Amz-Target {first or '(none)'} != {second or '(none)'}")


def aws_query(r1: Any, r2: Any) -> None:
    first, second = canonical_query(r1.uri), canonical_query(r2.uri)
    if first != second:
        raise AssertionError(f"query {first} != {second}")


def aws_body(r1: Any, r2: Any) -> None:
    first, second = canonical_body(r1), canonical_body(r2)
    if first != second:
        raise AssertionError(f"body {_preview(first)} != {_preview(second)}")


def request_key(request: Any) -> tuple[Any, ...]:
    """All that AWS_MATCH_ON compares, as one hashable value: two requests match exactly when their keys are equal.

    vcrpy compares a request with every recorded one in turn; a replay of thousands of requests looks the
    key up instead.
    """
    return (request.method, request.scheme, request.host, request.port, request.path or "/",
            canonical_query(request.uri), _header(request, "x-amz-target"), canonical_body(request))


def canonical_query(uri: str) -> tuple[tuple[str, str], ...]:
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query, keep_blank_values=True)
    return tuple(sorted((k, v) for k, v in pairs if k.lower() not in IGNORED_PARAMETERS))


def canonical_body(request: Any) -> str:
    """The body as compared: cached on the request object, which vcrpy keeps for the cassette's life."""
    body = body_bytes(request.body)
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == body:
        return str(cached[1])
    value = _canonical(request, body)
    with contextlib.suppress(AttributeError):  # a request object without a __dict__ is compared uncached
        setattr(request, _CACHE_ATTRIBUTE, (body, value))
    return value


def _canonical(request: Any, body: bytes) -> str:
    content_type = (_header(request, "content-type") or "").lower()
    if any(kind in content_type for kind in JSON_TYPES) and body.strip():
        try:
            document = json.loads(body)
        except ValueError:
            return body.decode("latin-1")
        if isinstance(document, dict):
            for name in idempotency_members(request):
                document.pop(name, None)
        return "json:" + json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if FORM_TYPE in content_type:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        ignored = IGNORED_PARAMETERS | {name.lower() for name in idempotency_members(request)}
        return "form:" + json.dumps(sorted([k, v] for k, v in pairs if k.lower() not in ignored))
    return body.decode("latin-1")


def idempotency_members(request: Any) -> tuple[str, ...]:
    """Top-level input members botocore fills with a fresh UUID when the caller leaves them out."""
    operation = identify(RequestView.of(request.method, request.uri, dict(request.headers.items()), b""))
    return _idempotency_members(operation) if operation else ()


def _idempotency_members(operation: Operation) -> tuple[str, ...]:
    try:
        document = spec.document(operation.service, operation.operation)
    except UsageError:
        return ()
    pointer = document.get("x-aws-input")
    if not pointer:
        return ()
    root = document["$defs"][shape_name_of(pointer)]
    return tuple(name for name, member in root.get("properties", {}).items()
                 if member.get("x-aws-idempotency-token"))


def body_bytes(body: Any) -> bytes:
    """A vcrpy request body (bytes, str, None, a file or an iterator of chunks) as bytes."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "getvalue"):
        return bytes(body.getvalue())
    if hasattr(body, "read"):
        return bytes(body.read())
    chunks = list(body)
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in chunks)


def _header(request: Any, name: str) -> str | None:
    headers = request.headers
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return None if value is None else str(value)


def _preview(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
