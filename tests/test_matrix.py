"""Whole services: moto coverage, real resources, workers on xdist, HTML (in a real browser) and markdown."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.bounds import (
    ALARM_REPEAT_SECONDS,
    HARD_BOUND_GRACE,
    MEMORY_EXIT_AFTER_SECONDS,
    MEMORY_EXIT_CODE,
    OperationOverran,
    operation_bounds,
)
from conformance.checks import CHECKS
from conformance.cli import main
from conformance.matrix import _load, result_path, run_on_workers
from conformance.memory import relieve, resident_bytes
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


def test_links_read_the_model_once_per_service(monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.resources as resources

    walks: list[str] = []
    walk = resources._member_names

    def counted(shapes: dict[str, object], root: str) -> set[str]:
        walks.append(root)
        return walk(shapes, root)  # type: ignore[arg-type]

    monkeypatch.setattr(resources, "_member_names", counted)
    resources.output_members.cache_clear()
    resources.producers.cache_clear()
    try:
        producers("glue", "TransformId")
        first = len(walks)
        assert first > 0
        assert "StartMLEvaluationTaskRun" in producers("glue", "TaskRunId")  # another name: no walk again
        assert len(walks) == first
    finally:
        resources.output_members.cache_clear()
        resources.producers.cache_clear()


def test_real_resources_are_created_on_moto() -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
    with make_target("moto") as moto:
        options.resources = ResourcePool(moto, create=True, seed=1)
        result = Runner(moto, options).run_operation("glue", "GetMLTransform")
    assert result.real_resource, result.notes
    assert any(note.startswith("real resources: TransformId=") for note in result.notes)


def test_a_producer_is_asked_once_for_every_name_it_carries(monkeypatch: pytest.MonkeyPatch) -> None:
    """GetMLTransforms lists TransformId, Name and Role: it is asked once for all of them (ec2's
    DescribeInstances carries a dozen names and took a second an answer), CreateMLTransform creates once,
    and both are asked again after a reset."""
    import conformance.resources as resources_module

    asked: list[str] = []
    real_call = resources_module.call

    def counting_call(client: Any, service: str, operation: str, params: Any, **kwargs: Any) -> Any:
        asked.append(operation)
        return real_call(client, service, operation, params, **kwargs)

    monkeypatch.setattr(resources_module, "call", counting_call)
    with make_target("moto") as moto:
        pool = ResourcePool(moto, create=True, seed=1)
        transform_ids = pool.values_for("glue", "TransformId", exclude="GetMLTransform")
        assert transform_ids, "CreateMLTransform made one"
        pool.values_for("glue", "Name", exclude="GetMLTransform")
        pool.values_for("glue", "Role", exclude="GetMLTransform")
        assert asked.count("GetMLTransforms") == 1 and asked.count("CreateMLTransform") == 1, asked
        moto.reset()
        pool.forget()
        assert pool.values_for("glue", "TransformId", exclude="GetMLTransform") != transform_ids
        assert asked.count("GetMLTransforms") == 2 and asked.count("CreateMLTransform") == 2, asked


def test_operation_time_bound_ends_the_operation() -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=50, seed=1, operation_seconds=0.0)
    with serve("correct") as url, make_target(url) as endpoint:
        Runner(endpoint, RunOptions(checks=dict(CHECKS), max_examples=1)).run_operation("glue", "GetMLTaskRun")
        # Warm (the schema read, the strategies built), it stops at its first case, well within the hard bound.
        result = Runner(endpoint, options).run_operation("glue", "GetMLTaskRun")
    assert result.status == "error"
    assert "the operation's time bound was reached" in result.notes


def test_a_slow_operation_shares_its_time_bound_among_its_kinds() -> None:
    """An endpoint whose every answer takes a while still gets invalid and boundary cases within the bound,
    not only valid ones until the time is up (moto's ec2 DescribeImages takes a second an answer)."""
    kinds: list[str] = []
    options = RunOptions(checks=dict(CHECKS), max_examples=50, seed=1, operation_seconds=1.5,
                         on_sent=lambda service, operation, case, params, exchange: kinds.append(case.kind))
    with serve("correct", delay=0.1) as url, make_target(url) as endpoint:
        # Warm (the schema read, the strategies built), so that the bound is spent on answers.
        Runner(endpoint, RunOptions(checks=dict(CHECKS), max_examples=1)).run_operation("glue", "GetMLTaskRun")
        result = Runner(endpoint, options).run_operation("glue", "GetMLTaskRun")
    assert result.status == "error" and "the operation's time bound was reached" in result.notes
    assert {"valid", "invalid", "boundary"} <= set(kinds), kinds
    assert kinds.count("valid") < len(kinds) / 2, kinds  # the valid kind did not use the bound up alone


def _broken_run() -> RunResult:
    # Strict: a value outside the enum, which real AWS answers too, is an error only then.
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1, strict=True)
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
    with pytest.raises(OperationOverran, match="time bound"), operation_bounds(0.0, None):
        while True:
            pass


def test_the_time_bound_repeats_for_code_that_swallows_one_interrupt() -> None:
    swallowed = 0
    ends = time.monotonic() + HARD_BOUND_GRACE + 3 * ALARM_REPEAT_SECONDS  # a regression ends, never hangs
    with pytest.raises(OperationOverran), operation_bounds(0.0, None):
        try:
            while time.monotonic() < ends:
                pass
        except OperationOverran:
            swallowed += 1  # as a bare `except:` in an endpoint would
        while time.monotonic() < ends:
            pass
    assert swallowed == 1


def test_a_worker_stuck_past_its_time_bound_ends_itself_and_says_why(tmp_path: Path) -> None:
    marker = tmp_path / "stuck.started"
    script = (
        "import pathlib, sys, time\n"
        "import conformance.bounds as bounds\n"
        "bounds.HANG_EXIT_SECONDS = 0.5\n"
        "with bounds.operation_bounds(0.0, None, pathlib.Path(sys.argv[1]).write_text):\n"
        "    ends = time.monotonic() + 30\n"
        "    while time.monotonic() < ends:\n"  # no interrupt gets through: as if stuck in one C call
        "        try:\n"
        "            time.sleep(30)\n"
        "        except bounds.OperationOverran:\n"
        "            pass\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(marker)], capture_output=True, timeout=60,
                            check=False)
    assert result.returncode == MEMORY_EXIT_CODE, result.stderr
    assert marker.read_text().startswith("did not stop within 0.5 s of its time bound")


def test_memory_bound_stops_a_case_that_allocates_without_end() -> None:
    held: list[bytes] = []
    bound = resident_bytes() + 64 * 1024**2
    with pytest.raises(OperationOverran, match="memory bound"), operation_bounds(None, bound):
        while True:
            held.append(bytes(1024**2))
    assert len(held) >= 64
    held.clear()


def test_one_operation_may_not_grow_the_process_by_more_than_its_share() -> None:
    """Stopped at its own growth, long before the process's bound: a runaway case is cut short sooner."""
    held: list[bytes] = []
    with pytest.raises(OperationOverran, match="grew the process by more than 64 MiB"), \
            operation_bounds(None, resident_bytes() + 1024**3, growth_bytes=64 * 1024**2):
        while len(held) < 900:  # ends by itself short of the process's bound: a regression fails, never hangs
            held.append(b"\x01" * 1024**2)  # written, so resident (zeroed pages would not be)
            time.sleep(0.002)  # as moto grows: slowly enough for the watch, which polls
    assert 64 <= len(held) < 900
    held.clear()


def test_a_case_that_never_ends_is_stopped_and_keeps_what_the_operation_found(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without workers too: the runner's own bound stops one case stuck inside a call (between cases it
    could not), and the operation keeps the findings of the cases before it."""
    import conformance.runner as runner_module

    real_call, calls = runner_module.call, [0]

    def call_then_hang(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 2:  # the first case shows the enum defect; the next one never ends
            ends = time.monotonic() + 30  # ends by itself: a regression fails, never hangs
            while time.monotonic() < ends:
                time.sleep(0.05)
        return real_call(*args, **kwargs)

    options = RunOptions(checks=dict(CHECKS), max_examples=20, seed=1, strict=True, operation_seconds=1.0)
    with serve("enum") as url, make_target(url) as endpoint:
        # Warm (the schema read, the strategies built), so that the first case comes well within the bound.
        Runner(endpoint, RunOptions(checks=dict(CHECKS), max_examples=1)).run_operation("glue", "GetMLTaskRun")
        monkeypatch.setattr(runner_module, "call", call_then_hang)
        result = Runner(endpoint, options).run_operation("glue", "GetMLTaskRun")
    assert result.status == "error"
    assert "the operation exceeded its time bound of 1 s" in result.notes
    assert any(finding.check == "enum" for finding in result.findings), result.findings
    assert 1.0 + HARD_BOUND_GRACE <= result.seconds < 10


def test_memory_far_past_the_bound_ends_the_worker_at_once_and_says_why(tmp_path: Path) -> None:
    """Past the ceiling after the interrupt, the watch does not wait: a case stuck in a long C-level call
    (here: one that swallows the interrupt and goes on) would hold the memory for the whole grace period.
    The matrix then reports the reason the worker left in the operation's marker."""
    results = tmp_path / "results"
    results.mkdir()
    marker = result_path(results, "ec2", "AllocateHosts").with_suffix(".started")
    script = (
        "import pathlib, sys, time\n"
        "from conformance.bounds import OperationOverran, operation_bounds\n"
        "with operation_bounds(None, 1, pathlib.Path(sys.argv[1]).write_text):\n"  # 1 byte: far past it
        "    ends = time.monotonic() + 30\n"
        "    while time.monotonic() < ends:\n"
        "        try:\n"
        "            time.sleep(30)\n"
        "        except OperationOverran:\n"
        "            pass\n"
    )
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script, str(marker)], capture_output=True, timeout=60,
                            check=False)
    assert result.returncode == MEMORY_EXIT_CODE, result.stderr
    assert time.monotonic() - started < MEMORY_EXIT_AFTER_SECONDS
    loaded = _load(results, "ec2", "AllocateHosts", "pytest's summary")
    assert loaded.status == "error"
    assert loaded.notes[0].startswith("the operation grew past") and "memory bound" in loaded.notes[0]
    assert "last words" not in loaded.notes[0]
    silent = _load(results, "ec2", "RunInstances", "3 failed")  # no marker text: a crash with no reason
    assert silent.notes == ["no result: the worker running it crashed or was stopped (pytest's last words: 3 failed)"]


def test_a_bound_passes_through_hypothesis_instead_of_being_shrunk() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    calls = [0]

    @settings(max_examples=50, database=None, deadline=None)
    @given(st.integers())
    def outlasts_the_bound(number: int) -> None:
        calls[0] += 1
        ends = time.monotonic() + HARD_BOUND_GRACE + 1.0  # ends by itself: a regression fails, never hangs
        while time.monotonic() < ends:
            pass

    with pytest.raises(OperationOverran), operation_bounds(0.0, None):
        outlasts_the_bound()
    assert calls[0] == 1  # not replayed, not shrunk


def test_an_unimplemented_feature_after_answers_is_a_note_not_a_status() -> None:
    # moto answers ec2 DescribeSnapshots, but raises NotImplementedError for most filter names.
    options = RunOptions(checks=dict(CHECKS), max_examples=20, seed=1)
    with make_target("moto") as target:
        result = Runner(target, options).run_operation("ec2", "DescribeSnapshots")
    assert result.status in ("pass", "fail"), result.notes
    assert result.cases > 0
    partly = [note for note in result.notes if note.startswith("partly implemented:")]
    assert len(partly) == 1 and "filter" in partly[0], result.notes


def test_over_the_memory_bound_the_mock_forgets_its_state_and_the_pool_its_values() -> None:
    with make_target("moto") as target:
        pool = ResourcePool(target, create=True)
        sqs = target.client("sqs")
        sqs.create_queue(QueueName="kept")
        pool.values[("sqs", "QueueUrl")] = ["kept"]
        assert not relieve(target, pool, above=2**62)
        assert len(sqs.list_queues().get("QueueUrls", [])) == 1
        assert pool.values
        assert relieve(target, pool, above=0)
        assert sqs.list_queues().get("QueueUrls", []) == []
        assert pool.values == {}


def test_memory_a_reset_did_not_give_back_does_not_reset_the_mock_after_every_operation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.memory as memory

    class CountingTarget:
        resets = 0

        def reset(self) -> None:
            self.resets += 1

    resident = [2 * 1024**3]  # above RESET_ABOVE_BYTES, and still there after the reset
    monkeypatch.setattr(memory, "resident_bytes", lambda: resident[0])
    monkeypatch.setattr(memory, "_left_by_last_reset", 0)
    target = CountingTarget()
    assert relieve(target, None)  # type: ignore[arg-type]
    assert not relieve(target, None)  # type: ignore[arg-type]  # nothing a reset could give back
    resident[0] += memory.RESET_MARGIN_BYTES + 1  # grown by a margin since: worth a reset again
    assert relieve(target, None)  # type: ignore[arg-type]
    assert target.resets == 2


def test_a_crashing_worker_is_replaced_however_often_it_crashes(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A plugin that kills its worker on six operations: more crashes than xdist replaces by default (4).
    (tmp_path / "crash_plugin.py").write_text(
        "import os\n"
        "CRASHING = {'GetMLTransform', 'GetMLTaskRun', 'GetMLTransforms', 'GetMLTaskRuns', 'DeleteMLTransform',\n"
        "            'UpdateMLTransform'}\n"
        "def pytest_configure(config):\n"
        "    from conformance.runner import Runner\n"
        "    original = Runner.run_operation\n"
        "    def run_operation(self, service, operation):\n"
        "        if operation in CRASHING:\n"
        "            os._exit(3)  # dies in the middle of the operation, as a worker out of memory does\n"
        "        return original(self, service, operation)\n"
        "    Runner.run_operation = run_operation\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    crashing = ["GetMLTransform", "GetMLTaskRun", "GetMLTransforms", "GetMLTaskRuns", "DeleteMLTransform",
                "UpdateMLTransform"]
    healthy = ["ListMLTransforms", "StartMLEvaluationTaskRun", "CancelMLTaskRun"]
    operations = [("glue", name) for name in crashing[:2] + healthy[:1] + crashing[2:] + healthy[1:]]
    result = run_on_workers(operations, target="moto", workers="1", seed=1,
                            plugin_args=["--conformance-max-examples", "2", "-p", "crash_plugin"])
    statuses = {op.operation: op for op in result.operations}
    for name in crashing:
        assert statuses[name].status == "error"
    for name in healthy:
        assert statuses[name].cases > 0 or statuses[name].status == "not-implemented", statuses[name].notes
        assert not any("crashed" in note for note in statuses[name].notes)


def test_operations_without_a_result_say_why_pytest_stopped() -> None:
    operations = [("glue", "GetMLTransform"), ("glue", "GetMLTransforms"), ("glue", "ListMLTransforms")]
    result = run_on_workers(operations, target="moto", workers="1", seed=1,
                            plugin_args=["--conformance-max-examples", "3", "-x"])  # pytest stops at a failure
    first, *rest = result.operations
    assert first.status == "fail"
    assert rest and all(op.status == "error" for op in rest)
    assert all("stopping after 1 failures" in op.notes[-1] for op in rest), rest[0].notes
