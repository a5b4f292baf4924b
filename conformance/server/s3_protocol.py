"""S3's rest-xml, server side: path-style and virtual-hosted requests, S3's own error document and codes.

S3 takes a bucket in the path (`/bucket/key`, what botocore sends to an IP endpoint such as 127.0.0.1) or as
the first label of the Host (`bucket.localhost:8787`, `bucket.s3.<region>.amazonaws.com`): a Host whose rest
is `localhost` (or ends in `.localhost`) or starts with `s3.` / `s3-` names the bucket, and the request is
read as its path-style form. Errors are `<Error><Code/><Message/><RequestId/><HostId/></Error>` with the
`x-amz-request-id` and `x-amz-id-2` headers and the status the error declares (NoSuchKey 404, ...); invalid
input is `InvalidArgument` (400), a body that is not XML `MalformedXML`, and a method no operation takes at a
path `MethodNotAllowed` (405). A HEAD answer has no body (the HTTP layer sends none), so clients read a HEAD
error from its status, as they do S3's.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols.xml_encode import escape, namespace_attribute, xml_safe
from conformance.server.protocol import ServiceError, new_request_id
from conformance.server.rest_protocols import RestXmlProtocol
from conformance.server.validation_messages import InputProblem, unknown_member_message, validation_message
from conformance.spec.derive import Schema

S3_REQUEST_ID_HEADER = "x-amz-request-id"
S3_HOST_ID_HEADER = "x-amz-id-2"
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"  # on S3's answers; botocore's model does not say it


def bucket_of_host(host: str) -> tuple[str, str] | None:
    """(bucket, the rest of the host) when HOST (no port) names a bucket, virtual-hosted style."""
    if not host or "." not in host:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    bucket, _, rest = host.partition(".")
    if rest == "localhost" or rest.endswith(".localhost") or rest.startswith(("s3.", "s3-")):
        return bucket, rest
    return None


class S3Protocol(RestXmlProtocol):
    name: ClassVar[str] = "rest-xml"
    content_type = "application/xml"

    def normalized(self, request: HttpRequest) -> HttpRequest:
        url = urlsplit(request.url)
        found = bucket_of_host(url.hostname or "")
        if found is None:
            return request
        bucket, rest = found
        host = f"{rest}:{url.port}" if url.port else rest
        path = f"/{bucket}" + ("" if url.path in ("", "/") else url.path)
        return HttpRequest(request.method, urlunsplit((url.scheme, host, path, url.query, "")),
                           request.headers, request.body)

    def namespace(self, document: Schema) -> str:
        return namespace_attribute(document) or f' xmlns="{S3_NAMESPACE}"'

    def no_route(self, method: str, path: str) -> ServiceError:
        return ServiceError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)

    def malformed(self, operation: str, message: str) -> ServiceError:
        return ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against "
                                            f"our published schema ({message})")

    def invalid_input(self, operation: str, constraints: list[InputProblem], unknown: list[InputProblem],
                      serialization: list[InputProblem]) -> ServiceError:
        problems = [*serialization, *constraints]
        parts = [validation_message(problems)] if problems else []
        if unknown:
            parts.append(unknown_member_message(unknown))
        return ServiceError("InvalidArgument", "; ".join(parts))

    def headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": self.content_type, S3_REQUEST_ID_HEADER: request_id,
                S3_HOST_ID_HEADER: uuid.uuid5(uuid.NAMESPACE_URL, request_id).hex}

    def error(self, error: ServiceError, operation: str | None = None,
              request_id: str | None = None) -> HttpResponse:
        request_id = request_id or new_request_id()
        shape = self.error_shape(operation, error.code)
        code = self.wire_code(shape, error.code)
        headers = self.headers(request_id)
        members: Any = self.error_members(operation, shape, error)
        body = (f"<Error><Code>{escape(code)}</Code><Message>{escape(xml_safe(error.message))}</Message>{members}"
                f"<RequestId>{request_id}</RequestId><HostId>{headers[S3_HOST_ID_HEADER]}</HostId></Error>")
        return HttpResponse(self.error_status(error, shape), headers, body.encode())
