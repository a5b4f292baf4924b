"""`conformance fuzz-parser` on the rest-json and rest-xml protocols: valid answers of real operations decode back
with the protocol layer and parse with botocore to their value (headers, header maps, status and payload
members included), the encoder writes what botocore's own protocol tests expect, every rest family is
generated and says what it is, botocore's real rest defects show, and the CLI and `serve --fuzz`'s strategy
speak both protocols."""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ServiceModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import spec
from conformance.cli import main
from conformance.fuzz import (
    ACCEPTED_INVALID,
    CRASH,
    WRONG_VALUE,
    BotocoreParser,
    CallableParser,
    FuzzOptions,
    FuzzRunner,
    Oracle,
    WireResponse,
    for_model,
    for_operation,
    responses,
)
from conformance.fuzz.convert import format_timestamp
from conformance.fuzz.generate import Base, Use, base_strategies
from conformance.fuzz.rest_generate import (
    REST_JSON_FAMILY_NAMES,
    REST_XML_FAMILY_NAMES,
    RestGenerator,
    RestJsonResponseGenerator,
    RestXmlResponseGenerator,
    _garbled_headers,
)
from conformance.fuzz.runner import _draw_many
from conformance.fuzz.seeds import default_directory
from conformance.fuzz.wire import INTACT, MALFORMED, VALID
from conformance.fuzz.xml_generate import generator_of
from conformance.protocols import protocol_for

# Headers (strings, integers, booleans, HTTP dates, ISO 8601), header maps, status members, blob, string and
# structure payloads, jsonvalue headers, S3's bare errors and xsi-namespaced attributes, wrapped and flattened
# lists.
ROUND_TRIP = ["lambda:GetFunction", "lambda:Invoke", "s3:GetObject", "s3:ListObjectsV2", "s3:HeadObject",
              "s3:GetBucketAcl", "s3:GetBucketPolicy", "apigateway:GetRestApi", "apigateway:GetExport",
              "route53:GetHostedZone", "route53:ListResourceRecordSets", "cloudfront:GetDistribution",
              "lex-runtime:PutSession", "eks:DescribeCluster"]
FIXTURES = default_directory()


def _generator(target: str) -> RestGenerator:
    service, operation = target.split(":")
    generator = generator_of(for_operation(service, operation))
    assert isinstance(generator, RestGenerator)
    return generator


def _read_back(generator: RestGenerator, part: str | None, value: dict[str, Any]) -> dict[str, Any]:
    """VALUE as the protocol layer decodes it: unset members absent, and so is an empty raw payload."""
    bindings = generator.bindings(part)
    kept = {name: item for name, item in value.items() if item is not None}
    if bindings.raw_payload and bindings.payload is not None and kept.get(bindings.payload) == "":
        del kept[bindings.payload]
    return kept


@pytest.mark.parametrize("target", ROUND_TRIP)
def test_valid_answers_decode_with_the_protocol_layer_and_botocore_reads_the_same_values(target: str) -> None:
    generator = _generator(target)
    context = generator.context
    document = spec.document(context.service, context.operation)
    protocol = protocol_for(document)
    parser = BotocoreParser(context.model, context.operation)
    oracle = Oracle(context, parser.documented)
    successes, errors = base_strategies(generator)

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(successes, errors))
    def round_trip(base: Base) -> None:
        if base.is_error:
            response = generator.error_response(base, base.body, "declared error", mode=VALID, family="valid",
                                                target="error")
        else:
            response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
        assert oracle.judge(response, parser(response)) is None, response.as_json()
        if base.is_error and base.error is None:
            return  # an undeclared error (the operation declares none): botocore alone reads it
        expected = response.expectation.value
        if base.is_error:
            assert base.error is not None
            code = protocol.error_code(response, document)
            assert code is not None and code.code == base.code, response.as_json()
            decoded = protocol.decode_error(response, document, base.error.name)
            if "Message" not in expected:  # the envelope's <Message>, an element the shape does not have
                decoded.value.pop("Message", None)
            part = generator.part_of(base)
        else:
            decoded = protocol.decode_output(response, document)
            part = "output"
        assert not decoded.violations, (decoded.violations, response.as_json())
        assert decoded.value == _read_back(generator, part, expected), response.as_json()

    round_trip()


def test_members_go_where_the_model_binds_them() -> None:
    generator = _generator("s3:GetObject")
    when = "Mon, 16 Dec 2019 23:48:18 GMT"
    body = {"Body": base64.b64encode(b"hello").decode(), "LastModified": when,
            "DeleteMarker": True, "PartsCount": 3, "Metadata": {"colour": "blue"}, "ContentType": "text/plain",
            "ObjectLockRetainUntilDate": "2019-12-16T23:48:18Z", "ChecksumCRC32": "AAAAAA==", "ContentLength": 99}
    base = generator.success_base(body)
    response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert response.status == 200 and response.body == b"hello"
    assert headers["last-modified"] == when and headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-mp-parts-count"] == "3" and headers["x-amz-meta-colour"] == "blue"
    assert headers["content-type"] == "text/plain" and headers["content-length"] == "5"
    assert headers["x-amz-object-lock-retain-until-date"] == "2019-12-16T23:48:18Z"
    # clients check these against the body: its length, and no checksum a drawn value would get wrong
    assert "x-amz-checksum-crc32" not in headers and response.expectation.value["ContentLength"] == 5
    parsed = BotocoreParser(generator.context.model, "GetObject")(response)
    assert parsed["Body"] == b"hello" and parsed["PartsCount"] == 3 and parsed["DeleteMarker"] is True
    assert parsed["LastModified"] == datetime.datetime(2019, 12, 16, 23, 48, 18, tzinfo=datetime.UTC)

    invoke = _generator("lambda:Invoke")
    base = invoke.success_base({"StatusCode": 202, "Payload": base64.b64encode(b'{"ok": true}').decode(),
                                "ExecutedVersion": "$LATEST"})
    response = invoke.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
    assert response.status == 202 and response.body == b'{"ok": true}'
    assert response.headers["X-Amz-Executed-Version"] == "$LATEST"
    assert response.headers["Content-Type"] == "application/json"

    lex = _generator("lex-runtime:PutSession")
    base = lex.success_base({"slots": '{"City": "Paris"}'})
    response = lex.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
    assert json.loads(base64.b64decode(response.headers["x-amz-lex-slots"])) == {"City": "Paris"}
    assert BotocoreParser(lex.context.model, "PutSession")(response)["slots"] == {"City": "Paris"}


def test_error_envelopes_are_each_services() -> None:
    s3 = _generator("s3:GetObject")
    assert s3.context.error_for_code("NoSuchKey") is not None
    base = s3.error_base(s3.context.errors["NoSuchKey"], {})
    response = s3.error_response(base, base.body, "declared error", mode=VALID, family="valid", target="error")
    assert response.status == 404 and response.body.startswith(b"<Error><Code>NoSuchKey</Code>")
    route53 = _generator("route53:GetHostedZone")
    error = route53.context.errors["NoSuchHostedZone"]
    base = route53.error_base(error, {"message": "gone"})
    response = route53.error_response(base, base.body, "declared error", mode=VALID, family="valid",
                                      target="error")
    assert response.status == error.status
    assert response.body.startswith(b'<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                                    b"<Error><Type>Sender</Type><Code>NoSuchHostedZone</Code>")
    lambda_ = _generator("lambda:GetFunction")
    error = lambda_.context.errors["TooManyRequestsException"]
    base = lambda_.error_base(error, {"retryAfterSeconds": "7", "message": "slow down"})
    response = lambda_.error_response(base, base.body, "declared error", mode=VALID, family="valid",
                                      target="error")
    assert response.status == 429
    assert response.headers["X-Amzn-ErrorType"] == "TooManyRequestsException"
    assert response.headers["Retry-After"] == "7" and json.loads(response.body) == {"message": "slow down"}
    parsed = BotocoreParser(lambda_.context.model, "GetFunction")(response)
    assert parsed["Error"]["Code"] == "TooManyRequestsException" and parsed["retryAfterSeconds"] == "7"


def _cases(generator: RestGenerator, count: int = 24) -> list[tuple[Use, WireResponse]]:
    success_strategy, error_strategy = base_strategies(generator)
    successes = _draw_many(success_strategy, 12, 3)
    errors = _draw_many(error_strategy, 6, 4)
    built = []
    for use in generator.uses:
        for index in range(count):
            built.append((use, generator.build(use, successes[index % len(successes)], errors[index % len(errors)],
                                               index * 7, index)))
    return built


@pytest.mark.parametrize(("target", "names", "rest"), [
    ("lambda:Invoke", REST_JSON_FAMILY_NAMES, {"status-code", "payload-bytes", "odd-status", "header-case"}),
    ("lambda:GetFunction", REST_JSON_FAMILY_NAMES, {"odd-status", "header-case", "error-code", "bad-error-code"}),
    ("s3:GetObject", REST_XML_FAMILY_NAMES, {"header-text", "header-case", "odd-status", "payload-bytes",
                                            "error-envelope"}),
    ("route53:ListResourceRecordSets", REST_XML_FAMILY_NAMES, {"odd-status", "error-envelope", "wrong-wrapping"}),
])
def test_every_family_is_generated_and_valid_ones_parse_to_their_value(target: str, names: tuple[str, ...],
                                                                      rest: set[str]) -> None:
    generator = _generator(target)
    parser = BotocoreParser(generator.context.model, generator.context.operation)
    oracle = Oracle(generator.context, parser.documented)
    seen: set[str] = set()
    for use, response in _cases(generator):
        # a family with nothing to change in that base falls back to the valid answer, or to it cut short
        assert response.family in (use.family.name, "valid", "truncated")
        seen.add(response.family)
        if response.expectation.mode == MALFORMED:
            continue
        try:
            verdict = oracle.judge(response, parser(response))
        except Exception as error:
            verdict = oracle.judge(response, error=error)
        known = response.family == "namespace" and response.status >= 300  # botocore: see below
        assert verdict is None or known, (use.name, response.label, verdict, response.as_json())
    families = {use.family.name for use in generator.uses}
    assert families <= set(names)
    assert rest <= families and rest <= seen
    assert len(seen) >= 0.75 * len(families)  # the others need bases with members of their kind


def _built(target: str, family: str, base_kind: str = "success", variant: int = 0, slot: int = 0,
           body: dict[str, Any] | None = None) -> tuple[RestGenerator, WireResponse]:
    generator = _generator(target)
    use = next(use for use in generator.uses if use.family.name == family and use.base == base_kind)
    success = generator.success_base(body or {})
    declared = list(generator.context.errors.values())
    error = generator.error_base(declared[0], {}) if declared else generator.common_error_base()
    return generator, generator.build(use, success, error, slot, variant)


def test_header_text_families_say_what_they_broke() -> None:
    _, response = _built("s3:GetObject", "header-text", body={"PartsCount": 2})
    assert response.expectation.mode == MALFORMED and response.family == "header-text"
    header, text = response.label.split(": ", 1)[0].removeprefix("header "), response.label.split("'")[1]
    assert {name.lower(): value for name, value in response.headers.items()}[header.lower()] == text


def test_status_payload_and_code_families() -> None:
    _, response = _built("lambda:Invoke", "status-code", variant=2)
    assert response.status == 202 and response.expectation.value["StatusCode"] == 202
    _, response = _built("lambda:Invoke", "payload-bytes")
    assert response.body == bytes(range(256))
    assert base64.b64decode(response.expectation.value["Payload"]) == bytes(range(256))
    _, response = _built("lambda:GetFunction", "odd-status")
    assert response.status == 300 and response.expectation.mode == MALFORMED
    _, response = _built("lambda:GetFunction", "error-code", "error", variant=9)
    assert "disagree" in response.label and json.loads(response.body)["__type"] == "ConformanceOtherException"
    assert response.expectation.error_code == response.headers["X-Amzn-ErrorType"]
    _, response = _built("lambda:GetFunction", "error-code", "error", variant=5)
    assert "X-Amzn-ErrorType" not in response.headers and "__type" in json.loads(response.body)
    _, response = _built("s3:GetObject", "error-envelope", "error", variant=2)
    assert response.expectation.mode == INTACT and response.body.startswith(b"<ErrorResponse")
    _, response = _built("s3:GetBucketPolicy", "payload-kind")
    assert response.expectation.mode == MALFORMED and response.body == b"\xff\xfe\xfd"


def _slot_of(target: str, kind: str) -> int:
    """The slot of the header-text family that garbles the first header member of KIND."""
    return next(index for index, (found, _) in enumerate(_garbled_headers(_generator(target), "output"))
                if found == kind)


@pytest.mark.parametrize(("target", "family", "slot", "variant", "kind", "exception"), [
    ("s3:GetObject", "header-text", "integer", 0, CRASH, "ValueError"),  # int('abc') of an integer header
    ("s3:GetObject", "header-text", "timestamp", 0, CRASH, "ValueError"),  # dateutil on "yesterday"
    ("lambda:GetFunction", "odd-status", None, 0, ACCEPTED_INVALID, None),  # HTTP 300 read as a success
    ("s3:GetBucketPolicy", "payload-kind", None, 0, CRASH, "UnicodeDecodeError"),  # a string payload, bad UTF-8
])
def test_botocores_rest_defects_show(target: str, family: str, slot: str | None, variant: int, kind: str,
                                     exception: str | None) -> None:
    chosen = _slot_of(target, slot) if slot else 0
    generator, response = _built(target, family, variant=variant, slot=chosen)
    parser = BotocoreParser(generator.context.model, generator.context.operation)
    oracle = Oracle(generator.context, parser.documented)
    try:
        verdict = oracle.judge(response, parser(response))
    except Exception as error:
        verdict = oracle.judge(response, error=error)
    assert verdict is not None and verdict.kind == kind and verdict.exception == exception, verdict


def test_a_namespaced_s3_error_loses_its_code_in_botocore() -> None:
    generator, response = _built("s3:GetObject", "namespace", "error", variant=1)
    assert b'<Error xmlns="urn:conformance:other">' in response.body and response.expectation.mode == VALID
    verdict = Oracle(generator.context).judge(response, BotocoreParser(generator.context.model, "GetObject")(response))
    assert verdict is not None and verdict.kind == WRONG_VALUE and "Error.Code is ''" in verdict.message


def test_the_oracle_compares_header_and_status_members() -> None:
    """Quiet for botocore on valid answers (above); fires for a parser that loses header or status members."""
    generator = _generator("lambda:Invoke")
    model = generator.context.model
    botocore_parser = BotocoreParser(model, "Invoke")
    oracle = Oracle(generator.context)
    base = generator.success_base({"StatusCode": 202, "ExecutedVersion": "3", "Payload": ""})
    response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
    assert oracle.judge(response, botocore_parser(response)) is None

    def dropping_headers(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
        parsed = botocore_parser(response)
        parsed.pop("ExecutedVersion")
        return parsed

    def wrong_status(status: int, headers: dict[str, str], body: bytes, service: str, operation: str) -> Any:
        return {**botocore_parser(response), "StatusCode": 200}

    for function, where in ((dropping_headers, "/ExecutedVersion"), (wrong_status, "/StatusCode")):
        plugged = CallableParser(function, "plugged", (), None, "lambda", "Invoke")
        verdict = oracle.judge(response, plugged(response))
        assert verdict is not None and verdict.kind == WRONG_VALUE and verdict.message.startswith(where)


def _fixture_value(context: Any, schema: Any, value: Any) -> Any:
    """botocore's test notation (blobs as text, timestamps as epoch seconds) in the wire data model."""
    schema = context.resolve(schema)
    kind = schema.get("x-aws-type")
    if kind == "blob" and isinstance(value, str):
        return base64.b64encode(value.encode()).decode()
    if kind == "timestamp" and isinstance(value, int | float):
        moment = datetime.datetime.fromtimestamp(value, datetime.UTC)
        return format_timestamp(moment, schema["x-aws-timestamp-format"])
    if isinstance(value, dict) and kind == "structure":
        properties = schema.get("properties", {})
        names = {member.get("x-aws-member", wire): wire for wire, member in properties.items()}
        return {names.get(k, k): _fixture_value(context, properties.get(names.get(k, k), {}), v)
                for k, v in value.items()}
    if isinstance(value, dict) and kind == "map":
        return {k: _fixture_value(context, schema.get("additionalProperties", {}), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fixture_value(context, schema.get("items", {}), v) for v in value]
    return value


@pytest.mark.skipif(not (FIXTURES / "output__rest-xml.json").is_file(), reason="shared protocol tests missing")
@pytest.mark.parametrize(("file", "key"), [("output__rest-json.json", "rest-json"),
                                           ("output__rest-xml.json", "rest-xml")])
def test_the_encoder_writes_what_botocores_protocol_tests_expect(file: str, key: str) -> None:
    """Each output case of botocore's own rest protocol tests (boto/botocore tests/unit/protocols/output,
    Apache-2.0; `../shared/data/botocore-protocol-tests`): its expected result, written by our encoder, is what
    botocore parses back. Cases botocore itself skips (its ignore list) are skipped."""
    ignored = json.loads((FIXTURES / "protocol-tests-ignore-list.json").read_text())["protocols"]
    skipped = set(ignored.get(key, {}).get("output", {}).get("cases", []))
    passed = 0
    for number, suite in enumerate(json.loads((FIXTURES / file).read_text())):
        for case in suite["cases"]:
            if case["id"] in skipped:
                continue
            operation = case["given"]["name"]
            model = ServiceModel({"metadata": suite["metadata"], "operations": {operation: case["given"]},
                                  "shapes": suite["shapes"], "documentation": ""}, service_name=f"fixture-{number}")
            context = for_model(model, operation)
            generator = generator_of(context)
            assert isinstance(generator, RestJsonResponseGenerator | RestXmlResponseGenerator)
            if "errorCode" in case:
                declared = context.error_for_code(case["errorCode"])
                assert declared is not None
                members = {k: v for k, v in case.get("error", {}).items() if k not in ("Code", "Message")}
                base = generator.error_base(declared, _fixture_value(context, declared.schema, members))
                response = generator.error_response(base, base.body, "fixture", mode=VALID, family="valid",
                                                    target="error")
            else:
                value = _fixture_value(context, context.output, case.get("result", {}))
                response = generator.success(value, "fixture", VALID, "valid", "output", expected=value)
            parser = BotocoreParser(model, operation)
            verdict = Oracle(context, parser.documented).judge(response, parser(response))
            assert verdict is None, (case["id"], verdict, response.as_json())
            passed += 1
    assert passed >= 70


def test_cli_fuzzes_rest_json_and_rest_xml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    code = main(["fuzz-parser", "lambda:GetFunction", "--seed", "1", "--max-examples", "150", "--max-time", "30",
                 "--report-json", str(report)])
    out = capsys.readouterr().out
    assert code == 1 and "RestJSONParser (rest-json)" in out
    assert "wrong-value" not in out  # valid rest-json answers read right
    document = json.loads(report.read_text())
    assert document["summary"]["cases"] > 150 and document["defects"]
    assert all("reproduce" in defect for defect in document["defects"])

    module = tmp_path / "test_repro.py"
    code = main(["fuzz-parser", "s3:GetObject", "--seed", "1", "--max-examples", "150", "--max-time", "30",
                 "--pytest", str(module)])
    out = capsys.readouterr().out
    assert code == 1 and "RestXMLParser (rest-xml)" in out
    assert "header-text" in out  # botocore crashes on header text its member's type does not allow
    text = module.read_text()
    compile(text, str(module), "exec")
    assert "StreamingBody" in text  # GetObject's Body is read as botocore's Endpoint hands it over


def test_event_stream_operations_are_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz-parser", "s3:SelectObjectContent"]) == 2
    error = capsys.readouterr().err.strip()
    assert "event stream" in error and len(error.splitlines()) == 1


def test_serve_fuzz_strategy_puts_members_in_headers_and_status() -> None:
    """`conformance serve --fuzz` draws its answers from `conformance.fuzz.responses`."""
    drawn: list[WireResponse] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(responses("lambda", "Invoke"))
    def collect(response: WireResponse) -> None:
        drawn.append(response)

    collect()
    successes = [response for response in drawn if response.status < 300 and response.expectation.mode == VALID]
    assert successes and all(response.expectation.value["StatusCode"] == response.status for response in successes)
    assert any("X-Amzn-ErrorType" in response.headers for response in drawn)
    context = for_operation("lambda", "Invoke")
    parser, oracle = BotocoreParser(context.model, "Invoke"), Oracle(context)
    for response in drawn:
        if response.expectation.mode == VALID and response.family not in ("namespace",):
            assert oracle.judge(response, parser(response)) is None, response.label


def test_a_run_judges_cases_at_speed_without_false_positives_on_valid_answers() -> None:
    for target in ("apigateway:GetRestApi", "route53:GetHostedZone"):
        service, operation = target.split(":")
        context = for_operation(service, operation)
        runner = FuzzRunner(context, BotocoreParser(context.model, operation),
                            FuzzOptions(max_examples=400, seed=5, seeds=False))
        runner.sweep()
        wrong = [defect for defect in runner.defects.values() if defect.kind == WRONG_VALUE]
        assert all(defect.response.family == "namespace" for defect in wrong), [d.label for d in wrong]


def test_a_payload_is_found_by_its_member_name_whatever_its_wire_name() -> None:
    """medialive's DescribeInputDeviceThumbnail: `payload: Body` names the member whose JSON name is `body`."""
    generator = _generator("medialive:DescribeInputDeviceThumbnail")
    assert generator.bindings("output").payload == "body" and generator.bindings("output").raw_payload
    base = generator.success_base({"body": base64.b64encode(b"\xff\xd8jpeg").decode()})
    response = generator.success(base.body, "valid", VALID, "valid", "output", expected=base.body)
    assert response.body == b"\xff\xd8jpeg" and response.headers["Content-Length"] == "6"
    parser = BotocoreParser(generator.context.model, "DescribeInputDeviceThumbnail")
    assert Oracle(generator.context).judge(response, parser(response)) is None
