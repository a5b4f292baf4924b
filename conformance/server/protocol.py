"""The AWS JSON 1.0 / 1.1 wire protocol, server side: which operation, the request body, the answer.

A request is `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON object body (an empty
body reads as `{}`, Smithy's json_1_1_service_supports_empty_payload_for_no_input_shape). An answer
carries `Content-Type: application/x-amz-json-1.x` and an `x-amzn-RequestId`; an error is
`{"__type": CODE, "Message": ...}`, the message under the member name the error shape declares. For
services marked awsQueryCompatible the query error code also travels in `x-amzn-query-error`, as botocore
reads it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpResponse
from conformance.spec.derive import Schema, shape_name_of

REQUEST_ID_HEADER = "x-amzn-RequestId"


@dataclass
class ServiceError(Exception):
    """An AWS error answer: the wire code, a message, the HTTP status and any other members of the shape."""

    code: str
    message: str
    status: int = 400
    members: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")


def new_request_id() -> str:
    return str(uuid.uuid4())


class JsonProtocol:
    """The JSON protocol of one service, as its botocore model describes it (`jsonVersion`, `targetPrefix`)."""

    def __init__(self, service: str) -> None:
        deriver = spec.deriver(service)  # raises UnknownServiceError with the closest names
        if deriver.protocol != "json":
            raise UsageError(f"conformance serve speaks the AWS JSON 1.0/1.1 protocol; {service} uses "
                             f"{deriver.protocol}")
        metadata = deriver.raw["metadata"]
        self.service = service
        self.json_version = str(metadata.get("jsonVersion", "1.0"))
        self.target_prefix = str(metadata.get("targetPrefix", ""))
        self.content_type = f"application/x-amz-json-{self.json_version}"
        self.query_compatible = metadata.get("awsQueryCompatible") is not None
        self.operations = frozenset(spec.operations(service))

    # -- requests -----------------------------------------------------------------------------------------

    def operation_of(self, target: str | None) -> str:
        """The operation named by an X-Amz-Target header; UnknownOperationException otherwise."""
        prefix, dot, name = (target or "").strip().rpartition(".")
        if not dot or prefix != self.target_prefix or name not in self.operations:
            shown = repr(target) if target else "missing"
            raise ServiceError("UnknownOperationException",
                               f"X-Amz-Target {shown} names no operation of {self.service} "
                               f"(expected {self.target_prefix}.<Operation>)")
        return name

    @staticmethod
    def read_body(raw: bytes) -> dict[str, Any]:
        """The request body as a JSON object; SerializationException when it is not one."""
        if not raw.strip():
            return {}
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ServiceError("SerializationException",
                               f"the request body is not valid UTF-8 (byte {error.start})") from None
        try:
            body = json.loads(text, parse_constant=_reject_constant)
        except ValueError as error:
            raise ServiceError("SerializationException", f"the request body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise ServiceError("SerializationException",
                               f"Start of {_json_kind(body)} found where a structure was expected "
                               "(the request body must be a JSON object)")
        return body

    # -- answers ------------------------------------------------------------------------------------------

    def success(self, body: Any, request_id: str | None = None) -> HttpResponse:
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return HttpResponse(200, self.headers(request_id), payload)

    def error(self, error: ServiceError, operation: str | None = None, request_id: str | None = None) -> HttpResponse:
        shape = self.error_shape(operation, error.code)
        members = dict(error.members)
        members[_message_member(shape)] = error.message
        body = {"__type": error.code, **members}
        headers = self.headers(request_id)
        if self.query_compatible and shape is not None:
            query_code = shape.get("x-aws-error", {}).get("code", error.code)
            fault = "Receiver" if error.status >= 500 else "Sender"
            headers["x-amzn-query-error"] = f"{query_code};{fault}"
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return HttpResponse(error.status, headers, payload)

    def headers(self, request_id: str | None = None) -> dict[str, str]:
        return {"Content-Type": self.content_type, REQUEST_ID_HEADER: request_id or new_request_id()}

    def error_shape(self, operation: str | None, code: str) -> Schema | None:
        """The error shape OPERATION declares under CODE (its shape name), if any."""
        if operation is None:
            return None
        document = spec.document(self.service, operation)
        pointer = document["x-aws-errors"].get(code)
        if pointer is None:
            return None
        shape: Schema = document["$defs"][shape_name_of(pointer)]
        return shape


def _message_member(shape: Schema | None) -> str:
    """Where the message goes: the shape's own member (`Message` in Glue), else `message` as Coral sends it."""
    properties = shape.get("properties", {}) if shape else {}
    for name in properties:
        if name.lower() == "message":
            return str(name)
    return "message"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"
