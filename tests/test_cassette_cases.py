"""Cassettes carry their cases: `--record` stores each case with its interaction, a replay sends them again.

So a cassette outlives a change of the generation code (or of Hypothesis): here the strategy a run draws its
cases from is replaced after recording, and the replay still finds every request it sends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import strategies as st

from conformance.cases import Case
from conformance.cassettes.reading import read_cassette
from conformance.cassettes.recorded_cases import RecordedCase, decode, encode
from tests.endpoints import serve
from tests.test_cassettes import findings_of, record, replay, without_cases

pytest_plugins = ["pytester"]


def _changed_generation(service: str, operation: str, kind: str, examples: dict[str, list[Any]]) -> Any:
    """What a new version of the strategies might draw: inputs the recording never sent."""
    return st.integers(0, 10**6).map(lambda n: Case(kind, {"TransformId": f"tfm-changed-{n}",
                                                           "TaskRunId": f"run-changed-{n}"}, "valid", "changed"))


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    path = tmp_path / "run.yaml"
    with serve("response_schema") as url:
        assert record(url, path, "--report-json", str(tmp_path / "recorded.json")) == 1
    return path


def test_every_case_is_stored_with_its_interaction(recorded: Path) -> None:
    cassette = read_cassette(recorded)
    cases = cassette.cases()
    assert cases and cassette.carries_cases
    assert {recorded_case.case.kind for _, recorded_case in cases} == {"valid", "invalid", "boundary"}
    for interaction, recorded_case in cases:
        assert (recorded_case.service, recorded_case.operation) == ("glue", "GetMLTaskRun")
        assert recorded_case.case.label
        # The parameters as given are what went on the wire (the JSON protocol's body is the input).
        body = interaction.request.body
        assert json.loads(body or b"{}") == recorded_case.params
    raw = yaml.safe_load(recorded.read_text())["interactions"]
    assert all(set(item) <= {"request", "response", "conformance_case"} for item in raw)


def test_a_replay_after_the_generation_code_changed_has_no_cassette_miss(recorded: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conformance.runner.case_strategy", _changed_generation)
    report = tmp_path / "replayed.json"
    assert replay(recorded, "--report-json", str(report)) == 1
    findings = findings_of(report)
    assert "cassette_miss" not in {f[0] for f in findings}
    assert findings == findings_of(tmp_path / "recorded.json")
    cases = json.loads(report.read_text())["operations"][0]["cases"]
    assert cases == len(read_cassette(recorded).cases())


def test_without_its_cases_the_same_change_breaks_the_replay(recorded: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The control, and old cassettes: without cases the run regenerates them, as before."""
    without_cases(recorded)
    monkeypatch.setattr("conformance.runner.case_strategy", _changed_generation)
    report = tmp_path / "replayed.json"
    assert replay(recorded, "--report-json", str(report)) == 1
    assert "cassette_miss" in {f[0] for f in findings_of(report)}


def test_an_old_cassette_without_cases_still_replays(recorded: Path, tmp_path: Path) -> None:
    without_cases(recorded)
    report = tmp_path / "replayed.json"
    assert replay(recorded, "--report-json", str(report)) == 1
    assert findings_of(report) == findings_of(tmp_path / "recorded.json")


def test_parameters_keep_the_types_json_lacks() -> None:
    import datetime

    params = {"Blob": b"\x00\xffraw", "When": datetime.datetime(2024, 2, 23, 14, 31, tzinfo=datetime.UTC),
              "Nested": [{"Text": "\ud800 lone surrogate"}], "Number": 1.5}
    assert decode(json.loads(json.dumps(encode(params)))) == params
    stored = RecordedCase("glue", "GetMLTaskRun", Case("invalid", {"A": "\ud800"}, "invalid", "x"), params).as_json()
    again = RecordedCase.from_json(yaml.safe_load(yaml.safe_dump(stored)), "here")
    assert again.params == params and again.case.value == {"A": "\ud800"}


def test_the_pytest_plugin_replays_the_recorded_cases_too(tmp_path: Path, pytester: pytest.Pytester,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    path = tmp_path / "correct.yaml"
    with serve("correct") as url:
        assert record(url, path) == 0
    monkeypatch.setattr("conformance.runner.case_strategy", _changed_generation)
    result = pytester.runpytest_inprocess("--conformance", "glue:GetMLTaskRun", "--conformance-target",
                                          f"cassette:{path}", "--conformance-max-examples", "5", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 0 and not outcomes.get("failed"), result.stdout.str()[-2000:]
