"""The rest protocols, server side: restJson1 (`rest-json`: Lambda, API Gateway, EKS, ...) and restXml
(`rest-xml`: S3, Route 53, CloudFront).

A request is routed by its method and path against the operations' URI templates (`rest_routing`), then read
with `conformance.protocols.requests.decode_rest_request`: URI labels, query string, headers, host prefix
labels and body, as botocore's RestJSONSerializer / RestXMLSerializer write them. An answer puts each
output member where the model binds it (`encode_rest_output`): `header` members in their header, a
`headers` map under its prefix, a `statusCode` member as the status (else the operation's `responseCode`),
the payload member as the whole body (a blob as its bytes, a string as its text, a structure in the
protocol's encoding), the other members in a JSON object or an XML document.

Errors: rest-json answers `X-Amzn-ErrorType: <code>` and `{"message": ...}` (the message under the
member name the error shape declares, `Message` for some), with the status the error declares; invalid
input is the first of ValidationException, BadRequestException (API Gateway) and InvalidInputException the
operation declares, ValidationException otherwise, and a route no operation has is 404
UnknownOperationException, as services behind API Gateway answer it. rest-xml answers
`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` (Route 53, CloudFront:
invalid input is their declared InvalidInput or InvalidArgument); S3 is `S3Protocol` (`s3_protocol`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols import protocol_named
from conformance.protocols.base import Protocol, part_root, resolve, shape_kind
from conformance.protocols.requests import decode_rest_request
from conformance.protocols.rest import payload_member
from conformance.protocols.xml_encode import XmlWriter, escape, namespace_attribute, unmodelled, xml_safe
from conformance.server.protocol import (
    REQUEST_ID_HEADER,
    ServerProtocol,
    ServiceError,
    message_member,
    new_request_id,
)
from conformance.server.rest_routing import Router
from conformance.server.validation_messages import (
    COMMON_VALIDATION_ERROR,
    InputProblem,
    serialization_message,
    unknown_member_message,
    validation_error_of,
    validation_message,
)
from conformance.spec.derive import Schema

# Headers HTTP itself owns: a model member bound to one (S3's Content-Length) is what the body says it is.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                             "trailer", "host"})
NO_BODY_STATUSES = frozenset({204, 304})
_NOT_HEADER_TEXT = re.compile(r"[^\x20-\x7e\t]")
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
BOUND_LOCATIONS = frozenset({"header", "headers", "statusCode"})  # output members outside the body


class RestProtocol(ServerProtocol):
    """What rest-json and rest-xml share: routing, reading the bindings, placing output members."""

    protocol: ClassVar[Protocol]
    validation_errors: ClassVar[tuple[str, ...]]

    def __init__(self, service: str) -> None:
        protocol = spec.deriver(service).protocol
        if protocol != self.name:
            raise UsageError(f"{service} uses {protocol}, not {self.name}")
        super().__init__(service)
        self.router = Router(service)

    def describe(self) -> str:
        return f"{self.name}, {len(self.router.routes)} routes"

    # -- requests -----------------------------------------------------------------------------------------

    def normalized(self, request: HttpRequest) -> HttpRequest:
        """REQUEST as the router and decoder read it (S3 makes a virtual-hosted request path-style)."""
        return request

    def route(self, request: HttpRequest) -> str:
        request = self.normalized(request)
        url = urlsplit(request.url)
        found = self.router.route(request.method, url.path or "/", url.query, request.headers)
        if found is None:
            raise self.no_route(request.method, url.path or "/")
        return found.operation

    def no_route(self, method: str, path: str) -> ServiceError:
        others = self.router.methods_of(path)
        elsewhere = f" (it takes {', '.join(others)})" if others else ""
        return ServiceError("UnknownOperationException",
                            f"no operation of {self.service} is at {method} {path}{elsewhere}", 404)

    def read_input(self, operation: str, request: HttpRequest) -> dict[str, Any]:
        decoded = decode_rest_request(self.normalized(request), spec.document(self.service, operation), self.protocol)
        # Text that is not its member's type (`?max-keys=abc`) stays text, which validation words; a body that
        # is not the protocol's encoding at all is refused here.
        unreadable = [violation for violation in decoded.violations if violation.pointer == ""]
        if unreadable:
            raise self.malformed(operation, unreadable[0].message)
        if not isinstance(decoded.value, dict):
            raise self.malformed(operation, "the request body is not an object of the operation's input")
        value: dict[str, Any] = decoded.value
        return value

    def malformed(self, operation: str, message: str) -> ServiceError:
        return ServiceError("SerializationException", message)

    def invalid_input(self, operation: str, constraints: list[InputProblem], unknown: list[InputProblem],
                      serialization: list[InputProblem]) -> ServiceError:
        code, status = validation_error_of(self.service, operation, self.validation_errors)
        if serialization and code == COMMON_VALIDATION_ERROR:  # API Gateway's BadRequestException says both
            return self.malformed(operation, serialization_message(serialization[0]))
        problems = [*serialization, *constraints]
        parts = [validation_message(problems)] if problems else []
        if unknown:
            parts.append(unknown_member_message(unknown))
        return ServiceError(code, "; ".join(parts), status)

    # -- answers ------------------------------------------------------------------------------------------

    def success(self, operation: str, value: Any, request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        document = spec.document(self.service, operation)
        status = int(document.get("x-aws-http", {}).get("responseCode", 200))
        headers = self.headers(request_id)
        root = part_root(document, "output")
        if root is None:
            headers.pop("Content-Type", None)
            return HttpResponse(status, headers, b"")
        root = resolve(document, root)
        value = value if isinstance(value, dict) else {}
        bound, body_value, status = place_members(document, root, value, status)
        payload = payload_member(root)
        if payload is not None:
            body, content_type = self.payload_body(document, resolve(document, root["properties"][payload]),
                                                   value.get(payload))
        elif any(member.get("x-aws-location") not in BOUND_LOCATIONS for member in root.get("properties", {}).values()):
            body, content_type = self.body(document, root, body_value), self.content_type
        else:  # everything is in headers and the status (S3 HeadObject): no body
            body, content_type = b"", None
        if status in NO_BODY_STATUSES:
            body = b""
        if content_type is not None:
            headers["Content-Type"] = content_type
        else:
            headers.pop("Content-Type", None)
        for name, text in bound.items():  # the model's bindings win over the defaults (S3's Content-Type)
            for existing in [key for key in headers if key.lower() == name.lower()]:
                del headers[existing]
            headers[name] = text
        return HttpResponse(status, headers, body)

    def payload_body(self, document: Schema, target: Schema, value: Any) -> tuple[bytes, str | None]:
        """The body of a payload member holding VALUE, and its default Content-Type."""
        kind = shape_kind(target)
        if value is None:
            return b"", None
        if kind == "blob":
            try:
                return base64.b64decode(str(value), validate=True), "application/octet-stream"
            except (binascii.Error, ValueError):
                return str(value).encode("utf-8"), "application/octet-stream"
        if kind == "string":
            return str(value).encode("utf-8"), "text/plain"
        return self.payload_document(document, target, value), self.content_type

    def body(self, document: Schema, root: Schema, value: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def payload_document(self, document: Schema, target: Schema, value: Any) -> bytes:
        raise NotImplementedError

    def headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": self.content_type, REQUEST_ID_HEADER: request_id}

    def error_status(self, error: ServiceError, shape: Schema | None) -> int:
        if shape is None:
            return error.status
        return int(shape.get("x-aws-error", {}).get("httpStatusCode", error.status))


class RestJsonProtocol(RestProtocol):
    name: ClassVar[str] = "rest-json"
    protocol: ClassVar[Protocol] = protocol_named("rest-json")
    validation_errors: ClassVar[tuple[str, ...]] = ("ValidationException", "BadRequestException",
                                                    "InvalidInputException")
    content_type = "application/json"

    def body(self, document: Schema, root: Schema, value: dict[str, Any]) -> bytes:
        return _json(value)

    def payload_document(self, document: Schema, target: Schema, value: Any) -> bytes:
        return _json(value)

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        shape = self.error_shape(operation, error.code)
        code = self.wire_code(shape, error.code)
        members = {name: value for name, value in error.members.items() if name.lower() != "message"}
        body = {message_member(shape): error.message, **members}
        headers = {**self.headers(request_id), ERROR_TYPE_HEADER: code}
        return HttpResponse(self.error_status(error, shape), headers, _json(body))


class RestXmlProtocol(RestProtocol):
    name: ClassVar[str] = "rest-xml"
    protocol: ClassVar[Protocol] = protocol_named("rest-xml")
    validation_errors: ClassVar[tuple[str, ...]] = ("InvalidInput", "InvalidArgument", "ValidationException",
                                                    "InvalidInputException")
    content_type = "application/xml"

    def namespace(self, document: Schema) -> str:
        """The `xmlns` attribute of an answer's root element."""
        return namespace_attribute(document)

    def body(self, document: Schema, root: Schema, value: dict[str, Any]) -> bytes:
        name = str(root.get("x-aws-xml-name") or root.get("x-aws-shape") or "Response")
        writer = XmlWriter(document)
        value = xml_safe(value)
        return (f"<{name}{self.namespace(document)}{writer.attributes(root, value)}>"
                f"{writer.members(root, value)}</{name}>").encode()

    def payload_document(self, document: Schema, target: Schema, value: Any) -> bytes:
        name = str(target.get("x-aws-xml-name") or target.get("x-aws-shape") or "Payload")
        element = XmlWriter(document).element(target, name, xml_safe(value))
        namespace = self.namespace(document)
        if namespace and element.startswith(f"<{name}"):  # the namespace goes on the root element
            element = f"<{name}{namespace}{element[len(name) + 1:]}"
        return element.encode()

    def error_members(self, operation: str | None, shape: Schema | None, error: ServiceError) -> str:
        members = {name: value for name, value in xml_safe(error.members).items() if name.lower() != "message"}
        if shape is not None and operation is not None:
            return XmlWriter(spec.document(self.service, operation)).members(shape, members)
        return "".join(unmodelled(name, value) for name, value in members.items() if value is not None)

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        shape = self.error_shape(operation, error.code)
        code = self.wire_code(shape, error.code)
        namespace = namespace_attribute(spec.document(self.service, operation)) if operation else ""
        kind = "Sender" if error.status < 500 else "Receiver"
        body = (f"<ErrorResponse{namespace}><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
                f"<Message>{escape(xml_safe(error.message))}</Message>{self.error_members(operation, shape, error)}"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return HttpResponse(self.error_status(error, shape), self.headers(request_id), body)


# -- output members in headers and the status -------------------------------------------------------------------


def place_members(document: Schema, root: Schema, value: dict[str, Any],
                  status: int) -> tuple[dict[str, str], dict[str, Any], int]:
    """(headers, the members left for the body, the status) of output VALUE, as ROOT binds its members."""
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    properties = root.get("properties", {})
    payload = payload_member(root)
    for name, item in value.items():
        member = properties.get(name)
        location = member.get("x-aws-location") if member is not None else None
        if member is None or location not in BOUND_LOCATIONS:
            if name != payload:
                body[name] = item
            continue
        if item is None:
            continue
        wire_name = str(member.get("x-aws-location-name", name))
        if location == "statusCode":
            if isinstance(item, int) and not isinstance(item, bool) and 200 <= item <= 599:
                status = item
        elif location == "headers":
            for key, text in (item or {}).items():
                _set_header(headers, f"{wire_name}{key}", header_text(document, {}, text))
        else:
            target = resolve(document, member)
            if member.get("x-aws-jsonvalue"):
                target = {**target, "x-aws-jsonvalue": True}
            _set_header(headers, wire_name, header_text(document, target, item))
    return headers, body, status


def header_text(document: Schema, schema: Schema, value: Any) -> str:
    """VALUE as its header's text (the inverse of `conformance.protocols.rest.header_value`)."""
    kind = shape_kind(schema) if schema else "string"
    if kind == "list" and isinstance(value, list):
        item = resolve(document, schema.get("items", {}))
        texts = [header_text(document, item, part) for part in value]
        if shape_kind(item) != "timestamp":
            texts = [f'"{_quoted(text)}"' if ("," in text or '"' in text) else text for text in texts]
        return ", ".join(texts)
    if kind == "string" and schema.get("x-aws-jsonvalue"):
        return base64.b64encode(str(value).encode("utf-8")).decode("ascii")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _set_header(headers: dict[str, str], name: str, text: str) -> None:
    if name.lower() in FRAMING_HEADERS or not name:
        return
    # A header carries printable ASCII: other characters a generated value holds become `?` (HTTP has no
    # escaping; a service would not send them), and surrounding spaces are not part of a header's value.
    headers[name] = _NOT_HEADER_TEXT.sub("?", text).strip(" \t")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
