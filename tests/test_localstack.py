"""Parity of moto against LocalStack, a second real mock, on a few SQS, SNS and IAM operations.

LocalStack runs in host mode, without Docker, from its own Python 3.13 virtualenv (`.ci/install-localstack`
makes it; `CONFORMANCE_LOCALSTACK_VENV` points elsewhere). The test skips, saying why, when it is not there
or does not start. It listens on 127.0.0.1 only, with its DNS server, certificate download and analytics off.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.cases import Case
from conformance.cli import main
from conformance.parity.runner import LiveSide, ParityOptions, ParityRunner
from conformance.parity.steps import Step
from conformance.targets import make_target

OPERATIONS = ["sqs:ListQueues", "sqs:GetQueueUrl", "sns:ListTopics", "iam:ListRoles"]
START_SECONDS = 90


def localstack_python() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = Path(os.environ.get("CONFORMANCE_LOCALSTACK_VENV") or cache / "conformance" / "localstack")
    return venv / "bin" / "python"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def localstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = localstack_python()
    if not python.exists() or subprocess.run([str(python), "-c", "import localstack.runtime.main, rolo"],
                                             capture_output=True, check=False).returncode:
        pytest.skip(f"LocalStack is not installed in {python.parent.parent} (run .ci/install-localstack; "
                    "it needs Python 3.13)")
    port, folder = _free_port(), tmp_path_factory.mktemp("localstack")
    env = {**os.environ, "OVERRIDE_IN_DOCKER": "0", "GATEWAY_LISTEN": f"127.0.0.1:{port}",
           "SERVICES": "sqs,sns,iam,sts", "DNS_ADDRESS": "0", "SKIP_SSL_CERT_DOWNLOAD": "1",
           "DISABLE_EVENTS": "1", "PERSISTENCE": "0", "LOCALSTACK_VOLUME_DIR": str(folder / "volume"),
           "TMPDIR": str(folder)}
    log = (folder / "localstack.log").open("w")
    process = subprocess.Popen([str(python), "-m", "localstack.runtime.main"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_localstack/health", timeout=2) as answer:
                    if json.load(answer).get("services", {}).get("sqs") in ("available", "running"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "localstack.log").read_text()[-600:]
                pytest.skip(f"LocalStack did not start in {START_SECONDS} s: {tail}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()  # its gateway can ignore SIGTERM while a worker thread is busy
            process.wait(timeout=10)
        log.close()


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


def test_moto_against_localstack(localstack: str, tmp_path: Path) -> None:
    report = tmp_path / "parity.json"
    code = main(["parity", *OPERATIONS, "--target", "moto", "--target", localstack, "--max-examples", "3",
                 "--seed", "1", "--report-json", str(report)])
    assert code in (0, 1)
    data = json.loads(report.read_text())
    assert data["sides"] == {"a": "moto", "b": localstack}
    for operation in data["operations"]:
        assert operation["status"] in ("pass", "fail"), operation
        assert operation["parity"]["pairs"] > 0
        for finding in operation["findings"]:
            assert finding["check"] == "parity" and finding["response"]["b"]["status"] > 0
    # The two mocks agree on much: a valid listing of an empty account is the same on both.
    assert data["summary"]["agree"] > 0


def test_create_then_get_runs_on_each_side_with_its_own_queue(localstack: str) -> None:
    """CreateQueue on both; GetQueueAttributes then goes to each with its own queue URL (paired from the answers)."""
    a, b = make_target("moto"), make_target(localstack)
    with a, b:
        runner = ParityRunner(LiveSide(a), LiveSide(b), ParityOptions(seed=1))
        name = "conformance-parity-queue"
        runner.pair(Step("sqs", "CreateQueue", Case("valid", {"QueueName": name}, "valid", "create"),
                         {"QueueName": name}))
        [(url_a, url_b)] = [(k, v) for k, v in runner.ids.a_to_b.items() if k.endswith(name)]
        assert url_a != url_b  # moto: sqs.us-east-1.amazonaws.com/123456789012/..., LocalStack: its own host
        params = {"QueueUrl": url_a, "AttributeNames": ["QueueArn"]}
        runner.pair(Step("sqs", "GetQueueAttributes", Case("valid", params, "valid", "get"), params))
        result = runner.run_recorded([], [("sqs", "CreateQueue"), ("sqs", "GetQueueAttributes")])
    by_name = {op.operation: op for op in result.run.operations}
    assert by_name["CreateQueue"].cases == 1 and by_name["GetQueueAttributes"].cases == 1
    # Each side found its own queue (a 2xx on both), and the ARNs agree once account and region are normalized.
    assert not [f for f in by_name["GetQueueAttributes"].findings if f.severity == "error"], \
        by_name["GetQueueAttributes"].findings
