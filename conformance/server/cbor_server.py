"""The Smithy RPC v2 CBOR protocol (`smithy-rpc-v2-cbor`: EventBridge v2, CloudWatch Omni, ...), server side.

A request is `POST /service/<ServiceName>/operation/<Operation>` (ServiceName: the model's `targetPrefix`,
as botocore's RpcV2CBORSerializer writes it; a base path before it is allowed) with `smithy-protocol:
rpc-v2-cbor` and a CBOR map body (an empty body is no input), read by `conformance.protocols`'
RpcV2CborProtocol. Answers are `application/cbor` with the `smithy-protocol` header, the output written
from the JSON data model by `to_cbor` (a blob's base64 text as a byte string, a timestamp as tag 1 around
epoch seconds, `"NaN"` / `"Infinity"` as floats). Errors are a CBOR map with `__type` and `message`, with
the declared status, and for awsQueryCompatible services the `x-amzn-query-error` header. An unknown
service or operation is 404 UnknownOperationException; invalid input the operation's declared
ValidationException or InvalidInputException (ValidationException otherwise), a body that is not CBOR
SerializationException.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import cbor2

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols.base import part_root, resolve, shape_kind
from conformance.protocols.cbor_protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_HEADER_VALUE,
    RpcV2CborProtocol,
    data_model_scalar_item,
)
from conformance.server.protocol import REQUEST_ID_HEADER, ServerProtocol, ServiceError, message_member, new_request_id
from conformance.spec.derive import Schema

CBOR_CONTENT_TYPE = "application/cbor"
QUERY_ERROR_HEADER = "x-amzn-query-error"
ROUTE = re.compile(r"(?:/.*)?/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)/?")
_DECODER = RpcV2CborProtocol()


class RpcV2CborServerProtocol(ServerProtocol):
    name: ClassVar[str] = "smithy-rpc-v2-cbor"
    content_type = CBOR_CONTENT_TYPE

    def __init__(self, service: str) -> None:
        deriver = spec.deriver(service)
        if deriver.protocol != self.name:
            raise UsageError(f"{service} uses {deriver.protocol}, not {self.name}")
        super().__init__(service)
        metadata = deriver.raw["metadata"]
        self.service_name = str(metadata.get("targetPrefix", ""))
        self.query_compatible = metadata.get("awsQueryCompatible") is not None

    def describe(self) -> str:
        return f"{self.name}, /service/{self.service_name}/operation/<Operation>"

    def route(self, request: HttpRequest) -> str:
        path = urlsplit(request.url).path
        found = ROUTE.fullmatch(path)
        if request.method != "POST" or found is None or found["service"] != self.service_name \
                or found["operation"] not in self.operations:
            raise ServiceError("UnknownOperationException",
                               f"{request.method} {path} names no operation of {self.service} (requests are POST "
                               f"/service/{self.service_name}/operation/<Operation>)", 404)
        return found["operation"]

    def read_input(self, operation: str, request: HttpRequest) -> dict[str, Any]:
        decoded = _DECODER.decode_request(request, spec.document(self.service, operation))
        unreadable = [violation for violation in decoded.violations if violation.pointer == ""]
        if unreadable:
            raise ServiceError("SerializationException", unreadable[0].message)
        if not isinstance(decoded.value, dict):
            raise ServiceError("SerializationException", "the request body is not a CBOR map")
        value: dict[str, Any] = decoded.value
        return value

    def headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": CBOR_CONTENT_TYPE, PROTOCOL_HEADER: PROTOCOL_HEADER_VALUE,
                REQUEST_ID_HEADER: request_id}

    def success(self, operation: str, value: Any, request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        document = spec.document(self.service, operation)
        root = part_root(document, "output")
        item = to_cbor(document, root, value if isinstance(value, dict) else {})
        return HttpResponse(200, self.headers(request_id), cbor2.dumps(item))

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        shape = self.error_shape(operation, error.code)
        members = {name: value for name, value in error.members.items() if name.lower() != "message"}
        item = {"__type": error.code, message_member(shape): error.message, **members}
        headers = self.headers(request_id)
        if self.query_compatible:
            fault = "Receiver" if error.status >= 500 else "Sender"
            headers[QUERY_ERROR_HEADER] = f"{self.wire_code(shape, error.code)};{fault}"
        status = int(shape.get("x-aws-error", {}).get("httpStatusCode", error.status)) if shape else error.status
        document = spec.document(self.service, operation) if operation is not None else None
        body = to_cbor(document, shape, item) if document is not None and shape is not None else item
        return HttpResponse(status, headers, cbor2.dumps(body))


def to_cbor(document: Schema, schema: Schema | None, value: Any) -> Any:
    """VALUE of the JSON data model as the CBOR item rpc-v2-cbor sends for SCHEMA (the inverse of the decoder's
    `_DataModel`). Members the schema does not describe go as they are."""
    if schema is None:
        return value
    if "anyOf" in schema and "$ref" not in schema:  # a sparse item: the member beside null
        schema = next((option for option in schema["anyOf"] if "$ref" in option), schema)
    schema = resolve(document, schema)
    kind = shape_kind(schema)
    if value is None:
        return None
    if kind == "structure" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: to_cbor(document, properties.get(key), item) for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [to_cbor(document, schema.get("items"), item) for item in value]
    if kind == "map" and isinstance(value, dict):
        values = schema.get("additionalProperties")
        return {key: to_cbor(document, values if isinstance(values, dict) else None, item)
                for key, item in value.items()}
    return data_model_scalar_item(kind, value)
