"""--emit-tests: a pytest file per root cause in moto's idiom, failing while the defect is there."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from tests.endpoints import serve_handler


class _Validating(BaseHTTPRequestHandler):
    """GetMLTransform fixed: an input without TransformId is refused as AWS Glue refuses it."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"__type": "InvalidInputException", "Message": "1 validation error detected"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "req-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _pytest(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", **env}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:conformance",
                           str(path)], cwd=path.parent, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)


def test_an_emitted_test_fails_against_moto_and_passes_against_a_fixed_endpoint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emitted = tmp_path / "emitted"
    code = main(["run", "glue:GetMLTransform", "--checks", "negative_data_rejection", "--max-examples", "5",
                 "--seed", "1", "--no-resources", "--emit-tests", str(emitted)])
    assert code == 1
    files = sorted(emitted.glob("test_rc_*_negative_data_rejection.py"))
    assert files, capsys.readouterr()
    test = files[0]
    source = test.read_text()
    ast.parse(source)
    assert "@mock_aws" in source and "boto3.client('glue'" in source
    assert 'pytest.raises(ClientError)' in source and 'err.value.response["Error"]["Code"]' in source

    against_moto = _pytest(test)
    assert against_moto.returncode == 1, against_moto.stdout  # moto answers EntityNotFoundException
    assert "EntityNotFoundException" in against_moto.stdout

    with serve_handler(_Validating) as url:
        against_fixed = _pytest(test, AWS_ENDPOINT_URL=url)
    assert against_fixed.returncode == 0, against_fixed.stdout


def test_a_file_not_written_by_conformance_is_not_replaced(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    emitted = tmp_path / "emitted"
    main(["run", "glue:GetMLTransform", "--checks", "negative_data_rejection", "--max-examples", "5", "--seed", "1",
          "--no-resources", "--emit-tests", str(emitted)])
    test = sorted(emitted.glob("test_rc_*.py"))[0]
    test.write_text("# my own test\n")
    assert main(["run", "glue:GetMLTransform", "--checks", "negative_data_rejection", "--max-examples", "5",
                 "--seed", "1", "--no-resources", "--emit-tests", str(emitted)]) == 2
    assert test.read_text() == "# my own test\n"
    assert "was not written by conformance" in capsys.readouterr().err


def test_an_emitted_output_type_test_reads_the_raw_member(tmp_path: Path) -> None:
    # A timestamp sent as an ISO 8601 string: botocore parses it anyway, the emitted test does not.
    from conformance.emit_tests import emit_tests
    from tests.test_root_causes import ANSWERS, _Planted, planted_run

    result = planted_run()
    written = emit_tests(result, tmp_path)
    typed = [path for path in written if "response_schema" in path.name]
    assert len(typed) == 1
    source = typed[0].read_text()
    assert "isinstance(value, (int, float))" in source and "timestamp" in source
    with serve_handler(_Planted) as url:
        assert _pytest(typed[0], AWS_ENDPOINT_URL=url).returncode == 1
    fixed = {**ANSWERS, "AWSGlue.GetMLTransform": {"TransformId": "tfm-1", "CreatedOn": 1708697085.0},
             "AWSGlue.GetJob": {"Job": {"Name": "job", "CreatedOn": 1708697085.0}}}
    with serve_handler(type("Fixed", (_Planted,), {"answers": fixed})) as url:
        outcome = _pytest(typed[0], AWS_ENDPOINT_URL=url)
    assert outcome.returncode == 0, outcome.stdout
