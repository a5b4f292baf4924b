"""Checks by name: each is a plain function from a CheckContext to the Findings it raises."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import Exchange
from conformance.findings import Finding, Severity
from conformance.spec.derive import Schema, shape_name_of

CaseKind = Literal["valid", "invalid"]
JSON_BODY_PROTOCOLS = ("json", "rest-json")


@dataclass
class CheckContext:
    exchange: Exchange
    expectation: CaseKind  # what the input was: a valid or an invalid case
    strict: bool = False
    memo: dict[str, Any] = field(default_factory=dict)  # work several checks share, done once per exchange

    @property
    def document(self) -> Schema:
        return spec.document(self.exchange.service, self.exchange.operation)

    @property
    def protocol(self) -> str:
        return str(self.document["x-aws-protocol"])

    def declared_errors(self) -> dict[str, Schema]:
        """Declared error shapes by their wire code."""
        defs = self.document["$defs"]
        found: dict[str, Schema] = {}
        for pointer in self.document["x-aws-errors"].values():
            shape = defs[shape_name_of(pointer)]
            found[shape.get("x-aws-error", {}).get("code", shape_name_of(pointer))] = shape
        return found

    def finding(self, check: str, severity: Severity, pointer: str, message: str) -> Finding:
        return Finding(check, severity, pointer, message)


CheckFunction = Callable[[CheckContext], Iterable[Finding]]
CHECKS: dict[str, CheckFunction] = {}


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[name] = function
        return function
    return register


def select_checks(names: str | None) -> dict[str, CheckFunction]:
    if not names:
        return dict(CHECKS)
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CHECKS]
    if unknown:
        raise UsageError(f"unknown check {unknown[0]!r}: known checks are {', '.join(CHECKS)}")
    return {name: CHECKS[name] for name in chosen}


@functools.lru_cache(maxsize=512)
def body_schema(service: str, operation: str, part: str) -> Schema:
    """The schema of PART as it travels in a JSON body: rest protocols bind some members to HTTP instead."""
    whole = spec.part(service, operation, part)
    if whole.get("x-aws-protocol") not in ("rest-json",) or "$ref" not in whole:
        return whole
    schema: dict[str, Any] = copy.deepcopy(whole)
    root = schema["$defs"][shape_name_of(schema["$ref"])]
    located = [name for name, member in root.get("properties", {}).items() if "x-aws-location" in member]
    for name in located:
        del root["properties"][name]
    if "required" in root:
        root["required"] = [name for name in root["required"] if name not in located]
    return schema
