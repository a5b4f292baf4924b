"""The GetMLTaskRun document: a correct response validates, each documented contract break does not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance import spec
from conformance.spec.validation import violations

CORRECT_RESPONSE: dict[str, Any] = {
    "TransformId": "tfm-0123456789abcdef0123456789abcdef01234567",
    "TaskRunId": "tsk-0123456789abcdef0123456789abcdef01234567",
    "Status": "SUCCEEDED",
    "LogGroupName": "/aws-glue/ml",
    "Properties": {
        "TaskType": "EVALUATION",
        "FindMatchesTaskRunProperties": {"JobId": "j-1", "JobName": "job", "JobRunId": "jr-1"},
    },
    "StartedOn": 1.708699485e9,
    "LastModifiedOn": 1708699490,
    "CompletedOn": 1708699605.5,
    "ExecutionTime": 115,
}


def output_violations(body: dict[str, Any]) -> list[tuple[str, str]]:
    schema = spec.part("glue", "GetMLTaskRun", "output")
    return [(v.pointer, v.keyword) for v in violations(schema, body)]


def test_document_locates_input_output_and_errors() -> None:
    document = spec.document("glue", "GetMLTaskRun")
    assert document["x-aws-input"] == "#/$defs/GetMLTaskRunRequest"
    assert document["x-aws-output"] == "#/$defs/GetMLTaskRunResponse"
    assert set(document["x-aws-errors"]) == {
        "EntityNotFoundException", "InvalidInputException", "OperationTimeoutException", "InternalServiceException"
    }
    assert document["x-aws-protocol"] == "json"
    assert document["x-aws-target"] == "AWSGlue.GetMLTaskRun"
    assert document["x-aws-json-version"] == "1.1"
    assert document["x-aws-api-version"] == "2017-03-31"
    internal = document["$defs"]["InternalServiceException"]["x-aws-error"]
    assert internal == {"code": "InternalServiceException", "fault": "server"}
    assert document["$defs"]["EntityNotFoundException"]["x-aws-error"]["fault"] == "client"


def test_request_schema_keeps_model_constraints() -> None:
    defs = spec.document("glue", "GetMLTaskRun")["$defs"]
    request = defs["GetMLTaskRunRequest"]
    assert request["required"] == ["TransformId", "TaskRunId"]
    hash_string = defs["HashString"]
    assert (hash_string["minLength"], hash_string["maxLength"]) == (1, 255)
    assert hash_string["x-aws-pattern"] == r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*"
    assert defs["TaskStatusType"]["enum"] == [
        "STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT"
    ]
    assert defs["Timestamp"]["type"] == "number"
    assert defs["Timestamp"]["x-aws-timestamp-format"] == "unixTimestamp"


def test_correct_response_validates() -> None:
    assert output_violations(CORRECT_RESPONSE) == []


@pytest.mark.parametrize(
    ("member", "value", "expected"),
    [
        ("Status", "DONE", ("/Status", "enum")),
        ("TransformId", "t" * 256, ("/TransformId", "maxLength")),
        ("StartedOn", "2024-02-23T14:44:45Z", ("/StartedOn", "type")),
        ("ExecutionTime", "115", ("/ExecutionTime", "type")),
        ("ExecutionTime", 2**31, ("/ExecutionTime", "maximum")),
        ("Properties", {"TaskType": "TRAINING"}, ("/Properties/TaskType", "enum")),
        ("TransformId", "", ("/TransformId", "minLength")),
    ],
)
def test_each_broken_contract_is_reported(member: str, value: Any, expected: tuple[str, str]) -> None:
    body = copy.deepcopy(CORRECT_RESPONSE)
    body[member] = value
    assert output_violations(body) == [expected]


def test_unknown_member_is_told_apart_from_other_violations() -> None:
    body = {**CORRECT_RESPONSE, "NewMemberAwsAddedLater": 1, "Status": "DONE"}
    schema = spec.part("glue", "GetMLTaskRun", "output")
    found = violations(schema, body)
    assert [(v.pointer, v.unknown_member) for v in found] == [
        ("/NewMemberAwsAddedLater", True), ("/Status", False)
    ]


def test_error_part_is_self_contained() -> None:
    schema = spec.part("glue", "GetMLTaskRun", "error:EntityNotFoundException")
    assert schema["$ref"] == "#/$defs/EntityNotFoundException"
    assert set(schema["$defs"]) == {"EntityNotFoundException", "MessageString", "NullableBoolean"}
    assert violations(schema, {"Message": "Cannot find MLTransform"}) == []
    assert [v.keyword for v in violations(schema, {"Message": 3})] == ["type"]
