"""The served protocols' interface (`ServerProtocol`), their error type, and the AWS JSON 1.0 / 1.1 one.

Each served protocol, like each of botocore's parsers, is one class: it routes a request to an operation,
reads its input with the protocol layer (`conformance.protocols`), answers in the protocol's encoding and
codes and words invalid input as that protocol's services do. `conformance.server.protocols` picks the class.

AWS JSON:

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
from typing import Any, ClassVar

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpRequest, HttpResponse, header_value
from conformance.server.validation_messages import (
    InputProblem,
    serialization_message,
    unknown_member_message,
    validation_error_of,
    validation_message,
)
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


class ServerProtocol:
    """One wire protocol of one service, server side (see the module docstring)."""

    name: ClassVar[str]
    content_type: str = "application/json"  # of answers, and of the server's own errors (413, ...)

    def __init__(self, service: str) -> None:
        self.service = service
        self.operations = frozenset(spec.operations(service))

    def describe(self) -> str:
        """The protocol in a few words, for the line `conformance serve` prints when it starts."""
        return self.name

    # -- requests -----------------------------------------------------------------------------------------

    def route(self, request: HttpRequest) -> str:
        """The operation REQUEST calls; a ServiceError (the protocol's unknown-operation answer) otherwise."""
        raise NotImplementedError

    def read_input(self, operation: str, request: HttpRequest) -> dict[str, Any]:
        """REQUEST's input as the data model; a ServiceError when the request cannot be read as one."""
        raise NotImplementedError

    def invalid_input(self, operation: str, constraints: list[InputProblem], unknown: list[InputProblem],
                      serialization: list[InputProblem]) -> ServiceError:
        """The error the protocol's services answer invalid input with (AWS Coral's wording by default)."""
        if serialization:
            return ServiceError("SerializationException", serialization_message(serialization[0]))
        code, status = validation_error_of(self.service, operation)
        parts = [validation_message(constraints)] if constraints else []
        if unknown:
            parts.append(unknown_member_message(unknown))
        return ServiceError(code, "; ".join(parts), status)

    # -- answers ------------------------------------------------------------------------------------------

    def success(self, operation: str, value: Any, request_id: str | None = None) -> HttpResponse:
        raise NotImplementedError

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        raise NotImplementedError

    def plain_error(self, status: int, code: str, message: str) -> HttpResponse:
        """An error answer of the server itself (body too large, bad Content-Length), whatever the operation."""
        return self.error(ServiceError(code, message, status), None, new_request_id())

    def error_shape(self, operation: str | None, code: str) -> Schema | None:
        """The error shape OPERATION declares under CODE (its shape name or its wire code), if any."""
        if operation is None:
            return None
        document = spec.document(self.service, operation)
        pointer = document["x-aws-errors"].get(code)
        if pointer is None:
            for candidate in document["x-aws-errors"].values():
                shape = document["$defs"][shape_name_of(candidate)]
                if shape.get("x-aws-error", {}).get("code") == code:
                    found: Schema = shape
                    return found
            return None
        declared: Schema = document["$defs"][shape_name_of(pointer)]
        return declared

    def wire_code(self, shape: Schema | None, code: str) -> str:
        """The code clients read for an error of SHAPE (the model's `error.code`, else the shape's name)."""
        if shape is None:
            return code
        return str(shape.get("x-aws-error", {}).get("code", code))


class JsonProtocol(ServerProtocol):
    """The JSON protocol of one service, as its botocore model describes it (`jsonVersion`, `targetPrefix`)."""

    name: ClassVar[str] = "json"

    def __init__(self, service: str) -> None:
        deriver = spec.deriver(service)  # raises UnknownServiceError with the closest names
        if deriver.protocol != "json":
            raise UsageError(f"{service} uses {deriver.protocol}, not AWS JSON 1.0/1.1")
        super().__init__(service)
        metadata = deriver.raw["metadata"]
        self.json_version = str(metadata.get("jsonVersion", "1.0"))
        self.target_prefix = str(metadata.get("targetPrefix", ""))
        self.content_type = f"application/x-amz-json-{self.json_version}"
        self.query_compatible = metadata.get("awsQueryCompatible") is not None

    def describe(self) -> str:
        return f"JSON {self.json_version}, {self.target_prefix}"

    def route(self, request: HttpRequest) -> str:
        if request.method != "POST":
            raise ServiceError("UnknownOperationException",
                               f"{request.method} is not supported: AWS JSON protocol requests are POST /", 405)
        return self.operation_of(header_value(request.headers, "X-Amz-Target"))

    def read_input(self, operation: str, request: HttpRequest) -> dict[str, Any]:
        return self.read_body(request.body)

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

    def success(self, operation: str, body: Any, request_id: str | None = None) -> HttpResponse:
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return HttpResponse(200, self.headers(request_id), payload)

    def error(self, error: ServiceError, operation: str | None = None, request_id: str | None = None) -> HttpResponse:
        shape = self.error_shape(operation, error.code)
        members = dict(error.members)
        members[message_member(shape)] = error.message
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


def message_member(shape: Schema | None) -> str:
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
