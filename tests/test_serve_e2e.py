"""End to end: boto3 against `conformance serve glue`, and `conformance run` against it for the whole family."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conformance import spec
from conformance.checks import CHECKS
from conformance.cli import main
from conformance.runner import Runner, RunOptions
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.glue_ml import GlueMLFamily, GlueMLOptions
from conformance.server.http import serve_in_thread
from conformance.server.process import serve_process
from conformance.spec.families import GLUE_ML
from conformance.spec.validation import violations
from conformance.targets import make_target

TRANSFORM = {
    "Name": "customers-dedupe",
    "Role": "arn:aws:iam::123456789012:role/glue-ml",
    "InputRecordTables": [{"DatabaseName": "crm", "TableName": "customers"}],
    "Parameters": {"TransformType": "FIND_MATCHES",
                   "FindMatchesParameters": {"PrimaryKeyColumnName": "customer_id", "PrecisionRecallTradeoff": 0.9}},
    "GlueVersion": "2.0", "WorkerType": "G.1X", "NumberOfWorkers": 10,
}
# Delete last: its valid cases remove the transform the others are hinted with.
FAMILY_ORDER = [op for op in GLUE_ML if op != "DeleteMLTransform"] + ["DeleteMLTransform"]


def _glue(url: str) -> Any:
    return boto3.client("glue", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 2}))


def _wait_for(glue: Any, transform_id: str, run_id: str, wanted: str, seconds: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        run: dict[str, Any] = glue.get_ml_task_run(TransformId=transform_id, TaskRunId=run_id)
        if run["Status"] == wanted or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_boto3_drives_the_whole_family_and_the_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "glue-state.json"
    arguments = ["glue", "--state", str(state), "--task-run-seconds", "0.6", "--seed", "1", "--quiet"]
    with serve_process(arguments) as server:
        glue = _glue(server.url)
        transform_id = glue.create_ml_transform(**TRANSFORM)["TransformId"]
        assert glue.get_ml_transform(TransformId=transform_id)["Name"] == "customers-dedupe"
        assert [t["TransformId"] for t in glue.get_ml_transforms()["Transforms"]] == [transform_id]

        run_id = glue.start_ml_evaluation_task_run(TransformId=transform_id)["TaskRunId"]
        run = _wait_for(glue, transform_id, run_id, "SUCCEEDED")
        assert run["Status"] == "SUCCEEDED" and run["Properties"]["TaskType"] == "EVALUATION"
        assert run["StartedOn"] <= run["LastModifiedOn"] <= run["CompletedOn"]

        other = glue.start_ml_labeling_set_generation_task_run(TransformId=transform_id,
                                                                OutputS3Path="s3://bucket/labels/")["TaskRunId"]
        assert glue.cancel_ml_task_run(TransformId=transform_id, TaskRunId=other)["Status"] == "STOPPING"
        assert _wait_for(glue, transform_id, other, "STOPPED")["Status"] == "STOPPED"
        for start, extra in (("start_import_labels_task_run", {"InputS3Path": "s3://bucket/in.csv"}),
                             ("start_export_labels_task_run", {"OutputS3Path": "s3://bucket/out/"})):
            getattr(glue, start)(TransformId=transform_id, **extra)

        runs = glue.get_ml_task_runs(TransformId=transform_id)["TaskRuns"]
        assert len(runs) == 4 and {r["TaskRunId"] for r in runs} >= {run_id, other}
        assert {r["Properties"]["TaskType"] for r in runs} == {"EVALUATION", "LABELING_SET_GENERATION",
                                                               "IMPORT_LABELS", "EXPORT_LABELS"}

        with pytest.raises(glue.exceptions.EntityNotFoundException, match="Cannot find MLTransform in account"):
            glue.get_ml_task_run(TransformId="tfm-unknown", TaskRunId=run_id)
        with pytest.raises(glue.exceptions.EntityNotFoundException, match="No ML Task Run found for tsk-unknown"):
            glue.get_ml_task_run(TransformId=transform_id, TaskRunId="tsk-unknown")
        with pytest.raises(glue.exceptions.EntityNotFoundException):
            glue.cancel_ml_task_run(TransformId=transform_id, TaskRunId="tsk-unknown")
        with pytest.raises(glue.exceptions.InvalidInputException,
                           match="Value at 'transformId' failed to satisfy constraint: Member must have length "
                                 "less than or equal to 255"):
            glue.get_ml_task_run(TransformId="x" * 300, TaskRunId=run_id)
        assert server.stop() == 0

    with serve_process(arguments) as server:
        glue = _glue(server.url)
        again = glue.get_ml_task_run(TransformId=transform_id, TaskRunId=run_id)
        assert (again["Status"], again["CompletedOn"]) == ("SUCCEEDED", run["CompletedOn"])
        assert len(glue.get_ml_task_runs(TransformId=transform_id)["TaskRuns"]) == 4
        glue.delete_ml_transform(TransformId=transform_id)
        assert glue.get_ml_transforms()["Transforms"] == []
        assert server.stop() == 0


@pytest.fixture
def family_server() -> Any:
    family = GlueMLFamily(GlueMLOptions(task_run_seconds=0.2))
    endpoint = Endpoint("glue", EndpointOptions(seed=3), family)
    with serve_in_thread(endpoint) as server:
        yield server


def _seed_resources(url: str) -> dict[str, list[Any]]:
    """A transform with a finished and an active run: --example values so valid cases reach real resources."""
    glue = _glue(url)
    transform_id = glue.create_ml_transform(**TRANSFORM)["TransformId"]
    finished = glue.start_ml_evaluation_task_run(TransformId=transform_id)["TaskRunId"]
    _wait_for(glue, transform_id, finished, "SUCCEEDED")
    active = glue.start_export_labels_task_run(TransformId=transform_id, OutputS3Path="s3://b/x")["TaskRunId"]
    return {"TransformId": [transform_id], "TaskRunId": [finished, active]}


def _sent_valid_input(operation: str, request: dict[str, Any]) -> bool:
    """Whether the body botocore put on the wire is valid, whatever the case meant to send."""
    try:
        body = json.loads(request.get("body") or "{}")
    except ValueError:
        return False
    return violations(spec.part("glue", operation, "input"), body) == []


def _server_errors(operations: list[tuple[str, list[dict[str, Any]]]]) -> list[tuple[str, str, str]]:
    """Error findings, less those about "invalid" cases that reached the server valid.

    botocore serializes a timestamp member given as a string (the strategies' wrong-type mutation, e.g.
    `"1"`) into a valid epoch number, so such a case arrives valid and is rightly answered as valid: that
    finding is about the case generation, not about the server."""
    errors = []
    for operation, findings in operations:
        for finding in findings:
            if finding["severity"] != "error":
                continue
            if finding["check"] == "negative_data_rejection" and _sent_valid_input(operation, finding["request"]):
                continue
            errors.append((operation, finding["check"], finding["message"]))
    return errors


def test_conformance_run_finds_no_error_in_the_whole_family(family_server: Any) -> None:
    examples = _seed_resources(family_server.url)
    options = RunOptions(checks=dict(CHECKS), max_examples=25, seed=4, examples=examples)
    with make_target(family_server.url) as target:
        result = Runner(target, options).run([("glue", operation) for operation in FAMILY_ORDER])
    found = [(op.operation, [{"severity": f.severity, "check": f.check, "message": f.message,
                              "request": f.request} for f in op.findings]) for op in result.operations]
    assert _server_errors(found) == []
    assert all(op.status in ("pass", "fail") and op.cases > 0 for op in result.operations)
    by_status = family_server.endpoint.stats.by_status
    # Valid cases with the hinted ids reached the resources: successes, not only errors.
    # (About 100 successes: a hinted case is sent once, and only so many exist with the seeded ids.)
    assert by_status[200] > 50 and by_status[400] > 100 and set(by_status) <= {200, 400}


def test_the_conformance_run_command_exits_0_against_the_server(family_server: Any, tmp_path: Path) -> None:
    examples = _seed_resources(family_server.url)
    report = tmp_path / "report.json"
    argv = ["run", *[f"glue:{operation}" for operation in FAMILY_ORDER], "--target", family_server.url,
            "--max-examples", "5", "--seed", "9", "--report-json", str(report)]
    for name, values in examples.items():
        argv += [arg for value in values for arg in ("--example", f"{name}={value}")]
    code = main(argv)
    data = json.loads(report.read_text())
    assert data["summary"]["operations"] == len(GLUE_ML)
    assert _server_errors([(op["operation"], op["findings"]) for op in data["operations"]]) == []
    assert code == (1 if data["summary"]["errors"] else 0)
