"""Verdicts for any client: what a client made of a `serve --fuzz` answer, judged by the fuzz-parser oracle.

A client under test reports, for each answer, a *verdict input* (one JSON object; the contract is in the
README, "Verdicts for any client"):

    {"case": "GetMLTaskRun-00c0ffee00c0ffee",      the answer's x-conformance-case header
     "client": "aws-sdk-js-v3 3.1169.0",            optional: who read it (the report's parser name)
     "output": {...}}                               what the client returned, or
     "error": {"class": "TypeError", "message": "...", "code": null, "members": {}, "documented": false}

`error.code` set: the client read an AWS error answer with that code (its members in `members`, its message
in `message`); it is judged as botocore's parse `{"Error": {"Code", "Message"}, <members>}` is. No code: the
client raised instead; `documented: true` says that is its way of refusing a response (botocore's
ResponseParserError, JSON.parse's SyntaxError in JavaScript), anything else is a crash. Values JSON cannot
hold travel tagged: `{"$date": ISO 8601 or null}` (a date object; null: an invalid date), `{"$bytes": base64}`,
`{"$number": "NaN" | "Infinity" | "-Infinity" | digits}`, and `{"$too-deep": true}` for a value nested too deep
for the client to write (the whole output, or anywhere in it); top-level members whose names start with `$` (SDK
metadata such as `$metadata`) are dropped.

The case id names the response (`conformance.server.fuzz`); the server looks it up among the answers it sent
(the bytes the client read), `fuzz-parser --judge` regenerates it. Then `Oracle` judges the parse exactly as
for a parser fuzzed in-process (crash, accepted-invalid, wrong-value), and `Judge.result()` is a `FuzzResult`
whose defects each carry their case id (`conformance serve SERVICE --replay-case ID`) and raw answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance import spec
from conformance.fuzz.context import for_operation
from conformance.fuzz.convert import parse_timestamp_text
from conformance.fuzz.oracle import ACCEPTED_INVALID, WRONG_VALUE, Oracle, Verdict
from conformance.fuzz.runner import Defect, FuzzResult
from conformance.fuzz.wire import MALFORMED, WireResponse
from conformance.server.fuzz import fuzz_response, parse_case_id

JUDGE_PATH = "/conformance/judge"
REPORT_PATH = "/conformance/report"
DEFAULT_CLIENT = "client"
INVALID_DATE = "Invalid Date"  # what an invalid date object reads as: no timestamp of any format
_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

Lookup = Callable[[str, int], WireResponse | None]


@dataclass(frozen=True)
class ClientError:
    """What a client raised: its class name and message; the AWS error code and members it read, if any."""

    class_name: str
    message: Any  # a string, unless the client passed a malformed answer's message through as it was
    code: Any = None  # likewise a string, unless it kept a malformed answer's `__type: 42`; None: no AWS error
    members: Any = field(default_factory=dict)  # the members read, or TOO_DEEP
    documented: bool = False


@dataclass(frozen=True)
class VerdictInput:
    """One client's reading of one fuzz answer (see the module docstring)."""

    case: str
    operation: str
    seed: int
    output: Any = None
    error: ClientError | None = None
    client: str | None = None


@dataclass(frozen=True)
class Judgement:
    record: VerdictInput
    response: WireResponse
    verdict: Verdict | None

    def as_json(self) -> dict[str, Any]:
        verdict = None if self.verdict is None else {
            "kind": self.verdict.kind, "exception": self.verdict.exception, "message": self.verdict.message}
        return {"case": self.record.case, "label": self.response.label, "validity": self.response.expectation.mode,
                "category": self.response.category, "verdict": verdict}


class TooDeep:
    """A client's reading nested deeper than a JSON decoder goes: it kept a malformed answer's deep nesting."""

    def __repr__(self) -> str:
        return "a value nested too deep to decode"


TOO_DEEP = TooDeep()
_CASE_FIELD = re.compile(r'"case"\s*:\s*"(?P<case>[^"\\]{1,80})"')
_CLIENT_FIELD = re.compile(r'"client"\s*:\s*"(?P<client>[^"\\]{1,200})"')


def decode_verdict_input(text: str | bytes, service: str) -> VerdictInput:
    """The verdict input in TEXT (JSON); ValueError says what is wrong. One nested deeper than Python's JSON
    decoder goes is an output (or error members) holding `TOO_DEEP`: what the client read is still judged."""
    try:
        return read_verdict_input(json.loads(text), service)
    except RecursionError:
        shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        case, client = _CASE_FIELD.search(shown), _CLIENT_FIELD.search(shown)
        if case is None:
            raise ValueError("nested too deep to decode, and no 'case' field found") from None
        operation, seed = parse_case_id(case["case"])
        if operation not in spec.operations(service):
            raise ValueError(f"case {case['case']} names no operation of {service}") from None
        return VerdictInput(case["case"], operation, seed, output=TOO_DEEP, client=client and client["client"])


def read_verdict_input(document: Any, service: str) -> VerdictInput:
    """DOCUMENT (a decoded JSON object) as a verdict input of SERVICE; ValueError says what is wrong."""
    if not isinstance(document, dict):
        raise ValueError(f"a verdict input is a JSON object, not {type(document).__name__}")
    unknown = set(document) - {"case", "client", "output", "error"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)} (expected case, client, output or error)")
    case = document.get("case")
    if not isinstance(case, str):
        raise ValueError("'case' must be the answer's x-conformance-case header, a string")
    operation, seed = parse_case_id(case)
    if operation not in spec.operations(service):
        raise ValueError(f"case {case} names no operation of {service}")
    client = document.get("client")
    if client is not None and not isinstance(client, str):
        raise ValueError("'client' must be a string")
    if ("output" in document) == ("error" in document):
        raise ValueError("give exactly one of 'output' (what the client returned) and 'error' (what it raised)")
    if "output" in document:
        return VerdictInput(case, operation, seed, output=_without_sdk_metadata(client_value(document["output"])),
                            client=client)
    return VerdictInput(case, operation, seed, error=_client_error(document["error"]), client=client)


def _client_error(value: Any) -> ClientError:
    if not isinstance(value, dict):
        raise ValueError("'error' must be an object: class, message, code, members, documented")
    unknown = set(value) - {"class", "message", "code", "members", "documented"}
    if unknown:
        raise ValueError(f"unknown error fields {sorted(unknown)} (expected class, message, code, members, "
                         "documented)")
    class_name, message, code = value.get("class"), value.get("message", ""), value.get("code")
    members, documented = value.get("members", {}), value.get("documented", False)
    if not isinstance(class_name, str) or not class_name:
        raise ValueError("'error.class' must be the exception's class name")
    if message is None:
        message = ""  # a message the client does not have (JSON null) is judged as an empty one
    if not isinstance(members, dict):
        raise ValueError("'error.members' must be an object")
    members = client_value(members)
    if members is not TOO_DEEP and not isinstance(members, dict):
        raise ValueError("'error.members' must be an object")
    if not isinstance(documented, bool):
        raise ValueError("'error.documented' must be true or false")
    # A message that is not a string is what a client read from a malformed answer: the oracle judges it.
    return ClientError(class_name, client_value(message), code, members, documented)


def client_value(value: Any) -> Any:
    """VALUE with tagged values (`$date`, `$bytes`, `$number`) as botocore's parsers return them."""
    if isinstance(value, list):
        return [client_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, tagged), = value.items()
        if tag == "$date":
            return _date(tagged)
        if tag == "$bytes":
            if not isinstance(tagged, str):
                raise ValueError("a $bytes value is a base64 string")
            try:
                return base64.b64decode(tagged, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"$bytes {tagged[:40]!r} is not base64") from None
        if tag == "$number":
            return _number(tagged)
        if tag == "$too-deep":
            return TOO_DEEP
    return {key: client_value(item) for key, item in value.items()}


def _date(value: Any) -> Any:
    if value is None:
        return INVALID_DATE
    if not isinstance(value, str):
        raise ValueError("a $date value is an ISO 8601 string, or null for an invalid date")
    moment = parse_timestamp_text(value)
    # A date Python cannot hold (JavaScript's reach past year 9999) stays the text: no timestamp format has it.
    return value if moment is None else moment


def _number(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("a $number value is a string: NaN, Infinity, -Infinity or the digits")
    if value in _NUMBERS:
        return _NUMBERS[value]
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"$number {value[:40]!r} is not a number") from None


def _without_sdk_metadata(output: Any) -> Any:
    if isinstance(output, dict):
        return {key: item for key, item in output.items() if not (isinstance(key, str) and key.startswith("$"))}
    return output


def error_parse(error: ClientError, response: WireResponse) -> dict[str, Any]:
    """A client's error reading as botocore's parse of an error. A client that keeps the message member as
    its message (JavaScript moves `Message` to `message`) has read that member: it is the message."""
    members = dict(error.members)
    expected = response.expectation.value
    if response.expectation.mode != MALFORMED and isinstance(expected, dict):
        for name in expected:
            if (isinstance(name, str) and name.lower() == "message" and expected[name] is not None
                    and name not in members):
                members[name] = error.message
    return {"Error": {"Code": error.code, "Message": error.message}, **members}


class Judge:
    """Judges verdict inputs of SERVICE's fuzz cases and keeps one defect per (operation, kind, exception,
    category): the one with the smallest answer, with how often it was seen. Thread-safe."""

    def __init__(self, service: str, *, strict: bool = False, lookup: Lookup | None = None) -> None:
        self.service = service
        self.strict = strict
        self.lookup = lookup
        self.cases = 0
        self.clients: list[str] = []
        self._oracles: dict[str, Oracle] = {}
        self._defects: dict[tuple[str, str, str, str], Defect] = {}
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def response_of(self, record: VerdictInput) -> WireResponse:
        found = self.lookup(record.operation, record.seed) if self.lookup is not None else None
        return found if found is not None else fuzz_response(self.service, record.operation, record.seed)

    def judge(self, record: VerdictInput) -> Judgement:
        response = self.response_of(record)
        with self._lock:
            oracle = self._oracles.get(record.operation)
            if oracle is None:
                context = for_operation(self.service, record.operation)
                oracle = self._oracles[record.operation] = Oracle(context, strict=self.strict)
            verdict = self._verdict(oracle, record, response)
            self._keep(record, response, verdict)
        return Judgement(record, response, verdict)

    def judge_all(self, records: Iterable[VerdictInput]) -> list[Judgement]:
        return [self.judge(record) for record in records]

    @staticmethod
    def _verdict(oracle: Oracle, record: VerdictInput, response: WireResponse) -> Verdict | None:
        error = record.error
        if record.output is TOO_DEEP:
            if response.expectation.mode == MALFORMED:
                return Verdict(ACCEPTED_INVALID, None, "the client returned a value nested deeper than a JSON "
                               "decoder goes: it kept the malformed nesting")
            return Verdict(WRONG_VALUE, None, "the client returned a value nested deeper than the response")
        if error is None:
            return oracle.judge(response, record.output)
        if error.code is not None:
            if error.members is TOO_DEEP:
                return Verdict(ACCEPTED_INVALID, None, "the client's error holds members nested deeper than it "
                               "could write: it kept the malformed nesting")
            return oracle.judge(response, error_parse(error, response))
        return oracle.judge_exception(response, error.class_name, " ".join(str(error.message).split()),
                                      documented=error.documented)

    def _keep(self, record: VerdictInput, response: WireResponse, verdict: Verdict | None) -> None:
        self.cases += 1
        client = record.client or DEFAULT_CLIENT
        if client not in self.clients:
            self.clients.append(client)
        if verdict is None:
            return
        key = (record.operation, verdict.kind, verdict.exception or "", response.category)
        known = self._defects.get(key)
        if known is not None:
            known.seen += 1
            if len(response.body) >= len(known.response.body):
                return
        defect = Defect(verdict.kind, verdict.exception, response.category, response.label, verdict.message,
                        response, source="client", case=record.case, operation=record.operation,
                        seen=known.seen if known is not None else 1)
        self._defects[key] = defect

    def result(self) -> FuzzResult:
        """Every defect so far, as a fuzz-parser result (operation: those judged, joined with commas)."""
        with self._lock:
            defects = sorted(self._defects.values(),
                             key=lambda d: (d.operation or "", d.kind, d.exception or "", d.category))
            operations = ", ".join(sorted(self._oracles)) or "-"
            return FuzzResult(self.service, operations, " + ".join(self.clients) or DEFAULT_CLIENT, 0, defects,
                              self.cases, time.monotonic() - self._started)


def read_verdict_inputs(lines: Iterable[str], service: str, where: str) -> list[VerdictInput]:
    """The verdict inputs of a JSON Lines text (blank lines skipped); ValueError names WHERE:LINE."""
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(decode_verdict_input(line, service))
        except ValueError as error:
            raise ValueError(f"{where}:{number}: {error}") from None
    return records
