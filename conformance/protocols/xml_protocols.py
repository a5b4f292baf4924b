"""The XML protocols: awsQuery (`query`), ec2Query (`ec2`) and restXml (`rest-xml`).

Answers, as botocore's `QueryParser`, `EC2QueryParser` and `RestXMLParser` read them and Smithy's protocol
tests state them:
- query: `<OperationResponse><OperationResult>members</OperationResult><ResponseMetadata><RequestId>`;
  the `<OperationResult>` wrapper is the output's `resultWrapper`, and an answer without it is unreadable.
  Errors: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
- ec2: `<OperationResponse>` holds the members and `<requestId>` directly; errors are
  `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
- rest-xml: the body's root element is the output structure (or its payload member), other members travel in
  headers and the status code; errors are `<Error><Code/>...` (or wrapped in `<ErrorResponse>`), and S3 answers
  HEAD requests and some errors with no body at all, which clients read by the status code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols.base import (
    BodyError,
    Decoded,
    ErrorCode,
    Protocol,
    part_root,
    resolve,
    shape_kind,
)
from conformance.protocols.rest import bound_members, payload_member, raw_payload_value
from conformance.protocols.xml import RESPONSE_LOCATIONS, Element, XmlReader, child, parse_xml, tag, text_of
from conformance.spec.derive import Schema

XML_CONTENT_TYPES = ("text/xml", "application/xml")
# Elements of an error that carry the protocol's own data, not members of the error shape: the query and ec2
# envelopes', and those S3's "Error responses" page lists for its errors (Resource, HostId, and the details
# it adds per code: the bucket, key or argument concerned).
ERROR_METADATA = frozenset({"Type", "Code", "RequestId", "RequestID", "HostId", "Resource", "BucketName", "Key",
                            "ArgumentName", "ArgumentValue"})


class XmlBodyProtocol(Protocol):
    body_format: ClassVar[str] = "xml"
    response_content_types: ClassVar[tuple[str, ...]] = XML_CONTENT_TYPES

    def parse_body(self, body: bytes) -> Element:
        return parse_xml(body)

    def error_element(self, root: Element) -> Element | None:
        """The `<Error>` element of an error answer's root, None when the answer is not shaped so."""
        raise NotImplementedError

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        try:
            root = parse_xml(response.body)
        except BodyError:
            return None
        error = self.error_element(root)
        code = child(error, "Code") if error is not None else None
        if code is None or not text_of(code).strip():
            return None
        return ErrorCode(text_of(code).strip(), f"<{tag(root)}> error <Code>")

    def decode_error(self, response: HttpResponse, document: Schema, shape_name: str) -> Decoded:
        decoded = Decoded({})
        root_schema = part_root(document, f"error:{shape_name}")
        try:
            root = parse_xml(response.body)
        except BodyError as error:
            decoded.wire_error("", str(error))
            return decoded
        element = self.error_element(root)
        if element is None:
            decoded.wire_error("", f"the error answer's root is <{tag(root)}>, not the {self.name} protocol's "
                                   "error shape")
            return decoded
        if root_schema is None:
            return decoded
        value = XmlReader(document, decoded).structure(root_schema, element, "", skip=ERROR_METADATA)
        value.update(bound_members(response, document, resolve(document, root_schema), decoded))
        decoded.value = value
        return decoded

    def decode_request(self, request: HttpRequest, document: Schema) -> Decoded:
        from conformance.protocols.requests import decode_form_request, decode_rest_request

        if self.name == "rest-xml":
            return decode_rest_request(request, document, self)
        return decode_form_request(request, document, self.name)


def _without_body(document: Schema, root_schema: Schema | None, body: bytes) -> bool:
    """An empty body where the output has no body members: nothing was there to say."""
    if body.strip():
        return False
    if root_schema is None:
        return True
    members = resolve(document, root_schema).get("properties", {})
    return not any(member.get("x-aws-location") not in RESPONSE_LOCATIONS for member in members.values())


def _operation_response(response: HttpResponse, document: Schema,
                        decoded: Decoded) -> tuple[Schema | None, Element | None]:
    """The output's schema and the answer's root, an `<OperationResponse>` (query and ec2); no root when the
    body holds nothing to read (the reason, if any, noted on DECODED)."""
    root_schema = part_root(document, "output")
    if _without_body(document, root_schema, response.body):
        return root_schema, None
    try:
        root = parse_xml(response.body)
    except BodyError as error:
        decoded.wire_error("", str(error))
        return root_schema, None
    operation = document["x-aws-operation"]
    if tag(root) != f"{operation}Response":
        decoded.wire_error("", f"the answer's root element is <{tag(root)}>, not <{operation}Response>")
    return root_schema, root


def _root_or_none(body: bytes) -> Element | None:
    try:
        return parse_xml(body)
    except BodyError:
        return None


class QueryProtocol(XmlBodyProtocol):
    error_code_location: ClassVar[str] = "<ErrorResponse><Error><Code>"
    name: ClassVar[str] = "query"
    request_id_location: ClassVar[str] = "x-amzn-RequestId or <ResponseMetadata><RequestId>"

    def error_element(self, root: Element) -> Element | None:
        if tag(root) == "ErrorResponse":
            return child(root, "Error")
        return None

    def request_id(self, response: HttpResponse) -> str | None:
        header = super().request_id(response)
        root = None if header else _root_or_none(response.body)
        if root is None:
            return header
        metadata = child(root, "ResponseMetadata")
        found = child(metadata if metadata is not None else root, "RequestId")
        return (text_of(found).strip() or None) if found is not None else None

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        decoded = Decoded({})
        root_schema, root = _operation_response(response, document, decoded)
        if root is None:
            return decoded
        wrapper_name = document.get("x-aws-result-wrapper")
        if root_schema is None or wrapper_name is None:
            return decoded
        wrapper = child(root, str(wrapper_name))
        if wrapper is None:
            decoded.wire_error("", f"no <{wrapper_name}> element in <{tag(root)}>: clients find no output")
            return decoded
        decoded.value = XmlReader(document, decoded).structure(root_schema, wrapper, "")
        return decoded


class Ec2Protocol(XmlBodyProtocol):
    error_code_location: ClassVar[str] = "<Response><Errors><Error><Code>"
    name: ClassVar[str] = "ec2"
    request_id_location: ClassVar[str] = "<requestId> (errors: <RequestID>)"

    def error_element(self, root: Element) -> Element | None:
        errors = child(root, "Errors")
        if tag(root) == "Response" and errors is not None:
            return child(errors, "Error")
        return None

    def request_id(self, response: HttpResponse) -> str | None:
        header = super().request_id(response)
        root = None if header else _root_or_none(response.body)
        if root is None:
            return header
        for name in ("requestId", "RequestID", "RequestId"):
            found = child(root, name)
            if found is not None:
                return text_of(found).strip() or None
        return None

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        decoded = Decoded({})
        root_schema, root = _operation_response(response, document, decoded)
        if root is None:
            return decoded
        if root_schema is not None:
            decoded.value = XmlReader(document, decoded).structure(root_schema, root, "",
                                                                   skip=frozenset({"requestId"}))
        return decoded


class RestXmlProtocol(XmlBodyProtocol):
    error_code_location: ClassVar[str] = "<Error><Code>"
    name: ClassVar[str] = "rest-xml"
    request_id_location: ClassVar[str] = "x-amz-request-id (S3) or x-amzn-RequestId"

    def error_element(self, root: Element) -> Element | None:
        if tag(root) == "Error":
            return root
        if tag(root) == "ErrorResponse":
            return child(root, "Error")
        return None

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        if not response.body.strip():
            return None
        return super().error_code(response, document)

    def codeless_error_allowed(self, request: HttpRequest | None, response: HttpResponse) -> bool:
        # S3 answers a 304 (GetObject with If-None-Match) with no body: clients read the status code. HEAD
        # answers have no body on any protocol (checks.error_codes.answers_without_body).
        return not response.body.strip() and response.status == 304

    def body_is_payload(self, document: Schema, part: str = "output") -> bool:
        root = part_root(document, part)
        name = payload_member(root)
        if root is None or name is None:
            return False
        return shape_kind(resolve(document, root["properties"][name])) not in ("structure", "map", "list")

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        decoded = Decoded({})
        root_schema = part_root(document, "output")
        if root_schema is None:
            return decoded
        root_schema = resolve(document, root_schema)
        value: dict[str, Any] = {}
        name = payload_member(root_schema)
        reader = XmlReader(document, decoded)
        if name is not None:
            target = resolve(document, root_schema["properties"][name])
            if shape_kind(target) in ("structure", "map", "list"):
                # An empty body is an unset payload (Smithy's RestXmlHttpPayloadWithUnsetUnion).
                element = self._root(response.body, decoded) if response.body.strip() else None
                if element is not None:
                    value[name] = reader.value(target, element, f"/{name}", 0)
            elif response.body:
                value[name] = raw_payload_value(target, response.body)
        elif any(member.get("x-aws-location") not in RESPONSE_LOCATIONS
                 for member in root_schema.get("properties", {}).values()):
            element = self._root(response.body, decoded) if response.body.strip() else None
            if element is not None:
                value.update(reader.structure(root_schema, element, ""))
        value.update(bound_members(response, document, root_schema, decoded))
        decoded.value = value
        return decoded

    @staticmethod
    def _root(body: bytes, decoded: Decoded) -> Element | None:
        try:
            return parse_xml(body)
        except BodyError as error:
            decoded.wire_error("", str(error))
            return None
