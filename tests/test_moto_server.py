"""`conformance run` against a real `moto_server` on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.checks import CHECKS
from conformance.runner import Runner, RunOptions
from conformance.targets import make_target


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    executable = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = _free_port()
    process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("moto_server did not start within 30 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_moto_server_over_http(moto_server: str) -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
    with make_target(moto_server) as target:
        task_run, transform = Runner(target, options).run([("glue", "GetMLTaskRun"),
                                                            ("glue", "GetMLTransform")]).operations
    # Over HTTP moto answers an unimplemented action with HTTP 500 and an HTML page.
    assert task_run.status == "not-implemented"
    assert transform.cases > 0
    warnings = {(f.check, f.pointer) for f in transform.findings if f.severity == "warning"}
    assert ("error_body", "/message") in warnings
