"""The JSON protocols: awsJson 1.0/1.1 (`json`) and restJson1 (`rest-json`).

The body is the data model itself. Error codes as botocore's parsers read them: awsJson from `__type`;
restJson1 from the `X-Amzn-ErrorType` header, else the body's `code`, else `__type`. For services marked
awsQueryCompatible the `x-amzn-query-error` header (`Code;Sender`) holds the code clients see (botocore's
`_do_query_compatible_error_parse`: `client.exceptions.QueueNameExists` catches what SQS sends as
`QueueAlreadyExists`). awsJson ignores HTTP binding traits (Smithy's awsJson1_0/1_1 specifications: they
"MUST be ignored"), so a declared `httpStatusCode` says nothing there.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols.base import (
    BodyError,
    Decoded,
    ErrorCode,
    Protocol,
    part_root,
    resolve,
    sanitize_code,
    shape_kind,
)
from conformance.protocols.rest import bound_members, payload_member, raw_payload_value
from conformance.spec.derive import Schema

QUERY_ERROR_HEADER = "x-amzn-query-error"
ERROR_CODE_MEMBERS = ("__type", "code", "Code")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """BODY as JSON (None when empty); BodyError when it is not UTF-8 JSON (NaN is not JSON either)."""
    if not body.strip():
        return None
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(f"the body is not valid JSON ({error})") from None
    except RecursionError:  # nesting deeper than the interpreter's stack: a hostile body, not an exception
        raise BodyError("the JSON body nests deeper than can be read") from None


def _read_json(body: bytes, decoded: Decoded) -> Any:
    """BODY as JSON, None when empty or unreadable (the reason noted on DECODED as a wire violation)."""
    try:
        return parse_json(body)
    except BodyError as error:
        decoded.wire_error("", str(error))
        return None


def json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = parse_json(body)
    except BodyError:
        return None
    return value if isinstance(value, dict) else None


def query_error_code(response: HttpResponse, document: Schema | None) -> ErrorCode | None:
    """The code of `x-amzn-query-error: Code;Fault`, which clients of a query-compatible service read (only
    with the service's DOCUMENT saying it is one: without it, an error code is read from the body)."""
    if document is None or not document.get("x-aws-query-compatible"):
        return None
    header = response.header(QUERY_ERROR_HEADER)
    if not header:
        return None
    code, separator, _fault = header.partition(";")
    return ErrorCode(code.strip(), f"{QUERY_ERROR_HEADER} header") if separator and code.strip() else None


class JsonBodyProtocol(Protocol):
    """What awsJson and restJson1 share: JSON bodies."""

    body_format: ClassVar[str] = "json"
    tolerated_content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    def parse_body(self, body: bytes) -> Any:
        return parse_json(body)

    def error_members(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {}
        return {key: value for key, value in body.items() if key not in ERROR_CODE_MEMBERS}


class AwsJsonProtocol(JsonBodyProtocol):
    name: ClassVar[str] = "json"
    response_content_types: ClassVar[tuple[str, ...]] = ("application/x-amz-json-1.1",
                                                         "application/x-amz-json-1.0")
    honours_error_status: ClassVar[bool] = False

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        query = query_error_code(response, document)
        if query is not None:
            return query
        body = json_object(response.body)
        if body is not None and isinstance(body.get("__type"), str) and body["__type"].strip():
            return ErrorCode(sanitize_code(body["__type"]), "body __type")
        # Not botocore's reading, but Smithy's (and other SDKs'): the header, then the body's `code`.
        header = response.header("x-amzn-errortype")
        if header:
            return ErrorCode(sanitize_code(header), "X-Amzn-ErrorType header")
        if body is not None and isinstance(body.get("code"), str) and body["code"].strip():
            return ErrorCode(sanitize_code(body["code"]), "body code")
        return None

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        decoded = Decoded({})
        body = _read_json(response.body, decoded)
        if body is not None:
            decoded.value = body
        return decoded

    def decode_error(self, response: HttpResponse, document: Schema, shape_name: str) -> Decoded:
        decoded = Decoded({})
        body = _read_json(response.body, decoded)
        if body is not None:
            decoded.value = self.error_members(body) if isinstance(body, dict) else body
        return decoded

    def decode_request(self, request: HttpRequest, document: Schema) -> Decoded:
        return self.decode_output(HttpResponse(200, request.headers, request.body), document)


class RestJsonProtocol(JsonBodyProtocol):
    error_code_location: ClassVar[str] = "X-Amzn-ErrorType, code or __type"
    name: ClassVar[str] = "rest-json"
    response_content_types: ClassVar[tuple[str, ...]] = ("application/json",)
    tolerated_content_types: ClassVar[tuple[str, ...]] = ()

    def body_is_payload(self, document: Schema, part: str = "output") -> bool:
        root = part_root(document, part)
        name = payload_member(root)
        if root is None or name is None:
            return False
        return shape_kind(resolve(document, root["properties"][name])) not in ("structure", "map", "list",
                                                                               "document")

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        query = query_error_code(response, document)
        if query is not None:
            return query
        header = response.header("x-amzn-errortype")
        if header and sanitize_code(header):
            return ErrorCode(sanitize_code(header), "X-Amzn-ErrorType header")
        body = json_object(response.body)
        if body is None:
            return None
        for key in ("code", "Code", "__type"):
            if isinstance(body.get(key), str) and body[key].strip():
                return ErrorCode(sanitize_code(body[key]), f"body {key}")
        return None

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        return self._decode_part(response, document, "output")

    def decode_error(self, response: HttpResponse, document: Schema, shape_name: str) -> Decoded:
        decoded = self._decode_part(response, document, f"error:{shape_name}")
        if isinstance(decoded.value, dict):
            decoded.value = self.error_members(decoded.value)
        return decoded

    def _decode_part(self, response: HttpResponse, document: Schema, part: str) -> Decoded:
        decoded = Decoded({})
        root = part_root(document, part)
        if root is None:
            return decoded
        root = resolve(document, root)
        name = payload_member(root)
        value: dict[str, Any] = {}
        if name is not None:
            target = resolve(document, root["properties"][name])
            if shape_kind(target) in ("structure", "map", "list", "document"):
                body = _read_json(response.body, decoded)
                if body is not None:
                    value[name] = body
            elif response.body:
                value[name] = raw_payload_value(target, response.body)
        else:
            body = _read_json(response.body, decoded)
            if isinstance(body, dict):
                value.update(body)
            elif body is not None:
                decoded.value = body  # not an object: the schema says what it should have been
                return decoded
        value.update(bound_members(response, document, root, decoded))
        decoded.value = value
        return decoded


    def decode_request(self, request: HttpRequest, document: Schema) -> Decoded:
        from conformance.protocols.requests import decode_rest_request

        return decode_rest_request(request, document, self)
