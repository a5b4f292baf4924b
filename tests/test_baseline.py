"""Baselines: known findings neither fail nor hide, new ones fail, vanished ones are reported fixed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from tests.endpoints import serve


def _run(url: str, tmp_path: Path, *extra: str, seed: str = "1", examples: str = "5") -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    # --strict: an out-of-enum value is an error (by default a warning: real AWS answers such values).
    code = main(["run", "glue:GetMLTaskRun", "--target", url, "--seed", seed, "--max-examples", examples,
                 "--no-resources", "--strict", "--report-json", str(report), *extra])
    return code, json.loads(report.read_text())


def test_baseline_round_trip_known_new_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    with serve("enum") as url:
        code, first = _run(url, tmp_path)
        assert code == 1
        saved = tmp_path / "first.json"
        saved.write_text(json.dumps(first))
        assert main(["baseline", "write", str(baseline), "--report", str(saved)]) == 0
        written = json.loads(baseline.read_text())
        assert written["recorded"]["target"] == url and written["recorded"]["at"].endswith("Z")
        assert [entry["check"] for entry in written["findings"]] == ["enum"]

        # The same defect: known, so the run passes; another seed and more cases shrink to other inputs.
        code, again = _run(url, tmp_path, "--baseline", str(baseline), seed="9", examples="12")
        assert code == 0
        assert again["summary"]["baseline"] == {"known": 1, "new": 0, "fixed": 0}
        enum = [f for f in again["operations"][0]["findings"] if f["check"] == "enum"]
        assert enum and enum[0]["baseline"] == "known"  # reported, not hidden
    assert "ERROR (known: in the baseline) glue:GetMLTaskRun [enum]" in capsys.readouterr().out

    with serve("response_schema") as url:  # the enum defect gone, another one there
        code, changed = _run(url, tmp_path, "--baseline", str(baseline))
    assert code == 1
    assert changed["summary"]["baseline"] == {"known": 0, "new": 1, "fixed": 1}
    assert changed["baseline"]["fixed"][0]["check"] == "enum"
    assert [f["baseline"] for f in changed["operations"][0]["findings"] if f["severity"] == "error"] == ["new"]

    with serve("response_schema") as url:
        assert _run(url, tmp_path, "--baseline", str(baseline), "--baseline-update")[0] == 1
        code, updated = _run(url, tmp_path, "--baseline", str(baseline))
    assert code == 0 and updated["summary"]["baseline"] == {"known": 1, "new": 0, "fixed": 0}
    assert [entry["check"] for entry in json.loads(baseline.read_text())["findings"]] == ["response_schema"]


def test_baseline_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": 1}')
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"target": "moto", "seed": 1, "operations": [], "summary": {}}))
    assert main(["baseline", "write", str(mine), "--report", str(report)]) == 2
    assert json.loads(mine.read_text()) == {"mine": 1}  # not overwritten without --force
    assert main(["baseline", "write", str(tmp_path / "b.json"), "--report", str(tmp_path / "missing.json")]) == 2
    assert main(["run", "glue:GetMLTaskRun", "--baseline", str(mine)]) == 2
    assert main(["run", "glue:GetMLTaskRun", "--baseline-update"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 4 and all(line.startswith("conformance: error:") for line in errors), errors
