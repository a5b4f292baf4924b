"""Checks by name: each is a plain function from a CheckContext to the Findings it raises.

A check's registered name is its function's name, written once; what it needs before it can say anything
(an answer, a 2xx, an error, a 5xx, a case whose validity is known) is declared with `@check(...)`, as
Schemathesis declares its checks' preconditions, so no check repeats the guard of another. Everything a check
reads of the wire comes from the exchange's protocol object (`conformance.protocols`), chosen by the spec.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance import spec
from conformance.checks.error_codes import QUERY_COMPATIBLE_CODES
from conformance.errors import UsageError
from conformance.exchange import Exchange, HttpResponse
from conformance.findings import Finding, Severity
from conformance.protocols import Decoded, ErrorCode, Protocol, protocol_for
from conformance.protocols.documented_errors import is_documented
from conformance.spec.derive import Schema, shape_name_of

CaseKind = Literal["valid", "invalid"]


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
    def protocol(self) -> Protocol:
        return protocol_for(self.document)

    @property
    def response(self) -> HttpResponse:
        """The answer (checks run only when there is one: see `answered`)."""
        assert self.exchange.response is not None
        return self.exchange.response

    def error_code(self) -> ErrorCode | None:
        """The code clients read from the error answer, as the protocol says where it is."""
        if "error_code" not in self.memo:
            self.memo["error_code"] = self.protocol.error_code(self.response, self.document)
        found: ErrorCode | None = self.memo["error_code"]
        return found

    def error_names(self) -> tuple[str, ...]:
        """Every code the error goes by, the one clients read first (see `Protocol.error_names`)."""
        if "error_names" not in self.memo:
            self.memo["error_names"] = self.protocol.error_names(self.response, self.document)
        names: tuple[str, ...] = self.memo["error_names"]
        return names

    def output(self) -> Decoded:
        """The success answer decoded into the output's data model, with its wire violations."""
        if "output" not in self.memo:
            self.memo["output"] = self.protocol.decode_output(self.response, self.document)
        decoded: Decoded = self.memo["output"]
        return decoded

    def declared_errors(self) -> dict[str, Schema]:
        """Declared error shapes by their wire code (see `declared_errors`)."""
        return declared_errors(self.document)

    def documented(self, code: str) -> bool:
        """Whether the service's documentation lists CODE outside the model (EC2's and S3's error code pages,
        the query Common Errors pages)."""
        return is_documented(self.exchange.service, str(self.document["x-aws-protocol"]), code)

    def known_codes(self) -> _KnownCodes:
        """The codes declared for the operation or documented for the service, as a container."""
        return _KnownCodes(self)

    def finding(self, check: str, severity: Severity, pointer: str, message: str) -> Finding:
        return Finding(check, severity, pointer, message)


class _KnownCodes:
    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and (code in self.ctx.declared_errors() or self.ctx.documented(code))


def declared_errors(document: Schema) -> dict[str, Schema]:
    """Declared error shapes of DOCUMENT by their wire code and, when that differs, their shape name too
    (the `__type` a query-compatible service sends), and by the query codes it still sends for them."""
    return _declared_errors(str(document["x-aws-service"]), str(document["x-aws-operation"]))


@functools.lru_cache(maxsize=1024)
def _declared_errors(service: str, operation: str) -> dict[str, Schema]:
    document = spec.document(service, operation)
    found: dict[str, Schema] = {}
    for name, pointer in document["x-aws-errors"].items():
        shape = document["$defs"][shape_name_of(pointer)]
        found[shape.get("x-aws-error", {}).get("code", name)] = shape
        found.setdefault(name, shape)
    if document.get("x-aws-query-compatible"):
        for code, name in QUERY_COMPATIBLE_CODES.get(service, {}).items():
            if name in found:
                found.setdefault(code, found[name])
    return found


CheckFunction = Callable[[CheckContext], Iterable[Finding]]
Precondition = Callable[[CheckContext], bool]
CHECKS: dict[str, CheckFunction] = {}
# Checks that judge the answer alone; the others need to know whether the case was valid (check-cassette
# runs these on recorded traffic, whose cases it does not know).
RESPONSE_CHECKS: list[str] = []


def answered(ctx: CheckContext) -> bool:
    return ctx.exchange.response is not None


def succeeded(ctx: CheckContext) -> bool:
    return ctx.exchange.response is not None and 200 <= ctx.exchange.response.status < 300


def failed(ctx: CheckContext) -> bool:
    return ctx.exchange.response is not None and ctx.exchange.response.status >= 300


def server_failed(ctx: CheckContext) -> bool:
    return ctx.exchange.response is not None and ctx.exchange.response.status >= 500


def check(*preconditions: Precondition, judges_case: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its function's name; it runs only where every precondition holds."""
    def register(function: CheckFunction) -> CheckFunction:
        @functools.wraps(function)
        def guarded(ctx: CheckContext) -> Iterator[Finding]:
            if all(condition(ctx) for condition in preconditions):
                yield from function(ctx)

        CHECKS[function.__name__] = guarded
        if not judges_case:
            RESPONSE_CHECKS.append(function.__name__)
        return guarded
    return register


def select_checks(names: str | None) -> dict[str, CheckFunction]:
    if not names:
        return dict(CHECKS)
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CHECKS]
    if unknown:
        raise UsageError(f"unknown check {unknown[0]!r}: known checks are {', '.join(CHECKS)}")
    return {name: CHECKS[name] for name in chosen}
