"""Whole services: moto coverage, real resources, workers on xdist, HTML (in a real browser) and markdown."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.checks import CHECKS
from conformance.cli import main
from conformance.report.html_report import render_html
from conformance.report.markdown_report import render_markdown
from conformance.resources import ResourcePool, harvest, producers, required_names
from conformance.runner import Runner, RunOptions, RunResult
from conformance.targets import make_target
from conformance.targets.moto_coverage import implemented_operations, implemented_services
from tests.endpoints import serve


def test_moto_coverage_counts_response_methods() -> None:
    glue = implemented_operations("glue")
    assert "GetMLTransform" in glue and "CreateMLTransform" in glue
    assert "GetMLTaskRun" not in glue  # measured: moto 5.2 does not implement it
    services = implemented_services()
    assert {"glue", "s3", "dynamodb", "sqs"} <= set(services)
    assert "lambda" in services  # moto's module is awslambda


def test_links_are_inferred_from_member_names() -> None:
    assert required_names("glue", "GetMLTransform") == ("TransformId",)
    found = producers("glue", "TransformId")
    assert "GetMLTransforms" in found and "CreateMLTransform" in found
    assert found.index("GetMLTransforms") < found.index("CreateMLTransform")  # listers before creators
    assert harvest({"Transforms": [{"TransformId": "a"}, {"TransformId": "b"}]}, "TransformId") == ["a", "b"]


def test_real_resources_are_created_on_moto() -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
    with make_target("moto") as moto:
        options.resources = ResourcePool(moto, create=True, seed=1)
        result = Runner(moto, options).run_operation("glue", "GetMLTransform")
    assert result.real_resource, result.notes
    assert any(note.startswith("real resources: TransformId=") for note in result.notes)


def test_operation_time_bound_ends_the_operation() -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=50, seed=1, operation_seconds=0.0)
    with serve("correct") as url, make_target(url) as endpoint:
        result = Runner(endpoint, options).run_operation("glue", "GetMLTaskRun")
    assert result.status == "error"
    assert "the operation's time bound was reached" in result.notes


def _broken_run() -> RunResult:
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
    with serve("enum") as url, make_target(url) as endpoint:
        return Runner(endpoint, options).run([("glue", "GetMLTaskRun")])


def test_html_report_is_self_contained_and_renders_in_chromium(tmp_path: Path) -> None:
    document = render_html(_broken_run())
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", document), "external resource in the report"
    assert "@import" not in document and "url(" not in document
    page = tmp_path / "report.html"
    page.write_text(document)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("chromium is not installed (apt-get install chromium); .ci/run installs it")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "filters ready" in dom  # the inline script ran in the browser
    assert "glue:GetMLTaskRun" in dom and "class=\"fail\"" in dom
    assert "[enum] /Status" in dom


def test_markdown_summary_lists_error_findings() -> None:
    text = render_markdown(_broken_run())
    assert "**1 errors**" in text or "errors**" in text
    assert "| glue:GetMLTaskRun | enum | `/Status` |" in text


def test_workers_run_the_matrix_on_xdist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    html = tmp_path / "report.html"
    markdown = tmp_path / "summary.md"
    code = main(["run", "glue:GetMLTransform", "glue:GetMLTaskRun", "--workers", "2", "--max-examples", "3",
                 "--seed", "5", "--report-json", str(report), "--report-html", str(html), "--report-md", str(markdown)])
    assert code in (0, 1)
    data = json.loads(report.read_text())
    statuses = {op["operation"]: op["status"] for op in data["operations"]}
    assert statuses["GetMLTaskRun"] == "not-implemented"
    assert statuses["GetMLTransform"] in ("pass", "fail")
    assert data["seed"] == 5
    assert "GetMLTransform" in html.read_text() and "GetMLTransform" in markdown.read_text()


def test_bad_workers_and_all_implemented_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "glue:GetMLTransform", "--workers", "zero"]) == 2
    assert main(["run", "--all-implemented", "--target", "http://127.0.0.1:9"]) == 2
    assert main(["run"]) == 2


def test_hard_bound_stops_a_case_that_never_ends() -> None:
    from conformance.pytest_plugin import _hard_bound, _OperationOverran

    with pytest.raises(_OperationOverran, match="time bound"), _hard_bound(0.0):
        while True:
            pass
