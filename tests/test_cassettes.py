"""Cassettes: record a run with vcrpy, replay it with no network, check recorded responses (check-cassette).

Every endpoint here listens on 127.0.0.1 and is stopped by the test that started it; replays run with the
endpoint stopped and sockets blocked, so a request that leaked past the cassette would be seen.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from conformance.cli import main
from tests.endpoints import serve, serve_handler

OPERATION = "glue:GetMLTaskRun"
CANARY_KEY = "AKIACANARY7Q3XZ2M4PL"
CANARY_SECRET = "canarySecretK9vQ2wX7bN4mR8tY1uZ5pL3sD6fH0jGa"
CANARY_TOKEN = "canarySessionTokenFwoGZXIvYXdzEJr//////////wEaDM9canary"
STS_SECRET = "StsIssuedSecretValue1234567890abcdefghij"
OTHER_ACCOUNT = "987654321098"


def record(url: str, path: Path, *extra: str, seed: int = 3, examples: int = 5) -> int:
    return main(["run", OPERATION, "--target", url, "--max-examples", str(examples), "--seed", str(seed),
                 "--record", str(path), *extra])


def replay(path: Path, *extra: str, examples: int = 5) -> int:
    return main(["run", OPERATION, "--target", f"cassette:{path}", "--max-examples", str(examples), *extra])


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every socket connection attempt is refused and noted: a replay must make none."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


@pytest.fixture
def isolated_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user config or credentials: the dummy ones, unless a test sets its own."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def findings_of(report: Path) -> list[tuple[str, str, str, str]]:
    data = json.loads(report.read_text())
    return [(f["check"], f["severity"], f["pointer"], f["message"])
            for op in data["operations"] for f in op["findings"]]


# -- round trip ---------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("isolated_credentials")
def test_round_trip_replays_the_same_run_with_the_endpoint_stopped(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cassette, recorded, replayed = tmp_path / "run.yaml", tmp_path / "recorded.json", tmp_path / "replayed.json"
    with serve("response_schema") as url:
        assert record(url, cassette, "--report-json", str(recorded)) == 1
    attempts: list[Any] = []
    socket_connect_blocked(monkeypatch, attempts)
    # The seed comes from the cassette: the replay repeats the recorded run without --seed.
    assert replay(cassette, "--report-json", str(replayed)) == 1
    assert attempts == []
    assert findings_of(replayed) == findings_of(recorded)
    assert ("response_schema", "error", "/ExecutionTime") in {f[:3] for f in findings_of(replayed)}
    first, second = json.loads(recorded.read_text()), json.loads(replayed.read_text())
    assert [op["cases"] for op in first["operations"]] == [op["cases"] for op in second["operations"]]
    assert second["seed"] == 3 and second["target"] == f"cassette:{cassette}"


def without_cases(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    for interaction in data["interactions"]:
        interaction.pop("conformance_case", None)
    path.write_text(yaml.safe_dump(data))


def socket_connect_blocked(monkeypatch: pytest.MonkeyPatch, attempts: list[Any]) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.mark.usefixtures("isolated_credentials")
def test_a_request_the_cassette_does_not_hold_is_a_cassette_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cassette, report = tmp_path / "run.yaml", tmp_path / "report.json"
    with serve("correct") as url:
        assert record(url, cassette) == 0
    without_cases(cassette)  # as cassettes were before they carried their cases: the seed regenerates them
    attempts: list[Any] = []
    socket_connect_blocked(monkeypatch, attempts)
    capsys.readouterr()
    assert replay(cassette, "--seed", "4", "--report-json", str(report)) == 1
    assert attempts == []  # a miss is never a network call
    misses = [f for f in findings_of(report) if f[0] == "cassette_miss"]
    assert len(misses) == 1 and misses[0][1] == "error"
    assert "holds no response for POST http://127.0.0.1:" in misses[0][3] and "AWSGlue.GetMLTaskRun" in misses[0][3]
    operation = json.loads(report.read_text())["operations"][0]
    assert operation["status"] == "error"
    captured = capsys.readouterr()
    assert "differs from the recorded run in seed 4 (recorded: 3)" in captured.err


@pytest.mark.usefixtures("isolated_credentials")
def test_record_refuses_a_file_that_is_not_ours_unless_forced(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    theirs = tmp_path / "notes.yaml"
    theirs.write_text("my: notes\n")
    with serve("correct") as url:
        assert record(url, theirs) == 2
        assert "is not a cassette conformance recorded; pass --force" in capsys.readouterr().err
        assert theirs.read_text() == "my: notes\n"
        assert record(url, theirs, "--force") == 0
        assert record(url, theirs, seed=5) == 0  # ours now: recording again replaces it
    assert yaml.safe_load(theirs.read_text())["conformance"]["run"]["seed"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "moto", "--record", "{tmp}/a.yaml"], "in-process moto answers inside botocore"),
        (["--redact-account"], "--redact-account only applies with --record"),
        (["--target", "{url}", "--record", "{tmp}"], "is a directory"),
        (["--target", "cassette:{tmp}/missing.yaml"], "missing.yaml: no such file"),
        (["--target", "cassette:"], "needs a path"),
        (["--workers", "2", "--record", "{tmp}/a.yaml"], "does not combine with --workers"),
    ],
)
def test_cassette_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with serve("correct") as url:
        argv = ["run", OPERATION, "--max-examples", "2",
                *(a.replace("{tmp}", str(tmp_path)).replace("{url}", url) for a in args)]
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# -- secrets ------------------------------------------------------------------------------------------------

class _Echo(BaseHTTPRequestHandler):
    """A GetMLTaskRun endpoint that echoes the credentials it was sent, and hands out STS-like ones."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        authorization = self.headers.get("Authorization", "")
        token = self.headers.get("X-Amz-Security-Token", "")
        body = {
            "TransformId": request.get("TransformId", ""), "TaskRunId": request.get("TaskRunId", ""),
            "Status": "SUCCEEDED", "LogGroupName": f"arn:aws:logs:us-east-1:{OTHER_ACCOUNT}:log-group:/ml",
            "ErrorString": f"you sent {authorization} with {token}",
            "Credentials": {"AccessKeyId": "ASIASTSISSUED0000001", "SecretAccessKey": STS_SECRET,
                            "SessionToken": "StsIssuedSessionToken0987654321zyxwvu"},
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("x-echo-authorization", authorization)
        self.send_header("x-echo-url", f"{self.path}?X-Amz-Credential={CANARY_KEY}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def echo_endpoint() -> AbstractContextManager[str]:
    return serve_handler(_Echo)


@pytest.mark.usefixtures("isolated_credentials")
def test_canary_credentials_never_reach_the_cassette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CANARY_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", CANARY_TOKEN)
    cassette = tmp_path / "canary.yaml"
    with echo_endpoint() as url:
        assert record(url, cassette, "--redact-account", examples=3) in (0, 1)
    text = cassette.read_text()
    assert len(yaml.safe_load(text)["interactions"]) > 3
    for secret in (CANARY_KEY, CANARY_SECRET, CANARY_TOKEN, STS_SECRET, "StsIssuedSessionToken", OTHER_ACCOUNT):
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:16] not in text
        assert urllib.parse.quote(secret, safe="") not in text
    data = yaml.safe_load(text)
    for interaction in data["interactions"]:
        names = {name.lower() for name in interaction["request"]["headers"]}
        assert not names & {"authorization", "x-amz-security-token", "x-amz-credential"}
    assert "arn:aws:logs:us-east-1:123456789012:log-group:/ml" in text
    assert "REDACTED" in text
    # The redacted cassette still replays: the same request hooks run before matching.
    report = tmp_path / "replay.json"
    assert replay(cassette, "--report-json", str(report), examples=3) in (0, 1)
    assert "cassette_miss" not in {f[0] for f in findings_of(report)}


# -- vcrpy and pytest-recording read what we write ----------------------------------------------------------

@pytest.fixture(scope="module")
def recorded_cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cassettes") / "correct.yaml"
    with serve("correct") as url:
        assert record(url, path) == 0
    return path


def test_vcrpy_own_loader_reads_our_cassette(recorded_cassette: Path) -> None:
    requests, responses = deserialize(recorded_cassette.read_text(), yamlserializer)
    assert len(requests) == len(responses) > 5
    assert {r.headers["X-Amz-Target"] for r in requests} >= {"AWSGlue.GetMLTaskRun"}
    assert all(isinstance(r["body"]["string"], bytes) and r["status"]["code"] for r in responses)


def test_vcrpy_replays_our_cassette_to_plain_boto3(recorded_cassette: Path, no_network: list[Any]) -> None:
    import boto3

    from conformance.cassettes.matching import AWS_MATCH_ON, register_matchers

    requests, responses = deserialize(recorded_cassette.read_text(), yamlserializer)
    index = next(i for i, r in enumerate(requests) if r.headers.get("X-Amz-Target") == "AWSGlue.GetMLTaskRun"
                 and responses[i]["status"]["code"] == 200)
    params = json.loads(requests[index].body)
    endpoint = urllib.parse.urlsplit(requests[index].uri)
    recorder = register_matchers(vcr.VCR(record_mode="none", match_on=AWS_MATCH_ON))
    with recorder.use_cassette(str(recorded_cassette)):
        client = boto3.client("glue", region_name="us-east-1", endpoint_url=f"http://{endpoint.netloc}",
                              aws_access_key_id="other", aws_secret_access_key="other")
        # Key order differs from the recording: the canonical JSON body matches all the same.
        answer = client.get_ml_task_run(**dict(reversed(list(params.items()))))
    assert answer["Status"] == "SUCCEEDED" and answer["TaskRunId"] == params["TaskRunId"]
    assert no_network == []


pytest_plugins = ["pytester"]

USER_SUITE = '''
import json, os
import boto3
import pytest

@pytest.fixture(scope="module")
def vcr_config():
    return {"match_on": ["method", "scheme", "host", "port", "path", "aws_target", "aws_body"]}

@pytest.mark.vcr
def test_get_task_run():
    client = boto3.client("glue", region_name="us-east-1", endpoint_url=os.environ["ENDPOINT"],
                          aws_access_key_id="AKIAUSERSUITE0000000", aws_secret_access_key="user-suite-secret")
    assert client.get_ml_task_run(TransformId="tfm-1", TaskRunId="tsk")["TaskRunId"] == "tsk"
'''

OUR_CASSETTE_IN_USER_SUITE = '''
import json, os
import boto3
import pytest

@pytest.fixture(scope="module")
def vcr_config():
    return {"match_on": ["method", "scheme", "host", "port", "path", "aws_target", "aws_body"]}

@pytest.mark.vcr(os.environ["OURS"])
def test_replays_ours():
    params, endpoint = json.loads(os.environ["PARAMS"]), os.environ["ENDPOINT"]
    client = boto3.client("glue", region_name="us-east-1", endpoint_url=endpoint,
                          aws_access_key_id="x", aws_secret_access_key="y")
    assert client.get_ml_task_run(**params)["Status"] == "SUCCEEDED"
'''


def test_pytest_recording_replays_our_cassette(recorded_cassette: Path, pytester: pytest.Pytester,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    requests, responses = deserialize(recorded_cassette.read_text(), yamlserializer)
    index = next(i for i, r in enumerate(requests) if r.headers.get("X-Amz-Target") == "AWSGlue.GetMLTaskRun"
                 and responses[i]["status"]["code"] == 200)
    monkeypatch.setenv("OURS", str(recorded_cassette))
    monkeypatch.setenv("PARAMS", requests[index].body.decode())
    monkeypatch.setenv("ENDPOINT", f"http://{urllib.parse.urlsplit(requests[index].uri).netloc}")
    pytester.makepyfile(test_user=OUR_CASSETTE_IN_USER_SUITE)
    result = pytester.runpytest_subprocess("--record-mode=none", "--block-network", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _user_cassette(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cassette recorded by a user's own pytest-recording suite (vcrpy's defaults: Authorization kept)."""
    pytester.makepyfile(test_user=USER_SUITE)
    with serve("correct") as url:
        monkeypatch.setenv("ENDPOINT", url)
        pytester.runpytest_subprocess("--record-mode=once", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    path = pytester.path / "cassettes" / "test_user" / "test_get_task_run.yaml"
    assert "Authorization" in path.read_text()
    return path


def test_check_cassette_reads_a_user_pytest_recording_cassette(pytester: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = _user_cassette(pytester, monkeypatch)
    assert main(["check-cassette", str(path)]) == 0
    assert "1 checked (glue:GetMLTaskRun 1), 0 errors" in capsys.readouterr().out


def test_pytest_plugin_checks_replayed_responses(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _user_cassette(pytester, monkeypatch)
    # Endpoint stopped: everything below is replayed by pytest-recording.
    pytester.runpytest_subprocess("--conformance-check-cassettes", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    path.write_text(path.read_text().replace("SUCCEEDED", "DONE"))
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)  # the suite alone passes
    # A value outside the enum: real AWS answers such (a warning), an error with --conformance-strict.
    result = pytester.runpytest_subprocess("--conformance-check-cassettes", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess("--conformance-check-cassettes", "--conformance-strict",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*glue:GetMLTaskRun [[]enum[]] /Status: 'DONE' is not one of*"])


# -- check-cassette ---------------------------------------------------------------------------------------

def test_check_cassette_passes_a_clean_recording(recorded_cassette: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-cassette", str(recorded_cassette)]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out and "glue:GetMLTaskRun" in out


def test_a_tampered_enum_fails_check_cassette_when_strict(recorded_cassette: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    tampered = tmp_path / "tampered.yaml"
    tampered.write_text(recorded_cassette.read_text().replace('"SUCCEEDED"', '"DONE"', 1))
    report = tmp_path / "report.json"
    # Real AWS answers values outside the enum: a warning that says so by default.
    assert main(["check-cassette", str(tampered)]) == 0
    assert "AWS itself answers this: 'DONE' outside the enum" in capsys.readouterr().out
    assert main(["check-cassette", str(tampered), "--strict", "--report-json", str(report)]) == 1
    out = capsys.readouterr().out
    assert "glue:GetMLTaskRun [enum] /Status: 'DONE' is not one of" in out
    data = json.loads(report.read_text())
    found = [f for item in data["cassettes"][0]["interactions"] for f in item["findings"]]
    assert [(f["check"], f["pointer"], f["aws_deviation"]) for f in found] == [("enum", "/Status", "enum-value")]
    assert data["summary"]["aws_deviations"] == 1


def test_check_cassette_reads_json_cassettes(recorded_cassette: Path, tmp_path: Path) -> None:
    data = yaml.load(recorded_cassette.read_text(), Loader=yaml.SafeLoader)
    as_json = tmp_path / "run.json"
    as_json.write_text(json.dumps(data))
    assert main(["check-cassette", str(as_json)]) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("truncate inside a response", "interaction"),
        ("truncate inside a string", "not valid YAML"),
        ("", "empty file, not a cassette"),
        ("- just\n- a list\n", "format of vcrpy before 1.0"),
        ("hello: world\n", "not a vcrpy cassette (no top-level 'interactions' list)"),
        ("interactions:\n- request: {method: GET, uri: 'http://x/'}\n", "interaction 1 has no response mapping"),
        ("interactions:\n- request: {method: GET, uri: 'http://x/'}\n  response: {status: {code: '200'}, "
         "body: {string: ''}}\n", "interaction 1: response.status.code is missing or not an integer"),
        ("interactions: [{request: {method: GET, uri: 'http://x/'}, response: {status: {code: 200}}}]\n",
         "interaction 1: response.body.string is missing"),
        ("interactions:\n- !!python/object/apply:os.system ['true']\n", "a YAML tag vcrpy's safe loader refuses"),
    ],
)
def test_unreadable_cassettes_exit_2_with_one_line(content: str, message: str, recorded_cassette: Path,
                                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yaml"
    text = recorded_cassette.read_text()
    if content == "truncate inside a response":
        path.write_text(text[: text.index("  response:", len(text) // 2) + 30])
    elif content == "truncate inside a string":
        path.write_text(text[: text.index("string: '{", len(text) // 2) + 20])
    else:
        path.write_text(content)
    assert main(["check-cassette", str(recorded_cassette), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and message in err, err


def test_check_cassette_on_a_directory_or_missing_file_exits_2(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-cassette", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["check-cassette", str(tmp_path / "none.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
