"""Each distinct case is sent once: no retry of a 5xx answer; throttling retried, bounded and counted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

from conformance.checks import CHECKS
from conformance.report.json_report import report_dict
from conformance.results import RunResult
from conformance.runner import Runner, RunOptions
from conformance.targets import make_target
from conformance.targets.throttling import MAX_THROTTLING_RETRIES, MAX_WAIT_SECONDS, ThrottlingRetries
from tests.endpoints import serve_handler


class _Counting(BaseHTTPRequestHandler):
    """Answers every request with one fixed answer, and counts the requests."""

    status = 500
    headers_out: ClassVar[dict[str, str]] = {}
    body = b'{"__type": "InternalFailure", "message": "boom"}'
    lock = threading.Lock()
    requests = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            type(self).requests += 1
        self.send_response(self.status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "req-1")
        for name, value in self.headers_out.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _run(handler: type[_Counting]) -> RunResult:
    with serve_handler(handler) as url, make_target(url) as target:
        options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
        return Runner(target, options).run([("glue", "GetMLTaskRun")])


def test_a_case_answered_with_500_is_sent_once() -> None:
    handler = type("Failing", (_Counting,), {"requests": 0})
    result = _run(handler)
    operation = result.operations[0]
    assert operation.cases > 5
    assert handler.requests == operation.cases  # botocore's standard mode sent each up to 3 times
    assert operation.stats.answers == {"5xx": operation.cases}
    assert operation.stats.error_codes == {"InternalFailure": operation.cases}
    assert any(note.startswith(f"every one of the {operation.cases} cases was answered with a server error")
               for note in operation.notes)
    stats = report_dict(result)["operations"][0]["stats"]
    assert stats["answers"] == {"5xx": operation.cases} and stats["throttling_retries"] == 0


def test_throttling_is_retried_a_bounded_number_of_times_and_reported() -> None:
    handler = type("Throttling", (_Counting,), {
        "requests": 0, "status": 429, "headers_out": {"Retry-After": "0"},
        "body": b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'})
    operation = _run(handler).operations[0]
    assert operation.cases > 0
    assert handler.requests == operation.cases * (1 + MAX_THROTTLING_RETRIES)
    assert operation.stats.throttling_retries == operation.cases * MAX_THROTTLING_RETRIES
    assert operation.stats.answers == {"4xx": operation.cases}


def test_a_correct_endpoint_is_neither_retried_nor_said_to_fail_everything() -> None:
    handler = type("Fine", (_Counting,), {"requests": 0, "status": 400,
                                          "body": b'{"__type": "EntityNotFoundException", "Message": "no"}'})
    operation = _run(handler).operations[0]
    assert handler.requests == operation.cases and operation.stats.throttling_retries == 0
    assert not any(note.startswith("every one of") for note in operation.notes)


class _Http:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status_code, self.headers = status, headers


def test_retry_after_is_honoured_within_a_bound_and_other_errors_are_not_retried() -> None:
    retries = ThrottlingRetries()
    assert retries((_Http(429, {"Retry-After": "3600"}), {}), attempts=1) == MAX_WAIT_SECONDS
    assert retries((_Http(400, {}), {"Error": {"Code": "ThrottlingException"}}), attempts=1) is not None
    assert retries((_Http(503, {}), {"Error": {"Code": "ServiceUnavailable"}}), attempts=1) is None
    assert retries((_Http(500, {}), {"Error": {"Code": "InternalFailure"}}), attempts=1) is None
    assert retries((_Http(429, {}), {}), attempts=MAX_THROTTLING_RETRIES + 1) is None
    assert retries.take() == 2 and retries.take() == 0
    assert json.dumps(MAX_WAIT_SECONDS)


def test_the_console_shows_an_operation_that_answered_everything_with_500() -> None:
    import io

    from conformance.report.console import summary

    result = _run(type("Failing", (_Counting,), {"requests": 0}))
    out = io.StringIO()
    summary(result, out)
    cases = result.operations[0].cases
    row = next(line for line in out.getvalue().splitlines() if line.startswith("glue:GetMLTaskRun"))
    assert f"5xx {cases}" in row
    assert f"every one of the {cases} cases was answered with a server error (InternalFailure)" in out.getvalue()
