"""`conformance fuzz-parser` on the query and ec2 protocols: the XML encoder round-trips (through the strict decoder and
botocore's parser), every XML family is generated, valid answers parse to their value, hostile XML costs
bounded time, botocore's real defects show, and a parser that raises KeyError is reported as a crash."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import spec
from conformance.cli import main
from conformance.exchange import HttpResponse
from conformance.fuzz import CRASH, BotocoreParser, CallableParser, FuzzOptions, FuzzRunner, Oracle, for_operation
from conformance.fuzz.generate import base_strategies
from conformance.fuzz.runner import _draw_many
from conformance.fuzz.wire import VALID
from conformance.fuzz.xml_generate import XML_FAMILY_NAMES, XmlResponseGenerator, generator_of
from conformance.protocols import protocol_for

# Operations with structures, wrapped lists, maps (sns attributes), timestamps, booleans and integers.
ROUND_TRIP = ["iam:GetUser", "iam:ListUsers", "sns:GetTopicAttributes", "sts:AssumeRole",
              "cloudformation:DescribeStacks", "iam:GetAccountSummary",
              "ec2:DescribeInstances", "ec2:DescribeVpcs", "ec2:DescribeRegions", "ec2:GetConsoleOutput"]


def _generator(target: str) -> XmlResponseGenerator:
    service, operation = target.split(":")
    generator = generator_of(for_operation(service, operation))
    assert isinstance(generator, XmlResponseGenerator)
    return generator


@pytest.mark.parametrize("target", ROUND_TRIP)
def test_encoded_outputs_decode_strictly_and_botocore_reads_the_same_values(target: str) -> None:
    generator = _generator(target)
    context = generator.context
    document = spec.document(context.service, context.operation)
    parser = BotocoreParser(context.model, context.operation)
    oracle = Oracle(context, parser.documented)
    successes, errors = base_strategies(generator)

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(successes, errors))
    def round_trip(base: Any) -> None:
        if base.is_error:
            response = generator.error_response(base, base.body, "declared error", mode=VALID, family="valid",
                                                target="error")
            if base.error is None:  # the operation declares no error: a common one, botocore reads it alone
                assert oracle.judge(response, parser(response)) is None, response.body
                return
            decoded = protocol_for(document).decode_error(response, document, base.error.name)
            code = protocol_for(document).error_code(response, document)
            assert code is not None and code.code == base.code
            # <Message> is the envelope's (botocore's Error.Message); the decoder keeps it as an unknown element
            if "Message" not in base.body:
                decoded.value.pop("Message", None)
        else:
            response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
            decoded = protocol_for(document).decode_output(response, document)
        assert not decoded.violations, (decoded.violations, response.body)
        assert decoded.value == base.body, response.body
        assert oracle.judge(response, parser(response)) is None, response.body

    round_trip()


def test_every_xml_family_is_generated_and_valid_ones_parse_to_their_value() -> None:
    generator = _generator("iam:ListUsers")
    parser = BotocoreParser(generator.context.model, "ListUsers")
    oracle = Oracle(generator.context, parser.documented)
    success_strategy, error_strategy = base_strategies(generator)
    successes = _draw_many(success_strategy, 12, 3)
    errors = _draw_many(error_strategy, 6, 4)
    seen: set[str] = set()
    for use in generator.uses:
        for choice in range(24):
            response = generator.build(use, successes[choice % len(successes)], errors[choice % len(errors)],
                                       choice, choice)
            seen.add(response.family)
            if response.expectation.mode == VALID:
                assert oracle.judge(response, parser(response)) is None, (response.label, response.body)
    # ListUsers has no blob and no bounded number: those families fall back to a truncated body
    assert seen == set(XML_FAMILY_NAMES) - {"invalid-base64", "out-of-range"}


HOSTILE = ("entity", "entity-expansion", "deep-nesting", "unclosed", "not-xml", "truncated")


def test_hostile_xml_costs_bounded_time() -> None:
    generator = _generator("iam:GetUser")
    parser = BotocoreParser(generator.context.model, "GetUser")
    oracle = Oracle(generator.context, parser.documented)
    success_strategy, error_strategy = base_strategies(generator)
    success, error = _draw_many(success_strategy, 1, 1)[0], _draw_many(error_strategy, 1, 1)[0]
    labels = []
    for use in (use for use in generator.uses if use.family.name in HOSTILE):
        for variant in range(8):
            response = generator.build(use, success, error, 0, variant)
            started = time.perf_counter()
            try:
                parsed = parser(response)
            except Exception as raised:  # judged: the documented error or a crash, never a hang
                oracle.judge(response, error=raised)
            else:
                oracle.judge(response, parsed)
            assert time.perf_counter() - started < 5, response.label
            labels.append(response.label)
    assert any("billion laughs" in label for label in labels)
    assert any("10000 nested elements" in label for label in labels)


def test_cli_finds_botocores_query_parser_defects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    code = main(["fuzz-parser", "iam:GetUser", "--seed", "1", "--max-examples", "200", "--report-json", str(report)])
    out = capsys.readouterr().out
    assert code == 1
    assert "QueryParser (query)" in out
    document = json.loads(report.read_text())
    crashes = {(d["exception"], d["label"].split(":")[0]) for d in document["defects"] if d["kind"] == CRASH}
    exceptions = {exception for exception, _ in crashes}
    # botocore 1.44: a missing result wrapper is a KeyError, an unreadable timestamp a ValueError
    assert "KeyError" in exceptions
    assert "ValueError" in exceptions
    assert not [d for d in document["defects"] if d["kind"] == "wrong-value"]  # valid answers read right


def _key_error_parser(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
    raise KeyError("GetUserResult")


def test_a_parser_raising_key_error_is_a_crash() -> None:
    context = for_operation("iam", "GetUser")
    parser = CallableParser(_key_error_parser, "tests:_key_error_parser", (), None, "iam", "GetUser")
    result = FuzzRunner(context, parser, FuzzOptions(max_examples=64, seed=3, max_rounds=2)).run()
    assert result.defects
    assert {(defect.kind, defect.exception) for defect in result.defects} == {(CRASH, "KeyError")}


def test_an_empty_output_round_trips() -> None:
    context = for_operation("iam", "GetUser")
    generator = _generator("iam:GetUser")
    response = generator.success({}, "empty", VALID, "valid", "output", expected={})
    assert isinstance(response, HttpResponse)
    assert b"<GetUserResult></GetUserResult>" in response.body
    assert Oracle(context).judge(response, BotocoreParser(context.model, "GetUser")(response)) is None


def test_cli_speaks_ec2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fuzz-parser", "ec2:DescribeVpcs", "--seed", "1", "--max-examples", "100", "--max-time", "20"])
    out = capsys.readouterr().out
    assert code == 1
    assert "EC2QueryParser (ec2)" in out
    assert "wrong-value" not in out  # valid ec2 answers read right
    assert "crash AttributeError" in out  # botocore 1.44: an <Error> holding text
