"""The stateful Glue ML family on a fake clock: lifecycles, errors, listings, and every answer valid."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import spec
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.glue_ml import GlueMLFamily, GlueMLOptions
from conformance.spec.families import GLUE_ML
from conformance.spec.validation import violations

T0 = 1_760_000_000.0
ACCOUNT = "123456789012"
TRANSFORM = {
    "Name": "people", "Role": "arn:aws:iam::123456789012:role/glue",
    "InputRecordTables": [{"DatabaseName": "db", "TableName": "people"}],
    "Parameters": {"TransformType": "FIND_MATCHES", "FindMatchesParameters": {"PrimaryKeyColumnName": "id"}},
}
STARTS = {
    "StartMLEvaluationTaskRun": ({}, "EVALUATION", None),
    "StartMLLabelingSetGenerationTaskRun": ({"OutputS3Path": "s3://b/labeling/"}, "LABELING_SET_GENERATION",
                                            "LabelingSetGenerationTaskRunProperties"),
    "StartImportLabelsTaskRun": ({"InputS3Path": "s3://b/labels.csv", "ReplaceAllLabels": True}, "IMPORT_LABELS",
                                 "ImportLabelsTaskRunProperties"),
    "StartExportLabelsTaskRun": ({"OutputS3Path": "s3://b/export/"}, "EXPORT_LABELS", "ExportLabelsTaskRunProperties"),
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Glue:
    """The family behind the real endpoint (wire bodies in and out); every answer is checked against the spec."""

    def __init__(self, **options: Any) -> None:
        self.clock = Clock()
        self.saved: list[dict[str, Any]] = []
        self.family = GlueMLFamily(GlueMLOptions(task_run_seconds=3.0, **options), clock=self.clock,
                                   persist=self.saved.append)
        self.endpoint = Endpoint("glue", EndpointOptions(seed=1), self.family)

    def call(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        answer = self.endpoint.answer(f"AWSGlue.{operation}", json.dumps(body).encode())
        payload = json.loads(answer.body)
        if answer.status == 200:
            assert violations(spec.part("glue", operation, "output"), payload) == [], (operation, payload)
        else:
            code = payload["__type"]
            assert code in spec.document("glue", operation)["x-aws-errors"], payload
            assert violations(spec.part("glue", operation, f"error:{code}"),
                              {k: v for k, v in payload.items() if k != "__type"}) == []
        return answer.status, payload

    def ok(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        status, payload = self.call(operation, body)
        assert status == 200, payload
        return payload

    def error(self, operation: str, body: dict[str, Any]) -> tuple[str, str]:
        status, payload = self.call(operation, body)
        assert status == 400, payload
        return payload["__type"], payload["Message"]

    def transform(self, **changes: Any) -> str:
        return str(self.ok("CreateMLTransform", {**TRANSFORM, **changes})["TransformId"])


def _check_run_invariants(run: dict[str, Any]) -> None:
    assert run["StartedOn"] <= run["LastModifiedOn"]
    terminal = run["Status"] in ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT")
    assert ("CompletedOn" in run) == terminal
    if terminal:
        assert run["LastModifiedOn"] <= run["CompletedOn"]
        assert run["ExecutionTime"] <= run["CompletedOn"] - run["StartedOn"]
    assert run["ExecutionTime"] >= 0


def test_create_then_get_transform_echoes_the_request_with_documented_defaults() -> None:
    glue = Glue()
    transform_id = glue.transform(Description="dedupe people", Tags={"team": "data"})
    assert transform_id.startswith("tfm-") and len(transform_id) == 44
    got = glue.ok("GetMLTransform", {"TransformId": transform_id})
    assert got["TransformId"] == transform_id and got["Name"] == "people" and got["Description"] == "dedupe people"
    assert got["InputRecordTables"] == TRANSFORM["InputRecordTables"]
    assert got["Parameters"] == TRANSFORM["Parameters"]
    assert (got["Status"], got["CreatedOn"], got["LastModifiedOn"]) == ("READY", T0, T0)
    assert (got["GlueVersion"], got["MaxCapacity"], got["Timeout"], got["MaxRetries"]) == ("0.9", 10.0, 2880, 0)
    assert "Tags" not in got
    workers = glue.ok("GetMLTransform", {"TransformId": glue.transform(Name="w", WorkerType="G.2X",
                                                                       NumberOfWorkers=5, GlueVersion="1.0")})
    assert "MaxCapacity" not in workers and (workers["WorkerType"], workers["NumberOfWorkers"]) == ("G.2X", 5)


def test_evaluation_run_goes_starting_running_succeeded_on_the_clock() -> None:
    glue = Glue()
    transform_id = glue.transform()
    run_id = glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})["TaskRunId"]
    seen = []
    for _ in range(8):
        run = glue.ok("GetMLTaskRun", {"TransformId": transform_id, "TaskRunId": run_id})
        _check_run_invariants(run)
        assert (run["TransformId"], run["TaskRunId"]) == (transform_id, run_id)
        assert run["Properties"] == {"TaskType": "EVALUATION"}
        seen.append((run["Status"], run["LastModifiedOn"], run.get("CompletedOn"), run["ExecutionTime"]))
        glue.clock.advance(0.5)
    assert [status for status, *_ in seen] == ["STARTING", "STARTING", "RUNNING", "RUNNING", "RUNNING", "RUNNING",
                                                "SUCCEEDED", "SUCCEEDED"]
    assert seen[0][1] == T0 and seen[2][1] == T0 + 1.0
    assert seen[-1] == ("SUCCEEDED", T0 + 3.0, T0 + 3.0, 3)


@pytest.mark.parametrize("operation", sorted(STARTS))
def test_each_start_operation_records_its_task_type_and_properties(operation: str) -> None:
    glue = Glue()
    transform_id = glue.transform()
    extra, task_type, member = STARTS[operation]
    run_id = glue.ok(operation, {"TransformId": transform_id, **extra})["TaskRunId"]
    properties = glue.ok("GetMLTaskRun", {"TransformId": transform_id, "TaskRunId": run_id})["Properties"]
    assert properties["TaskType"] == task_type
    assert set(properties) == {"TaskType"} | ({member} if member else set())
    if member == "ImportLabelsTaskRunProperties":
        assert properties[member] == {"InputS3Path": "s3://b/labels.csv", "Replace": True}
    elif member:
        assert properties[member] == {"OutputS3Path": extra["OutputS3Path"]}


def test_a_run_with_a_path_that_is_not_s3_fails_with_an_error_string() -> None:
    glue = Glue()
    transform_id = glue.transform()
    run_id = glue.ok("StartExportLabelsTaskRun", {"TransformId": transform_id, "OutputS3Path": "/tmp/out"})["TaskRunId"]
    glue.clock.advance(5)
    run = glue.ok("GetMLTaskRun", {"TransformId": transform_id, "TaskRunId": run_id})
    assert run["Status"] == "FAILED" and "s3://" in run["ErrorString"]
    _check_run_invariants(run)


def test_cancel_moves_an_active_run_to_stopping_then_stopped() -> None:
    glue = Glue()
    transform_id = glue.transform()
    run_id = glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})["TaskRunId"]
    glue.clock.advance(1.5)
    ids = {"TransformId": transform_id, "TaskRunId": run_id}
    assert glue.ok("CancelMLTaskRun", ids) == {**ids, "Status": "STOPPING"}
    stopping = glue.ok("GetMLTaskRun", ids)
    assert (stopping["Status"], stopping["LastModifiedOn"]) == ("STOPPING", T0 + 1.5)
    glue.clock.advance(1.0)
    stopped = glue.ok("GetMLTaskRun", ids)
    assert (stopped["Status"], stopped["CompletedOn"], stopped["ExecutionTime"]) == ("STOPPED", T0 + 2.5, 2)
    _check_run_invariants(stopped)
    # Cancelling again, or cancelling a finished run, changes nothing.
    assert glue.ok("CancelMLTaskRun", ids)["Status"] == "STOPPED"
    done = glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})["TaskRunId"]
    glue.clock.advance(10)
    assert glue.ok("CancelMLTaskRun", {"TransformId": transform_id, "TaskRunId": done})["Status"] == "SUCCEEDED"


def test_unknown_ids_get_the_documented_entity_not_found_messages() -> None:
    glue = Glue()
    transform_id = glue.transform()
    missing = f"Cannot find MLTransform in account {ACCOUNT} with handle tfm-missing."
    for operation in ("GetMLTransform", "GetMLTaskRuns", *STARTS):
        body = {"TransformId": "tfm-missing", **STARTS.get(operation, ({}, "", None))[0]}
        assert glue.error(operation, body) == ("EntityNotFoundException", missing)
    for operation in ("GetMLTaskRun", "CancelMLTaskRun"):
        assert glue.error(operation, {"TransformId": "tfm-missing", "TaskRunId": "tsk-1"}) == (
            "EntityNotFoundException", missing)
        assert glue.error(operation, {"TransformId": transform_id, "TaskRunId": "tsk-1"}) == (
            "EntityNotFoundException", f"No ML Task Run found for tsk-1: in account {ACCOUNT} for transform "
                                       f"{transform_id}.")
    # The guide spells DeleteMLTransform's message without the final period.
    assert glue.error("DeleteMLTransform", {"TransformId": "tfm-missing"}) == ("EntityNotFoundException",
                                                                               missing[:-1])


def test_a_run_is_found_only_under_its_own_transform() -> None:
    glue = Glue()
    first, second = glue.transform(Name="a"), glue.transform(Name="b")
    run_id = glue.ok("StartMLEvaluationTaskRun", {"TransformId": first})["TaskRunId"]
    code, _ = glue.error("GetMLTaskRun", {"TransformId": second, "TaskRunId": run_id})
    assert code == "EntityNotFoundException"


def test_names_are_unique_and_the_number_of_transforms_is_limited() -> None:
    glue = Glue(max_transforms=2)
    glue.transform(Name="a")
    assert glue.error("CreateMLTransform", {**TRANSFORM, "Name": "a"}) == (
        "AlreadyExistsException", "Transform with name a already exists.")
    glue.transform(Name="b")
    assert glue.error("CreateMLTransform", {**TRANSFORM, "Name": "c"}) == (
        "ResourceNumberLimitExceededException", "ML Transforms count (2) has exceeded the limit of 2 transforms.")


def test_delete_removes_the_transform_and_its_runs() -> None:
    glue = Glue()
    transform_id = glue.transform()
    run_id = glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})["TaskRunId"]
    assert glue.ok("DeleteMLTransform", {"TransformId": transform_id}) == {"TransformId": transform_id}
    assert glue.error("GetMLTransform", {"TransformId": transform_id})[0] == "EntityNotFoundException"
    assert glue.family.task_runs == {} and run_id not in json.dumps(glue.saved[-1])
    assert glue.ok("GetMLTransforms", {}) == {"Transforms": []}


def test_with_require_labels_evaluation_waits_for_imported_labels() -> None:
    glue = Glue(require_labels=True)
    transform_id = glue.transform()
    assert glue.ok("GetMLTransform", {"TransformId": transform_id})["Status"] == "NOT_READY"
    assert glue.error("StartMLEvaluationTaskRun", {"TransformId": transform_id}) == (
        "MLTransformNotReadyException", "This operation can only be applied to a transform that is in a READY state.")
    glue.ok("StartImportLabelsTaskRun", {"TransformId": transform_id, "InputS3Path": "s3://b/labels.csv"})
    glue.clock.advance(4)
    transform = glue.ok("GetMLTransform", {"TransformId": transform_id})
    assert (transform["Status"], transform["LastModifiedOn"]) == ("READY", T0 + 3.0)
    glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})


def test_concurrent_runs_are_limited_when_asked() -> None:
    glue = Glue(max_concurrent_runs=1)
    transform_id = glue.transform()
    glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})
    code, message = glue.error("StartMLLabelingSetGenerationTaskRun",
                               {"TransformId": transform_id, "OutputS3Path": "s3://b/x"})
    assert code == "ConcurrentRunsExceededException" and "limit of 1 task runs" in message
    glue.clock.advance(5)
    glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})


def test_listing_transforms_pages_filters_and_sorts() -> None:
    glue = Glue()
    for index, name in enumerate(["c", "a", "b"]):
        glue.transform(Name=name, GlueVersion="2.0" if index else "1.0")
        glue.clock.advance(1)
    first = glue.ok("GetMLTransforms", {"MaxResults": 2})
    assert [t["Name"] for t in first["Transforms"]] == ["c", "a"]
    rest = glue.ok("GetMLTransforms", {"MaxResults": 2, "NextToken": first["NextToken"]})
    assert [t["Name"] for t in rest["Transforms"]] == ["b"] and "NextToken" not in rest
    by_name = glue.ok("GetMLTransforms", {"Sort": {"Column": "NAME", "SortDirection": "DESCENDING"}})
    assert [t["Name"] for t in by_name["Transforms"]] == ["c", "b", "a"]
    assert [t["Name"] for t in glue.ok("GetMLTransforms", {"Filter": {"GlueVersion": "2.0"}})["Transforms"]] == \
        ["a", "b"]
    created_after = glue.ok("GetMLTransforms", {"Filter": {"CreatedAfter": T0 + 0.5}})["Transforms"]
    assert [t["Name"] for t in created_after] == ["a", "b"]
    # A token this server did not issue reads as the end of the listing, not as an invalid input.
    assert glue.ok("GetMLTransforms", {"NextToken": "garbage"}) == {"Transforms": []}


def test_listing_runs_newest_first_with_filters() -> None:
    glue = Glue()
    transform_id = glue.transform()
    evaluation = glue.ok("StartMLEvaluationTaskRun", {"TransformId": transform_id})["TaskRunId"]
    glue.clock.advance(10)
    export = glue.ok("StartExportLabelsTaskRun", {"TransformId": transform_id, "OutputS3Path": "s3://b/e"})["TaskRunId"]
    runs = glue.ok("GetMLTaskRuns", {"TransformId": transform_id})["TaskRuns"]
    assert [run["TaskRunId"] for run in runs] == [export, evaluation]
    for run in runs:
        _check_run_invariants(run)
    succeeded = glue.ok("GetMLTaskRuns", {"TransformId": transform_id, "Filter": {"Status": "SUCCEEDED"}})
    assert [run["TaskRunId"] for run in succeeded["TaskRuns"]] == [evaluation]
    by_type = glue.ok("GetMLTaskRuns", {"TransformId": transform_id, "Filter": {"TaskRunType": "EXPORT_LABELS"}})
    assert [run["TaskRunId"] for run in by_type["TaskRuns"]] == [export]
    paged = glue.ok("GetMLTaskRuns", {"TransformId": transform_id, "MaxResults": 1})
    assert len(paged["TaskRuns"]) == 1 and paged["NextToken"]
    other = glue.transform(Name="other")
    # Another transform's token is not valid here.
    assert glue.ok("GetMLTaskRuns", {"TransformId": other, "NextToken": paged["NextToken"]}) == {"TaskRuns": []}


def test_a_failed_save_changes_nothing_and_is_a_server_fault() -> None:
    def broken(_: dict[str, Any]) -> None:
        raise OSError(28, "No space left on device")

    family = GlueMLFamily(persist=broken)
    endpoint = Endpoint("glue", EndpointOptions(seed=1), family)
    answer = endpoint.answer("AWSGlue.CreateMLTransform", json.dumps(TRANSFORM).encode())
    assert answer.status == 500
    assert json.loads(answer.body)["__type"] == "InternalServiceException"
    assert family.transforms == {}


def test_the_family_is_the_eleven_operations() -> None:
    assert GlueMLFamily.operations == frozenset(GLUE_ML) and len(GLUE_ML) == 11
    assert all(GlueMLFamily().handles(operation) for operation in GLUE_ML)


ACTIONS = st.lists(st.tuples(st.sampled_from(["create", "start", "cancel", "delete", "wait"]),
                             st.integers(0, 5), st.floats(0, 2.5)), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_any_sequence_of_operations_keeps_every_answer_valid_and_consistent(actions: list[Any]) -> None:
    glue = Glue()
    transforms: list[str] = []
    runs: list[tuple[str, str]] = []
    for action, pick, seconds in actions:
        if action == "create":
            status, body = glue.call("CreateMLTransform", {**TRANSFORM, "Name": f"t{len(transforms)}"})
            transforms.append(body["TransformId"])
        elif action == "start" and transforms:
            transform_id = transforms[pick % len(transforms)]
            operation = sorted(STARTS)[pick % len(STARTS)]
            status, body = glue.call(operation, {"TransformId": transform_id, **STARTS[operation][0]})
            if status == 200:
                runs.append((transform_id, body["TaskRunId"]))
        elif action == "cancel" and runs:
            transform_id, run_id = runs[pick % len(runs)]
            glue.call("CancelMLTaskRun", {"TransformId": transform_id, "TaskRunId": run_id})
        elif action == "delete" and transforms:
            glue.call("DeleteMLTransform", {"TransformId": transforms[pick % len(transforms)]})
        glue.clock.advance(seconds)
        for transform_id in transforms:
            status, body = glue.call("GetMLTaskRuns", {"TransformId": transform_id})
            for run in body.get("TaskRuns", []):
                _check_run_invariants(run)
                single = glue.ok("GetMLTaskRun", {"TransformId": transform_id, "TaskRunId": run["TaskRunId"]})
                assert single == run
        glue.call("GetMLTransforms", {})
