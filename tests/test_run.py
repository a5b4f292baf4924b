"""`conformance run` against local endpoints: quiet on a correct one, exactly one check on each broken one."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import CHECKS
from conformance.cli import main
from conformance.runner import OperationResult, Runner, RunOptions
from conformance.spec.writer import atomic_write
from conformance.targets import Target, make_target
from conformance.targets.call import call
from tests.endpoints import BROKEN_MODES, serve, serve_handler
from tests.endpoints import _Handler as CorrectHandler

EXAMPLES = 25


def run_against(url: str, *, seed: int = 1, max_examples: int = EXAMPLES, strict: bool = False,
                **target: Any) -> OperationResult:
    options = RunOptions(checks=dict(CHECKS), max_examples=max_examples, seed=seed, strict=strict)
    with make_target(url, **target) as endpoint:
        return Runner(endpoint, options).run([("glue", "GetMLTaskRun")]).operations[0]


def checks_with(result: OperationResult, severity: str) -> set[str]:
    return {finding.check for finding in result.findings if finding.severity == severity}


def test_every_check_has_a_broken_endpoint() -> None:
    assert set(BROKEN_MODES) == set(CHECKS)


def test_correct_endpoint_gets_no_finding() -> None:
    with serve("correct") as url:
        result = run_against(url)
    assert result.status == "pass", [f.message for f in result.findings]
    assert result.findings == []
    assert result.cases >= EXAMPLES


def test_a_case_is_sent_once_per_kind_however_often_hypothesis_draws_it() -> None:
    bodies: list[bytes] = []

    class Recording(CorrectHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            bodies.append(body)
            self.rfile = io.BytesIO(body)  # read again by the correct endpoint's handler
            super().do_POST()

    with serve_handler(Recording) as url:
        result = run_against(url, max_examples=100)
    assert result.cases == len(bodies) > 20
    # Hypothesis draws the simplest case again and again; each kind (valid, invalid, boundary) sends it once.
    body, repeats = Counter(bodies).most_common(1)[0]
    assert repeats <= 3, body


@pytest.mark.parametrize("mode", sorted(BROKEN_MODES))
def test_broken_endpoint_fires_exactly_its_check(mode: str) -> None:
    with serve(mode) as url:
        result = run_against(url)
    if mode == "request_id":
        assert checks_with(result, "error") == set()
        assert checks_with(result, "warning") == {"request_id"}
    elif mode == "enum":
        # Real AWS answers values outside the enum (aws_deviations): a warning that says so, unless strict.
        assert checks_with(result, "error") == set()
        assert "enum" in checks_with(result, "warning")
        assert any("AWS itself answers this" in f.message for f in result.findings if f.check == "enum")
        with serve(mode) as url:
            assert checks_with(run_against(url, strict=True), "error") == {"enum"}
    else:
        assert checks_with(result, "error") == {mode}, [f.message for f in result.findings]
        assert result.status == "fail"
        finding = next(f for f in result.findings if f.check == mode)
        assert "client.get_ml_task_run(" in finding.reproduce
        assert finding.response["status"] >= 200


def test_failing_case_is_shrunk_to_the_smallest_input() -> None:
    with serve("response_schema") as url:
        result = run_against(url)
    finding = next(f for f in result.findings if f.check == "response_schema")
    assert finding.pointer == "/ExecutionTime"
    params = finding.request["params"]
    # Every success is broken, so the smallest valid input shows it: the shortest ids that are found.
    assert len(params["TransformId"]) == 1 and len(params["TaskRunId"]) == 1


class _BrokenForLongIds(CorrectHandler):
    """ExecutionTime as a string, but only for a TransformId of 4 or more characters: a defect whose first
    case is rarely its smallest."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            long_id = len(json.loads(body).get("TransformId", "")) >= 4
        except (ValueError, AttributeError, TypeError):
            long_id = False
        self.mode = "response_schema" if long_id else "correct"
        self.rfile = io.BytesIO(body)
        super().do_POST()


def test_a_root_cause_shrunk_once_in_a_run_is_not_shrunk_again() -> None:
    from conformance.root_causes import group

    options = RunOptions(checks=dict(CHECKS), max_examples=EXAMPLES, seed=1)  # one run: shared by operations
    results = []
    with serve_handler(_BrokenForLongIds) as url, make_target(url) as endpoint:
        for _ in range(2):  # the same operation twice: the second shows the same defect, as its first case had it
            results.append(Runner(endpoint, options).run_operation("glue", "GetMLTaskRun"))
    first, second = (next(f for f in r.findings if f.check == "response_schema") for r in results)
    assert first.request["params"]["TransformId"] == "0000"  # shrunk: the smallest id that shows it
    assert len(options.shrunk) == 1
    # Found again, and reported with the case that showed it: not shrunk again.
    assert second.key == first.key and second.request["params"] != first.request["params"]
    # The root cause keeps the shrunk example: what --emit-tests writes stays small.
    causes, _ = group(results)
    cause = next(c for c in causes if c.check == "response_schema")
    assert cause.operations == ["glue:GetMLTaskRun"] and cause.findings == 2
    assert cause.example["request"]["params"]["TransformId"] == "0000"


def test_a_run_without_shared_root_causes_shrinks_each_operation() -> None:
    with serve_handler(_BrokenForLongIds) as url, make_target(url) as endpoint:
        for _ in range(2):  # each a run of its own
            result = Runner(endpoint, RunOptions(checks=dict(CHECKS), max_examples=EXAMPLES, seed=1)).run_operation(
                "glue", "GetMLTaskRun")
            finding = next(f for f in result.findings if f.check == "response_schema")
            assert finding.request["params"]["TransformId"] == "0000"


def test_a_shrink_sends_a_bounded_number_of_cases() -> None:
    from conformance.runner import SHRINK_SENDS

    # moto's glue ListTriggers accepts a DependentJobName that breaks its pattern; shrinking that string
    # sent 1,000 cases (24 s) before the bound. Up to 4 rounds of 3 kinds, each its examples and one shrink.
    options = RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)
    with make_target("moto") as moto:
        result = Runner(moto, options).run_operation("glue", "ListTriggers")
    assert any(f.check == "negative_data_rejection" for f in result.findings)
    assert result.cases <= 4 * 3 * (5 + SHRINK_SENDS + 1)


def test_an_unimplemented_operation_ends_at_its_first_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.runner as runner

    built: list[str] = []
    drawn: list[object] = []

    def counted(service: str, operation: str, kind: str, examples: dict[str, list[Any]]) -> Any:
        built.append(kind)
        return runner_case_strategy(service, operation, kind, examples).map(lambda case: drawn.append(case) or case)

    runner_case_strategy = runner.case_strategy
    monkeypatch.setattr(runner, "case_strategy", counted)
    with make_target("moto") as moto:  # moto has no glue GetMLTaskRun
        result = Runner(moto, RunOptions(checks=dict(CHECKS), max_examples=25, seed=1)).run_operation(
            "glue", "GetMLTaskRun")
    assert result.status == "not-implemented"
    # No other kind is built, and no more cases drawn once the answer said it: one draw, one case.
    assert built == ["valid"]
    assert len(drawn) == 1


def test_same_seed_repeats_the_run_exactly() -> None:
    with serve("response_schema") as url:
        first = run_against(url, seed=7)
        second = run_against(url, seed=7)
    assert [f.request["params"] for f in first.findings] == [f.request["params"] for f in second.findings]
    assert first.cases == second.cases


@pytest.mark.parametrize(("mode", "check"), [("html", "content_type"), ("empty-error", "not_a_server_error"),
                                             ("truncated", "content_type")])
def test_malformed_answers_become_findings(mode: str, check: str) -> None:
    with serve(mode) as url:
        result = run_against(url, max_examples=3)
    assert check in checks_with(result, "error")


def test_a_hanging_endpoint_ends_the_operation_with_error() -> None:
    with serve("correct", delay=3.0) as url:
        result = run_against(url, max_examples=3, timeout=0.5)
    assert result.status == "error"
    assert any("no answer" in note for note in result.notes)


def test_moto_in_process_marks_unimplemented_operations() -> None:
    options = RunOptions(checks=dict(CHECKS), max_examples=3, seed=1)
    with make_target("moto") as moto:
        results = Runner(moto, options).run([("glue", "GetMLTaskRun"), ("glue", "GetMLTransform")]).operations
    assert results[0].status == "not-implemented"
    transform = results[1]
    assert transform.cases > 0
    warnings = {(f.check, f.pointer) for f in transform.findings if f.severity == "warning"}
    # moto sends not-found with a lowercase `message` and Content-Type application/json.
    assert ("error_body", "/message") in warnings
    assert ("content_type", "") in warnings


def test_cli_report_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    junit = tmp_path / "junit.xml"
    with serve("response_schema") as url:
        code = main(["run", "glue:GetMLTaskRun", "--target", url, "--max-examples", "5", "--seed", "3",
                     "--report-json", str(report), "--junit", str(junit)])
    assert code == 1
    data = json.loads(report.read_text())
    assert data["seed"] == 3 and data["target"] == url
    operation = data["operations"][0]
    assert (operation["service"], operation["operation"], operation["status"]) == ("glue", "GetMLTaskRun", "fail")
    assert data["summary"]["errors"] >= 1 and data["summary"]["operations"] == 1
    finding = operation["findings"][0]
    assert set(finding) >= {"check", "severity", "pointer", "message", "request", "response", "reproduce"}
    assert "Authorization" not in json.dumps(data)
    assert '<testcase classname="glue.GetMLTaskRun" name="response_schema"><failure' in junit.read_text()
    out = capsys.readouterr().out
    assert "ERROR glue:GetMLTaskRun [response_schema] /ExecutionTime" in out and "reproduce:" in out


def test_reports_count_the_deviations_aws_itself_answers_apart(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    with serve("enum") as url:
        code = main(["run", "glue:GetMLTaskRun", "--target", url, "--max-examples", "5", "--seed", "3",
                     "--report-json", str(report)])
    assert code == 0  # a value outside the enum: real AWS answers such, a warning
    summary = json.loads(report.read_text())["summary"]
    assert summary["errors"] == 0 and summary["warnings"] >= summary["aws_deviations"] >= 1
    assert f"({summary['aws_deviations']} AWS itself answers)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "glue:GetMLTaskRu"], "did you mean GetMLTaskRun"),
        (["run", "glue:GetMLTaskRun", "--target", "http://127.0.0.1:9"], "unreachable"),
        (["run", "glue:GetMLTaskRun", "--checks", "enum,bogus"], "unknown check 'bogus'"),
        (["run", "glue:GetMLTaskRun", "--target", "ftp://x"], "unknown target 'ftp://x'"),
        (["run", "glue:GetMLTaskRun", "--example", "novalue"], "not NAME=VALUE"),
    ],
)
def test_cli_usage_errors_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_not_implemented_alone_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "glue:GetMLTaskRun", "--max-examples", "2", "--seed", "1"]) == 0
    assert "not-implemented" in capsys.readouterr().out


def test_a_case_the_client_mended_is_judged_by_the_body_sent() -> None:
    from conformance.exchange import Exchange, HttpRequest
    from conformance.runner import sent_expectation

    mended = Exchange("glue", "GetMLTaskRun", {}, request=HttpRequest(
        "POST", "http://x/", {}, b'{"TransformId": "t", "TaskRunId": "r"}'))
    still_invalid = Exchange("glue", "GetMLTaskRun", {},
                             request=HttpRequest("POST", "http://x/", {}, b'{"TransformId": "t"}'))
    assert sent_expectation(mended, "invalid") == "valid"
    assert "valid request" in mended.label
    assert sent_expectation(still_invalid, "invalid") == "invalid"
    assert sent_expectation(still_invalid, "valid") == "valid"


def test_an_operation_without_limits_has_no_boundary_cases_and_still_runs() -> None:
    # sts GetCallerIdentity takes no input, so it has no limits: its boundary
    # strategy is empty, which must end that kind quietly, not the run.
    from hypothesis.errors import Unsatisfiable

    import strategies

    with pytest.raises(Unsatisfiable):
        from hypothesis import given, settings

        @settings(max_examples=1, database=None)
        @given(strategies.boundary_inputs("sts", "GetCallerIdentity"))
        def draw(case: object) -> None:
            pass

        draw()
    options = RunOptions(checks=dict(CHECKS), max_examples=3, seed=1)
    with make_target("moto") as moto:
        result = Runner(moto, options).run_operation("sts", "GetCallerIdentity")
    assert result.status in ("pass", "fail") and result.cases > 0


def test_derivation_and_the_clients_read_a_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.loaders

    from conformance import spec
    from conformance.spec import models

    # A fresh process's state: no model read, nothing derived.
    for cached in (models.shared_loader, models._load_cached, spec.deriver, spec.document, spec.part):
        cached.cache_clear()
    reads: list[str] = []
    original = botocore.loaders.JSONFileLoader.load_file

    def counting(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        found = original(self, path, *args, **kwargs)
        if found is not None and path.endswith("/glue/2017-03-31/service-2"):
            reads.append(path)
        return found

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    with serve("correct") as url:
        result = run_against(url, max_examples=2)
    assert result.cases > 0
    assert len(reads) == 1


class _RaisingInProcess(Target):
    """An in-process endpoint (as moto's stubber is: a before-send handler) that raises on every request."""

    name = "raising"

    def client(self, service: str) -> Any:
        client = super().client(service)
        client.meta.events.register("before-send", self._raise)
        return client

    @staticmethod
    def _raise(request: Any, **_: Any) -> None:
        raise KeyError(json.loads(request.body or b"{}").get("TransformId"))


def test_an_in_process_endpoint_that_raises_is_a_server_error_finding() -> None:
    target = _RaisingInProcess()
    target.endpoint_url = "http://127.0.0.1:9"  # never reached: the handler answers first
    with target:
        result = Runner(target, RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)).run_operation(
            "glue", "GetMLTaskRun")
    assert result.status == "fail"
    assert result.cases > 0
    finding = next(f for f in result.findings if f.check == "not_a_server_error")
    assert "raised KeyError" in finding.message
    assert finding.request["body"] and "get_ml_task_run(" in finding.reproduce


def test_moto_answering_normally_raises_no_server_error() -> None:
    with make_target("moto") as target:
        result = Runner(target, RunOptions(checks=dict(CHECKS), max_examples=5, seed=1)).run_operation(
            "glue", "GetMLTransform")
    assert result.cases > 0
    # Valid inputs get answers; moto does raise on some wrong JSON types (TypeError on a list TransformId),
    # which is a finding about moto, not what this test is about.
    raised = [f for f in result.findings if f.check == "not_a_server_error" and f.severity == "error"
              and "(type at " not in f.request.get("label", "")]
    assert raised == [], [f.request.get("label") for f in raised]


def test_the_console_script_leaves_no_hypothesis_directory_behind(tmp_path: Path) -> None:
    """Hypothesis keeps its files in the user's cache, not in the directory the command runs in; and the
    fast exit (no final collection) still writes the whole report."""
    workdir, cache = tmp_path / "project", tmp_path / "cache"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(cache)
    result = subprocess.run([sys.executable, "-m", "conformance", "run", "glue:GetMLTransform", "--max-examples",
                             "3", "--seed", "1", "--report-json", "report.json"],
                            cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads((workdir / "report.json").read_text())["summary"]["cases"] > 0
    assert sorted(p.name for p in workdir.iterdir()) == ["report.json"]
    assert any((cache / "conformance" / "hypothesis").iterdir())


def test_reports_get_the_permissions_a_plain_write_would_give(tmp_path: Path) -> None:
    """Written whole through a temporary file, yet readable as the umask says (not mkstemp's 0600); a report
    written over an existing file keeps that file's permissions."""
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "report.json"
        atomic_write(fresh, "{}\n")
        kept = tmp_path / "private.json"
        kept.write_text("old")
        kept.chmod(0o640)
        atomic_write(kept, "{}\n")
    finally:
        os.umask(previous)
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.json", "report.json"]  # no temporary left


def test_a_case_the_client_cannot_build_is_not_sent_whatever_it_raises() -> None:
    """botocore's serializer raises KeyError on a member its model lacks: nothing is sent, and it is not
    taken for a failure to read a response."""
    with make_target("moto") as target:
        exchange = call(target.client("glue"), "glue", "GetMLTransform", {"TransformId": "x", "Unknown": "y"})
    assert exchange.request is None and exchange.response is None
    assert exchange.client_exception is None and exchange.endpoint_exception is None
    assert exchange.notes and exchange.notes[0].startswith("not sent: the client cannot serialize it (KeyError")
