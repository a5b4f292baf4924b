"""The HTTP side of `conformance serve`: size limit, methods, keep-alive, concurrency, signals, CLI errors."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conformance.cli import main
from conformance.exchange import HttpRequest, HttpResponse
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.glue_ml import GlueMLFamily
from conformance.server.http import ServeServer, serve_in_thread
from conformance.server.process import serve_process

TARGET = {"X-Amz-Target": "AWSGlue.GetMLTransforms", "Content-Type": "application/x-amz-json-1.1"}


@pytest.fixture
def server() -> Iterator[ServeServer]:
    endpoint = Endpoint("glue", EndpointOptions(seed=1), GlueMLFamily())
    with serve_in_thread(endpoint, max_body_bytes=1024) as running:
        yield running


def _connection(server: ServeServer) -> http.client.HTTPConnection:
    parsed = urllib.parse.urlsplit(server.url)
    return http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)


def _glue(url: str, **config: Any) -> Any:
    return boto3.client("glue", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}, **config))


def test_a_body_over_the_limit_gets_413_without_being_read(server: ServeServer) -> None:
    connection = _connection(server)
    connection.request("POST", "/", body=b"{" + b" " * 2000 + b"}", headers=TARGET)
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Connection") == "close"
    assert response.getheader("x-amzn-RequestId")
    assert json.loads(response.read())["__type"] == "RequestEntityTooLargeException"


def test_a_chunked_body_over_the_limit_gets_413(server: ServeServer) -> None:
    connection = _connection(server)
    chunks = iter([b"{", b" " * 800, b" " * 800, b"}"])
    connection.request("POST", "/", body=chunks, headers={**TARGET, "Transfer-Encoding": "chunked"},
                       encode_chunked=True)
    assert connection.getresponse().status == 413


def test_a_client_still_sending_a_refused_body_reads_the_413_not_a_reset(server: ServeServer) -> None:
    """The server stops reading at the limit; what the client sends after that (more than the server's
    read buffer) is drained, not answered with a connection reset (closing a socket with unread input
    resets it)."""
    parsed = urllib.parse.urlsplit(server.url)
    with socket.create_connection((parsed.hostname or "", parsed.port or 0), timeout=10) as raw:
        raw.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSGlue.GetMLTransforms\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n186a0\r\n" + b" " * 100_000 + b"\r\n")
        time.sleep(0.2)  # the server has answered and stopped reading by now
        raw.sendall(b"10\r\n" + b" " * 16 + b"\r\n0\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"RequestEntityTooLargeException" in answer


def test_a_small_chunked_body_is_read(server: ServeServer) -> None:
    connection = _connection(server)
    connection.request("POST", "/", body=iter([b'{"MaxResults"', b": 5}"]),
                       headers={**TARGET, "Transfer-Encoding": "chunked"}, encode_chunked=True)
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"Transforms": []})


def test_expect_100_continue_over_the_limit_is_refused_before_the_body() -> None:
    endpoint = Endpoint("glue", EndpointOptions(seed=1), GlueMLFamily())
    with serve_in_thread(endpoint, max_body_bytes=10) as running:
        parsed = urllib.parse.urlsplit(running.url)
        with socket.create_connection((parsed.hostname or "", parsed.port or 0), timeout=10) as raw:
            raw.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSGlue.GetMLTransforms\r\n"
                        b"Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
            assert raw.recv(4096).startswith(b"HTTP/1.1 413")


def test_other_methods_get_a_json_error(server: ServeServer) -> None:
    connection = _connection(server)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 405
    assert response.getheader("Content-Type") == "application/x-amz-json-1.1"
    assert json.loads(response.read())["__type"] == "UnknownOperationException"


def test_content_type_parameters_are_accepted_and_keep_alive_is_kept(server: ServeServer) -> None:
    # Smithy AwsJson11MustSupportParametersInContentType.
    connection = _connection(server)
    for _ in range(3):
        headers = {**TARGET, "Content-Type": "application/x-amz-json-1.1; charset=utf-8"}
        connection.request("POST", "/", body=b"{}", headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Connection") != "close"
        response.read()


def test_many_concurrent_clients_are_served(server: ServeServer) -> None:
    clients, calls = 16, 25
    errors: list[BaseException] = []
    created: list[str] = []
    transform = {"Role": "r", "InputRecordTables": [], "Parameters": {"TransformType": "FIND_MATCHES"}}

    def work(number: int) -> None:
        glue = _glue(server.url, max_pool_connections=2)
        try:
            for call in range(calls):
                if call % 5 == 0:
                    created.append(glue.create_ml_transform(Name=f"c{number}-{call}", **transform)["TransformId"])
                else:
                    glue.get_ml_transforms(MaxResults=1)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - started
    assert errors == []
    assert len(set(created)) == clients * calls // 5
    total = server.endpoint.stats.requests
    assert total == clients * calls
    print(f"{total} requests from {clients} clients in {elapsed:.2f}s: {total / elapsed:.0f} requests/s")


def test_stop_lets_the_request_in_flight_finish() -> None:
    class SlowEndpoint(Endpoint):
        def handle(self, request: HttpRequest) -> tuple[str | None, HttpResponse]:
            time.sleep(0.5)
            return super().handle(request)

    endpoint = SlowEndpoint("glue", EndpointOptions(seed=1), GlueMLFamily())
    server = ServeServer(("127.0.0.1", 0), endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    results: list[int] = []

    def call() -> None:
        connection = _connection(server)
        connection.request("POST", "/", body=b"{}", headers=TARGET)
        results.append(connection.getresponse().status)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.2)
    assert server.stop(grace_seconds=5) is True
    caller.join(timeout=5)
    thread.join(timeout=5)
    assert results == [200]
    with pytest.raises(OSError):
        socket.create_connection(server.server_address[:2], timeout=1).close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_command_cleanly(signum: int) -> None:
    with serve_process(["glue", "--seed", "3", "--quiet"]) as server:
        assert _glue(server.url).get_ml_transforms()["Transforms"] == []
        assert server.stop(signum) == 0
        assert server.output() == ["conformance serve: stopped after 1 requests"]


def test_the_request_log_names_operation_and_status() -> None:
    import subprocess

    with serve_process(["glue", "--seed", "3"], stderr=subprocess.PIPE) as server:
        _glue(server.url).get_ml_transforms()
        assert server.stop() == 0
        assert server.process.stderr is not None
        log = server.process.stderr.read()
    assert "GetMLTransforms 200 " in log


@pytest.mark.parametrize(("arguments", "message"), [
    (["nosuchservice"], "unknown service 'nosuchservice'"),
    (["iam", "--state", "iam.json"], "iam has none"),
    (["glue", "--replay-case", "nonsense"], "is not a case id"),
    (["glue", "--replay-case", "NoSuchOperation-00ff"], "unknown operation 'NoSuchOperation'"),
])
def test_usage_errors_are_one_line_with_exit_2(arguments: list[str], message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *arguments, "--port", "0", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", "glue", "--port", str(port), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_a_dropped_connection_is_quiet_and_another_error_is_one_line(server: ServeServer,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise BrokenPipeError("the client hung up")
    except BrokenPipeError:
        server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("a handler bug")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 2))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ValueError: a handler bug" in err and "Traceback" not in err
