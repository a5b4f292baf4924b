"""Local GetMLTaskRun endpoints on 127.0.0.1 for the runner's tests: one correct, one broken per check.

The correct one behaves like real AWS Glue: namespaced error codes (`com.amazonaws.glue#...`),
scientific-notation timestamps (`1.708699485E9`), `application/x-amz-json-1.1`, `x-amzn-RequestId`.
Each broken mode breaks exactly one documented contract.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conformance import spec
from conformance.spec.validation import violations

TARGET_PREFIX = "AWSGlue."
NAMESPACE = "com.amazonaws.glue#"
# Real Glue's timestamps, as terraform-provider-aws#35954 quotes them: JSON numbers in E-notation.
STARTED, MODIFIED, COMPLETED = "1.708699485E9", "1.70869949E9", "1.7086996E9"

Answer = tuple[int, dict[str, str], bytes]

BROKEN_MODES = {
    "response_schema": "ExecutionTime as a string",
    "enum": "Status outside its enum",
    "error_code": "not-found answered with an undeclared code",
    "error_status": "a server fault sent with HTTP 400",
    "error_body": "the error's Message is a number",
    "negative_data_rejection": "an invalid input answered with a (declared) server fault",
    "positive_data_acceptance": "a valid input refused with InvalidInputException",
    "not_a_server_error": "HTTP 500 without an error code",
    "content_type": "success sent as text/plain",
    "client_parse": "a timestamp too large for any date",
    "request_id": "no x-amzn-RequestId header",
    "operation_contract": "the response does not echo TaskRunId",
}


def _json(status: int, body: bytes, mode: str) -> Answer:
    headers = {"Content-Type": "text/plain" if mode == "content_type" and status == 200
               else "application/x-amz-json-1.1"}
    if mode != "request_id":
        headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return status, headers, body


def _error(code: str, message: Any, status: int, mode: str) -> Answer:
    return _json(status, json.dumps({"__type": NAMESPACE + code, "Message": message}).encode(), mode)


def _success(request: dict[str, Any], mode: str) -> Answer:
    status = "DONE" if mode == "enum" else "SUCCEEDED"
    execution = '"115"' if mode == "response_schema" else "115"
    started = "1e999" if mode == "client_parse" else STARTED
    task_run_id = "tsk-other" if mode == "operation_contract" else request["TaskRunId"]
    body = (
        f'{{"TransformId": {json.dumps(request["TransformId"])}, "TaskRunId": {json.dumps(task_run_id)}, '
        f'"Status": "{status}", "LogGroupName": "/aws-glue/ml/logs", '
        f'"Properties": {{"TaskType": "EVALUATION"}}, '
        f'"StartedOn": {started}, "LastModifiedOn": {MODIFIED}, "CompletedOn": {COMPLETED}, '
        f'"ExecutionTime": {execution}}}'
    )
    return _json(200, body.encode(), mode)


def answer(target: str, raw: bytes, mode: str) -> Answer:
    """What the endpoint in MODE ("correct" or a check name) answers to one request."""
    if target != TARGET_PREFIX + "GetMLTaskRun":
        return _error("UnknownOperationException", f"Unknown operation {target}", 400, mode)
    try:
        request = json.loads(raw)
    except ValueError:
        return _error("SerializationException", "Start of structure or map found where not expected.", 400, mode)
    if not isinstance(request, dict):
        return _error("SerializationException", "Start of list found where not expected", 400, mode)
    problems = violations(spec.part("glue", "GetMLTaskRun", "input"), request)
    if problems:
        if mode == "negative_data_rejection":
            return _error("InternalServiceException", "Dependency failure.", 500, mode)
        return _error("InvalidInputException", f"1 validation error detected: {problems[0].message}", 400, mode)
    if mode == "positive_data_acceptance":
        return _error("InvalidInputException", "Invalid input", 400, mode)
    if mode == "not_a_server_error":
        return _json(500, b'{"oops": true}', mode)
    if len(request["TaskRunId"]) % 2 == 0:
        # Task runs with ids of even length do not exist: the documented not-found answer.
        message = f"No ML Task Run found for [{request['TaskRunId']}]"
        if mode == "error_code":
            return _error("NoSuchTaskRunException", message, 400, mode)
        if mode == "error_status":
            return _error("InternalServiceException", "Dependency failure.", 400, mode)
        return _error("EntityNotFoundException", 42 if mode == "error_body" else message, 400, mode)
    return _success(request, mode)


ROBUSTNESS_MODES = {
    "html": (502, {"Content-Type": "text/html"}, b"<html><body>Bad Gateway</body></html>"),
    "empty-error": (503, {"Content-Type": "application/x-amz-json-1.1"}, b""),
    "truncated": (200, {"Content-Type": "application/x-amz-json-1.1"}, b'{"TransformId": "tfm-1", "Sta'),
}


class _Handler(BaseHTTPRequestHandler):
    mode = "correct"
    delay = 0.0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.delay:
            time.sleep(self.delay)
        if self.mode in ROBUSTNESS_MODES:
            status, headers, body = ROBUSTNESS_MODES[self.mode]
        else:
            status, headers, body = answer(self.headers.get("X-Amz-Target", ""), raw, self.mode)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


@contextmanager
def serve(mode: str = "correct", delay: float = 0.0) -> Iterator[str]:
    """An endpoint in MODE on 127.0.0.1 at a free port, answering after DELAY s; stops when the block ends."""
    with serve_handler(type("Handler", (_Handler,), {"mode": mode, "delay": delay})) as url:
        yield url


class _JoinedServer(ThreadingHTTPServer):
    """Handler threads are joined when the server closes, so none outlives its test and writes into the
    next one's captured output; a client that hung up (a timeout test) is not an error."""

    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """HANDLER served on 127.0.0.1 at a free port, in a thread; stopped when the block ends."""
    server = _JoinedServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
