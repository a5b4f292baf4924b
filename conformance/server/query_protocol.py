"""The awsQuery (`query`: IAM, STS, SNS, ...) and ec2Query (`ec2`) protocols, server side.

A request is a form, `Action=<Operation>&Version=<api version>&...`, in a `POST /` body
(`application/x-www-form-urlencoded`) or in the query string of a GET, as AWS accepts both. The form is read
with `conformance.protocols.requests.decode_form_request` (botocore's QuerySerializer / EC2Serializer, in
reverse), answers are written by `conformance.protocols.xml_encode`:
- query: `<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>`, errors
  `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/>`, with the status the error
  declares. Invalid input is `ValidationError` (400) in Coral's words: "1 validation error detected: Value
  'x' at 'userName' failed to satisfy constraint: ...".
- ec2: `<OpResponse xmlns=...><requestId/>members`, errors `<Response><Errors><Error><Code/><Message/>`
  `</Error></Errors><RequestID/>`, always 400 for a client fault (EC2 declares no error shapes). A missing
  required parameter is `MissingParameter` ("The request must contain the parameter InstanceId"), an
  unknown one `UnknownParameter`, any other invalid value `InvalidParameterValue`.
Both: no Action is `MissingAction`, one the service does not have is `InvalidAction` ("The action Foo is
not valid for this web service.").
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpRequest, HttpResponse, header_value
from conformance.protocols.base import part_root
from conformance.protocols.requests import FORM_CONTENT_TYPE, MAX_FORM_FIELDS, decode_form_request
from conformance.protocols.xml_encode import ec2_error, ec2_output, query_error, query_output, xml_safe
from conformance.server.protocol import REQUEST_ID_HEADER, ServerProtocol, ServiceError, new_request_id
from conformance.server.validation_messages import InputProblem, validation_message
from conformance.spec.derive import Schema

XML_CONTENT_TYPE = "text/xml"
QUERY_VALIDATION_ERROR = "ValidationError"
MISSING = "Member must not be null"


def form_action(request: HttpRequest) -> str | None:
    """The form's `Action` (the body's, else the query string's); None when there is none."""
    texts = [urlsplit(request.url).query]
    content_type = (header_value(request.headers, "Content-Type") or FORM_CONTENT_TYPE).split(";")[0]
    if request.body.strip() and content_type.strip().lower() == FORM_CONTENT_TYPE:
        texts.insert(0, request.body.decode("utf-8", errors="replace"))
    for text in texts:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError:
            raise ServiceError("MalformedQueryString", f"the form has more than {MAX_FORM_FIELDS} fields") from None
        for key, value in pairs:
            if key == "Action":
                return value
    return None


class FormProtocol(ServerProtocol):
    """What query and ec2 share: the form, routing by Action, XML answers."""

    content_type = XML_CONTENT_TYPE

    def __init__(self, service: str) -> None:
        protocol = spec.deriver(service).protocol
        if protocol != self.name:
            raise UsageError(f"{service} uses {protocol}, not {self.name}")
        super().__init__(service)
        namespace = spec.deriver(service).raw["metadata"].get("xmlNamespace")
        self.service_document: dict[str, Any] = {"$defs": {}, "x-aws-errors": {}}
        if namespace:
            self.service_document["x-aws-xml-namespace"] = namespace

    def route(self, request: HttpRequest) -> str:
        if request.method not in ("POST", "GET"):
            raise ServiceError("InvalidAction", f"{request.method} is not supported: {self.name} protocol requests "
                                                "are a form in a POST body or a GET query string", 405)
        action = form_action(request)
        if not action:
            raise ServiceError("MissingAction", "Missing Action")
        if action not in self.operations:
            raise ServiceError("InvalidAction", f"The action {action} is not valid for this web service.")
        return action

    def read_input(self, operation: str, request: HttpRequest) -> dict[str, Any]:
        document = spec.document(self.service, operation)
        decoded = decode_form_request(request, document, self.name)
        # A scalar that is not its member's type stays text, which validation words; only a form that could
        # not be read at all (another content type, too many fields) is refused here.
        unreadable = [violation for violation in decoded.violations if violation.pointer == ""]
        if unreadable:
            raise self.malformed(unreadable[0].message)
        value: dict[str, Any] = decoded.value if isinstance(decoded.value, dict) else {}
        return value

    def malformed(self, message: str) -> ServiceError:
        return ServiceError("MalformedQueryString", message)

    def headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": XML_CONTENT_TYPE, REQUEST_ID_HEADER: request_id}

    def document_of(self, operation: str | None) -> dict[str, Any]:
        """OPERATION's document; for an error of no operation (InvalidAction), one with the service's namespace."""
        if operation is not None:
            return spec.document(self.service, operation)
        return self.service_document

    # -- answers: the XML each protocol writes (`output_xml`, `error_xml`), the rest shared ---------------------

    def output_xml(self, document: Schema, root: Schema | None, value: Any, request_id: str) -> bytes:
        raise NotImplementedError

    def error_xml(self, document: Schema, shape: Schema | None, code: str, message: str, members: dict[str, Any],
                  status: int, request_id: str) -> bytes:
        raise NotImplementedError

    def success(self, operation: str, value: Any, request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        document = spec.document(self.service, operation)
        body = self.output_xml(document, part_root(document, "output"), xml_safe(value or {}), request_id)
        return HttpResponse(200, self.headers(request_id), body)

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        shape = self.error_shape(operation, error.code)
        members = {name: value for name, value in xml_safe(error.members).items() if name.lower() != "message"}
        body = self.error_xml(self.document_of(operation), shape, self.wire_code(shape, error.code),
                              xml_safe(error.message), members, error.status, request_id)
        # The status the error shape declares (EC2 declares no error shapes: the error's own status).
        status = int(shape.get("x-aws-error", {}).get("httpStatusCode", error.status)) if shape else error.status
        return HttpResponse(status, self.headers(request_id), body)


class QueryProtocol(FormProtocol):
    name: ClassVar[str] = "query"

    def invalid_input(self, operation: str, constraints: list[InputProblem], unknown: list[InputProblem],
                      serialization: list[InputProblem]) -> ServiceError:
        problems = [*serialization, *constraints]
        parts = [validation_message(problems)] if problems else []
        if unknown:
            names = ", ".join(problem.path for problem in unknown)
            parts.append(f"Unknown parameter(s) {names}: the model of this action does not have them")
        return ServiceError(QUERY_VALIDATION_ERROR, "; ".join(parts))

    def output_xml(self, document: Schema, root: Schema | None, value: Any, request_id: str) -> bytes:
        return query_output(document, root, value, request_id)

    def error_xml(self, document: Schema, shape: Schema | None, code: str, message: str, members: dict[str, Any],
                  status: int, request_id: str) -> bytes:
        return query_error(document, shape, code, message, members, sender=status < 500, request_id=request_id)


class Ec2Protocol(FormProtocol):
    name: ClassVar[str] = "ec2"

    def invalid_input(self, operation: str, constraints: list[InputProblem], unknown: list[InputProblem],
                      serialization: list[InputProblem]) -> ServiceError:
        missing = [problem for problem in constraints if problem.constraint == MISSING]
        if missing:
            return ServiceError("MissingParameter", f"The request must contain the parameter "
                                                    f"{_parameter(missing[0].path)}")
        if unknown:
            return ServiceError("UnknownParameter", f"The parameter {unknown[0].path} is not recognized")
        problem = (serialization or constraints)[0]
        shown = f"({problem.value}) " if problem.show_value else ""
        return ServiceError("InvalidParameterValue", f"Value {shown}for parameter {_parameter(problem.path)} is "
                                                     f"invalid. {problem.constraint}")

    def output_xml(self, document: Schema, root: Schema | None, value: Any, request_id: str) -> bytes:
        return ec2_output(document, root, value, request_id)

    def error_xml(self, document: Schema, shape: Schema | None, code: str, message: str, members: dict[str, Any],
                  status: int, request_id: str) -> bytes:
        return ec2_error(document, shape, code, message, members, request_id=request_id)


def _parameter(path: str) -> str:
    """An AWS member path as EC2 names the parameter: `instanceIds.1.member` → `InstanceIds.1`."""
    parts = [part for part in path.split(".") if part != "member"]
    return ".".join(part[:1].upper() + part[1:] for part in parts)
