"""Fuzz response parsers with valid and malformed AWS JSON, query, ec2 and rpc-v2-cbor responses from the model.

One generator, two uses: `conformance fuzz-parser` feeds its responses to a client parser and judges each
parse; `conformance serve --fuzz` answers requests with them.

- `responses(service, operation)`, `malformed_responses(...)`, `valid_responses(...)`: Hypothesis strategies
  of `WireResponse` (`.status`, `.headers`, `.body: bytes`, `.label`, `.family`, `.target`, `.expectation`).
- `ResponseGenerator(context).build(use, success_base, error_base, slot, variant)`: the same responses as a
  plain function of its choices (what the fuzz-parser runner drives with byte strings).
- `FuzzRunner(context, parser, FuzzOptions(...)).run()`: the fuzz-parser run; `check_parse` the oracle for
  one parse (what reproduction snippets call).
"""

from __future__ import annotations

from typing import Any

from conformance.fuzz.context import OperationContext, for_model, for_operation
from conformance.fuzz.generate import (
    FAMILIES,
    FAMILY_NAMES,
    ResponseGenerator,
    generator_for,
    malformed_responses,
    responses,
    valid_responses,
)
from conformance.fuzz.oracle import ACCEPTED_INVALID, CRASH, DEFECT_KINDS, WRONG_VALUE, Oracle, Verdict
from conformance.fuzz.parsers import BotocoreParser, CallableParser, Parser, default_parser, load_parser
from conformance.fuzz.runner import Defect, FuzzOptions, FuzzResult, FuzzRunner
from conformance.fuzz.wire import INTACT, MALFORMED, VALID, Expectation, WireResponse

__all__ = [
    "ACCEPTED_INVALID",
    "CRASH",
    "DEFECT_KINDS",
    "FAMILIES",
    "FAMILY_NAMES",
    "INTACT",
    "MALFORMED",
    "VALID",
    "WRONG_VALUE",
    "BotocoreParser",
    "CallableParser",
    "Defect",
    "Expectation",
    "FuzzOptions",
    "FuzzResult",
    "FuzzRunner",
    "OperationContext",
    "Oracle",
    "Parser",
    "ResponseGenerator",
    "Verdict",
    "WireResponse",
    "check_parse",
    "default_parser",
    "for_model",
    "for_operation",
    "generator_for",
    "load_parser",
    "malformed_responses",
    "responses",
    "valid_responses",
]


def check_parse(service: str, operation: str, status: int, headers: dict[str, str], body: bytes, parsed: Any, *,
                mode: str = MALFORMED, expected: Any = None, error_code: str | None = None,
                strict: bool = False, protocol: str | None = None) -> list[str]:
    """What the fuzz-parser oracle says of PARSED, a parse of the response (STATUS, HEADERS, BODY): an empty
    list when nothing is wrong. MODE is `valid` (PARSED must equal EXPECTED, and read ERROR_CODE for an
    error), `intact` (the same, for a parse that was not refused) or `malformed` (PARSED must be valid).
    PROTOCOL: the one the response was written in, when not botocore's choice for SERVICE."""
    context = for_operation(service, operation, protocol)
    declared = context.error_for_code(error_code) if error_code else None
    expectation = Expectation(mode, expected, error_code, declared.name if declared else None)
    response = WireResponse(status, dict(headers), body, "reproducer", "reproducer", "", expectation)
    return Oracle(context, strict=strict).problems(response, parsed)
