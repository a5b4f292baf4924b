"""`conformance spec` as users script it: printing, parts, writing, and one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "spec", "glue", "GetMLTaskRun")
    assert code == 0
    document = json.loads(out)
    assert document["x-aws-operation"] == "GetMLTaskRun"
    assert "GetMLTaskRunResponse" in document["$defs"]


@pytest.mark.parametrize(
    ("part", "root"),
    [("input", "GetMLTaskRunRequest"), ("output", "GetMLTaskRunResponse"),
     ("error:InvalidInputException", "InvalidInputException")],
)
def test_prints_a_self_contained_part(capsys: pytest.CaptureFixture[str], part: str, root: str) -> None:
    code, out, _ = run_cli(capsys, "spec", "glue", "GetMLTaskRun", "--part", part)
    assert code == 0
    schema = json.loads(out)
    assert schema["$ref"] == f"#/$defs/{root}"
    assert root in schema["$defs"]
    assert "x-aws-errors" not in schema


def test_operation_without_output_has_an_empty_object_part(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "spec", "sqs", "DeleteQueue", "--part", "output")
    assert code == 0
    assert json.loads(out)["additionalProperties"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("spec", "glu", "GetMLTaskRun"), "unknown service 'glu'; did you mean glue?"),
        (("spec", "glue", "GetMLTaskRu"), "did you mean GetMLTaskRun"),
        (("spec", "glue", "GetMLTaskRun", "--part", "body"), "unknown part 'body'"),
        (("spec", "glue", "GetMLTaskRun", "--part", "error:Nope"), "declares no error 'Nope'"),
        (("spec", "glue"), "give SERVICE OPERATION"),
        (("spec", "--all"), "give --out DIR"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                          message: str) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_flag_is_one_line_and_exit_2() -> None:
    result = subprocess.run([sys.executable, "-m", "conformance", "spec", "--bogus"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unrecognized arguments: --bogus" in result.stderr


def test_python_m_prints_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    _, in_process, _ = run_cli(capsys, "spec", "glue", "GetMLTaskRun")
    result = subprocess.run([sys.executable, "-m", "conformance", "spec", "glue", "GetMLTaskRun"],
                            capture_output=True, text=True, check=True)
    assert result.stdout == in_process


def test_out_writes_every_operation_and_an_index(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "spec", "glue", "--out", str(tmp_path))
    assert code == 0
    written = sorted(p.stem for p in (tmp_path / "glue").glob("*.json"))
    assert len(written) > 300 and "GetMLTaskRun" in written
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["services"]["glue"]["operations"]["GetMLTaskRun"] == "glue/GetMLTaskRun.json"
    assert "wrote" in err


def test_family_writes_only_its_operations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run_cli(capsys, "spec", "--family", "glue-ml", "--out", str(tmp_path))
    assert code == 0
    assert len(list((tmp_path / "glue").glob("*.json"))) == 11


def test_out_never_replaces_a_users_file_without_force(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    mine = tmp_path / "glue" / "GetMLTaskRun.json"
    mine.parent.mkdir()
    mine.write_text("my notes\n")
    code, _, err = run_cli(capsys, "spec", "glue", "GetMLTaskRun", "--out", str(tmp_path))
    assert code == 2 and "--force" in err
    assert mine.read_text() == "my notes\n"
    code, _, _ = run_cli(capsys, "spec", "glue", "GetMLTaskRun", "--out", str(tmp_path), "--force")
    assert code == 0 and json.loads(mine.read_text())["x-aws-operation"] == "GetMLTaskRun"
    # A generated document is ours to refresh without --force.
    code, _, _ = run_cli(capsys, "spec", "glue", "GetMLTaskRun", "--out", str(tmp_path))
    assert code == 0
