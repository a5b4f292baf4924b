"""fuzz-parser on smithy-rpc-v2-cbor: answers written as the protocol says, decoded by the protocol layer and
read by botocore's RpcV2CBORParser to their value; each CBOR family produces what it says; hostile lengths
and nesting cost bounded time and memory; the CLI finds botocore's defects and no false ones."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.cli import main
from conformance.fuzz import (
    CRASH,
    WRONG_VALUE,
    BotocoreParser,
    CallableParser,
    FuzzOptions,
    FuzzRunner,
    Oracle,
    check_parse,
    for_operation,
    responses,
)
from conformance.fuzz import seeds as seed_cases
from conformance.fuzz.cbor_generate import CBOR_FAMILY_NAMES, CborResponseGenerator, RawCbor, Wire
from conformance.fuzz.convert import WireCodec, difference
from conformance.fuzz.generate import Base, base_strategies
from conformance.fuzz.runner import _draw_many
from conformance.fuzz.wire import MALFORMED, VALID, WireResponse
from conformance.fuzz.xml_generate import generator_of
from conformance.protocols import protocol_named
from conformance.protocols.base import BodyError
from conformance.protocols.cbor_protocol import parse_cbor

CBOR = "smithy-rpc-v2-cbor"
# botocore prefers json for these services (their models list both): --protocol picks rpc-v2-cbor.
ROUND_TRIP = ["cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics",
              "codebuild:BatchGetProjects", "translate:TranslateText"]


def _generator(target: str) -> CborResponseGenerator:
    service, operation = target.split(":")
    generator = generator_of(for_operation(service, operation, CBOR))
    assert isinstance(generator, CborResponseGenerator)
    return generator


def _bases(generator: CborResponseGenerator, successes: int = 8, errors: int = 6) -> tuple[list[Base], list[Base]]:
    success_strategy, error_strategy = base_strategies(generator)
    return _draw_many(success_strategy, successes, 3), _draw_many(error_strategy, errors, 4)


def _parse(parser: BotocoreParser, oracle: Oracle, response: WireResponse) -> Any:
    try:
        parsed = parser(response)
    except Exception as raised:  # judged: the documented error or a crash
        return oracle.judge(response, error=raised)
    return oracle.judge(response, parsed)


@pytest.mark.parametrize("target", ROUND_TRIP)
def test_valid_answers_decode_strictly_and_botocore_reads_the_same_values(target: str) -> None:
    generator = _generator(target)
    context = generator.context
    document = context.deriver.document(context.operation)
    protocol = protocol_named(CBOR)
    parser = BotocoreParser(context.model, context.operation)
    assert parser.name.endswith(f"RpcV2CBORParser ({CBOR})")
    oracle = Oracle(context, parser.documented)
    successes, errors = base_strategies(generator)

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(successes, errors))
    def round_trip(base: Base) -> None:
        if base.is_error:
            response = generator.error_response(base, base.body, "declared error", mode=VALID, family="valid",
                                                target="error")
            assert base.error is not None
            code = protocol.error_code(response, document)
            assert code is not None and code.code == base.code
            decoded = protocol.decode_error(response, document, base.error.name)
        else:
            response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
            decoded = protocol.decode_output(response, document)
        assert response.headers["Content-Type"] == "application/cbor"
        assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
        assert not decoded.violations, (decoded.violations, response.body)
        assert decoded.value == base.body, response.body
        assert oracle.judge(response, parser(response)) is None, response.body

    round_trip()


def test_wire_forms_timestamps_tag_1_blobs_byte_strings_non_finite_floats() -> None:
    generator = _generator("cloudwatch:GetMetricData")
    body = {"MetricDataResults": [{"Id": "a", "Timestamps": [1700000000, 1.5], "Values": ["NaN", 2.5, "-Infinity"]}]}
    data = generator.success(body, "valid", VALID, "valid", "output", expected=body).body
    assert b"\x82\xc1\x1a\x65\x53\xf1\x00\xc1\xfb\x3f\xf8" in data  # [1(1700000000), 1(1.5)]
    result = cbor2.loads(data)["MetricDataResults"][0]
    assert result["Values"][1:] == [2.5, float("-inf")] and result["Values"][0] != result["Values"][0]  # NaN
    blobs = _generator("cloudwatch:GetMetricWidgetImage")
    assert cbor2.loads(blobs.success({"MetricWidgetImage": "AAEC"}, "valid", VALID, "valid", "output").body) == {
        "MetricWidgetImage": b"\x00\x01\x02"}


def test_every_cbor_family_is_generated_and_valid_ones_parse_to_their_value() -> None:
    generator = _generator("cloudwatch:DescribeAlarms")
    parser = BotocoreParser(generator.context.model, "DescribeAlarms")
    oracle = Oracle(generator.context, parser.documented)
    successes, errors = _bases(generator, 12, 6)
    seen: set[str] = set()
    valid = 0
    for use in generator.uses:
        for choice in range(24):
            response = generator.build(use, successes[choice % len(successes)], errors[choice % len(errors)],
                                       choice, choice)
            seen.add(response.family)
            if response.expectation.mode != MALFORMED:
                valid += 1
                assert _parse(parser, oracle, response) is None, (response.label, response.body)
    assert seen == set(CBOR_FAMILY_NAMES)
    assert valid > 200


def test_query_compatible_errors_carry_the_code_in_x_amzn_query_error() -> None:
    generator = _generator("cloudwatch:GetMetricStatistics")
    context = generator.context
    parser = BotocoreParser(context.model, context.operation)
    fault = context.errors["InternalServiceFault"]
    base = generator.error_base(fault, {"Message": "failed"})
    use = next(use for use in generator.uses if use.family.name == "error-code")
    for variant in range(5):
        response = generator.build(use, generator.success_base({}), base, 0, variant)
        assert response.headers["x-amzn-query-error"] == "InternalServiceError;Receiver"
        assert "InternalServiceFault" in str(cbor2.loads(response.body)["__type"]), response.label
        parsed = parser(response)
        assert parsed["Error"]["Code"] == "InternalServiceError"
        assert parsed["Error"]["QueryErrorCode"] == "InternalServiceFault"
        assert Oracle(context).judge(response, parsed) is None
    # translate is not query compatible: no header, the code in __type
    plain = _generator("translate:TranslateText")
    error = plain.error_base(plain.context.errors["TooManyRequestsException"], {"Message": "slow"})
    response = plain.error_response(error, error.body, "declared", mode=VALID, family="valid", target="error")
    assert "x-amzn-query-error" not in response.headers
    assert cbor2.loads(response.body)["__type"] == "TooManyRequestsException"


def _family_cases(generator: CborResponseGenerator, family: str, variants: int = 16) -> list[WireResponse]:
    successes, errors = _bases(generator, 4, 2)
    use = next(use for use in generator.uses if use.family.name == family and use.base == "success")
    return [generator.build(use, successes[-1], errors[0], slot, variant)
            for slot in range(4) for variant in range(variants)]


def test_truncated_items_really_are_truncated() -> None:
    generator = _generator("cloudwatch:DescribeAlarms")
    for response in _family_cases(generator, "truncated"):
        assert response.family == "truncated"
        if not response.body:
            continue  # "empty body instead of N bytes"
        with pytest.raises(cbor2.CBORDecodeEOF):
            cbor2.loads(response.body)
        with pytest.raises(BodyError, match="truncated"):
            parse_cbor(response.body)
    labels = {response.label for response in _family_cases(generator, "truncated")}
    assert any("declares" in label and "pairs" in label for label in labels)
    assert any("past the body's end" in label for label in labels)


def test_indefinite_lengths_parse_equal_to_the_definite_body() -> None:
    generator = _generator("cloudwatch:GetMetricData")
    parser = BotocoreParser(generator.context.model, "GetMetricData")
    oracle = Oracle(generator.context, parser.documented)
    successes, _ = _bases(generator, 8, 1)
    base = successes[-1]
    definite = cbor2.loads(generator.base_bytes(base))
    use = next(use for use in generator.uses if use.family.name == "indefinite-length" and use.base == "success")
    forms = set()
    for variant in range(5):
        response = generator.build(use, base, base, 0, variant)
        forms.add(response.target)
        assert response.expectation.mode == VALID
        if response.target != "byte strings":  # GetMetricData has no blob
            assert response.body != generator.base_bytes(base)
        if response.target in ("maps", "everything"):
            assert response.body[0] == 0xBF and response.body[-1] == 0xFF  # an indefinite map
        assert _same(cbor2.loads(response.body), definite), response.label
        assert oracle.judge(response, parser(response)) is None, response.label
    assert forms == {"maps", "arrays", "text strings", "byte strings", "everything"}


def _same(left: Any, right: Any) -> bool:
    """Equal CBOR values, NaN equal to NaN."""
    if isinstance(left, float) and isinstance(right, float) and left != left:
        return right != right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, cbor2.CBORTag) and isinstance(right, cbor2.CBORTag):
        return left.tag == right.tag and _same(left.value, right.value)
    return bool(left == right)


def test_families_write_the_cbor_they_say() -> None:
    generator = _generator("cloudwatch:GetMetricData")
    wrong = _family_cases(generator, "wrong-major-type", 14)
    byte_strings = [r for r in wrong if r.label.startswith("byte string") and r.target == "string"]
    assert byte_strings and all(b"Kconformance" in r.body for r in byte_strings)  # 0x4b: a byte string of 11
    texts_for_lists = [r for r in wrong if r.label.startswith("text string") and r.target == "list"]
    assert texts_for_lists and all(b"kconformance" in r.body for r in texts_for_lists)  # 0x6b: text of 11
    floats = _family_cases(generator, "float-width")
    assert any(b"\xf9\x7e\x00" in r.body and "half-precision NaN" in r.label for r in floats)
    assert all(r.expectation.mode == VALID for r in floats)
    tags = _family_cases(generator, "stray-tag")
    assert any(r.label.startswith("tag 1 (epoch timestamp) around /") and "(string)" in r.label for r in tags)
    assert any(b"\xd9\xd9\xf7" in r.body for r in tags)  # tag 55799
    big = _family_cases(_generator("cloudwatch:DescribeAlarms"), "big-integer")
    assert any(b"\x1b\xff\xff\xff\xff\xff\xff\xff\xff" in r.body for r in big)
    assert any(b"\xc3\x49\x01" in r.body for r in big)  # a negative bignum
    deep = _family_cases(generator, "deep-nesting", 8)
    assert any(b"\x81" * 2_500 in r.body for r in deep) and any(b"\x9f" * 25_000 in r.body for r in deep)
    keys = _family_cases(generator, "map-key")
    assert any(r.body.startswith(b"\xa2") and b"\x81\x01\x61x" in r.body for r in keys)  # an array key


def test_stray_tags_and_byte_strings_are_wire_violations_for_the_protocol_layer() -> None:
    generator = _generator("cloudwatch:GetMetricData")
    context = generator.context
    document = context.deriver.document(context.operation)
    body = {"MetricDataResults": [{"Id": Wire(cbor2.CBORTag(1, 5)), "Label": Wire(b"bytes")}]}
    response = generator.success(body, "malformed", MALFORMED, "stray-tag", "string")
    decoded = protocol_named(CBOR).decode_output(response, document)
    pointers = {violation.pointer for violation in decoded.violations}
    assert pointers == {"/MetricDataResults/0/Id", "/MetricDataResults/0/Label"}


HOSTILE = ("huge-length", "deep-nesting", "truncated", "not-cbor", "map-key")


def test_hostile_cbor_costs_bounded_time_and_memory() -> None:
    generator = _generator("cloudwatch:DescribeAlarms")
    parser = BotocoreParser(generator.context.model, "DescribeAlarms")
    oracle = Oracle(generator.context, parser.documented)
    successes, errors = _bases(generator, 2, 1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    labels = []
    for use in (use for use in generator.uses if use.family.name in HOSTILE):
        for variant in range(16):
            response = generator.build(use, successes[-1], errors[0], variant % 3, variant)
            started = time.perf_counter()
            _parse(parser, oracle, response)
            if use.family.name != "map-key" and response.body:  # keys other than text are well-formed CBOR
                with pytest.raises(BodyError):  # the protocol layer refuses them, reading no further than the body
                    parse_cbor(response.body)
            assert time.perf_counter() - started < 5, response.label
            labels.append(response.label)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    assert grown < 200 * 1024, f"{grown} KiB"
    assert any("2^63" in label for label in labels) and any("2^64-1" in label for label in labels)
    assert any("25000 nested" in label for label in labels)


def test_a_length_of_2_to_the_63_is_refused_at_once() -> None:
    body = b"\xa1\x61a\x7b\x80" + bytes(7) + b"abc"  # {"a": a text string of 2^63 bytes, 3 of them present}
    started = time.perf_counter()
    with pytest.raises(BodyError, match="truncated"):
        parse_cbor(body)
    assert time.perf_counter() - started < 0.5


def _drop_everything(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
    return {}


def test_a_parser_that_loses_members_is_a_wrong_value_on_valid_cbor() -> None:
    context = for_operation("cloudwatch", "GetMetricData", CBOR)
    parser = CallableParser(_drop_everything, "tests:_drop_everything", (), None, "cloudwatch", "GetMetricData")
    result = FuzzRunner(context, parser, FuzzOptions(max_examples=64, seed=3, max_rounds=3)).run()
    wrong = {defect.response.family for defect in result.defects
             if defect.kind == WRONG_VALUE and defect.response.expectation.mode == VALID}
    assert "valid" in wrong or "indefinite-length" in wrong, result.defects


def test_cli_finds_botocores_cbor_parser_defects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, repro = tmp_path / "report.json", tmp_path / "test_repro.py"
    code = main(["fuzz-parser", "cloudwatch:DescribeAlarms", "--protocol", CBOR, "--seed", "1",
                 "--max-examples", "200", "--report-json", str(report), "--pytest", str(repro)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"RpcV2CBORParser ({CBOR})" in out
    document = json.loads(report.read_text())
    crashes = {defect["exception"] for defect in document["defects"] if defect["kind"] == CRASH}
    # botocore 1.44: non-map bodies and error bodies are AttributeErrors, deep nesting a RecursionError,
    # invalid UTF-8 a UnicodeDecodeError, a length of 2^63 an OverflowError
    assert {"AttributeError", "RecursionError", "UnicodeDecodeError", "OverflowError"} <= crashes
    assert not [d for d in document["defects"] if d["kind"] == WRONG_VALUE]  # valid answers read right
    assert "protocol='smithy-rpc-v2-cbor'" in repro.read_text()


def test_check_parse_judges_a_cbor_reproduction() -> None:
    body = cbor2.dumps({"MetricDataResults": [{"Id": "a", "Values": [1.5]}]})
    headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    parsed = {"MetricDataResults": [{"Id": "a", "Values": [1.5]}]}
    expected = {"MetricDataResults": [{"Id": "a", "Values": [1.5]}]}
    assert check_parse("cloudwatch", "GetMetricData", 200, headers, body, parsed, mode=VALID, expected=expected,
                       protocol=CBOR) == []
    assert check_parse("cloudwatch", "GetMetricData", 200, headers, body, {"MetricDataResults": []}, mode=VALID,
                       expected=expected, protocol=CBOR)


@pytest.mark.parametrize(("arguments", "words"), [
    (["cloudwatch:DescribeAlarms", "--protocol", "query"], "query only where botocore does"),
    (["glue:GetMLTaskRun", "--protocol", CBOR], "glue does not speak smithy-rpc-v2-cbor"),
])
def test_a_protocol_the_service_does_not_speak_is_a_one_line_usage_error(
        arguments: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz-parser", *arguments]) == 2
    error = capsys.readouterr().err.strip()
    assert words in error and len(error.splitlines()) == 1


def test_a_service_botocore_speaks_cbor_to_is_fuzzed_in_cbor_by_default() -> None:
    context = for_operation("cloudwatchomni", "GetView")
    assert context.protocol == CBOR and context.chosen_protocol is None
    assert isinstance(generator_of(context), CborResponseGenerator)
    assert for_operation("cloudwatch", "DescribeAlarms").protocol == "json"  # botocore's choice is kept


def test_the_serve_strategy_draws_cbor_answers() -> None:
    drawn: list[WireResponse] = []

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(responses("cloudwatch", "DescribeAlarms", CBOR))
    def draw(response: WireResponse) -> None:
        drawn.append(response)

    draw()
    assert all(response.headers.get("smithy-protocol") == "rpc-v2-cbor" for response in drawn)
    assert {response.family for response in drawn} & set(CBOR_FAMILY_NAMES) - {"valid", "content-type", "html"}
    valid = [response for response in drawn if response.expectation.mode == VALID]
    assert valid and all(isinstance(parse_cbor(response.body), dict) for response in valid)


def test_raw_cbor_is_written_verbatim() -> None:
    generator = _generator("translate:TranslateText")
    response = generator.success({"TranslatedText": RawCbor(b"\x7f\x61a\xff")}, "raw", MALFORMED, "x", "y")
    assert response.body == b"\xa1\x6eTranslatedText\x7f\x61a\xff"


# -- botocore's rpc-v2-cbor protocol tests (../shared/data/botocore-protocol-tests, Apache-2.0) as seeds --------


@pytest.fixture(scope="module")
def cbor_seeds(shared_data: Path) -> seed_cases.SeedSet:
    return seed_cases.load(shared_data / "botocore-protocol-tests", CBOR)


def test_botocore_passes_every_cbor_protocol_fixture(cbor_seeds: seed_cases.SeedSet) -> None:
    assert len(cbor_seeds.cases) >= 30
    failures = []
    for seed in cbor_seeds.cases:
        parser = BotocoreParser(seed.context.model, seed.context.operation)
        verdict = _parse(parser, Oracle(seed.context, parser.documented), seed.response)
        if verdict is not None:
            failures.append((seed.name, verdict))
    assert failures == []
    assert "output__smithy-rpc-v2-cbor.json:RpcV2CborExtraFieldsInTheBodyShouldBeSkippedByClients" in cbor_seeds.skipped


def test_cbor_expectations_agree_with_the_fixtures_results(cbor_seeds: seed_cases.SeedSet) -> None:
    """The expected value is the body as the protocol layer decodes it; the fixtures say it independently."""
    for seed in cbor_seeds.cases:
        schema, fixture_value = seed_cases.expected_result(seed)
        codec = WireCodec(seed.context)
        ours = codec.canonical(schema, seed.response.expectation.value)
        assert difference(codec.canonical(schema, fixture_value), ours) is None, seed.name


def test_a_cbor_run_starts_with_the_cbor_seeds() -> None:
    context = for_operation("cloudwatch", "DescribeAlarms", CBOR)
    result = FuzzRunner(context, BotocoreParser(context.model, "DescribeAlarms"),
                        FuzzOptions(max_examples=32, seed=2, max_rounds=1)).run()
    assert result.seeds_passed >= 30
    assert not [d for d in result.defects if d.source == "protocol test"]
    assert seed_cases.problems("output__smithy-rpc-v2-cbor-query-compatible.json:"
                               "QueryCompatibleRpcV2CborCustomCodeError") == []
