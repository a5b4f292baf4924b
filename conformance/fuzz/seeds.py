"""Known-good cases: the output cases of botocore's JSON (and rpc-v2-cbor) protocol tests, run before anything
is generated.

Each case (a response and what botocore must parse from it) becomes a valid `WireResponse` of its own
fixture service; the expected value is derived from the body exactly as for generated responses, so the
cases check our oracle as much as the parser: botocore passes all of them, and our oracle must agree.
`expected_result` also converts the fixture's own `result`/`error` to the wire model, to compare with.
Cases listed in botocore's `protocol-tests-ignore-list.json` (botocore skips them too) are skipped.

Source: boto/botocore `tests/unit/protocols/output/{json,json_1_0}.json` and `smithy-rpc-v2-cbor*.json`
(Apache-2.0), kept beside the project in `../shared/data/botocore-protocol-tests/` (`CONFORMANCE_SHARED_DATA`
points elsewhere). An rpc-v2-cbor fixture's body is base64; its expected value is the body decoded by the
protocol layer (`conformance.protocols.cbor_protocol`) into the data model.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.model import ServiceModel

from conformance.errors import UsageError
from conformance.exchange import HttpResponse
from conformance.fuzz.context import OperationContext, for_model
from conformance.fuzz.wire import VALID, Expectation, WireResponse
from conformance.protocols import protocol_named
from conformance.spec.derive import Schema

FIXTURE_FILES = {"output__json.json": "json", "output__json_1_0.json": "json_1_0"}
CBOR = "smithy-rpc-v2-cbor"
# The fixture files of each protocol with seeds, each with its key in the ignore list.
PROTOCOL_FIXTURES = {"json": FIXTURE_FILES,
                     CBOR: {f"output__{CBOR}.json": CBOR, f"output__{CBOR}-query-compatible.json": CBOR}}
IGNORE_LIST = "protocol-tests-ignore-list.json"
ERROR_CODE_MEMBERS = ("__type", "code")


def default_directory() -> Path:
    project = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("CONFORMANCE_SHARED_DATA", project.parent / "shared" / "data"))
    return shared / "botocore-protocol-tests"


@dataclass
class SeedCase:
    """One fixture case: where it comes from, its operation's context, the response, and the fixture's result."""

    file: str
    case_id: str
    context: OperationContext
    response: WireResponse
    fixture: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.file}:{self.case_id}"


@dataclass
class SeedSet:
    cases: list[SeedCase]
    skipped: list[str]
    directory: Path


def load(directory: Path | None = None, protocol: str = "json") -> SeedSet:
    """Every output case of PROTOCOL's fixtures under DIRECTORY (UsageError if it has none)."""
    directory = directory or default_directory()
    files = PROTOCOL_FIXTURES[protocol]
    missing = [name for name in files if not (directory / name).is_file()]
    if missing:
        raise UsageError(f"botocore protocol tests not found: {directory / missing[0]} "
                         "(set CONFORMANCE_SHARED_DATA, or pass --no-seeds)")
    ignored = _ignored(directory / IGNORE_LIST)
    cases: list[SeedCase] = []
    skipped: list[str] = []
    for file, protocol_key in files.items():
        suites = json.loads((directory / file).read_text(encoding="utf-8"))
        for number, suite in enumerate(suites):
            for case in suite["cases"]:
                if case["id"] in ignored.get(protocol_key, set()):
                    skipped.append(f"{file}:{case['id']}")
                    continue
                cases.append(_seed(file, number, suite, case))
    return SeedSet(cases, skipped, directory)


def _ignored(path: Path) -> dict[str, set[str]]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    protocols = data.get("protocols", {})
    return {name: set(entry.get("output", {}).get("cases", [])) for name, entry in protocols.items()}


def _seed(file: str, number: int, suite: dict[str, Any], case: dict[str, Any]) -> SeedCase:
    given = case["given"]
    operation = given["name"]
    model = ServiceModel({"metadata": suite["metadata"], "operations": {operation: given},
                          "shapes": suite["shapes"], "documentation": ""},
                         service_name=f"protocol-tests-{suite['metadata'].get('targetPrefix', number)}")
    context = for_model(model, operation)
    raw = case["response"]
    cbor = suite["metadata"].get("protocol") == CBOR
    body = base64.b64decode(raw.get("body", "")) if cbor else raw.get("body", "").encode("utf-8")
    headers = {str(k): str(v) for k, v in raw.get("headers", {}).items()}
    status = int(raw.get("status_code", 200))
    label = f"protocol test {file}:{case['id']}"
    expectation = _expectation(context, status, headers, body, case)
    response = WireResponse(status, headers, body, label, "protocol-test", case["id"], expectation)
    return SeedCase(file, case["id"], context, response, case)


def _expectation(context: OperationContext, status: int, headers: dict[str, str], body: bytes,
                 case: dict[str, Any]) -> Expectation:
    code = str(case.get("errorCode", ""))
    declared = context.error_for_code(code)
    if context.protocol == CBOR:
        value = _cbor_value(context, HttpResponse(status, headers, body), declared.name if declared else None)
    else:
        value = json.loads(body) if body.strip() else {}
    if status < 300:
        return Expectation(VALID, value)
    members = {k: v for k, v in value.items() if k not in ERROR_CODE_MEMBERS} if isinstance(value, dict) else {}
    return Expectation(VALID, members, code, declared.name if declared else None)


def _cbor_value(context: OperationContext, response: HttpResponse, error: str | None) -> Any:
    """The body of an rpc-v2-cbor fixture in the data model, as the protocol layer decodes it."""
    document = context.deriver.document(context.operation)
    protocol = protocol_named(CBOR)
    if response.status >= 300 and error is not None:
        return protocol.decode_error(response, document, error).value
    return protocol.decode_output(response, document).value


def expected_result(seed: SeedCase) -> tuple[Schema, Any]:
    """(schema, value): the fixture's own `result` (or `error` members) in the wire data model."""
    context = seed.context
    if "error" in seed.fixture:
        declared = context.error_for_code(str(seed.fixture.get("errorCode", "")))
        schema = declared.schema if declared else context.output
        return schema, _fixture_to_wire(context, schema, seed.fixture["error"])
    return context.output, _fixture_to_wire(context, context.output, seed.fixture.get("result", {}))


def _fixture_to_wire(context: OperationContext, schema: Any, value: Any) -> Any:
    """botocore's test notation (blobs as text, timestamps as epoch numbers) in the wire data model."""
    schema = context.resolve(schema)
    kind = schema.get("x-aws-type")
    if kind == "blob" and isinstance(value, str):
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    if isinstance(value, dict):
        if kind == "structure":
            names = {m.get("x-aws-member", w): w for w, m in schema.get("properties", {}).items()}
            properties = schema.get("properties", {})
            return {names.get(k, k): _fixture_to_wire(context, properties.get(names.get(k, k), {}), v)
                    for k, v in value.items()}
        if kind == "map":
            values = schema.get("additionalProperties", {})
            return {k: _fixture_to_wire(context, values, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fixture_to_wire(context, schema.get("items", {}), v) for v in value]
    return value


def problems(name: str, directory: Path | None = None, *, strict: bool = False) -> list[str]:
    """What the oracle says of botocore's parse of the fixture case NAME (`file:id`); empty when it passes."""
    from conformance.fuzz.oracle import Oracle
    from conformance.fuzz.parsers import BotocoreParser

    file = name.split(":", 1)[0]
    protocol = next((key for key, files in PROTOCOL_FIXTURES.items() if file in files), "json")
    loaded = load(directory, protocol)
    seed = next((case for case in loaded.cases if case.name == name), None)
    if seed is None:
        raise UsageError(f"no protocol test {name!r} under {loaded.directory}")
    parser = BotocoreParser(seed.context.model, seed.context.operation)
    oracle = Oracle(seed.context, parser.documented, strict=strict)
    try:
        parsed = parser(seed.response)
    except Exception as error:  # judged: the documented error or a crash
        return oracle.problems(seed.response, error=error)
    return oracle.problems(seed.response, parsed)
