"""`--state FILE`: atomic writes, loud refusal of anything that is not a state file, survival of kills."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conformance.cli import main
from conformance.errors import UsageError
from conformance.server.glue_ml import STATE_KEY
from conformance.server.process import serve_process
from conformance.server.state import FORMAT, VERSION, StateFile

TRANSFORM = {
    "Role": "arn:aws:iam::123456789012:role/glue",
    "InputRecordTables": [{"DatabaseName": "db", "TableName": "people"}],
    "Parameters": {"TransformType": "FIND_MATCHES", "FindMatchesParameters": {"PrimaryKeyColumnName": "id"}},
}


def _glue(url: str) -> Any:
    return boto3.client("glue", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateFile(path, "glue") as state:
        assert state.open() == {}
        state.save({"glue-ml": {"transforms": {"tfm-1": {"Name": "n"}}, "task_runs": {}}})
    document = json.loads(path.read_text())
    assert (document["format"], document["version"], document["service"]) == (FORMAT, VERSION, "glue")
    assert StateFile(path, "glue").load() == {"glue-ml": {"transforms": {"tfm-1": {"Name": "n"}}, "task_runs": {}}}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is corrupt (not a JSON document"),
    (b'{"format": "conformance-serve-state", "vers', "is corrupt (not a JSON document"),
    (b"\xff\xfe", "is corrupt"),
    (b"[]", "is not a conformance serve state file"),
    (b'{"hello": 1}', "is not a conformance serve state file"),
    (json.dumps({"format": FORMAT, "version": 99, "service": "glue", "resources": {}}).encode(), "version 99"),
    (json.dumps({"format": FORMAT, "version": VERSION, "service": "dynamodb", "resources": {}}).encode(),
     "holds resources of 'dynamodb'"),
    (json.dumps({"format": FORMAT, "version": VERSION, "service": "glue", "resources": []}).encode(),
     '"resources" is not an object'),
])
def test_a_file_that_is_not_a_state_file_is_an_error_and_is_left_alone(tmp_path: Path, content: bytes,
                                                                        message: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace("[", r"\[")):
        StateFile(path, "glue").open()
    assert path.read_bytes() == content


def test_the_cli_refuses_a_corrupt_state_file_with_one_line_and_exit_2(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "state.json"
    path.write_text("{oops")
    assert main(["serve", "glue", "--state", str(path), "--port", "0", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is corrupt" in err and err.count("\n") == 1
    assert path.read_text() == "{oops"


@pytest.mark.parametrize(("arguments", "message"), [
    (["dynamodb", "--state", "{tmp}/s.json"], "dynamodb has none"),
    (["glue", "--state", "{tmp}/missing/s.json"], "does not exist"),
    (["glue", "--state", "{tmp}"], "is a directory"),
])
def test_state_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str],
                            message: str) -> None:
    argv = ["serve", *[a.replace("{tmp}", str(tmp_path)) for a in arguments], "--port", "0", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_one_server_per_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with StateFile(path, "glue") as first:
        first.open()
        with pytest.raises(UsageError, match="in use by another conformance serve"):
            StateFile(path, "glue").open()
    with StateFile(path, "glue") as again:  # released with the first
        again.open()


def test_a_failed_write_keeps_the_previous_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    state = StateFile(path, "glue")
    state.save({"glue-ml": {"transforms": {"tfm-1": {}}, "task_runs": {}}})
    before = path.read_bytes()

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        state.save({"glue-ml": {"transforms": {}, "task_runs": {}}})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_temporary_files_of_a_killed_server_are_removed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    stale = tmp_path / ".state.json.abc123.tmp"
    stale.write_text("half a document")
    unrelated = tmp_path / ".other.tmp"
    unrelated.write_text("not ours")
    with StateFile(path, "glue") as state:
        state.open()
    assert not stale.exists() and unrelated.exists()


def test_resources_survive_a_restart_and_runs_continue(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    arguments = ["glue", "--state", str(path), "--task-run-seconds", "1", "--quiet"]
    with serve_process(arguments) as server:
        glue = _glue(server.url)
        transform_id = glue.create_ml_transform(Name="kept", **TRANSFORM)["TransformId"]
        run_id = glue.start_ml_evaluation_task_run(TransformId=transform_id)["TaskRunId"]
        assert server.stop() == 0
        assert any("stopped after" in line for line in server.output())
    with serve_process(arguments) as server:
        glue = _glue(server.url)
        assert glue.get_ml_transform(TransformId=transform_id)["Name"] == "kept"
        deadline = time.monotonic() + 10
        status = ""
        while time.monotonic() < deadline and status != "SUCCEEDED":
            status = glue.get_ml_task_run(TransformId=transform_id, TaskRunId=run_id)["Status"]
            time.sleep(0.1)
        assert status == "SUCCEEDED"
        assert server.stop() == 0


def test_a_kill_during_writes_never_corrupts_the_file_nor_loses_an_acknowledged_change(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    acknowledged: list[str] = []
    with serve_process(["glue", "--state", str(path), "--quiet"]) as server:
        stop = threading.Event()

        def create(worker: int) -> None:
            glue = _glue(server.url)
            number = 0
            while not stop.is_set():
                number += 1
                try:
                    transform = glue.create_ml_transform(Name=f"w{worker}-{number}", **TRANSFORM)
                except Exception:
                    return  # the server is gone
                if "TransformId" not in transform:
                    return  # the answer was cut by the kill: not an acknowledgement
                acknowledged.append(transform["TransformId"])

        workers = [threading.Thread(target=create, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 60 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        stop.set()
        for worker in workers:
            worker.join(timeout=20)
    assert len(acknowledged) >= 60
    saved = StateFile(path, "glue").load()[STATE_KEY]["transforms"]
    # Every answer the server sent was saved first; a change in flight may or may not be there.
    assert set(acknowledged) <= set(saved)
    with serve_process(["glue", "--state", str(path), "--quiet"]) as server:
        listed = _glue(server.url).get_ml_transforms(MaxResults=1000)["Transforms"]
        assert {t["TransformId"] for t in listed} == set(saved)
