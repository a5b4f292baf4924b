"""The cassettes committed in cassettes/: readable, clean under check-cassette, and replayable offline.

Each replay runs the CLI in a subprocess, as a user would: its endpoint is not running, and a request the
cassette did not answer would show as a cassette_miss finding or as "no answer" from the closed port.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conformance.cassettes.reading import read_cassette
from conformance.cli import main

PROJECT = Path(__file__).resolve().parent.parent
COMMITTED = sorted((PROJECT / "cassettes").glob("*.yaml"))
STALE_NOTE = "the code that turns a seed into cases is not the recording's"


def test_there_are_committed_cassettes_and_a_readme_for_each() -> None:
    assert COMMITTED, "cassettes/ holds no cassette"
    readme = (PROJECT / "cassettes" / "README.md").read_text()
    for path in COMMITTED:
        assert f"`{path.name}`" in readme, f"cassettes/README.md does not describe {path.name}"


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_cassette_is_ours_and_not_labelled_aws(path: Path) -> None:
    cassette = read_cassette(path)
    assert cassette.ours and cassette.interactions
    recorded_against = cassette.recording["recorded_against"]
    assert recorded_against.startswith("http://127.0.0.1:"), recorded_against
    assert all(i.request.host == "127.0.0.1" for i in cassette.interactions)
    assert "aws" not in path.name.split("-")


def test_committed_cassettes_pass_check_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-cassette", *map(str, COMMITTED)]) == 0
    assert f"{len(COMMITTED)} cassettes" in capsys.readouterr().out


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_cassettes_carry_their_cases(path: Path) -> None:
    from conformance.cassettes.reading import read_cassette

    assert read_cassette(path).carries_cases, f"{path.name}: record it again with `python cassettes/record.py`"


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_cassette_replays_offline(path: Path, tmp_path: Path) -> None:
    recording = yaml.safe_load(path.read_text())["conformance"]
    report = tmp_path / "replay.json"
    arguments = shlex.split(recording["replay"])[1:]  # "conformance run ..." as recorded
    done = subprocess.run([sys.executable, "-m", "conformance", *arguments, "--report-json", str(report)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(report.read_text())
    misses = [f["message"] for op in data["operations"] for f in op["findings"] if f["check"] == "cassette_miss"]
    if misses and STALE_NOTE in done.stderr:
        pytest.skip(f"{path.name} was recorded by other case-generation code (a literal in a loaded local module, "
                    f"strategies/ or Hypothesis changed): record it again with `python cassettes/record.py`")
    assert misses == []
    for operation in data["operations"]:
        assert operation["status"] in ("pass", "fail"), operation
        assert operation["cases"] > 0
