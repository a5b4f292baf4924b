"""`conformance serve` on every protocol, called by botocore clients over HTTP on 127.0.0.1.

Per protocol: a valid call gets an answer botocore parses into a valid output; an invalid one (botocore's
own parameter validation off) gets the protocol's validation error, which botocore reads as that code; an
unknown operation or route gets the protocol's answer to it; `--fuzz` answers carry the case headers on
success and error alike, `--replay-case` repeats one case, and the judge takes verdicts for the service.
"""

from __future__ import annotations

import datetime
import http.client
import json
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.exceptions
import botocore.serialize
import botocore.session
import cbor2
import pytest
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.config import Config

import strategies
from conformance import spec
from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols import protocol_for, protocol_named
from conformance.protocols.xml_encode import xml_safe
from conformance.server.cbor_server import to_cbor
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import CASE_HEADER, LABEL_HEADER, VALIDITY_HEADER
from conformance.server.generic import draw
from conformance.server.http import ServeServer, serve_in_thread
from conformance.server.judge import JUDGE_PATH, REPORT_PATH
from conformance.server.process import serve_process
from conformance.server.protocol import ServiceError
from conformance.spec.validation import violations

NO_RETRIES = {"mode": "standard", "total_max_attempts": 1}


@contextmanager
def served(service: str, **options: Any) -> Iterator[ServeServer]:
    with serve_in_thread(Endpoint(service, EndpointOptions(**{"seed": 1, **options}))) as server:
        yield server


def client(service: str, url: str, validate: bool = True, **config: Any) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x",
                        config=Config(parameter_validation=validate, retries=NO_RETRIES, **config))


def raw(server: ServeServer, method: str, path: str, body: bytes = b"",
        headers: dict[str, str] | None = None) -> HttpResponse:
    parsed = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return HttpResponse(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def form(server: ServeServer, fields: dict[str, str]) -> HttpResponse:
    return raw(server, "POST", "/", urllib.parse.urlencode(fields).encode(),
               {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def as_data_model(value: Any) -> Any:
    """A botocore output in the spec's data model, enough for these outputs: dates as ISO 8601 text."""
    if isinstance(value, dict):
        return {key: as_data_model(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [as_data_model(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def error_of(call: Any) -> tuple[str, int, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def assert_fuzz_tags(answer: HttpResponse, operation: str) -> None:
    assert (answer.header(CASE_HEADER) or "").startswith(f"{operation}-")
    assert answer.header(LABEL_HEADER)
    assert answer.header(VALIDITY_HEADER) in ("valid", "intact", "malformed")
    assert CASE_HEADER in (answer.header("Access-Control-Expose-Headers") or "")


def judge_round(server: ServeServer, service: str, operation: str, call: Any, calls: int = 12) -> None:
    """A dozen fuzz answers read by botocore, each reading posted to the judge: every one is judged."""
    cases: list[str] = []

    def read_case(response_dict: dict[str, Any], **_: Any) -> None:
        cases.append(response_dict["headers"][CASE_HEADER])

    sdk = client(service, server.url, validate=False)
    sdk.meta.events.register(f"before-parse.{sdk.meta.service_model.service_name}.*", read_case)
    for _ in range(calls):
        verdict_input: dict[str, Any]
        try:
            output = call(sdk)
            verdict_input = {"case": "", "output": json.loads(json.dumps(as_data_model(output), default=str))}
        except botocore.exceptions.ClientError as error:
            verdict_input = {"case": "", "error": {"class": "ClientError", "code": error.response["Error"]["Code"],
                                                   "message": str(error.response["Error"].get("Message", ""))}}
        except Exception as error:  # botocore could not read the answer
            verdict_input = {"case": "", "error": {"class": type(error).__name__, "message": str(error),
                                                   "documented": "ResponseParserError" in type(error).__name__}}
        verdict_input["case"] = cases[-1]
        judged = raw(server, "POST", JUDGE_PATH, json.dumps(verdict_input).encode(),
                     {"Content-Type": "application/json"})
        assert judged.status == 200, judged.body
        assert json.loads(judged.body)["case"] == cases[-1]
    report = json.loads(raw(server, "GET", REPORT_PATH).body)
    assert report["summary"]["cases"] == calls
    assert len(set(cases)) == calls
    assert all(case.startswith(f"{operation}-") for case in cases)


# -- query: iam, sts, sns ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iam() -> Iterator[ServeServer]:
    with served("iam") as server:
        yield server


def test_query_calls_get_valid_outputs_botocore_reads(iam: ServeServer) -> None:
    sdk = client("iam", iam.url)
    for operation, params in (("GetUser", {"UserName": "bob"}), ("ListUsers", {}), ("CreateRole", {
            "RoleName": "r", "AssumeRolePolicyDocument": "{}"})):
        output = getattr(sdk, botocore.xform_name(operation))(**params)
        assert output["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert output["ResponseMetadata"]["RequestId"]
        schema = spec.part("iam", operation, "output")
        assert violations(schema, as_data_model(output)) == []
    assert "User" in sdk.get_user(UserName="bob")


def test_query_answers_are_the_query_protocols_xml(iam: ServeServer) -> None:
    answer = form(iam, {"Action": "GetUser", "Version": "2010-05-08", "UserName": "bob"})
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/xml"
    body = answer.body.decode()
    assert body.startswith('<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult>')
    assert f"<ResponseMetadata><RequestId>{answer.header('x-amzn-RequestId')}</RequestId>" in body


def test_query_accepts_the_form_in_a_get_query_string(iam: ServeServer) -> None:
    answer = raw(iam, "GET", "/?Action=GetUser&Version=2010-05-08&UserName=bob")
    assert answer.status == 200
    assert answer.body.startswith(b"<GetUserResponse")


def test_query_validation_errors_are_validation_error_in_coral_words(iam: ServeServer) -> None:
    sdk = client("iam", iam.url, validate=False)
    code, status, message = error_of(lambda: sdk.get_user(UserName="bad name!"))
    assert (code, status) == ("ValidationError", 400)
    assert message == ("1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    code, status, message = error_of(lambda: sdk.create_user())
    assert (code, status) == ("ValidationError", 400)
    assert message.endswith("Value null at 'userName' failed to satisfy constraint: Member must not be null")
    code, _, message = error_of(lambda: sdk.list_users(MaxItems="many"))
    assert code == "ValidationError" and "'maxItems'" in message


def test_query_errors_are_error_responses(iam: ServeServer) -> None:
    answer = form(iam, {"Action": "GetUser", "UserName": ""})
    assert answer.status == 400
    body = answer.body.decode()
    assert body.startswith('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender'
                           '</Type><Code>ValidationError</Code><Message>')
    assert body.endswith(f"<RequestId>{answer.header('x-amzn-RequestId')}</RequestId></ErrorResponse>")


def test_query_missing_and_unknown_actions(iam: ServeServer) -> None:
    missing = form(iam, {"Version": "2010-05-08"})
    assert missing.status == 400
    assert b"<Code>MissingAction</Code>" in missing.body
    unknown = form(iam, {"Action": "StealUser"})
    assert unknown.status == 400
    assert b"<Code>InvalidAction</Code><Message>The action StealUser is not valid for this web service." \
           b"</Message>" in unknown.body
    assert raw(iam, "DELETE", "/").status == 405


@pytest.mark.parametrize(("service", "operation", "call"), [
    ("sts", "GetCallerIdentity", lambda sdk: sdk.get_caller_identity()),
    ("sns", "ListTopics", lambda sdk: sdk.list_topics()),
])
def test_other_query_services(service: str, operation: str, call: Any) -> None:
    with served(service) as server:
        output = call(client(service, server.url))
        assert violations(spec.part(service, operation, "output"), as_data_model(output)) == []


def test_query_fuzz_answers_are_tagged_and_judged() -> None:
    with served("iam", fuzz=True) as server:
        for _ in range(20):
            assert_fuzz_tags(form(server, {"Action": "GetUser", "UserName": "bob"}), "GetUser")
        judge_round(server, "iam", "GetUser", lambda sdk: sdk.get_user(UserName="bob"))


def test_query_replay_case_answers_with_that_case() -> None:
    with served("iam", fuzz=True) as server:
        case = form(server, {"Action": "GetUser", "UserName": "bob"}).header(CASE_HEADER)
    assert case is not None
    with served("iam", replay_case=case) as server:
        first, second = (form(server, {"Action": "GetUser", "UserName": "bob"}) for _ in range(2))
    assert first.header(CASE_HEADER) == second.header(CASE_HEADER) == case
    assert first.body == second.body


# -- ec2 -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ec2() -> Iterator[ServeServer]:
    with served("ec2") as server:
        yield server


def test_ec2_calls_get_valid_outputs_botocore_reads(ec2: ServeServer) -> None:
    sdk = client("ec2", ec2.url)
    output = sdk.describe_vpcs(VpcIds=["vpc-1"])
    assert output["ResponseMetadata"]["RequestId"]
    assert violations(spec.part("ec2", "DescribeVpcs", "output"), as_data_model(output)) == []
    answer = form(ec2, {"Action": "DescribeVpcs", "Version": "2016-11-15"})
    assert answer.body.startswith(b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">'
                                  b"<requestId>")


def test_ec2_validation_errors(ec2: ServeServer) -> None:
    sdk = client("ec2", ec2.url, validate=False)
    assert error_of(lambda: sdk.run_instances(MinCount=1)) == (
        "MissingParameter", 400, "The request must contain the parameter MaxCount")
    code, status, message = error_of(lambda: sdk.describe_vpcs(MaxResults=1))
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message == ("Value (1) for parameter MaxResults is invalid. Member must have value greater than or "
                       "equal to 5")
    unknown = form(ec2, {"Action": "DescribeVpcs", "Bogus": "1"})
    assert unknown.status == 400
    assert b"<Code>UnknownParameter</Code>" in unknown.body


def test_ec2_errors_and_unknown_actions(ec2: ServeServer) -> None:
    answer = form(ec2, {"Action": "LaunchMissiles"})
    assert answer.status == 400
    body = answer.body.decode()
    assert body.startswith("<Response><Errors><Error><Code>InvalidAction</Code>")
    assert body.endswith(f"<RequestID>{answer.header('x-amzn-RequestId')}</RequestID></Response>")


def test_ec2_fuzz_answers_are_tagged_and_judged() -> None:
    with served("ec2", fuzz=True) as server:
        for _ in range(10):
            assert_fuzz_tags(form(server, {"Action": "DescribeVpcs"}), "DescribeVpcs")
        judge_round(server, "ec2", "DescribeVpcs", lambda sdk: sdk.describe_vpcs())


# -- rest-json: lambda, apigateway, eks ----------------------------------------------------------------------



@pytest.fixture(scope="module")
def lambda_() -> Iterator[ServeServer]:
    with served("lambda") as server:
        yield server


def test_rest_json_calls_get_valid_outputs_botocore_reads(lambda_: ServeServer) -> None:
    sdk = client("lambda", lambda_.url)
    output = sdk.get_function(FunctionName="my-function")
    assert output["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert violations(spec.part("lambda", "GetFunction", "output"), as_data_model(output)) == []
    assert "Functions" in sdk.list_functions()
    with served("eks") as eks:
        clusters = client("eks", eks.url).list_clusters()
        assert violations(spec.part("eks", "ListClusters", "output"), as_data_model(clusters)) == []


def test_rest_json_places_output_members_in_status_headers_and_payload(lambda_: ServeServer) -> None:
    answer = raw(lambda_, "POST", "/2015-03-31/functions/f/invocations", b"{}")
    assert answer.status == 200  # Invoke's StatusCode member is the status
    output = client("lambda", lambda_.url).invoke(FunctionName="f", Payload=b"{}")
    assert output["StatusCode"] == output["ResponseMetadata"]["HTTPStatusCode"]
    assert isinstance(output["Payload"].read(), bytes)
    # CreateFunction answers 201, the operation's responseCode.
    created = raw(lambda_, "POST", "/2015-03-31/functions", json.dumps({
        "FunctionName": "f", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "UEsFBg=="}}).encode(),
        {"Content-Type": "application/json"})
    assert created.status == 201, created.body
    assert created.header("Content-Type") == "application/json"


def test_rest_json_routes_by_method_template_and_query_literals() -> None:
    endpoint = Endpoint("lambda", EndpointOptions(seed=1))

    def operation(method: str, path: str) -> str | None:
        return endpoint.handle(HttpRequest(method, f"http://127.0.0.1{path}", {}, b""))[0]

    assert operation("GET", "/2015-03-31/functions/f") == "GetFunction"
    assert operation("DELETE", "/2015-03-31/functions/f") == "DeleteFunction"
    assert operation("GET", "/2015-03-31/functions/f/configuration") == "GetFunctionConfiguration"
    assert operation("GET", "/2018-10-31/layers") == "ListLayers"
    assert operation("GET", "/2018-10-31/layers?find=LayerVersion&Arn=a") == "GetLayerVersionByArn"
    assert operation("GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL") == \
        "ListProvisionedConcurrencyConfigs"
    assert operation("GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1") == \
        "GetProvisionedConcurrencyConfig"
    assert operation("GET", "/nowhere") is None
    # An empty label (botocore sends FunctionName "" so) takes the route that has a literal there first, ...
    assert operation("GET", "/2015-03-31/functions/") == "ListFunctions"
    assert operation("GET", "/2015-03-31/functions//configuration") == "GetFunctionConfiguration"
    # ... and no operation takes an empty label where the schema forbids it: its input says so.
    answer = endpoint.handle(HttpRequest("GET", "http://127.0.0.1/2015-03-31/functions//configuration", {}, b""))[1]
    assert answer.status == 400
    assert "at 'functionName' failed to satisfy constraint: Member must have length greater than or equal to 1" \
        in json.loads(answer.body)["message"]


def test_rest_json_validation_errors_are_the_declared_or_common_one(lambda_: ServeServer) -> None:
    sdk = client("lambda", lambda_.url, validate=False)
    code, status, message = error_of(lambda: sdk.get_function(FunctionName="f" * 300))
    assert (code, status) == ("ValidationException", 400)
    assert message == ("1 validation error detected: Value at 'functionName' failed to satisfy constraint: "
                       "Member must have length less than or equal to 256")  # 300 characters: not quoted
    code, status, _ = error_of(lambda: sdk.list_functions(MaxItems="lots"))
    assert (code, status) == ("SerializationException", 400)
    with served("apigateway") as apigateway:
        code, status, message = error_of(lambda: client("apigateway", apigateway.url, validate=False).create_rest_api())
    assert (code, status) == ("BadRequestException", 400)
    assert message.endswith("Value null at 'name' failed to satisfy constraint: Member must not be null")


def test_rest_json_errors_carry_the_error_type_header_and_a_message(lambda_: ServeServer) -> None:
    answer = raw(lambda_, "GET", "/2015-03-31/functions/" + "f" * 300)
    assert answer.status == 400
    assert answer.header("x-amzn-ErrorType") == "ValidationException"
    assert answer.header("x-amzn-RequestId")
    assert list(json.loads(answer.body)) == ["message"]
    unknown = raw(lambda_, "GET", "/2015-03-31/nothing-here")
    assert unknown.status == 404
    assert unknown.header("x-amzn-ErrorType") == "UnknownOperationException"
    assert "GET /2015-03-31/nothing-here" in json.loads(unknown.body)["message"]
    wrong_method = raw(lambda_, "PATCH", "/2015-03-31/functions/f")
    assert wrong_method.status == 404
    assert "it takes DELETE, GET" in json.loads(wrong_method.body)["message"]


def test_rest_json_fuzz_answers_are_tagged_and_judged() -> None:
    with served("lambda", fuzz=True) as server:
        for _ in range(10):
            assert_fuzz_tags(raw(server, "GET", "/2015-03-31/functions/f"), "GetFunction")
        judge_round(server, "lambda", "GetFunction", lambda sdk: sdk.get_function(FunctionName="f"))
        case = raw(server, "GET", "/2015-03-31/functions/f").header(CASE_HEADER)
    with served("lambda", replay_case=case) as server:
        assert raw(server, "GET", "/2015-03-31/functions/f").header(CASE_HEADER) == case


# -- rest-xml: s3, route53, cloudfront -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3() -> Iterator[ServeServer]:
    with served("s3") as server:
        yield server


def test_s3_calls_get_valid_outputs_botocore_reads(s3: ServeServer) -> None:
    sdk = client("s3", s3.url)
    assert "Buckets" in sdk.list_buckets()
    put = sdk.put_object(Bucket="photos", Key="2024/cat.jpg", Body=b"meow")
    assert put["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"] == put["ResponseMetadata"]["RequestId"]
    got = sdk.get_object(Bucket="photos", Key="2024/cat.jpg")
    body = got["Body"].read()
    assert got["ContentLength"] == len(body)  # Content-Length is the body's, whatever the generated member said
    head = sdk.head_object(Bucket="photos", Key="2024/cat.jpg")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200
    versioning = sdk.get_bucket_versioning(Bucket="photos")
    assert violations(spec.part("s3", "GetBucketVersioning", "output"), as_data_model(versioning)) == []


def test_s3_routes_path_style_with_greedy_keys_and_subresources() -> None:
    endpoint = Endpoint("s3", EndpointOptions(seed=1))

    def read(method: str, url: str, headers: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
        request = HttpRequest(method, url, headers or {}, b"")
        operation = endpoint.protocol.route(request)
        return operation, endpoint.protocol.read_input(operation, request)

    assert read("GET", "http://127.0.0.1:1/photos/2024/01/cat.jpg") == (
        "GetObject", {"Bucket": "photos", "Key": "2024/01/cat.jpg"})
    assert read("GET", "http://127.0.0.1:1/photos/cat.jpg?acl")[0] == "GetObjectAcl"
    assert read("GET", "http://127.0.0.1:1/photos?list-type=2&prefix=a") == (
        "ListObjectsV2", {"Bucket": "photos", "Prefix": "a"})
    assert read("GET", "http://127.0.0.1:1/photos")[0] == "ListObjects"
    assert read("GET", "http://127.0.0.1:1/")[0] == "ListBuckets"
    assert read("PUT", "http://127.0.0.1:1/photos/cat.jpg")[0] == "PutObject"
    assert read("PUT", "http://127.0.0.1:1/photos/cat.jpg", {"x-amz-copy-source": "other/dog.jpg"})[0] == "CopyObject"
    assert read("PUT", "http://127.0.0.1:1/photos/cat.jpg?partNumber=1&uploadId=u")[0] == "UploadPart"


def test_s3_routes_virtual_hosted_requests_by_the_host() -> None:
    endpoint = Endpoint("s3", EndpointOptions(seed=1))
    for host in ("photos.localhost:8787", "photos.s3.us-east-1.amazonaws.com", "photos.s3.localhost"):
        request = HttpRequest("GET", f"http://{host}/2024/cat.jpg", {}, b"")
        operation = endpoint.protocol.route(request)
        assert (operation, endpoint.protocol.read_input(operation, request)) == (
            "GetObject", {"Bucket": "photos", "Key": "2024/cat.jpg"})
        listing = HttpRequest("GET", f"http://{host}/?list-type=2", {}, b"")
        assert endpoint.protocol.route(listing) == "ListObjectsV2"
        assert endpoint.protocol.read_input("ListObjectsV2", listing) == {"Bucket": "photos"}


def test_s3_virtual_hosted_over_http(s3: ServeServer) -> None:
    port = urllib.parse.urlsplit(s3.url).port
    answer = raw(s3, "GET", "/?list-type=2", headers={"Host": f"photos.localhost:{port}"})
    assert answer.status == 200
    assert answer.body.startswith(b'<ListObjectsV2Output xmlns="http://s3.amazonaws.com/doc/2006-03-01/">')


def test_s3_errors_are_s3s_error_document(s3: ServeServer) -> None:
    sdk = client("s3", s3.url, validate=False)
    code, status, message = error_of(lambda: sdk.list_objects_v2(Bucket="photos", MaxKeys="lots"))
    assert (code, status) == ("InvalidArgument", 400)
    assert "'maxKeys'" in message
    answer = raw(s3, "GET", "/photos?list-type=2&max-keys=lots")
    body = answer.body.decode()
    assert body.startswith("<Error><Code>InvalidArgument</Code><Message>")
    assert f"<RequestId>{answer.header('x-amz-request-id')}</RequestId><HostId>" in body
    assert answer.header("x-amz-id-2")
    not_allowed = raw(s3, "PATCH", "/photos")
    assert not_allowed.status == 405
    assert b"<Code>MethodNotAllowed</Code>" in not_allowed.body


def test_s3_head_errors_have_no_body(s3: ServeServer) -> None:
    answer = raw(s3, "HEAD", "/photos/cat.jpg?partNumber=first")
    assert answer.status == 400
    assert answer.body == b""
    code, status, _ = error_of(lambda: client("s3", s3.url, validate=False).head_object(
        Bucket="photos", Key="cat.jpg", PartNumber="first"))
    assert (code, status) == ("400", 400)  # botocore reads a bodiless S3 error by its status


def test_s3_declared_errors_have_their_status_and_botocore_reads_them() -> None:
    answer = Endpoint("s3").protocol.error(ServiceError("NoSuchKey", "The specified key does not exist."),
                                           "GetObject")
    assert answer.status == 404
    sdk = client("s3", "http://127.0.0.1:1")
    parsed = sdk._endpoint._response_parser_factory.create_parser("rest-xml").parse(
        {"status_code": answer.status, "headers": answer.headers, "body": answer.body},
        sdk.meta.service_model.operation_model("GetObject").output_shape)
    assert parsed["Error"]["Code"] == "NoSuchKey"
    assert parsed["Error"]["Message"] == "The specified key does not exist."


def test_other_rest_xml_services_answer_error_responses() -> None:
    with served("route53") as route53:
        sdk = client("route53", route53.url, validate=False)
        zones = sdk.list_hosted_zones()
        assert violations(spec.part("route53", "ListHostedZones", "output"), as_data_model(zones)) == []
        created = client("route53", route53.url).create_hosted_zone(Name="example.com", CallerReference="r")
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
        code, status, message = error_of(lambda: sdk.get_hosted_zone(Id="x" * 40))
        assert (code, status) == ("InvalidInput", 400)
        assert "Member must have length less than or equal to 32" in message
        answer = raw(route53, "GET", "/2013-04-01/hostedzone/" + "x" * 40)
        assert answer.body.startswith(b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>")
        assert answer.body.endswith(f"<RequestId>{answer.header('x-amzn-RequestId')}</RequestId>"
                                    "</ErrorResponse>".encode())


def test_rest_xml_fuzz_answers_are_tagged_and_judged() -> None:
    with served("s3", fuzz=True) as server:
        for _ in range(10):
            assert_fuzz_tags(raw(server, "GET", "/photos?versioning"), "GetBucketVersioning")
        judge_round(server, "s3", "GetBucketVersioning", lambda sdk: sdk.get_bucket_versioning(Bucket="photos"))


# -- smithy-rpc-v2-cbor: eventbridgev2 -----------------------------------------------------------------------

CBOR_HEADERS = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}


@pytest.fixture(scope="module")
def eventbridgev2() -> Iterator[ServeServer]:
    with served("eventbridgev2") as server:
        yield server


def test_cbor_calls_get_valid_outputs_botocore_reads(eventbridgev2: ServeServer) -> None:
    sdk = client("eventbridgev2", eventbridgev2.url)
    output = sdk.list_event_buses()
    assert output["ResponseMetadata"]["HTTPStatusCode"] == 200
    answer = raw(eventbridgev2, "POST", "/service/AWSEventsV2/operation/ListEventBuses", cbor2.dumps({}), CBOR_HEADERS)
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/cbor"
    assert answer.header("smithy-protocol") == "rpc-v2-cbor"
    decoded = protocol_named("smithy-rpc-v2-cbor").decode_output(answer, spec.document("eventbridgev2",
                                                                                       "ListEventBuses"))
    assert decoded.violations == []
    assert violations(spec.part("eventbridgev2", "ListEventBuses", "output"), decoded.value) == []


def test_cbor_validation_errors_and_unknown_operations(eventbridgev2: ServeServer) -> None:
    sdk = client("eventbridgev2", eventbridgev2.url, validate=False)
    code, status, message = error_of(lambda: sdk.create_event_bus())
    assert (code, status) == ("InvalidInputException", 400)
    assert message.endswith("Value null at 'name' failed to satisfy constraint: Member must not be null")
    answer = raw(eventbridgev2, "POST", "/service/AWSEventsV2/operation/CreateEventBus", b"\xa1", CBOR_HEADERS)
    assert answer.status == 400
    assert cbor2.loads(answer.body)["__type"] == "SerializationException"
    for path in ("/service/AWSEventsV2/operation/Explode", "/service/Other/operation/ListEventBuses", "/"):
        unknown = raw(eventbridgev2, "POST", path, cbor2.dumps({}), CBOR_HEADERS)
        assert unknown.status == 404
        assert cbor2.loads(unknown.body)["__type"] == "UnknownOperationException"


def test_cbor_encodes_blobs_timestamps_and_non_finite_floats() -> None:

    document = {"$defs": {
        "Out": {"x-aws-type": "structure", "properties": {
            "When": {"$ref": "#/$defs/T"}, "Data": {"$ref": "#/$defs/B"}, "Ratio": {"$ref": "#/$defs/D"},
            "Times": {"x-aws-type": "list", "items": {"$ref": "#/$defs/T"}}}},
        "T": {"x-aws-type": "timestamp"}, "B": {"x-aws-type": "blob"}, "D": {"x-aws-type": "double"}}}
    item = to_cbor(document, {"$ref": "#/$defs/Out"},
                   {"When": 1.5, "Data": "aGk=", "Ratio": "Infinity", "Times": [0], "Extra": "x"})
    assert item == {"When": cbor2.CBORTag(1, 1.5), "Data": b"hi", "Ratio": float("inf"),
                    "Times": [cbor2.CBORTag(1, 0)], "Extra": "x"}


def test_cbor_fuzz_answers_are_tagged_and_judged() -> None:
    with served("eventbridgev2", fuzz=True) as server:
        for _ in range(10):
            assert_fuzz_tags(raw(server, "POST", "/service/AWSEventsV2/operation/ListEventBuses", cbor2.dumps({}),
                                 CBOR_HEADERS), "ListEventBuses")
        judge_round(server, "eventbridgev2", "ListEventBuses", lambda sdk: sdk.list_event_buses())


# -- the command -----------------------------------------------------------------------------------------------


def test_the_command_serves_a_query_service() -> None:
    with serve_process(["iam", "--seed", "2", "--quiet"]) as running:
        output = client("iam", running.url).get_user(UserName="bob")
        assert output["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert running.stop() == 0
        lines = running.output()
    assert any("stopped after 1 requests" in line for line in lines)


# -- every operation: botocore's valid requests are routed, read and answered validly --------------------------

# Operations whose generated values cannot be judged this way, and why (none is the server's doing):
SWEEP_EXCLUDED = {
    # Event-stream outputs: serve answers them as plain structures, which botocore does not read.
    ("lambda", "InvokeWithResponseStream"), ("s3", "SelectObjectContent"),
    # A required flattened list generated empty: XML has no way to say an empty flattened list.
    ("s3", "GetBucketEncryption"), ("s3", "GetBucketOwnershipControls"), ("s3", "GetBucketReplication"),
    ("s3", "PutBucketCors"), ("s3", "PutBucketIntelligentTieringConfiguration"), ("s3", "PutBucketReplication"),
    ("s3", "PutBucketNotificationConfiguration"),
    # Deprecated operations at the URI of their successor: routed to the successor, as S3 does.
    ("s3", "GetBucketLifecycle"), ("s3", "GetBucketNotification"), ("s3", "PutBucketLifecycle"),
    ("s3", "PutBucketNotification"), ("s3", "ListDirectoryBuckets"),
    # A required structure or list generated empty: botocore sends nothing for it, so the request lacks it.
    ("ec2", "AssociateInstanceEventWindow"), ("ec2", "BundleInstance"), ("ec2", "CreateTags"),
    ("ec2", "DisassociateInstanceEventWindow"), ("ec2", "ModifyInstanceCapacityReservationAttributes"),
    ("ec2", "ModifyReservedInstances"),
    # A host label botocore's own validation refuses the generated value for.
    ("s3", "WriteGetObjectResponse"),
}
SWEEP = [("lambda", 3), ("eks", 3), ("s3", 2), ("route53", 3), ("iam", 5), ("sns", 2), ("sts", 1), ("ec2", 25),
         ("eventbridgev2", 2)]  # (service, every Nth operation)


def botocore_request(service: str, operation: str, params: dict[str, Any], url: str) -> HttpRequest:
    """The request botocore sends for PARAMS (serialized and prepared as its endpoint does, unsigned)."""
    model = botocore.session.get_session().get_service_model(service)
    serializer = botocore.serialize.create_serializer(model.resolved_protocol, include_validation=False)
    serialized = serializer.serialize_to_request(params, model.operation_model(operation))
    prepare_request_dict(serialized, endpoint_url=url)
    prepared = AWSRequest(method=serialized["method"], url=serialized["url"], data=serialized["body"],
                          headers=serialized["headers"]).prepare()
    body = prepared.body or b""
    headers = {name: value.decode() if isinstance(value, bytes) else value for name, value in prepared.headers.items()}
    headers.setdefault("Host", urllib.parse.urlsplit(url).netloc)
    return HttpRequest(prepared.method or "POST", prepared.url or url,
                       headers, body.encode() if isinstance(body, str) else bytes(body))


@pytest.mark.parametrize(("service", "stride"), SWEEP)
def test_valid_requests_of_every_protocol_are_routed_read_and_answered_validly(service: str, stride: int) -> None:
    endpoint = Endpoint(service, EndpointOptions(seed=3))
    operations = [operation for operation in spec.operations(service)[::stride]
                  if (service, operation) not in SWEEP_EXCLUDED]
    problems: list[str] = []
    for operation in operations:
        value = draw(strategies.valid_inputs(service, operation), 7)
        if endpoint.protocol.name in ("rest-xml", "query", "ec2"):
            value = xml_safe(value)  # XML and forms carry no control characters: botocore would send them raw
        request = botocore_request(service, operation, strategies.to_params(service, operation, value),
                                   "http://127.0.0.1:8787")
        routed, answer = endpoint.handle(request)
        if routed != operation:
            problems.append(f"{operation}: {request.method} {request.url} routed to {routed}")
            continue
        if answer.status >= 300:
            problems.append(f"{operation}: a valid request answered {answer.status} {answer.body[:300]!r}")
            continue
        document = spec.document(service, operation)
        decoded = protocol_for(document).decode_output(answer, document)
        found = decoded.violations + violations(spec.part(service, operation, "output"), decoded.value)
        problems += [f"{operation}: answer {violation}" for violation in found]
    assert problems == [], "\n".join(problems)
    assert len(operations) >= 5 or service == "sts"


# -- what every protocol shares: fuzz tagging, the body limit ------------------------------------------------


@pytest.mark.parametrize(("service", "method", "path"), [
    ("s3", "HEAD", "/photos/cat.jpg"), ("s3", "GET", "/photos?versioning"),
    ("lambda", "GET", "/2015-03-31/functions/f"),
    ("eventbridgev2", "POST", "/service/AWSEventsV2/operation/ListEventBuses"),
])
def test_fuzz_answers_are_tagged_on_every_protocol(service: str, method: str, path: str) -> None:
    """The tagging is the server's, whatever generator makes the case: a stand-in generator shows each routed
    operation's answers tagged, a HEAD one without its body."""
    from conformance.fuzz.wire import Expectation, WireResponse

    def generate(service: str, operation: str, seed: int) -> WireResponse:
        return WireResponse(503, {"Content-Type": "text/plain"}, f"{operation} {seed}".encode(), label="a stand-in",
                            family="status", target="error", expectation=Expectation("malformed"))

    with serve_in_thread(Endpoint(service, EndpointOptions(seed=1, fuzz=True), generate=generate)) as server:
        headers = CBOR_HEADERS if service == "eventbridgev2" else {}
        answer = raw(server, method, path, cbor2.dumps({}) if headers else b"", headers)
    operation, _, seed = (answer.header(CASE_HEADER) or "").partition("-")
    assert operation in spec.operations(service)
    assert_fuzz_tags(answer, operation)
    assert answer.status == 503
    assert answer.body == (b"" if method == "HEAD" else f"{operation} {int(seed, 16)}".encode())


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_answer_with_a_content_length_member_goes_out_with_one_content_length(method: str) -> None:
    """S3's ContentLength member travels in Content-Length: the server sends that header once (two, `0, 0`,
    made botocore refuse valid GetObject answers), the body's length, or for HEAD the length the GET has."""
    from conformance.fuzz.wire import Expectation, WireResponse

    def generate(service: str, operation: str, seed: int) -> WireResponse:
        return WireResponse(200, {"Content-Length": "4", "ETag": '"e"'}, b"meow", label="a stand-in",
                            family="valid", target="output", expectation=Expectation("valid"))

    with serve_in_thread(Endpoint("s3", EndpointOptions(seed=1, fuzz=True), generate=generate)) as server:
        parsed = urllib.parse.urlsplit(server.url)
        connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
        try:
            connection.request(method, "/photos/cat.jpg")
            response = connection.getresponse()
            lengths = [value for name, value in response.getheaders() if name.lower() == "content-length"]
            body = response.read()
        finally:
            connection.close()
    assert lengths == ["4"]
    assert body == (b"" if method == "HEAD" else b"meow")


@pytest.mark.parametrize(("service", "method", "path", "code"), [
    ("s3", "PUT", "/photos/cat.jpg", b"<Code>RequestEntityTooLargeException</Code>"),
    ("iam", "POST", "/", b"<Code>RequestEntityTooLargeException</Code>"),
    ("lambda", "POST", "/2015-03-31/functions", b'"message"'),
])
def test_bodies_over_the_limit_get_413_in_the_protocols_encoding(service: str, method: str, path: str,
                                                                 code: bytes) -> None:
    with serve_in_thread(Endpoint(service, EndpointOptions(seed=1)), max_body_bytes=10) as server:
        answer = raw(server, method, path, b"x" * 100)
    assert answer.status == 413
    assert code in answer.body


def test_host_prefixes_are_accepted_and_not_needed() -> None:
    with served("deadline") as server:
        port = urllib.parse.urlsplit(server.url).port
        for host in (f"management.localhost:{port}", f"127.0.0.1:{port}"):
            answer = raw(server, "GET", "/2023-10-12/farms", headers={"Host": host})
            assert answer.status == 200, answer.body
        sdk = client("deadline", server.url, inject_host_prefix=False)
        assert "farms" in sdk.list_farms()


def test_fuzz_gives_an_event_stream_operation_its_plain_answer() -> None:
    """No fuzz generator writes event streams: under --fuzz, S3 SelectObjectContent gets the answer it gets
    without --fuzz (no case tags), not a 500 from the generator's refusal."""
    with served("s3", fuzz=True) as server:
        answer = raw(server, "POST", "/photos/cat.csv?select&select-type=2",
                     b"<SelectObjectContentRequest xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>"
                     b"<Expression>select 1</Expression><ExpressionType>SQL</ExpressionType>"
                     b"<InputSerialization><CSV/></InputSerialization><OutputSerialization><CSV/>"
                     b"</OutputSerialization></SelectObjectContentRequest>")
        assert answer.status == 200, answer.body
        assert answer.header(CASE_HEADER) is None
        assert_fuzz_tags(raw(server, "GET", "/photos?versioning"), "GetBucketVersioning")
