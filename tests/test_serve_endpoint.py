"""The served protocol without sockets: targets, bodies, validation errors in AWS's words, error shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpResponse
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.glue_ml import GlueMLFamily
from conformance.server.protocol import JsonProtocol, ServiceError
from conformance.server.validation_messages import input_problems, validation_error_of
from conformance.spec.validation import violations

GET_RUN = "AWSGlue.GetMLTaskRun"


@pytest.fixture(scope="module")
def glue() -> Endpoint:
    return Endpoint("glue", EndpointOptions(seed=1), GlueMLFamily())


def _body(answer: HttpResponse) -> Any:
    return json.loads(answer.body)


def _call(endpoint: Endpoint, operation: str, body: Any) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return endpoint.answer(f"{endpoint.protocol.target_prefix}.{operation}", raw)


def test_a_300_character_id_is_invalid_input_naming_member_and_constraint(glue: Endpoint) -> None:
    answer = _call(glue, "GetMLTaskRun", {"TransformId": "x" * 300, "TaskRunId": "tsk-1"})
    assert answer.status == 400
    assert answer.header("Content-Type") == "application/x-amz-json-1.1"
    assert answer.header("x-amzn-RequestId")
    assert _body(answer) == {
        "__type": "InvalidInputException",
        "Message": "1 validation error detected: Value at 'transformId' failed to satisfy constraint: "
                   "Member must have length less than or equal to 255",
    }


def test_every_violation_is_listed_with_lower_camel_paths(glue: Endpoint) -> None:
    answer = _call(glue, "CreateMLTransform", {
        "Name": "", "Role": "r", "Parameters": {"TransformType": "NOPE"},
        "InputRecordTables": [{"DatabaseName": "db", "TableName": "t" * 256}], "Timeout": 0,
    })
    message = _body(answer)["Message"]
    assert message.startswith("4 validation errors detected: ")
    assert "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1" \
        in message
    assert "Value at 'inputRecordTables.1.member.tableName' failed to satisfy constraint: Member must have " \
           "length less than or equal to 255" in message
    assert "Value 'NOPE' at 'parameters.transformType' failed to satisfy constraint: Member must satisfy enum " \
           "value set: [FIND_MATCHES]" in message
    assert "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal " \
           "to 1" in message


def test_missing_and_null_required_members_must_not_be_null(glue: Endpoint) -> None:
    # A member set to null is absent (Smithy AwsJson11ServersDontDeserializeNullStructureValues).
    answer = _call(glue, "GetMLTaskRun", {"TransformId": None})
    assert _body(answer)["Message"] == (
        "2 validation errors detected: Value null at 'taskRunId' failed to satisfy constraint: Member must not "
        "be null; Value null at 'transformId' failed to satisfy constraint: Member must not be null")


def test_map_keys_and_values_are_reported_on_the_map() -> None:
    schema = spec.part("glue", "CreateMLTransform", "input")
    value = {"Name": "n", "Role": "r", "Parameters": {"TransformType": "FIND_MATCHES"},
             "InputRecordTables": [], "Tags": {"k" * 129: "v", "ok": "v" * 257}}
    sentences = {problem.sentence() for problem in input_problems(schema, value)}
    assert sentences == {
        "Value at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128]",
        "Value at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 256]",
    }


@pytest.mark.parametrize(("body", "fragment"), [
    ({"TransformId": 5, "TaskRunId": "t"}, "Value at 'transformId' cannot be deserialized: expected a string, "
                                           "got an integer"),
    ({"TransformId": ["a"], "TaskRunId": "t"}, "expected a string, got a list"),
])
def test_a_wrong_json_type_is_a_serialization_exception(glue: Endpoint, body: Any, fragment: str) -> None:
    answer = _call(glue, "GetMLTaskRun", body)
    assert answer.status == 400
    payload = _body(answer)
    assert payload["__type"] == "SerializationException"
    assert fragment in payload["message"]


def test_numbers_outside_32_bits_cannot_be_read(glue: Endpoint) -> None:
    answer = _call(glue, "GetMLTaskRuns", {"TransformId": "t", "MaxResults": 2**40})
    assert _body(answer)["__type"] == "SerializationException"
    answer = _call(glue, "GetMLTaskRuns", {"TransformId": "t", "MaxResults": 1001})
    assert _body(answer)["Message"].endswith("Member must have value less than or equal to 1000")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe{}", b"[1, 2]", b'"text"', b"NaN", b'{"TransformId": NaN}'])
def test_a_body_that_is_not_a_json_object_is_a_serialization_exception(glue: Endpoint, raw: bytes) -> None:
    answer = _call(glue, "GetMLTaskRun", raw)
    assert (answer.status, _body(answer)["__type"]) == (400, "SerializationException")


def test_an_empty_body_reads_as_an_empty_object(glue: Endpoint) -> None:
    # Smithy json_1_1_service_supports_empty_payload_for_no_input_shape.
    answer = _call(glue, "GetMLTransforms", b"")
    assert answer.status == 200 and _body(answer) == {"Transforms": []}


@pytest.mark.parametrize("target", [None, "", "AWSGlue.NoSuchOperation", "Other.GetMLTaskRun", "GetMLTaskRun",
                                    "AWSGlue.getmltaskrun"])
def test_an_unknown_target_is_unknown_operation(glue: Endpoint, target: str | None) -> None:
    answer = glue.answer(target, b"{}")
    assert answer.status == 400
    assert _body(answer)["__type"] == "UnknownOperationException"
    assert answer.header("x-amzn-RequestId")


def test_unknown_members_are_rejected_unless_ignored() -> None:
    body = {"TransformId": "t", "Surprise": 1}
    rejecting = Endpoint("glue", EndpointOptions(seed=1), GlueMLFamily())
    answer = _call(rejecting, "GetMLTransform", body)
    assert _body(answer)["__type"] == "InvalidInputException"
    assert _body(answer)["Message"] == "Unknown member(s) 'Surprise': the model of this operation does not have them"
    ignoring = Endpoint("glue", EndpointOptions(seed=1, unknown_members="ignore"), GlueMLFamily())
    assert _body(_call(ignoring, "GetMLTransform", body))["__type"] == "EntityNotFoundException"


def test_json_1_0_services_and_their_validation_error() -> None:
    dynamodb = Endpoint("dynamodb", EndpointOptions(seed=1))
    assert dynamodb.protocol.content_type == "application/x-amz-json-1.0"
    answer = dynamodb.answer("DynamoDB_20120810.DescribeTable", b'{"TableName": ""}')
    assert answer.status == 400
    assert answer.header("Content-Type") == "application/x-amz-json-1.0"
    payload = _body(answer)
    assert payload["__type"] == "ValidationException"
    assert payload["message"] == ("1 validation error detected: Value '' at 'tableName' failed to satisfy "
                                  "constraint: Member must have length greater than or equal to 1")


def test_query_compatible_services_send_the_query_error_header() -> None:
    sqs = JsonProtocol("sqs")
    answer = sqs.error(ServiceError("QueueDoesNotExist", "no queue"), "GetQueueUrl")
    assert answer.header("x-amzn-query-error") == "QueueDoesNotExist;Sender"
    assert _body(answer) == {"__type": "QueueDoesNotExist", "message": "no queue"}
    assert JsonProtocol("glue").error(ServiceError("EntityNotFoundException", "x"), "GetMLTaskRun").header(
        "x-amzn-query-error") is None


def test_validation_errors_by_operation() -> None:
    assert validation_error_of("glue", "GetMLTaskRun") == ("InvalidInputException", 400)
    assert validation_error_of("dynamodb", "GetItem") == ("ValidationException", 400)
    assert validation_error_of("kinesis", "ListStreams") == ("ValidationException", 400)


@pytest.mark.parametrize("service", ["s3", "lambda"])
def test_services_of_other_protocols_are_a_usage_error(service: str) -> None:
    with pytest.raises(UsageError, match=f"{service} uses rest-"):
        JsonProtocol(service)


def test_the_endpoint_rejects_exactly_what_the_spec_rejects(glue: Endpoint) -> None:
    schema = spec.part("glue", "GetMLTaskRuns", "input")
    samples: list[Any] = [
        {"TransformId": "t"}, {"TransformId": "t", "MaxResults": 0}, {"TransformId": "t", "MaxResults": 1000},
        {"TransformId": "t", "Sort": {"Column": "STARTED"}}, {"TransformId": "t", "Filter": {"Status": "DONE"}},
        {"TransformId": "t", "Filter": {"StartedAfter": "yesterday"}}, {"TransformId": ""}, {},
        {"TransformId": "t", "NextToken": None}, {"TransformId": "t", "Filter": {"TaskRunType": "EVALUATION"}},
    ]
    for sample in samples:
        answer = _call(glue, "GetMLTaskRuns", sample)
        rejected = answer.status == 400 and _body(answer)["__type"] in ("InvalidInputException",
                                                                          "SerializationException")
        assert rejected == bool(violations(schema, sample)), (sample, answer.body)


def test_generated_answers_are_repeatable_per_seed_and_request() -> None:
    first = Endpoint("glue", EndpointOptions(seed=7))
    second = Endpoint("glue", EndpointOptions(seed=7))
    other = Endpoint("glue", EndpointOptions(seed=8))
    request = {"JobName": "my-job"}
    bodies = [_body(_call(endpoint, "GetJob", request)) for endpoint in (first, second, other)]
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]
    assert _body(_call(first, "GetJob", {"JobName": "another-job"})) != bodies[0]
    schema = spec.part("glue", "GetJob", "output")
    assert all(violations(schema, body) == [] for body in bodies)


def test_generated_answers_are_the_same_in_another_process_with_the_same_seed() -> None:
    import http.client
    import urllib.parse

    from conformance.server.process import serve_process

    request = json.dumps({"JobName": "nightly"}).encode()
    local = _call(Endpoint("glue", EndpointOptions(seed=42)), "GetJob", request).body
    with serve_process(["glue", "--seed", "42", "--quiet"]) as server:
        parsed = urllib.parse.urlsplit(server.url)
        connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
        connection.request("POST", "/", body=request, headers={"X-Amz-Target": "AWSGlue.GetJob"})
        assert connection.getresponse().read() == local
        assert server.stop() == 0
