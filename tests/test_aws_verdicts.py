"""The protocol rules behind real-AWS verdicts, on wire-format responses through the checks themselves.

Each rule has a case where the check stays quiet (what real AWS sends) and one where it fires (a contract
real AWS does not break): dense maps skip null values, a query-compatible service's code is the
`x-amzn-query-error` header's, awsJson ignores a declared httpStatusCode, and the deviation classes are
warnings unless --strict.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from conformance import spec
from conformance.checks import CHECKS, CheckContext
from conformance.exchange import Exchange, HttpResponse
from conformance.findings import Finding
from conformance.parsed_responses import ParsedResponse, judge
from conformance.protocols import protocol_for
from conformance.spec.models import load_service
from conformance.spec.validation import violations

SQS_JSON = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "r-1"}


def exchange(service: str, operation: str, status: int, body: Any, headers: dict[str, str]) -> Exchange:
    """An Exchange as a live call gives it: the raw response and botocore's reading of it."""
    raw = json.dumps(body).encode()
    response = HttpResponse(status, headers, raw)
    result = Exchange(service, operation, {}, response=response)
    model = load_service(service)
    try:
        parsed = create_parser(model.resolved_protocol).parse(
            {"status_code": status, "headers": HeadersDict(headers), "body": raw,
             "context": {"operation_name": operation}},
            model.operation_model(operation).output_shape)
    except ValueError as error:  # what client_parse reports
        result.client_exception = str(error)
        return result
    if status >= 300:
        result.client_error_code = str(parsed["Error"]["Code"])
    return result


def run(check: str, ex: Exchange, *, strict: bool = False) -> list[Finding]:
    return list(CHECKS[check](CheckContext(ex, "valid", strict=strict)))


# -- dense maps --------------------------------------------------------------------------------------------

def test_a_null_value_of_a_dense_map_is_skipped_as_clients_skip_it() -> None:
    # API Gateway answers `responseTemplates: {"application/json": null}` (issue 13); MapOfStringToString is
    # dense, and Smithy's RestJsonDeserializesDenseSetMapAndSkipsNull says clients drop the key.
    body = {"statusCode": "200", "responseTemplates": {"application/json": None}}
    ok = exchange("apigateway", "GetIntegrationResponse", 200, body, {"Content-Type": "application/json"})
    assert run("response_schema", ok) == []
    body["responseTemplates"] = {"application/json": 42}
    broken = exchange("apigateway", "GetIntegrationResponse", 200, body, {"Content-Type": "application/json"})
    assert [(f.severity, f.pointer) for f in run("response_schema", broken)] == [
        ("error", "/responseTemplates/application~1json")]


def test_a_sparse_map_keeps_its_null_values() -> None:
    schema: dict[str, Any] = {"$defs": {"S": {"type": "string", "x-aws-type": "string"}},
                              "x-aws-type": "map", "type": "object",
                              "additionalProperties": {"anyOf": [{"$ref": "#/$defs/S"}, {"type": "null"}]}}
    assert violations(schema, {"k": None}) == []
    dense = {**schema, "additionalProperties": {"$ref": "#/$defs/S"}, "minProperties": 1}
    assert [v.keyword for v in violations(dense, {"k": None})] == ["minProperties"]  # skipped: the map is empty


# -- query-compatible JSON services (SQS) ------------------------------------------------------------------

def test_a_query_compatible_code_is_the_query_error_header() -> None:
    # Real SQS (JSON 1.0, awsQueryCompatible): a common error, under a namespaced __type nobody declares.
    body = {"__type": "com.amazon.coral.service#InvalidParameterValueException", "message": "Value for parameter"}
    real = exchange("sqs", "SendMessage", 400, body, {**SQS_JSON, "x-amzn-query-error": "InvalidParameterValue;Sender"})
    document = spec.document("sqs", "SendMessage")
    found = protocol_for(document).error_code(real.response, document)
    assert found is not None and found.code == "InvalidParameterValue"
    assert real.client_error_code == "InvalidParameterValue"  # what botocore gives the caller
    for check in ("error_code", "error_status", "client_parse"):
        assert run(check, real) == [], check
    without_header = exchange("sqs", "SendMessage", 400, body, SQS_JSON)
    assert [f.check for f in run("error_code", without_header)] == ["error_code"]


def test_queue_name_exists_reads_as_botocore_reads_it() -> None:
    # CreateQueue: __type QueueNameExists, header QueueAlreadyExists, the code client.exceptions.QueueNameExists
    # catches. Declared (by its shape), and botocore reads what clients see.
    body = {"__type": "com.amazonaws.sqs#QueueNameExists", "message": "A queue already exists with the same name"}
    real = exchange("sqs", "CreateQueue", 400, body, {**SQS_JSON, "x-amzn-query-error": "QueueAlreadyExists;Sender"})
    for check in ("error_code", "error_status", "client_parse"):
        assert run(check, real) == [], check
    real.client_error_code = "QueueNameExists"  # a client that ignored the header
    assert [f.check for f in run("client_parse", real)] == ["client_parse"]


# -- awsJson ignores HTTP binding traits -------------------------------------------------------------------

def test_awsjson_does_not_bind_a_declared_status() -> None:
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "r-1"}
    body = {"__type": "com.amazonaws.cassandra#ResourceNotFoundException", "message": "Keyspace not found"}
    # Keyspaces declares ResourceNotFoundException with 404 and answers 400: awsJson says to ignore the trait.
    assert run("error_status", exchange("keyspaces", "GetKeyspace", 400, body, headers)) == []
    fired = run("error_status", exchange("keyspaces", "GetKeyspace", 500, body, headers))
    assert [(f.severity, f.aws_deviation) for f in fired] == [("error", "")]
    assert "client fault and must come with a 4xx" in fired[0].message


def test_rest_json_declared_status_is_a_deviation_within_its_fault_class() -> None:
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": "r-1",
               "X-Amzn-ErrorType": "ResourceNotFoundException"}
    body = {"message": "Function not found"}
    assert run("error_status", exchange("lambda", "GetFunction", 404, body, headers)) == []
    other = exchange("lambda", "GetFunction", 400, body, headers)
    assert [(f.severity, f.aws_deviation) for f in run("error_status", other)] == [("warning", "declared-status")]
    assert [f.severity for f in run("error_status", other, strict=True)] == ["error"]
    assert [f.severity for f in run("error_status", exchange("lambda", "GetFunction", 503, body, headers))] == [
        "error"]


# -- deviation classes and what stays an error -------------------------------------------------------------

def test_deviations_real_aws_answers_are_warnings_and_broken_contracts_errors() -> None:
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r-1"}
    base = {"TransformId": "tfm-1", "TaskRunId": "tsk-1", "LogGroupName": "/aws-glue/ml", "ExecutionTime": 1}
    deviating = exchange("glue", "GetMLTaskRun", 200, {**base, "Status": "DONE", "ErrorString": ""}, headers)
    found = run("enum", deviating) + run("response_schema", deviating)
    assert [(f.severity, f.aws_deviation) for f in found] == [("warning", "enum-value")]
    assert "AWS itself answers this: 'DONE' outside the enum" in found[0].message
    assert [f.severity for f in run("enum", deviating, strict=True)] == ["error"]
    for broken in ({**base, "ExecutionTime": "1"}, {**base, "StartedOn": "yesterday"},
                   {**base, "ExecutionTime": 2**40}):
        wrong = run("response_schema", exchange("glue", "GetMLTaskRun", 200, broken, headers))
        assert [(f.severity, f.aws_deviation) for f in wrong] == [("error", "")], broken


def test_a_head_answer_has_no_body_and_its_status_is_the_code() -> None:
    # S3 HeadObject's 404 comes without a body (HTTP HEAD); botocore reads "404" as the code.
    head = judge(ParsedResponse("s3", "HeadObject", 404, {"Error": {"Code": "404", "Message": "Not Found"}}))
    assert head == []
    get = judge(ParsedResponse("s3", "GetObject", 404, {"Error": {"Code": "404", "Message": "Not Found"}}))
    assert [(f.check, f.severity) for f in get] == [("error_code", "error")]
    # Over the wire, for a rest-json HEAD operation: no body, no code, no finding; a GET without one fires.
    quiet = Exchange("mediastore-data", "DescribeObject", {}, response=HttpResponse(404, {}, b""))
    assert run("error_code", quiet) == []
    loud = Exchange("mediastore-data", "GetObject", {}, response=HttpResponse(404, {}, b""))
    assert [f.check for f in run("error_code", loud)] == ["error_code"]
