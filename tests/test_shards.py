"""--shard K/N splits a run deterministically; conformance report merge joins the shards' reports again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import spec
from conformance.cli import main
from conformance.shards import shard
from tests.endpoints import serve_handler
from tests.test_root_causes import _Planted


def test_shards_are_deterministic_disjoint_and_together_the_whole_run() -> None:
    operations = [("glue", name) for name in spec.operations("glue")]
    parts = [shard(operations, k, 3) for k in (1, 2, 3)]
    assert sorted(op for part in parts for op in part) == sorted(operations)
    assert sum(len(part) for part in parts) == len(operations)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert shard(list(reversed(operations)), 2, 3) == parts[1]  # the order given does not matter


@pytest.mark.parametrize("bad", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "glue:GetMLTaskRun", "--shard", bad]) == 2
    assert "--shard" in capsys.readouterr().err


def test_merged_shards_regroup_root_causes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = []
    with serve_handler(_Planted) as url:
        for k in (1, 2):
            report = tmp_path / f"shard{k}.json"
            main(["run", "glue:GetJob", "glue:GetMLTransform", "--target", url, "--shard", f"{k}/2",
                  "--checks", "response_schema,enum", "--max-examples", "3", "--seed", "1", "--no-resources",
                  "--report-json", str(report)])
            reports.append(report)
    one, two = (json.loads(path.read_text()) for path in reports)
    assert [op["operation"] for op in one["operations"]] == ["GetJob"]
    assert [op["operation"] for op in two["operations"]] == ["GetMLTransform"]
    merged, page = tmp_path / "all.json", tmp_path / "all.html"
    assert main(["report", "merge", *map(str, reports), "--report-json", str(merged),
                 "--report-html", str(page)]) == 1
    data = json.loads(merged.read_text())
    assert {op["operation"] for op in data["operations"]} == {"GetJob", "GetMLTransform"}
    timestamp = [c for c in data["root_causes"] if c["check"] == "response_schema" and c["severity"] == "error"]
    assert len(timestamp) == 1 and sorted(timestamp[0]["operations"]) == ["glue:GetJob", "glue:GetMLTransform"]
    assert timestamp[0]["id"] == one["root_causes"][0]["id"]  # the same defect keeps its id across runs
    assert timestamp[0]["id"] in page.read_text()


def test_merge_refuses_overlapping_or_overwritten_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.json"
    op = {"service": "glue", "operation": "GetJob", "status": "pass", "cases": 1, "findings": []}
    report.write_text(json.dumps({"target": "moto", "seed": 1, "operations": [op], "summary": {}}))
    assert main(["report", "merge", str(report), str(report), "--report-json", str(tmp_path / "a.json")]) == 2
    assert main(["report", "merge", str(report), "--report-json", str(report)]) == 2
    assert main(["report", "merge", str(tmp_path / "missing.json"), "--report-json", str(tmp_path / "a.json")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 3
