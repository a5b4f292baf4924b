"""`conformance fuzz-parser`: botocore's protocol fixtures pass, a robust toy parser shows no defect, a fragile
one shows every kind, botocore's defects are real (each reproducer reproduces), runs repeat under a seed."""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import email.utils
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.fuzz import (
    ACCEPTED_INVALID,
    CRASH,
    WRONG_VALUE,
    BotocoreParser,
    CallableParser,
    FuzzOptions,
    FuzzResult,
    FuzzRunner,
    Oracle,
    default_parser,
    for_operation,
)
from conformance.fuzz import seeds as seed_cases
from conformance.fuzz.convert import WireCodec, difference
from conformance.fuzz.report import reproduce_snippet
from conformance.spec.derive import Schema
from conformance.spec.validation import violations

SERVICE, OPERATION = "glue", "GetMLTaskRun"
ME = "tests.test_fuzz_parser"


# -- toy parsers ---------------------------------------------------------------------------------------


class ToyParseError(Exception):
    """The one error the toy parsers are documented to raise."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def robust_parser(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
    """Careful: strict JSON, validated against the model, converted like botocore; rejects anything else."""
    context = for_operation(service, operation)
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant) if text.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ToyParseError(f"not a JSON document: {error}") from None
    if not isinstance(value, dict):
        raise ToyParseError("not a JSON object")
    if status >= 300:
        return _robust_error(context, headers, value)
    return _from_wire_checked(context, context.output, value)


def _robust_error(context: Any, headers: dict[str, str], value: dict[str, Any]) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = value.get("__type")
    if not isinstance(raw, str) or not raw.strip():
        raw = lowered.get("x-amzn-errortype")
    if not isinstance(raw, str) or not raw.strip():
        raw = value.get("code")
    if not isinstance(raw, str) or not raw.strip():
        raise ToyParseError("the error response carries no code")
    code = raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()
    message = next((value[k] for k in ("message", "Message") if value.get(k) is not None), "")
    if not isinstance(message, str):
        raise ToyParseError("the error message is not a string")
    parsed: dict[str, Any] = {"Error": {"Code": code, "Message": message}}
    error = context.error_for_code(code)
    if error is not None:
        members = {k: v for k, v in value.items() if k not in ("__type", "code")}
        parsed.update(_from_wire_checked(context, error.schema, members))
    return parsed


def _from_wire_checked(context: Any, schema: Schema, value: Any) -> Any:
    for violation in violations(schema, value):
        if violation.unknown_member or violation.keyword == "enum":
            continue  # unknown members and enum values are passed through, as AWS SDKs must
        raise ToyParseError(f"{violation.pointer}: {violation.message}")
    try:
        return _from_wire(context, schema, value)
    except (ValueError, OverflowError, OSError, binascii.Error) as error:
        raise ToyParseError(str(error)) from None


def _from_wire(context: Any, schema: Any, value: Any) -> Any:
    schema = context.resolve(schema)
    kind = schema.get("x-aws-type")
    if value is None:
        return None
    if kind == "timestamp":
        if isinstance(value, int | float):
            return datetime.datetime.fromtimestamp(value, datetime.UTC)
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return email.utils.parsedate_to_datetime(value)
    if kind == "blob":
        return base64.b64decode(value, validate=True)
    if kind == "structure":
        properties = schema.get("properties", {})
        return {properties[k].get("x-aws-member", k): _from_wire(context, properties[k], v)
                for k, v in value.items() if k in properties and v is not None}
    if kind == "list":
        items = schema["items"]
        items = next((o for o in items.get("anyOf", []) if "$ref" in o), items)
        return [_from_wire(context, items, item) for item in value]
    if kind == "map":
        values = schema["additionalProperties"]
        values = next((o for o in values.get("anyOf", []) if "$ref" in o), values)
        return {k: _from_wire(context, values, v) for k, v in value.items()}
    if kind in ("float", "double") and isinstance(value, str):
        return float(value)
    return value


def fragile_parser(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
    """Careless: trusts the JSON (no checks, no conversions) and the error code as it comes."""
    value = json.loads(body)
    if status >= 300:
        return {"Error": {"Code": value["__type"], "Message": value.get("Message", "")}}
    return value


def _callable(function: Any, documented: tuple[type[BaseException], ...] = (ToyParseError,)) -> CallableParser:
    return CallableParser(function, f"{ME}:{function.__name__}", documented, f"{ME}:ToyParseError", SERVICE,
                          OPERATION)


def _run(parser: Any, *, max_examples: int, seed: int = 7, **options: Any) -> FuzzResult:
    context = for_operation(SERVICE, OPERATION)
    return FuzzRunner(context, parser, FuzzOptions(max_examples=max_examples, seed=seed, **options)).run()


def _keys(result: FuzzResult) -> list[tuple[Any, ...]]:
    return [(d.kind, d.exception, d.category, d.label, d.response.status, d.response.body) for d in result.defects]


# -- the protocol fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(shared_data: Path) -> seed_cases.SeedSet:
    return seed_cases.load(shared_data / "botocore-protocol-tests")


def test_botocore_passes_every_protocol_fixture(seeds: seed_cases.SeedSet) -> None:
    assert len(seeds.cases) >= 70
    failures = []
    for seed in seeds.cases:
        parser = BotocoreParser(seed.context.model, seed.context.operation)
        oracle = Oracle(seed.context, parser.documented)
        try:
            verdict = oracle.judge(seed.response, parser(seed.response))
        except Exception as error:
            verdict = oracle.judge(seed.response, error=error)
        if verdict is not None:
            failures.append((seed.name, verdict))
    assert failures == []


def test_our_expectations_agree_with_the_fixtures_results(seeds: seed_cases.SeedSet) -> None:
    """The oracle derives what a parse must be from the body; the fixtures say it independently."""
    for seed in seeds.cases:
        schema, fixture_value = seed_cases.expected_result(seed)
        codec = WireCodec(seed.context)
        ours = codec.canonical(schema, seed.response.expectation.value)
        assert difference(codec.canonical(schema, fixture_value), ours) is None, seed.name


def test_ignore_listed_fixtures_are_skipped(seeds: seed_cases.SeedSet) -> None:
    assert "output__json.json:AwsJson11FooErrorUsingXAmznErrorType" in seeds.skipped
    assert not any(seed.case_id == "AwsJson11FooErrorUsingXAmznErrorType" for seed in seeds.cases)


def test_seeds_run_first_for_botocore_and_all_pass() -> None:
    result = _run(default_parser(for_operation(SERVICE, OPERATION)), max_examples=32, max_rounds=1)
    assert result.seeds_passed >= 70
    assert not [d for d in result.defects if d.source == "protocol test"]


# -- toy parsers: no false positives, every kind found -------------------------------------------------


def test_robust_parser_has_no_defects() -> None:
    result = _run(_callable(robust_parser), max_examples=600, seed=11)
    assert [(d.kind, d.label, d.message) for d in result.defects] == []
    assert result.rounds == 1
    assert result.cases >= 500


def test_fragile_parser_shows_every_defect_kind() -> None:
    result = _run(_callable(fragile_parser), max_examples=96, max_rounds=12)
    kinds = {defect.kind for defect in result.defects}
    assert kinds == {CRASH, ACCEPTED_INVALID, WRONG_VALUE}
    crash = next(d for d in result.defects if d.kind == CRASH)
    assert crash.exception in {"json.decoder.JSONDecodeError", "KeyError", "UnicodeDecodeError", "RecursionError",
                               "TypeError", "ValueError", "AttributeError"}
    wrong = [d for d in result.defects if d.kind == WRONG_VALUE]
    assert any("Error.Code" in d.message for d in wrong)  # a namespaced code kept as it came
    assert all(defect.shrunk for defect in result.defects)


def test_plugged_parser_without_documented_error_crashes_on_every_rejection() -> None:
    result = _run(_callable(robust_parser, documented=()), max_examples=96, max_rounds=3)
    assert {defect.exception for defect in result.defects} == {f"{ME}.ToyParseError"}


# -- botocore: defects are found, real and minimal -----------------------------------------------------


@pytest.fixture(scope="module")
def botocore_run() -> FuzzResult:
    return _run(default_parser(for_operation(SERVICE, OPERATION)), max_examples=64, seed=5, seeds=False,
                max_rounds=8)


def test_every_botocore_defect_reproduces(botocore_run: FuzzResult) -> None:
    context = for_operation(SERVICE, OPERATION)
    parser = default_parser(context)
    oracle = Oracle(context, parser.documented)
    assert botocore_run.defects
    for defect in botocore_run.defects:
        try:
            verdict = oracle.judge(defect.response, parser(defect.response))
        except Exception as error:
            verdict = oracle.judge(defect.response, error=error)
        assert verdict is not None and (verdict.kind, verdict.exception) == (defect.kind, defect.exception)


def test_reproducers_are_small(botocore_run: FuzzResult) -> None:
    for defect in botocore_run.defects:
        if defect.category != "deep-nesting: body":
            assert len(defect.response.body) < 200, defect.label


def test_reproduce_snippet_is_a_failing_pytest_test(botocore_run: FuzzResult) -> None:
    context = for_operation(SERVICE, OPERATION)
    parser = default_parser(context)
    for number, defect in enumerate(botocore_run.defects[:6], 1):
        source = reproduce_snippet(defect, parser, context, number=number)
        namespace: dict[str, Any] = {}
        exec(compile(source, "<snippet>", "exec"), namespace)
        test = next(value for name, value in namespace.items() if name.startswith("test_"))
        with pytest.raises(Exception):  # noqa: B017 - the defect itself: an assertion or the crash
            test()


def test_run_repeats_exactly_under_a_seed(botocore_run: FuzzResult) -> None:
    again = _run(default_parser(for_operation(SERVICE, OPERATION)), max_examples=64, seed=5, seeds=False,
                 max_rounds=8)
    assert _keys(again) == _keys(botocore_run)
    assert again.cases == botocore_run.cases


# -- the command line ----------------------------------------------------------------------------------


def test_cli_robust_parser_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    code = main(["fuzz-parser", f"{SERVICE}:{OPERATION}", "--parser", f"{ME}:robust_parser",
                 "--parser-error", f"{ME}:ToyParseError", "--max-examples", "64", "--seed", "2",
                 "--report-json", str(report)])
    assert code == 0, capsys.readouterr().out
    document = json.loads(report.read_text())
    assert document["parser"] == f"{ME}:robust_parser"
    assert document["defects"] == []
    assert set(document["summary"]) >= {"cases", "defects", "seconds"}


def test_cli_fragile_parser_exits_1_with_the_documented_report(tmp_path: Path) -> None:
    report, module = tmp_path / "report.json", tmp_path / "test_reproducers.py"
    code = main(["fuzz-parser", f"{SERVICE}:{OPERATION}", "--parser", f"{ME}:fragile_parser",
                 "--parser-error", f"{ME}:ToyParseError", "--max-examples", "32", "--seed", "2",
                 "--report-json", str(report), "--pytest", str(module)])
    assert code == 1
    document = json.loads(report.read_text())
    defect = document["defects"][0]
    assert set(defect) >= {"kind", "exception", "label", "message", "response", "reproduce"}
    assert defect["kind"] in (CRASH, ACCEPTED_INVALID, WRONG_VALUE)
    assert set(defect["response"]) >= {"status", "headers", "body"}
    assert f"from {ME} import fragile_parser" in defect["reproduce"]
    assert document["summary"]["defects"] == len(document["defects"])
    compile(module.read_text(), str(module), "exec")


@pytest.mark.parametrize(("argv", "expected"), [
    (["glue:GetMLTaskRunn"], "did you mean GetMLTaskRun"),
    (["glue"], "SERVICE:OPERATION"),
    (["glue:GetMLTaskRun", "--parser", "no_such_module_x:parse"], "cannot import 'no_such_module_x'"),
    (["glue:GetMLTaskRun", "--parser", f"{ME}:no_such_function"], "has no attribute 'no_such_function'"),
    (["glue:GetMLTaskRun", "--parser", "json"], "give module:name"),
    (["glue:GetMLTaskRun", "--parser", f"{ME}:SERVICE"], "not callable"),
    (["glue:GetMLTaskRun", "--parser", f"{ME}:robust_parser", "--parser-error", f"{ME}:robust_parser"],
     "not an exception class"),
    (["glue:GetMLTaskRun", "--parser-error", f"{ME}:ToyParseError"], "--parser-error names"),
    (["s3:SelectObjectContent"], "event stream"),
    (["glue:GetMLTaskRun", "--max-examples", "0"], "at least 1"),
])
def test_cli_usage_errors_are_one_line_and_exit_2(argv: list[str], expected: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) if "--max-examples" in argv else contextlib.nullcontext():
        code = main(["fuzz-parser", *argv])
        assert code == 2
    error = capsys.readouterr().err.strip()
    assert expected in error
    assert len(error.splitlines()) == 1
