"""Answers for `conformance serve --fuzz`: valid ones and malformed ones, each reproducible from its seed.

`fuzz_case(service, operation, seed)` is the whole interface: the same (service, operation, seed) always
gives the same `FuzzCase` (status, headers, body, label, family, validity; the server adds the request id), so
a case id `<Operation>-<seed in hex>` (sent in the `x-conformance-case` header) is enough to replay it
(`conformance serve SERVICE --replay-case ID`) and to judge what a client made of it (`judge`).

Every answer says what it is in `case_headers`: the id, the label and the validity (`valid`, `intact`: a valid
payload with something off around it, `malformed`), listed in `Access-Control-Expose-Headers` too so that a
browser client may read them, on success and on error alike.

The cases come from `conformance.fuzz`'s response generator, the one `conformance fuzz-parser` feeds to
parsers (one generator, two uses): `conformance.fuzz.responses(service, operation)`, drawn with SEED
(`conformance.server.generic.draw`). Families are weighted as in `conformance.fuzz.FAMILIES`: about a
third of the answers are valid.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from hypothesis import strategies as st

from conformance import fuzz as generator
from conformance.server.generic import draw

CASE_HEADER = "x-conformance-case"
LABEL_HEADER = "x-conformance-case-label"
VALIDITY_HEADER = "x-conformance-case-validity"
CASE_HEADERS = (CASE_HEADER, LABEL_HEADER, VALIDITY_HEADER)
CASE_ID = re.compile(r"^(?P<operation>[A-Za-z0-9_]+)-(?P<seed>[0-9a-f]{1,16})$")


@dataclass(frozen=True)
class FuzzCase:
    status: int
    headers: dict[str, str]
    body: bytes
    label: str  # what the case is, in words: "JSON cut after 12 of 80 bytes"
    kind: str  # the generator's family of the response produced (one of conformance.fuzz.FAMILY_NAMES)
    validity: str  # valid, intact or malformed (conformance.fuzz.wire.MODES): how a client's reading is judged
    response: generator.WireResponse = field(compare=False, repr=False)  # with what a client must make of it


def case_id(operation: str, seed: int) -> str:
    return f"{operation}-{seed:016x}"


def parse_case_id(text: str) -> tuple[str, int]:
    """(operation, seed) of a case id; ValueError when TEXT is not one."""
    match = CASE_ID.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a case id (<Operation>-<hex seed>, as in the {CASE_HEADER} header)")
    return match["operation"], int(match["seed"], 16)


_STRATEGIES: dict[tuple[str, str], st.SearchStrategy[generator.WireResponse]] = {}
_STRATEGIES_LOCK = threading.Lock()


def fuzz_case(service: str, operation: str, seed: int) -> FuzzCase:
    """The response SEED draws from `conformance.fuzz.responses(SERVICE, OPERATION)`, as a case."""
    return as_case(fuzz_response(service, operation, seed))


def fuzz_response(service: str, operation: str, seed: int) -> generator.WireResponse:
    """The `WireResponse` behind case SEED of SERVICE:OPERATION (what worker processes compute)."""
    with _STRATEGIES_LOCK:
        strategy = _STRATEGIES.get((service, operation))
        if strategy is None:
            strategy = _STRATEGIES[(service, operation)] = generator.responses(service, operation)
    response: generator.WireResponse = draw(strategy, seed)
    return response


def as_case(response: generator.WireResponse) -> FuzzCase:
    return FuzzCase(response.status, dict(response.headers), response.body, response.label, response.family,
                    response.expectation.mode, response)


def case_headers(case: FuzzCase, identifier: str) -> dict[str, str]:
    """The headers that say what CASE is (sent with every fuzz answer, whatever its status)."""
    return {CASE_HEADER: identifier, LABEL_HEADER: header_value(case.label), VALIDITY_HEADER: case.validity,
            "Access-Control-Expose-Headers": ", ".join(CASE_HEADERS)}


def header_value(text: str) -> str:
    """TEXT as one printable ASCII header line (labels quote map keys, which may hold any character)."""
    ascii_text = text.encode("ascii", "backslashreplace").decode("ascii")
    return re.sub(r"[\x00-\x1f\x7f]", lambda match: f"\\x{ord(match[0]):02x}", ascii_text)
