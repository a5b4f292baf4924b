"""Run options reach a matrix's workers, and a package a part of the run needs is named when it is missing."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.options import DEADLINE_FLAG, RUN_OPTIONS, add_arguments, add_plugin_options, worker_flags
from tests.conftest import PROJECT
from tests.endpoints import serve


def _run_without(module: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`conformance ARGV` in a fresh interpreter where MODULE cannot be imported (as if not installed)."""
    code = (f"import sys; sys.modules[{module!r}] = None\n"
            "from conformance.cli import main\n"
            f"raise SystemExit(main({list(argv)!r}))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, timeout=120,
                          check=False)


@pytest.mark.parametrize(("module", "argv", "install"), [
    ("moto", ["run", "glue:GetMLTransform", "--max-examples", "1"], "pip install"),
    ("moto", ["run", "--all-implemented", "--max-examples", "1"], "pip install"),
    ("xdist", ["run", "glue:GetMLTransform", "--workers", "1"], "conformance[workers]"),
    ("vcr", ["run", "glue:GetMLTransform", "--record", "/nonexistent/a.yaml"], "conformance[record]"),
    ("vcr", ["run", "glue:GetMLTransform", "--target", "cassette:/nonexistent/a.yaml"], "conformance[record]"),
])
def test_a_missing_package_is_a_one_line_error_naming_what_to_install(module: str, argv: list[str],
                                                                       install: str) -> None:
    finished = _run_without(module, *argv)
    assert finished.returncode == 2, finished.stderr
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in finished.stderr, finished.stderr
    assert lines[0].startswith("conformance: error:") and install in lines[0]


def test_what_a_run_needs_is_installed_by_the_package_or_a_named_extra_the_readme_installs() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    names = [requirement.split(">")[0].split("[")[0] for requirement in project["dependencies"]]
    assert "moto" in names  # the default target
    extras = project["optional-dependencies"]
    assert any(r.startswith("vcrpy") for r in extras["record"])
    assert any(r.startswith("pytest-xdist") for r in extras["workers"])
    readme = (PROJECT / "README.md").read_text()
    assert "conformance[record,workers]" in readme or ("conformance[record]" in readme
                                                       and "conformance[workers]" in readme)


def test_every_run_option_set_by_the_user_becomes_a_flag_the_plugin_accepts() -> None:
    command = argparse.ArgumentParser()
    add_arguments(command)
    given = ["--example", "TransformId=tfm-1", "--max-examples", "7", "--checks", "enum", "--strict",
             "--timeout", "0.5", "--max-time", "20", "--allow-mutating", "--operation-timeout", "9",
             "--no-resources", "--target", "aws", "--seed", "3"]
    args = command.parse_args(given)
    for option in RUN_OPTIONS:  # the test sets every option: a new one must be added above
        assert getattr(args, option.dest) != option.default(), option.name
    flags = worker_flags(args, started=1000.0, passed=())
    plugin = argparse.ArgumentParser()
    add_plugin_options(plugin.add_argument)
    parsed = vars(plugin.parse_args(flags))
    for option in RUN_OPTIONS:
        assert parsed["conformance_" + option.dest] == getattr(args, option.dest), option.name
    assert parsed["conformance_deadline"] == 1020.0
    assert DEADLINE_FLAG in flags


def _workers_run(tmp_path: Path, *argv: str) -> dict[str, object]:
    report = tmp_path / "report.json"
    code = main(["run", *argv, "--workers", "1", "--seed", "1", "--no-resources", "--report-json", str(report)])
    assert code in (0, 1)
    operations = json.loads(report.read_text())["operations"]
    assert len(operations) == 1
    result: dict[str, object] = operations[0]
    return result


def test_timeout_reaches_the_workers(tmp_path: Path) -> None:
    # The endpoint answers after 3 s; with --timeout 0.5 the first request times out and the operation stops.
    with serve("correct", delay=3.0) as url:
        result = _workers_run(tmp_path, "glue:GetMLTaskRun", "--target", url, "--timeout", "0.5",
                              "--max-examples", "2")
    assert result["status"] == "error"
    assert any("timeout" in note.lower() for note in result["notes"]), result["notes"]  # type: ignore[attr-defined]


def test_max_time_reaches_the_workers(tmp_path: Path) -> None:
    # The bound has passed by the time a worker starts: the operation ends at once, and says why.
    with serve("correct") as url:
        result = _workers_run(tmp_path, "glue:GetMLTaskRun", "--target", url, "--max-time", "0.01",
                              "--max-examples", "50")
    assert result["status"] == "error"
    assert "the run's time bound was reached" in result["notes"], result["notes"]  # type: ignore[operator]


def test_allow_mutating_reaches_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Target aws, pointed at a local endpoint through boto3's own AWS_ENDPOINT_URL: nothing leaves 127.0.0.1.
    with serve("correct") as url:
        for name, value in {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
            monkeypatch.setenv(name, value)
        refused = _workers_run(tmp_path, "glue:DeleteMLTransform", "--target", "aws", "--max-examples", "1")
        allowed = _workers_run(tmp_path, "glue:DeleteMLTransform", "--target", "aws", "--max-examples", "1",
                               "--allow-mutating")
    assert refused["status"] == "skipped"
    assert allowed["status"] != "skipped" and allowed["cases"], allowed


@pytest.mark.parametrize(("argv", "seconds"), [
    (["glue"], None),  # one process, the user's: no bound unless asked
    (["glue", "--workers", "2"], 20.0),  # a safety net for a matrix of the user's operations
    (["--all-implemented", "--target", "moto"], 3.0),  # a whole-mock survey (bench/README.md)
    (["--all-implemented", "--target", "moto", "--workers", "2"], 3.0),
    (["--all-implemented", "--target", "moto", "--operation-timeout", "20"], 20.0),  # the user's word wins
    (["glue", "--workers", "2", "--operation-timeout", "0.5"], 0.5),
])
def test_each_kind_of_run_has_its_operation_bound(argv: list[str], seconds: float | None) -> None:
    from conformance.cli import build_parser
    from conformance.commands.run_command import _plugin_args, operation_seconds

    args = build_parser(["run"]).parse_args(["run", *argv])
    assert operation_seconds(args) == seconds
    flags = _plugin_args(args, started=0.0)
    assert ("--conformance-operation-timeout" in flags) == (seconds is not None)
    if seconds is not None:
        assert flags[flags.index("--conformance-operation-timeout") + 1] == str(seconds)
