"""`conformance parity`: a recording of an AWS-like endpoint (`conformance serve glue`) against other endpoints.

Against a fresh `conformance serve glue` (other random ids, other timestamps) every pair agrees: the ids are
paired and the dates normalized. Against the same server behind a proxy that plants four differences,
exactly those four are found. Against moto, moto's known deviations are.
"""

from __future__ import annotations

import datetime
import http.client
import json
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from conformance.cassettes.reading import read_cassette
from conformance.cli import main
from conformance.exchange import Exchange, HttpResponse
from conformance.parity import BUILTIN, IdMap, compare, pattern_normalizer
from conformance.parity.runner import LiveSide, ParityOptions, ParityRunner, RecordedSide
from conformance.parity.steps import recorded_steps
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.glue_ml import GlueMLFamily, GlueMLOptions
from conformance.server.http import serve_in_thread
from conformance.targets import make_target
from tests.endpoints import serve_handler

OPERATIONS = ["glue:GetMLTaskRun", "glue:GetMLTransform", "glue:GetMLTransforms"]


def glue_server(seed: int) -> Any:
    # Task runs stay in their first state for the whole test: both sides then report the same one.
    family = GlueMLFamily(GlueMLOptions(task_run_seconds=3600))
    return serve_in_thread(Endpoint("glue", EndpointOptions(seed=seed), family))


@pytest.fixture(autouse=True)
def isolated_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(scope="module")
def aws_like_cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `conformance run --record` keeps of a run against an endpoint that behaves like AWS."""
    path = tmp_path_factory.mktemp("parity") / "aws-like.yaml"
    with glue_server(seed=1) as server:
        assert main(["run", *OPERATIONS, "--target", server.url, "--seed", "1", "--max-examples", "5",
                     "--record", str(path)]) == 0
    return path


def findings(report: Path) -> set[tuple[str, str, str, str]]:
    data = json.loads(report.read_text())
    return {(op["operation"], f["severity"], f["pointer"], f["response"]["values"]["aspect"])
            for op in data["operations"] for f in op["findings"]}


def test_a_recording_agrees_with_a_fresh_server_of_the_same_kind(aws_like_cassette: Path, tmp_path: Path) -> None:
    report = tmp_path / "parity.json"
    with glue_server(seed=7) as server:
        assert main(["parity", "--target", f"cassette:{aws_like_cassette}", "--target", server.url,
                     "--report-json", str(report)]) == 0
    data = json.loads(report.read_text())
    assert findings(report) == set()
    scores = {op["operation"]: op["parity"] for op in data["operations"]}
    assert scores["GetMLTaskRun"]["pairs"] > 3 and scores["GetMLTaskRun"]["score"] == 1.0
    assert data["summary"]["parity"] == 1.0
    assert [n["name"] for n in data["normalizers"]] == [n.name for n in BUILTIN]


def test_ids_created_on_each_side_are_paired(aws_like_cassette: Path) -> None:
    """create → get on each side with its own ids: the recording's TransformId maps to the server's."""
    notes: list[str] = []
    steps = recorded_steps(read_cassette(aws_like_cassette), OPERATIONS, notes)
    with glue_server(seed=7) as server:
        target = make_target(server.url)
        with target:
            runner = ParityRunner(RecordedSide("recording"), LiveSide(target), ParityOptions())
            result = runner.run_recorded(steps)
    paired = {a: b for a, b in runner.ids.a_to_b.items() if a.startswith("tfm-")}
    assert paired and all(b.startswith("tfm-") and a != b for a, b in paired.items())
    sent = [step.params for step in steps if step.operation == "GetMLTaskRun"]
    assert any(params.get("TransformId") in paired for params in sent)
    assert result.errors == 0


def test_any_vcrpy_cassette_replays_its_interactions_in_order(aws_like_cassette: Path, tmp_path: Path) -> None:
    """A cassette conformance did not record (no `conformance:` key, no cases): the JSON bodies are the cases."""
    import yaml

    data = yaml.safe_load(aws_like_cassette.read_text())
    foreign = {"version": data["version"],
               "interactions": [{"request": i["request"], "response": i["response"]} for i in data["interactions"]]}
    path = tmp_path / "pytest-recording.yaml"
    path.write_text(yaml.safe_dump(foreign))
    report = tmp_path / "foreign.json"
    with glue_server(seed=7) as server:
        assert main(["parity", str(path), "--target", server.url, "--report-json", str(report)]) == 0
    result = json.loads(report.read_text())
    assert result["summary"]["pairs"] == len(foreign["interactions"]) and result["summary"]["parity"] == 1.0


class _Planted(BaseHTTPRequestHandler):
    """`conformance serve glue` behind a proxy that plants four differences, and nothing else."""

    upstream = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urllib.parse.urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("POST", self.path, body, dict(self.headers.items()))
        upstream = connection.getresponse()
        status, headers, answer = upstream.status, dict(upstream.getheaders()), upstream.read()
        connection.close()
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        data = json.loads(answer or b"{}")
        if operation == "GetMLTransform" and status == 200:
            data.pop("Timeout")  # 1: a member left out
            data["Status"] = "DELETING"  # 2: another enum value
        elif operation == "GetMLTaskRun" and status == 400 and "EntityNotFound" in data.get("__type", ""):
            data["__type"] = "com.amazonaws.glue#InvalidInputException"  # 3: another error code
        elif operation == "GetMLTransforms" and status == 200:
            data["NextPageHint"] = "x"  # 4: a member only this side sends
        answer = json.dumps(data).encode()
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def planted_endpoint() -> Iterator[str]:
    with glue_server(seed=7) as server, serve_handler(type("Planted", (_Planted,), {"upstream": server.url})) as url:
        yield url


def test_the_differences_found_are_exactly_the_planted_ones(aws_like_cassette: Path, planted_endpoint: str,
                                                            tmp_path: Path) -> None:
    report, junit, html, markdown = (tmp_path / name for name in ("p.json", "p.xml", "p.html", "p.md"))
    assert main(["parity", "--target", f"cassette:{aws_like_cassette}", "--target", planted_endpoint,
                 "--report-json", str(report), "--junit", str(junit), "--report-html", str(html),
                 "--report-md", str(markdown)]) == 1
    assert findings(report) == {
        ("GetMLTransform", "error", "/Timeout", "member-missing"),
        ("GetMLTransform", "error", "/Status", "enum"),
        ("GetMLTaskRun", "error", "", "error-code"),
        ("GetMLTransforms", "warning", "/NextPageHint", "member-extra"),
    }
    data = json.loads(report.read_text())
    status = next(f for op in data["operations"] for f in op["findings"] if f["pointer"] == "/Status")
    values = status["response"]["values"]
    assert values["a"] in ("NOT_READY", "READY") and values["b"] == "DELETING"
    # Both raw exchanges travel with the finding.
    assert status["request"]["b"]["url"].startswith(planted_endpoint)
    assert '"DELETING"' in status["response"]["b"]["body"] and '"DELETING"' not in status["response"]["body"]
    assert status["request"]["params"]["TransformId"].startswith("tfm-")
    scores = {op["operation"]: op["parity"] for op in data["operations"]}
    assert scores["GetMLTransforms"]["score"] == 1.0  # a warning does not break a pair's agreement
    assert 0 < scores["GetMLTransform"]["score"] < 1
    assert 'name="parity"' in junit.read_text() or "parity" in junit.read_text()
    assert "/Status" in html.read_text() and "parity:" in html.read_text()
    summary = markdown.read_text()
    assert "| glue:GetMLTransforms | " in summary and "`request_id`" in summary and "/Status" in summary


def test_a_recording_against_moto_shows_its_known_deviations(aws_like_cassette: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "moto.json"
    assert main(["parity", str(aws_like_cassette), "--target", "moto", "--report-json", str(report)]) == 1
    found = findings(report)
    # moto answers an invalid GetMLTransform input with EntityNotFoundException, AWS with InvalidInputException.
    assert ("GetMLTransform", "error", "", "error-code") in found
    assert ("GetMLTaskRun", "error", "", "not-implemented") in found  # moto has no GetMLTaskRun
    out = capsys.readouterr().out
    assert "error code differs: A 'InvalidInputException', B 'EntityNotFoundException'" in out


def test_two_live_targets_get_the_same_generated_cases(tmp_path: Path) -> None:
    report = tmp_path / "live.json"
    with glue_server(seed=1) as a, glue_server(seed=1) as b:
        assert main(["parity", "glue:GetMLTransform", "--target", a.url, "--target", b.url, "--seed", "3",
                     "--max-examples", "5", "--report-json", str(report)]) == 0
    operation = json.loads(report.read_text())["operations"][0]
    assert operation["parity"]["pairs"] > 5 and operation["parity"]["score"] == 1.0


def _answer(body: dict[str, Any], request_id: str) -> Exchange:
    raw = json.dumps(body, default=str).encode()
    return Exchange("glue", "GetMLTransform", {}, response=HttpResponse(
        200, {"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.1"}, raw),
        parsed={**body, "ResponseMetadata": {"RequestId": request_id}})


def test_answers_differing_only_in_request_id_date_and_generated_id_agree() -> None:
    ids = IdMap()
    created_a = {"TransformId": "tfm-aaaaaaaaaaaaaaaaaaaa"}
    created_b = {"TransformId": "tfm-bbbbbbbbbbbbbbbbbbbb"}
    ids.learn(created_a, created_b)  # CreateMLTransform on each side
    a = _answer({"TransformId": "tfm-aaaaaaaaaaaaaaaaaaaa", "Status": "READY", "RequestId": "req-1",
                 "CreatedOn": datetime.datetime(2024, 2, 23, 14, 31, tzinfo=datetime.UTC),
                 "Role": "arn:aws:iam::111111111111:role/glue", "LastRun": "2024-02-23T14:31:25Z"}, "req-1")
    b = _answer({"TransformId": "tfm-bbbbbbbbbbbbbbbbbbbb", "Status": "READY", "RequestId": "req-2",
                 "CreatedOn": datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC),
                 "Role": "arn:aws:iam::222222222222:role/glue", "LastRun": "2026-12-01T09:00:00Z"}, "req-2")
    assert compare(a, b, BUILTIN, ids) == []
    # Without the normalizers and the pairing, each of those is a difference.
    found = {d.pointer for d in compare(a, b, [], IdMap())}
    assert found == {"/TransformId", "/RequestId", "/CreatedOn", "/Role", "/LastRun"}


def test_an_id_that_comes_back_wrong_is_a_difference() -> None:
    ids = IdMap()
    ids.learn({"TransformId": "tfm-aaaaaaaaaaaaaaaaaaaa"}, {"TransformId": "tfm-bbbbbbbbbbbbbbbbbbbb"})
    a = _answer({"TransformId": "tfm-aaaaaaaaaaaaaaaaaaaa"}, "1")
    b = _answer({"TransformId": "tfm-cccccccccccccccccccc"}, "2")
    ids.learn(a.parsed, b.parsed)  # already paired: not re-learned
    [difference] = compare(a, b, BUILTIN, ids)
    assert difference.pointer == "/TransformId" and difference.b == "tfm-cccccccccccccccccccc"


def test_normalizers_extend_from_the_command_line_and_the_api(aws_like_cassette: Path, planted_endpoint: str,
                                                              tmp_path: Path) -> None:
    extra = pattern_normalizer("status", r"^(DELETING|READY|NOT_READY)$")
    a, b = _answer({"Status": "READY"}, "1"), _answer({"Status": "DELETING"}, "2")
    assert compare(a, b, [*BUILTIN, extra], IdMap()) == []
    report = tmp_path / "p.json"
    assert main(["parity", "--target", f"cassette:{aws_like_cassette}", "--target", planted_endpoint,
                 "--normalize", "status=^(DELETING|READY|NOT_READY)$", "--normalize", "hint=@NextPageHint",
                 "--no-normalize", "uuid", "--report-json", str(report)]) == 1
    found = findings(report)
    assert ("GetMLTransform", "error", "/Status", "enum") not in found
    assert ("GetMLTransform", "error", "/Timeout", "member-missing") in found
    names = [n["name"] for n in json.loads(report.read_text())["normalizers"]]
    assert "status" in names and "hint" in names and "uuid" not in names


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "moto"], "give two --target options"),
    (["glue:GetMLTransform", "--target", "moto", "--target", "moto", "--target", "aws"], "give two --target"),
    (["{cassette}", "--target", "moto", "--target", "moto"], "exactly one --target"),
    (["--target", "cassette:{cassette}", "--target", "cassette:{cassette}"], "one side must be live"),
    (["glue:GetMLTransform", "--target", "moto", "--target", "moto", "--normalize", "bad"], "NAME=REGEX"),
    (["glue:GetMLTransform", "--target", "moto", "--target", "moto", "--no-normalize", "x"], "not a built-in"),
    (["glue:GetMLTransform", "--target", "moto", "--target", "moto", "--normalize", "x=("], "not a regular"),
    (["{tmp}/missing.yaml", "--target", "moto"], "no such file"),
])
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str, aws_like_cassette: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.replace("{cassette}", str(aws_like_cassette)).replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["parity", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_baseline_gates_parity_on_new_differences_only(aws_like_cassette: Path, planted_endpoint: str,
                                                         tmp_path: Path) -> None:
    first, baseline, again = tmp_path / "first.json", tmp_path / "baseline.json", tmp_path / "again.json"
    args = ["parity", "--target", f"cassette:{aws_like_cassette}", "--target", planted_endpoint]
    assert main([*args, "--report-json", str(first)]) == 1
    assert main(["baseline", "write", str(baseline), "--report", str(first)]) == 0
    # The planted endpoint keeps what the first run created, so the second run differs in new ways too; the
    # differences the first run found are known now: reported as such, and only the new ones fail.
    code = main([*args, "--baseline", str(baseline), "--report-json", str(again)])
    data = json.loads(again.read_text())
    marks = {(op["operation"], f["pointer"]): f["baseline"] for op in data["operations"] for f in op["findings"]
             if f["severity"] == "error"}
    earlier = {(op["operation"], f["pointer"]) for op in json.loads(first.read_text())["operations"]
               for f in op["findings"] if f["severity"] == "error"}
    assert data["summary"]["baseline"]["known"] >= 1
    assert all(marks[key] == "known" for key in earlier & set(marks) if key[1])
    assert code == (1 if data["summary"]["baseline"]["new"] else 0)
    assert main([*args, "--baseline-update"]) == 2  # --baseline-update needs --baseline
