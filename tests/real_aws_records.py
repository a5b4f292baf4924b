"""The shared real-AWS records (`../shared/data/real-aws`, see its README.md) as ParsedResponses.

Two sources, both botocore's parse of what real AWS answered (Apache-2.0):
- cloud-custodian placebo recordings (`cloud-custodian-placebo/<endpoint-prefix>.jsonl`): the operation
  comes from the original file name `<prefix>.<Operation>_<n>.json`, the service from the endpoint prefix;
  datetimes are `{"__class__": "datetime", ...}`.
- LocalStack snapshots validated against AWS (`localstack-snapshots/entries.jsonl`): transformers replaced
  changing values with placeholders (`<uuid:1>`, `<datetime>`, and literals listed per test file in
  `entries.transformer-literals.json`); a placeholder says nothing about the real value, so `is_placeholder`
  lets the judgement leave it out.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import botocore

from conformance import spec
from conformance.findings import Finding
from conformance.parsed_responses import ParsedResponse
from conformance.spec.derive import shape_name_of
from conformance.spec.models import service_names
from conformance.spec.validation import json_pointer
from tests.conftest import SHARED_DATA

# CONFORMANCE_REAL_AWS judges another set of records of the same format (e.g. services kept back).
DATA = Path(os.environ.get("CONFORMANCE_REAL_AWS", SHARED_DATA / "real-aws"))
REQUIRED_MESSAGE = re.compile(r"'([^']+)' is a required property")
PLACEHOLDER = re.compile(r"<[a-z0-9_:-]+>")
PLACEBO_NAME = re.compile(r"(?P<prefix>[^/]+)\.(?P<operation>[A-Za-z0-9]+)_\d+\.json$")
ENDPOINT_PREFIX = re.compile(rb'"endpointPrefix"\s*:\s*"([^"]+)"')


@dataclass(frozen=True)
class Record:  # not slotted: hand_written is cached on the instance
    response: ParsedResponse
    source: str  # where the record came from, for a failure message
    literals: frozenset[str] | None = None  # a LocalStack snapshot: the placeholder literals of its test file

    def is_placeholder(self, value: Any) -> bool:
        if self.literals is None or not isinstance(value, str):
            return False
        return bool(PLACEHOLDER.search(value)) or value in self.literals

    @functools.cached_property
    def hand_written(self) -> bool:
        """A placebo file written or edited by hand (its README's caveats): no ResponseMetadata, or a value
        botocore's parser never produces."""
        if self.literals is not None or self.response.status >= 300:
            return False
        data = self.response.data
        if "ResponseMetadata" not in data:
            return True
        schema = spec.part(self.response.service, self.response.operation, "output")
        xml = schema["x-aws-protocol"] not in ("json", "rest-json")
        return _Impossible(schema.get("$defs", {}), xml).found(schema, data)

    def judged(self) -> ParsedResponse:
        """The response to judge: a LocalStack snapshot without its placeholders (absent, as if not sent)
        and with the JSON documents its transformers decoded written as the strings AWS sent."""
        return self._undone[0]

    def left_out(self, finding: Finding) -> bool:
        """Whether FINDING only says a member is missing that a placeholder stood for."""
        member = REQUIRED_MESSAGE.match(finding.message)
        return member is not None and (finding.pointer, member[1]) in self._undone[1]

    @functools.cached_property
    def _undone(self) -> tuple[ParsedResponse, frozenset[tuple[str, str]]]:
        if self.literals is None or self.response.status >= 300:
            return self.response, frozenset()
        schema = spec.part(self.response.service, self.response.operation, "output")
        undo = _Undo(self, schema.get("$defs", {}))
        data = undo.value(schema, dict(self.response.data), "")
        return replace(self.response, data=data), frozenset(undo.removed)


class _Impossible:
    """Whether a parse holds a value botocore's parser never returns for its shape: a timestamp that is not
    a datetime or an object for a string (any protocol) or, for the XML protocols, whose parser converts
    every scalar, a value of another type than the shape's."""

    SCALARS: ClassVar[dict[str, tuple[type, ...]]] = {
        "boolean": (bool,), "integer": (int,), "long": (int,), "float": (int, float), "double": (int, float),
        "string": (str,)}

    def __init__(self, defs: dict[str, Any], xml: bool) -> None:
        self.defs, self.xml = defs, xml

    def found(self, schema: Any, value: Any) -> bool:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs.get(shape_name_of(schema["$ref"]), {})
        schema = schema if isinstance(schema, dict) else {}
        kind = schema.get("x-aws-type")
        if value is None or kind is None:
            return False
        if kind == "timestamp":
            return not isinstance(value, datetime.datetime)
        if kind == "string" and isinstance(value, dict | list):
            # No protocol's parser makes an object of a string, nor does AWS's model-driven serializer write
            # one: a policy pasted as an object by a test's author.
            return True
        if self.xml and kind in self.SCALARS and (not isinstance(value, self.SCALARS[kind])
                                                  or (isinstance(value, bool) and kind != "boolean")):
            return True
        if kind == "structure" and isinstance(value, dict):
            properties = schema.get("properties", {})
            return any(self.found(properties.get(key), member) for key, member in value.items()
                       if key != "ResponseMetadata")
        if kind == "map" and isinstance(value, dict):
            return any(self.found(schema.get("additionalProperties"), member) for member in value.values())
        if kind == "list" and isinstance(value, list):
            return any(self.found(schema.get("items"), item) for item in value)
        return self.xml and kind in ("structure", "map", "list")


class _Undo:
    def __init__(self, record: Record, defs: dict[str, Any]) -> None:
        self.record, self.defs = record, defs
        self.removed: set[tuple[str, str]] = set()  # (pointer of the object, member) of each placeholder

    def value(self, schema: Any, value: Any, pointer: str) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs.get(shape_name_of(schema["$ref"]), {})
        schema = schema if isinstance(schema, dict) else {}
        if schema.get("x-aws-type") in ("string", "blob") and isinstance(value, dict | list):
            text = json.dumps(value)  # a JSON document the snapshot decoded (a policy, a Lambda payload)
            return text if schema.get("x-aws-type") == "string" else text.encode("utf-8")
        if isinstance(value, dict):
            properties = schema.get("properties") if schema.get("x-aws-type") == "structure" else None
            values = schema.get("additionalProperties")
            kept: dict[str, Any] = {}
            for key, member in value.items():
                if self.record.is_placeholder(member):
                    self.removed.add((pointer, key))
                    continue
                member_schema = properties.get(key, {}) if properties is not None else values
                kept[key] = self.value(member_schema, member, f"{pointer}/{json_pointer([key])[1:]}")
            return kept
        if isinstance(value, list):
            items = [item for item in value if not self.record.is_placeholder(item)]
            return [self.value(schema.get("items", {}), item, f"{pointer}/{index}") for index, item in enumerate(items)]
        return None if self.record.is_placeholder(value) else value


def records(data: Path = DATA) -> Iterator[Record]:
    """Every record whose service and operation botocore knows (the others cannot be judged)."""
    yield from _placebo(data / "cloud-custodian-placebo")
    yield from _localstack(data / "localstack-snapshots")


def _placebo(directory: Path) -> Iterator[Record]:
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                entry = json.loads(line, object_hook=_placebo_datetime)
                match = PLACEBO_NAME.search(entry["path"])
                service = _service_of_prefix(match["prefix"]) if match else None
                if match is None or service is None:
                    continue
                recorded = entry["recorded"]
                yield Record(ParsedResponse(service, match["operation"], int(recorded["status_code"]),
                                            recorded["data"]), entry["path"])


def _placebo_datetime(value: dict[str, Any]) -> Any:
    if value.get("__class__") == "StreamingBody":  # placebo keeps a streaming payload's text
        body = value.get("body", "")
        return body.encode("utf-8") if isinstance(body, str) else body
    if value.get("__class__") != "datetime":
        return value
    return datetime.datetime(value["year"], value["month"], value["day"], value["hour"], value["minute"],
                             value["second"], value["microsecond"], tzinfo=datetime.UTC)


def _localstack(directory: Path) -> Iterator[Record]:
    literals_file = json.loads((directory / "entries.transformer-literals.json").read_text(encoding="utf-8"))
    shared = frozenset(literals_file.get("shared", []))
    per_file = {name: frozenset(values) | shared for name, values in literals_file["per_test_file"].items()}
    with (directory / "entries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["service"] not in service_names() or entry["kind"] not in ("response", "error"):
                continue
            recorded = entry["recorded"]
            status = int(recorded.get("ResponseMetadata", {}).get("HTTPStatusCode")
                         or (400 if entry["kind"] == "error" else 200))
            yield Record(ParsedResponse(entry["service"], entry["operation"], status, recorded),
                         f"{entry['snapshot_path']} {entry['key']}", per_file.get(entry["test_path"], shared))


@functools.cache
def _endpoint_prefixes() -> dict[str, str]:
    """Endpoint prefix → botocore service name, read from the top of each model (where metadata is)."""
    root = Path(botocore.__file__).parent / "data"
    found: dict[str, str] = {}
    for service in service_names():
        versions = sorted((root / service).iterdir())
        model = next((p for p in versions[-1].iterdir() if p.name.startswith("service-2.json")), None)
        if model is None:
            continue
        opener = gzip.open if model.name.endswith(".gz") else open
        with opener(model, "rb") as handle:
            head = handle.read(4096)
        match = ENDPOINT_PREFIX.search(head)
        if match:
            found.setdefault(match[1].decode(), service)
    return found


def _service_of_prefix(prefix: str) -> str | None:
    if prefix in service_names():
        return prefix
    return _endpoint_prefixes().get(prefix)
