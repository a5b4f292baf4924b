"""Local endpoints on 127.0.0.1 for one operation of each of rest-json, query, ec2 and rest-xml: one mode that
answers as real AWS answers the operation, and broken modes that each break one documented contract.

- rest-json, lambda GetFunctionConfiguration: `application/json`, `x-amzn-RequestId`, errors with
  `X-Amzn-ErrorType` and `{"Type": "User", "Message": ...}`, constraint violations as `ValidationException`.
- query, iam GetUser: `text/xml`, `x-amzn-RequestId` and `<ResponseMetadata><RequestId>`, the output inside
  `<GetUserResult>`, lists of `<member>`; errors `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity`
  with HTTP 404, constraint violations as `ValidationError`.
- ec2, ec2 DescribeVpcs: `text/xml;charset=UTF-8`, `Server: AmazonEC2`, no request id header but
  `<requestId>` in the body, lists of `<item>`; errors `<Response><Errors><Error><Code>InvalidVpcID.NotFound`
  with `<RequestID>`, a DryRun as `DryRunOperation` (HTTP 412), bad values as `InvalidParameterValue`.
- rest-xml, s3 ListObjectsV2: `application/xml`, `x-amz-request-id` with `x-amz-id-2`, flattened
  `<Contents>`, `x-amz-request-charged` when the requester pays; errors `<Error><Code>NoSuchBucket` (404)
  with `<BucketName>`, `<RequestId>` and `<HostId>`, bad arguments as `InvalidArgument`.
- rest-xml again, s3 HeadObject: the whole output in headers (an RFC 7231 `Last-Modified`, integer, boolean and
  enum headers, the object's own `Content-Type`), and every error a status with no body, as S3 answers HEAD.

The shapes follow the operations' API reference examples, the real answers recorded in
shared/data/real-aws (cloud-custodian placebo: IAM GetUser's `content-type: text/xml` and `x-amzn-requestid`,
EC2 DescribeVpcs's `text/xml;charset=UTF-8` and `server: AmazonEC2`) and Smithy's protocol tests (awsQuery,
ec2Query and restXml xml-errors). Which resources exist is a rule on the name, so a run is deterministic: a
name (a function, a user, a VPC id, a bucket) of even length exists, one of odd length does not.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from conformance import spec
from conformance.spec.validation import violations
from tests.endpoints import _JoinedServer

Answer = tuple[int, dict[str, str], bytes]
# mode: (the checks it must make fire: the contract's, and botocore's parse where that fails too; what it breaks)
Modes = dict[str, tuple[tuple[str, ...], str]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # unquoted, without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """A query/ec2 request's form fields (the last value of each)."""
        fields = urllib.parse.parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {name: values[-1] for name, values in fields.items()}


def request_from(method: str, url: str, headers: dict[str, str], body: bytes) -> Request:
    parts = urllib.parse.urlsplit(url)
    return Request(method, urllib.parse.unquote(parts.path), urllib.parse.parse_qs(parts.query, keep_blank_values=True),
                   {name.lower(): value for name, value in headers.items()}, body)


def _exists(name: str) -> bool:
    return len(name) % 2 == 0


def invalid(service: str, operation: str, wire_input: dict[str, Any]) -> str | None:
    """The first way the input as it travelled breaks the operation's input schema, None when it is valid."""
    problems = violations(spec.part(service, operation, "input"), wire_input)
    return f"{problems[0].pointer or '/'}: {problems[0].message}" if problems else None


def _scalar(text: str, kind: str) -> Any:
    """Form or query text typed as a service reads it: what does not parse stays text (and is invalid)."""
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


# -- rest-json: lambda GetFunctionConfiguration ---------------------------------------------------------------

LAMBDA_PREFIX = "/2015-03-31/functions/"
LAMBDA_MODES: Modes = {
    "response_schema": (("response_schema",), "Timeout as a JSON string"),
    "missing_required": (("response_schema",), "EphemeralStorage without its required Size"),
    "enum": (("enum",), "Runtime outside its enum"),
    "error_code": (("error_code",), "not-found answered with an undeclared code"),
    "error_status": (("error_status",), "ResourceNotFoundException sent with HTTP 400 (declared 404)"),
    "error_body": (("error_body",), "the error's Message is a number"),
    "negative_data_rejection": (("negative_data_rejection",), "an invalid input answered as not found"),
    "positive_data_acceptance": (("positive_data_acceptance",), "a valid input refused with ValidationException"),
    "not_a_server_error": (("not_a_server_error",), "HTTP 500 without an error code"),
    "content_type": (("content_type",), "success sent as text/plain"),
    "request_id": (("request_id",), "no x-amzn-RequestId header"),
}


def _lambda_json(status: int, body: dict[str, Any], mode: str, headers: dict[str, str] | None = None) -> Answer:
    sent = {"Content-Type": "text/plain" if mode == "content_type" and status == 200 else "application/json",
            **(headers or {})}
    if mode != "request_id":
        sent["x-amzn-RequestId"] = str(uuid.uuid4())
    return status, sent, json.dumps(body).encode()


def _lambda_error(code: str, status: int, body: dict[str, Any], mode: str) -> Answer:
    return _lambda_json(status, body, mode, {"X-Amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/"
                                                                  "com.amazonaws.lambda/"})


def lambda_input(request: Request) -> dict[str, Any]:
    """The URI label and query string as GetFunctionConfiguration's input."""
    wire: dict[str, Any] = {"FunctionName": request.path[len(LAMBDA_PREFIX):-len("/configuration")]}
    qualifier = request.query.get("Qualifier")
    if qualifier is not None:
        wire["Qualifier"] = qualifier[-1]
    return wire


def lambda_answer(request: Request, mode: str) -> Answer:
    if request.method != "GET" or not request.path.startswith(LAMBDA_PREFIX) \
            or not request.path.endswith("/configuration"):
        return _lambda_error("UnknownOperationException", 404, {"message": "Unknown operation"}, mode)
    wire = lambda_input(request)
    name = str(wire["FunctionName"])
    problem = invalid("lambda", "GetFunctionConfiguration", wire)
    if problem and mode != "negative_data_rejection":
        return _lambda_error("ValidationException", 400,
                             {"message": f"1 validation error detected: {problem}"}, mode)
    if mode == "positive_data_acceptance":
        return _lambda_error("ValidationException", 400, {"message": "1 validation error detected"}, mode)
    if mode == "not_a_server_error":
        return _lambda_json(500, {"oops": True}, mode)
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    if problem or not _exists(name) or len(name) > 64 or wire.get("Qualifier", "$LATEST") != "$LATEST":
        message: Any = 42 if mode == "error_body" else f"Function not found: {arn}"
        if mode == "error_code":
            return _lambda_error("FunctionNotFoundException", 404, {"Type": "User", "Message": message}, mode)
        status = 400 if mode == "error_status" else 404
        return _lambda_error("ResourceNotFoundException", status, {"Type": "User", "Message": message}, mode)
    configuration = {
        "FunctionName": name, "FunctionArn": arn, "Runtime": "python4.0" if mode == "enum" else "python3.12",
        "Role": "arn:aws:iam::123456789012:role/service-role/lambda-role", "Handler": "index.handler",
        "CodeSize": 308, "Description": "", "Timeout": "3" if mode == "response_schema" else 3,
        "MemorySize": 128, "LastModified": "2024-01-15T12:00:00.000+0000",
        "CodeSha256": "8o7lD2p3AVi2UG5SdWvJNxX0aLMMYgBDcRJH8iA4W1Q=", "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"}, "RevisionId": "b3b2c5a7-7f1b-4a8e-9b4e-0e1c9f4f2a11",
        "State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip", "Architectures": ["x86_64"],
        "EphemeralStorage": {} if mode == "missing_required" else {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": "arn:aws:lambda:us-east-1::runtime:b8b9ec3d2f5c6d1e"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    return _lambda_json(200, configuration, mode)


# -- query: iam GetUser ---------------------------------------------------------------------------------------

IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
IAM_MODES: Modes = {
    "missing_required": (("response_schema",), "the User without its required Arn"),
    "timestamp": (("response_schema",), "CreateDate in epoch seconds, not ISO 8601 as XML bodies carry it"),
    "flattened": (("response_schema",), "Tags flattened, not wrapped in <member> as the model says"),
    "no_result_wrapper": (("response_schema", "client_parse"), "the output without its <GetUserResult> wrapper "
                          "(botocore's parser raises KeyError on it)"),
    "enum": (("enum",), "PermissionsBoundaryType outside its enum"),
    "error_code": (("error_code",), "not-found answered with an undeclared code"),
    "error_status": (("error_status",), "NoSuchEntity sent with HTTP 400 (declared 404)"),
    "error_body": (("error_body",), "NoSuchEntity's message holds elements, not text"),
    "negative_data_rejection": (("negative_data_rejection",), "an invalid input answered as not found"),
    "positive_data_acceptance": (("positive_data_acceptance",), "a valid input refused with ValidationError"),
    "not_a_server_error": (("not_a_server_error",), "HTTP 500 with an error element but no code"),
    "not_xml": (("content_type", "client_parse"), "the success body is JSON, not XML"),
    "client_parse": (("client_parse",), "PasswordLastUsed an ISO 8601-looking date no parser accepts"),
    "request_id": (("request_id",), "neither x-amzn-RequestId nor <RequestId>"),
    "content_type": (("content_type",), "XML sent as application/json (a warning: XML clients still read it)"),
}


def _xml(status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": content_type, **(headers or {})}, body.encode()


def _iam_xml(status: int, body: str, mode: str, request_id: str) -> Answer:
    headers = {} if mode == "request_id" else {"x-amzn-RequestId": request_id}
    if mode == "not_xml" and status == 200:
        return status, {"Content-Type": "application/json", **headers}, b'{"GetUserResponse": {}}'
    content_type = "application/json" if mode == "content_type" else "text/xml"
    return _xml(status, body, content_type, headers)


def _iam_error(code: str, message: str, status: int, mode: str) -> Answer:
    request_id = str(uuid.uuid4())
    fault = "Receiver" if status >= 500 else "Sender"
    metadata = "" if mode == "request_id" else f"<RequestId>{request_id}</RequestId>"
    text = f"<p>{_escape(message)}</p>" if mode == "error_body" else _escape(message)
    return _iam_xml(status, f'<ErrorResponse xmlns="{IAM_NAMESPACE}"><Error><Type>{fault}</Type><Code>{code}</Code>'
                            f"<Message>{text}</Message></Error>{metadata}</ErrorResponse>", mode, request_id)


XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(text: str) -> str:
    """TEXT as XML character data; characters XML cannot carry at all are left out."""
    return XML_INVALID.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iam_input(request: Request) -> dict[str, Any]:
    form = request.form
    return {"UserName": form["UserName"]} if "UserName" in form else {}


def iam_answer(request: Request, mode: str) -> Answer:
    form = request.form
    if form.get("Action") != "GetUser":
        return _iam_error("InvalidAction", f"Could not find operation {form.get('Action')} for version "
                                           f"{form.get('Version')}", 400, mode)
    wire = iam_input(request)
    problem = invalid("iam", "GetUser", wire)
    if problem and mode != "negative_data_rejection":
        return _iam_error("ValidationError", f"1 validation error detected: {problem}", 400, mode)
    if mode == "positive_data_acceptance":
        return _iam_error("ValidationError", "1 validation error detected", 400, mode)
    if mode == "not_a_server_error":
        return _iam_xml(500, f'<ErrorResponse xmlns="{IAM_NAMESPACE}"><Error><Type>Receiver</Type>'
                             "<Message>Internal failure</Message></Error></ErrorResponse>", mode, str(uuid.uuid4()))
    name = wire.get("UserName", "Bob0")  # without a name: the caller's own user
    if problem or not _exists(name) or len(name) > 64:
        message = f"The user with name {name} cannot be found."
        if mode == "error_code":
            return _iam_error("NoSuchUser", message, 404, mode)
        return _iam_error("NoSuchEntity", message, 400 if mode == "error_status" else 404, mode)
    created = "1380733304" if mode == "timestamp" else "2013-10-02T17:01:44Z"
    last_used = "2014-13-45T14:37:51Z" if mode == "client_parse" else "2014-10-10T14:37:51Z"
    arn = "" if mode == "missing_required" else f"<Arn>arn:aws:iam::123456789012:user/{name}</Arn>"
    tag = "<Key>Role</Key><Value>Dev</Value>"
    tags = f"<Tags>{tag}</Tags>" if mode == "flattened" else f"<Tags><member>{tag}</member></Tags>"
    boundary = "Policy" if mode == "enum" else "PermissionsBoundaryPolicy"
    user = (f"<User><Path>/</Path><UserName>{_escape(name)}</UserName><UserId>AIDAJQABLZS4A3QDU576Q</UserId>"
            f"{arn}<CreateDate>{created}</CreateDate><PasswordLastUsed>{last_used}</PasswordLastUsed>"
            f"<PermissionsBoundary><PermissionsBoundaryType>{boundary}</PermissionsBoundaryType>"
            "<PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundary</PermissionsBoundaryArn>"
            f"</PermissionsBoundary>{tags}</User>")
    result = user if mode == "no_result_wrapper" else f"<GetUserResult>{user}</GetUserResult>"
    request_id = str(uuid.uuid4())
    metadata = "" if mode == "request_id" else \
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    return _iam_xml(200, f'<GetUserResponse xmlns="{IAM_NAMESPACE}">{result}{metadata}</GetUserResponse>',
                    mode, request_id)


# -- ec2: ec2 DescribeVpcs ------------------------------------------------------------------------------------

EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
EC2_MODES: Modes = {
    "boolean": (("response_schema",), "<isDefault>yes</isDefault>"),
    "flattened": (("response_schema",), "vpcSet flattened: each VPC's members directly, not in <item>"),
    "enum": (("enum",), "a VPC state outside its enum"),
    "error_code": (("error_code",), "not-found answered with a code no EC2 page lists"),
    "error_status": (("error_status",), "InternalError (a server fault) sent with HTTP 400"),
    "negative_data_rejection": (("negative_data_rejection",), "an invalid input answered with the VPC list"),
    "positive_data_acceptance": (("positive_data_acceptance",), "a valid input refused with InvalidParameterValue"),
    "not_a_server_error": (("not_a_server_error",), "HTTP 503 with an error element but no code"),
    "not_xml": (("content_type", "client_parse"), "the success body is plain text, not XML"),
    "request_id": (("request_id",), "no <requestId> (errors: no <RequestID>)"),
    "content_type": (("content_type",), "XML sent as text/plain (a warning: XML clients still read it)"),
}
EC2_FILTERS = {"vpc-id": "VpcId", "state": "State", "cidr": "CidrBlock", "owner-id": "OwnerId"}


def _ec2_xml(status: int, body: str, mode: str) -> Answer:
    if mode == "not_xml" and status == 200:
        return status, {"Content-Type": "text/plain", "Server": "AmazonEC2"}, b"vpc-0a60eb65b4EXAMPLE available"
    content_type = "text/plain" if mode == "content_type" else "text/xml;charset=UTF-8"
    return _xml(status, '<?xml version="1.0" encoding="UTF-8"?>\n' + body, content_type, {"Server": "AmazonEC2"})


def _ec2_error(code: str, message: str, status: int, mode: str) -> Answer:
    request_id = "" if mode == "request_id" else f"<RequestID>{uuid.uuid4()}</RequestID>"
    return _ec2_xml(status, f"<Response><Errors><Error><Code>{code}</Code><Message>{_escape(message)}</Message>"
                            f"</Error></Errors>{request_id}</Response>", mode)


def ec2_input(request: Request) -> dict[str, Any]:
    """The form as DescribeVpcs's input: `VpcId.N`, `Filter.N.Name` / `Filter.N.Value.M`, typed scalars."""
    form = request.form
    wire: dict[str, Any] = {}
    ids = sorted((int(key.split(".")[1]), value) for key, value in form.items()
                 if key.startswith("VpcId.") and key.split(".")[1].isdigit())
    if ids:
        wire["VpcIds"] = [value for _, value in ids]
    filters: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        parts = key.split(".")
        if parts[0] != "Filter" or len(parts) < 3 or not parts[1].isdigit():
            continue
        found = filters.setdefault(int(parts[1]), {})
        if parts[2] == "Name":
            found["Name"] = value
        elif parts[2] == "Value":
            found.setdefault("Values", []).append(value)
    if filters:
        wire["Filters"] = [filters[number] for number in sorted(filters)]
    if "MaxResults" in form:
        wire["MaxResults"] = _scalar(form["MaxResults"], "integer")
    if "NextToken" in form:
        wire["NextToken"] = form["NextToken"]
    if "DryRun" in form:
        wire["DryRun"] = _scalar(form["DryRun"], "boolean")
    return wire


def _vpc(vpc_id: str, mode: str) -> str:
    state = "ready" if mode == "enum" else "available"
    members = (f"<vpcId>{_escape(vpc_id)}</vpcId><ownerId>111122223333</ownerId><state>{state}</state>"
               "<cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockAssociationSet><item>"
               "<associationId>vpc-cidr-assoc-0d5d1e1e3EXAMPLE</associationId><cidrBlock>10.0.0.0/16</cidrBlock>"
               "<cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>"
               "<dhcpOptionsId>dopt-19edf471</dhcpOptionsId><tagSet><item><key>Name</key><value>MyVPC</value>"
               "</item></tagSet><instanceTenancy>default</instanceTenancy>"
               f"<isDefault>{'yes' if mode == 'boolean' else 'false'}</isDefault>")
    return members if mode == "flattened" else f"<item>{members}</item>"


def ec2_answer(request: Request, mode: str) -> Answer:
    form = request.form
    if form.get("Action") != "DescribeVpcs":
        return _ec2_error("InvalidAction", f"The action {form.get('Action')} is not valid for this web service.",
                          400, mode)
    wire = ec2_input(request)
    problem = invalid("ec2", "DescribeVpcs", wire)
    if problem and mode != "negative_data_rejection":
        return _ec2_error("InvalidParameterValue", f"Value for parameter {problem}", 400, mode)
    if mode == "positive_data_acceptance":
        return _ec2_error("InvalidParameterValue", "Value for parameter is invalid.", 400, mode)
    if mode == "not_a_server_error":
        return _ec2_xml(503, "<Response><Errors><Error><Message>Service unavailable</Message></Error></Errors>"
                             f"<RequestID>{uuid.uuid4()}</RequestID></Response>", mode)
    if wire.get("DryRun") is True and not problem:
        return _ec2_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412, mode)
    ids = [str(vpc_id) for vpc_id in wire.get("VpcIds", [])] if isinstance(wire.get("VpcIds"), list) else []
    missing = next((vpc_id for vpc_id in ids if not _exists(vpc_id)), None)
    if missing is not None and not problem:
        message = f"The vpc ID '{missing}' does not exist"
        if mode == "error_code":
            return _ec2_error("VpcNotFound", message, 400, mode)
        if mode == "error_status":
            return _ec2_error("InternalError", "An internal error has occurred", 400, mode)
        return _ec2_error("InvalidVpcID.NotFound", message, 400, mode)
    vpcs = [vpc_id for vpc_id in ids if _exists(vpc_id)] or ["vpc-0a60eb65b4EXAMPLE"]
    for found in wire.get("Filters", []) if isinstance(wire.get("Filters"), list) else []:
        field = EC2_FILTERS.get(str(found.get("Name")))
        if field == "VpcId":  # the one filter the endpoint's VPCs differ in; others match all or none alike
            vpcs = [vpc_id for vpc_id in vpcs if vpc_id in found.get("Values", [])]
    items = "".join(_vpc(vpc_id, mode) for vpc_id in vpcs)
    request_id = "" if mode == "request_id" else f"<requestId>{uuid.uuid4()}</requestId>"
    return _ec2_xml(200, f'<DescribeVpcsResponse xmlns="{EC2_NAMESPACE}">{request_id}<vpcSet>{items}</vpcSet>'
                         "</DescribeVpcsResponse>", mode)


# -- rest-xml: s3 ListObjectsV2 -------------------------------------------------------------------------------

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
S3_MODES: Modes = {
    "integer": (("response_schema", "client_parse"), "<KeyCount>abc</KeyCount> (botocore's int() raises on it)"),
    "boolean": (("response_schema",), "<IsTruncated>yes</IsTruncated>"),
    "timestamp": (("response_schema",), "LastModified as an HTTP date, not ISO 8601 as XML bodies carry it"),
    "wrapped": (("response_schema",), "ChecksumAlgorithm wrapped in <member>, where the model flattens it"),
    "enum": (("enum",), "a StorageClass outside its enum"),
    "header": (("enum",), "x-amz-request-charged: yes (the header-bound RequestCharged outside its enum)"),
    "error_code": (("error_code",), "not-found answered with a code S3 does not document"),
    "error_status": (("error_status",), "NoSuchBucket sent with HTTP 400 (declared 404)"),
    "negative_data_rejection": (("negative_data_rejection",), "an invalid input answered with a listing"),
    "positive_data_acceptance": (("positive_data_acceptance",), "a valid input refused with InvalidArgument"),
    "not_a_server_error": (("not_a_server_error",), "HTTP 503 with no body"),
    # botocore makes an S3 200 whose body is not XML a 500 (`check_for_200_error`): clients see a codeless 500.
    "not_xml": (("content_type", "not_a_server_error"), "the success body is HTML that is not XML"),
    "request_id": (("request_id",), "neither x-amz-request-id nor x-amzn-RequestId"),
    "content_type": (("content_type",), "XML sent as text/plain (a warning: XML clients still read it)"),
}


def _s3_headers(mode: str) -> dict[str, str]:
    if mode == "request_id":
        return {"Server": "AmazonS3"}
    return {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "Server": "AmazonS3",
            "x-amz-id-2": base64.b64encode(uuid.uuid4().bytes * 3).decode()}


def _s3_xml(status: int, body: str, mode: str, headers: dict[str, str] | None = None) -> Answer:
    if mode == "not_xml" and status == 200:
        return status, {"Content-Type": "text/html", **_s3_headers(mode)}, b"<html><body>OK<br></body></html>"
    content_type = "text/plain" if mode == "content_type" else "application/xml"
    return _xml(status, '<?xml version="1.0" encoding="UTF-8"?>\n' + body, content_type,
                {**_s3_headers(mode), **(headers or {})})


def _s3_error(code: str, message: str, status: int, mode: str, extra: str = "") -> Answer:
    headers = _s3_headers(mode)
    ids = "" if mode == "request_id" else \
        f"<RequestId>{headers['x-amz-request-id']}</RequestId><HostId>{headers['x-amz-id-2']}</HostId>"
    return _s3_xml(status, f"<Error><Code>{code}</Code><Message>{_escape(message)}</Message>{extra}{ids}</Error>",
                   mode, headers)


def s3_input(request: Request) -> dict[str, Any]:
    """The URI label, query string and headers as ListObjectsV2's input."""
    wire: dict[str, Any] = {"Bucket": request.path.lstrip("/").partition("/")[0]}
    members = spec.part("s3", "ListObjectsV2", "input")["$defs"]["ListObjectsV2Request"]["properties"]
    kinds = {"MaxKeys": "integer", "FetchOwner": "boolean"}
    for member, schema in members.items():
        location, name = schema.get("x-aws-location"), schema.get("x-aws-location-name", member)
        if location == "querystring" and name in request.query:
            wire[member] = _scalar(request.query[name][-1], kinds.get(member, "string"))
        elif location == "header" and name in request.headers:
            text = request.headers[name]
            wire[member] = [part.strip() for part in text.split(",")] if member == "OptionalObjectAttributes" \
                else text
    return wire


def _contents(key: str, mode: str, encode: bool) -> str:
    modified = "Mon, 15 Jan 2024 12:00:00 GMT" if mode == "timestamp" else "2024-01-15T12:00:00.000Z"
    checksum = "<ChecksumAlgorithm><member>CRC64NVME</member></ChecksumAlgorithm>" if mode == "wrapped" \
        else "<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>"
    shown = urllib.parse.quote(key) if encode else _escape(key)
    return (f"<Contents><Key>{shown}</Key><LastModified>{modified}</LastModified>"
            f"<ETag>&quot;5eb63bbbe01eeed093cb22bb8f5acdc3&quot;</ETag>{checksum}"
            "<ChecksumType>FULL_OBJECT</ChecksumType><Size>11</Size>"
            f"<StorageClass>{'FAST' if mode == 'enum' else 'STANDARD'}</StorageClass></Contents>")


def s3_answer(request: Request, mode: str) -> Answer:
    bucket, _, rest = request.path.lstrip("/").partition("/")
    if request.method != "GET" or rest or request.query.get("list-type") != ["2"]:
        return _s3_error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                         mode)
    wire = s3_input(request)
    problem = invalid("s3", "ListObjectsV2", wire)
    if problem and mode != "negative_data_rejection":
        return _s3_error("InvalidArgument", f"Invalid Argument: {problem}", 400, mode)
    if mode == "positive_data_acceptance":
        return _s3_error("InvalidArgument", "Invalid Argument", 400, mode)
    if mode == "not_a_server_error":
        return 503, _s3_headers(mode), b""
    if not problem and not _exists(bucket):
        extra = f"<BucketName>{_escape(bucket)}</BucketName>"
        if mode == "error_code":
            return _s3_error("BucketNotFound", "The specified bucket does not exist", 404, mode, extra)
        return _s3_error("NoSuchBucket", "The specified bucket does not exist", 400 if mode == "error_status"
                         else 404, mode, extra)
    prefix = str(wire.get("Prefix", ""))
    keys = [key for key in ("photos/2024/cat.jpg", "readme.txt") if key.startswith(prefix)]
    encode = wire.get("EncodingType") == "url"
    listing = "".join(_contents(key, mode, encode) for key in keys)
    count = "abc" if mode == "integer" else str(len(keys))
    elements = (f"<Name>{_escape(bucket)}</Name><Prefix>{_escape(prefix)}</Prefix><KeyCount>{count}</KeyCount>"
                f"<MaxKeys>{wire.get('MaxKeys', 1000)}</MaxKeys>"
                f"{'<EncodingType>url</EncodingType>' if encode else ''}"
                f"<IsTruncated>{'yes' if mode == 'boolean' else 'false'}</IsTruncated>{listing}")
    headers = {}
    if wire.get("RequestPayer") == "requester" or mode == "header":
        headers["x-amz-request-charged"] = "yes" if mode == "header" else "requester"
    return _s3_xml(200, f'<ListBucketResult xmlns="{S3_NAMESPACE}">{elements}</ListBucketResult>', mode, headers)


# -- rest-xml, all in headers: s3 HeadObject -----------------------------------------------------------------

HEAD_MODES: Modes = {
    "header_timestamp": (("response_schema",), "Last-Modified in ISO 8601, not the RFC 7231 date headers carry"),
    "header_integer": (("response_schema", "client_parse"), "x-amz-tagging-count: abc (botocore's int() raises)"),
    "header_boolean": (("response_schema",), "x-amz-delete-marker: yes"),
    "header_enum": (("enum",), "x-amz-storage-class outside its enum"),
}
OBJECT_ETAG = '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
OBJECT_MODIFIED = "Mon, 15 Jan 2024 12:00:00 GMT"


def head_input(request: Request) -> dict[str, Any]:
    """The URI labels, query string and headers as HeadObject's input (the strings; times as they travel)."""
    bucket, _, key = request.path.lstrip("/").partition("/")
    wire: dict[str, Any] = {"Bucket": bucket, "Key": key}
    members = spec.part("s3", "HeadObject", "input")["$defs"]["HeadObjectRequest"]["properties"]
    for member, schema in members.items():
        location, name = schema.get("x-aws-location"), str(schema.get("x-aws-location-name", member)).lower()
        if location == "querystring" and name in {key.lower() for key in request.query}:
            text = next(values[-1] for key, values in request.query.items() if key.lower() == name)
            wire[member] = _scalar(text, "integer" if member == "PartNumber" else "string")
        elif location == "header" and name in request.headers:
            wire[member] = request.headers[name]
    return wire


def head_answer(request: Request, mode: str) -> Answer:
    """S3 answers HEAD with headers alone: an error is its status and the request ids, with no body at all."""
    headers = _s3_headers(mode)
    if request.method != "HEAD":
        return 405, headers, b""
    wire = head_input(request)
    if invalid("s3", "HeadObject", wire) is not None:
        return 400, headers, b""  # S3's InvalidArgument, which a HEAD answer cannot carry
    if any(name.startswith("x-amz-server-side-encryption-customer") for name in request.headers):
        return 400, headers, b""  # SSE-C headers for an object not encrypted with a customer key
    if not _exists(str(wire["Bucket"])) or not _exists(str(wire["Key"])):
        return 404, headers, b""
    if wire.get("PartNumber", 1) != 1:
        return 416, headers, b""  # the object is one part
    if "IfMatch" in wire and wire["IfMatch"] != OBJECT_ETAG:
        return 412, headers, b""
    if wire.get("IfNoneMatch") == OBJECT_ETAG:
        return 304, headers, b""
    modified = "2024-01-15T12:00:00.000Z" if mode == "header_timestamp" else OBJECT_MODIFIED
    headers.update({
        "Last-Modified": modified, "ETag": OBJECT_ETAG, "Content-Length": "11", "Content-Type": "text/plain",
        "Accept-Ranges": "bytes", "x-amz-server-side-encryption": "AES256", "x-amz-meta-owner": "team-a",
        "x-amz-checksum-type": "FULL_OBJECT", "x-amz-tagging-count": "abc" if mode == "header_integer" else "2",
        "x-amz-storage-class": "FAST" if mode == "header_enum" else "STANDARD_IA",
    })
    if mode == "header_boolean":
        headers["x-amz-delete-marker"] = "yes"
    if wire.get("ChecksumMode") == "ENABLED":
        headers["x-amz-checksum-crc64nvme"] = "A9Zdw7ExZDQ="
    return 200, headers, b""


# -- the endpoints --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolEndpoint:
    protocol: str
    service: str
    operation: str
    modes: Modes
    answer: Callable[[Request, str], Answer]
    decode: Callable[[Request], dict[str, Any]]  # the request as the input the service reads
    # Known-good values (`--example`): botocore sends no S3 request whose bucket name breaks its own rule
    # (`validate_bucket_name`), which the model does not state, so random names would never travel.
    examples: dict[str, list[Any]] = field(default_factory=dict)
    name: str = ""  # the endpoint's name in ENDPOINTS: its protocol's, unless a protocol has a second one

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.protocol)


ENDPOINTS = {
    endpoint.name: endpoint for endpoint in (
        ProtocolEndpoint("rest-json", "lambda", "GetFunctionConfiguration", LAMBDA_MODES, lambda_answer, lambda_input),
        ProtocolEndpoint("query", "iam", "GetUser", IAM_MODES, iam_answer, iam_input),
        ProtocolEndpoint("ec2", "ec2", "DescribeVpcs", EC2_MODES, ec2_answer, ec2_input),
        ProtocolEndpoint("rest-xml", "s3", "ListObjectsV2", S3_MODES, s3_answer, s3_input,
                         {"Bucket": ["amzn-s3-demo-bucket", "logs", "photos", "backups-2024"]}),
        ProtocolEndpoint("rest-xml", "s3", "HeadObject", HEAD_MODES, head_answer, head_input,
                         {"Bucket": ["logs", "photos"], "Key": ["notes.md", "photos/cat.jpg"]}, name="rest-xml-head"),
    )
}
# Modes that break a recommendation, not the contract: the check warns, it does not fail the run. XML clients
# read a well-formed XML body whatever its Content-Type, so there the wrong type alone is a warning.
WARNING_MODES = frozenset({(protocol, "request_id") for protocol in ENDPOINTS}
                          | {(name, "content_type") for name in ("query", "ec2", "rest-xml")})


def _handler(endpoint: ProtocolEndpoint, mode: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            request = request_from(self.command, self.path, dict(self.headers.items()), body)
            status, headers, sent = endpoint.answer(request, mode)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:  # a HEAD answer says the object's length, and sends nothing
                self.send_header("Content-Length", str(len(sent)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(sent)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """HANDLER served on 127.0.0.1 at a free port, in a thread; stopped when the block ends (polled every
    20 ms, not every 0.5 s: these tests start some seventy servers)."""
    server = _JoinedServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve(protocol: str, mode: str = "correct") -> Iterator[str]:
    """PROTOCOL's endpoint in MODE on 127.0.0.1 at a free port; stopped when the block ends."""
    with serve_handler(_handler(ENDPOINTS[protocol], mode)) as url:
        yield url


@contextmanager
def serve_answer(status: int, headers: dict[str, str], body: bytes) -> Iterator[str]:
    """An endpoint that answers every request with the same fixed answer (LocalStack's 501, say)."""
    fixed = ProtocolEndpoint("fixed", "", "", {}, lambda request, mode: (status, headers, body), lambda request: {})
    with serve_handler(_handler(fixed, "correct")) as url:
        yield url
