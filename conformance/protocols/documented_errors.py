"""Error codes that AWS documents outside botocore's model, with the page each list was read from.

botocore's EC2 model declares no errors at all, and S3's only a handful, yet both answer many codes their
API references document; query-protocol services (IAM, STS, SNS, CloudFormation, ...) answer the framework
errors of the shared "Common Errors" page. A code listed here counts as declared for its service or
protocol. The lists are data (`data/*.json`), each with its source beside it: page title and URL, the public
repository, path and commit its text was read from, the date, and how the rows were taken from the page.

A code is looked up without regard to case: the pages and the services disagree on it. EC2's page spells
`InvalidSubnetId.NotFound` where real EC2 answered `InvalidSubnetID.NotFound` (a cloud-custodian recording in
../shared/data/real-aws), and it lists both `InvalidHostID.Malformed` and `InvalidHostId.Malformed`. Use
`is_documented` to ask about a code an endpoint sent; `documented_error_codes` gives the pages' spellings.

    ec2-error-codes.json            "Error codes for the Amazon EC2 API": client and server codes (service ec2)
    s3-error-codes.json             S3 "Error responses": codes with their HTTP status (service s3)
    query-common-error-types.json   "Common Error Types", the current shared page (protocols query, ec2)
    query-common-errors.json        "Common Errors", its earlier version (protocols query, ec2)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Fault = Literal["client", "server"]

# Most specific first, then newer before older: a code's status and fault come from the first list that has
# one (the two framework pages disagree on AccessDeniedException's and NotAuthorized's status).
LIST_FILES = (
    "ec2-error-codes.json",
    "s3-error-codes.json",
    "query-common-error-types.json",
    "query-common-errors.json",
)


@dataclass(frozen=True)
class DocumentedCode:
    code: str
    fault: Fault | None
    statuses: tuple[int, ...]  # in the page's order; empty where the page gives none (EC2's page)


@dataclass(frozen=True)
class DocumentedList:
    name: str
    source: dict[str, str]  # title, url, read, repository, path, commit, extraction
    services: frozenset[str]
    protocols: frozenset[str]
    codes: dict[str, DocumentedCode]  # by casefolded code
    spellings: frozenset[str]  # every code as the page spells it

    def applies(self, service: str, protocol: str) -> bool:
        return service in self.services or protocol in self.protocols


def _fault(value: Any, where: str) -> Fault | None:
    if value is None or value == "client" or value == "server":
        return value  # type: ignore[no-any-return]
    raise ValueError(f"{where}: fault {value!r} is not client, server or null")


def _load(name: str) -> DocumentedList:
    text = resources.files("conformance.protocols").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    raw = json.loads(text)
    applies = raw["applies_to"]
    codes: dict[str, DocumentedCode] = {}
    for row in raw["codes"]:
        code = str(row["code"])
        codes.setdefault(code.casefold(), DocumentedCode(
            code=code,
            fault=_fault(row.get("fault"), f"{name} {code}"),
            statuses=tuple(int(status) for status in row.get("statuses", ())),
        ))
    return DocumentedList(
        name=name,
        source={str(key): str(value) for key, value in raw["source"].items()},
        services=frozenset(applies.get("services", ())),
        protocols=frozenset(applies.get("protocols", ())),
        codes=codes,
        spellings=frozenset(str(row["code"]) for row in raw["codes"]),
    )


@cache
def documented_lists() -> tuple[DocumentedList, ...]:
    """Every list, loaded once, in `LIST_FILES` order."""
    return tuple(_load(name) for name in LIST_FILES)


@cache
def _applicable(service: str, protocol: str) -> tuple[DocumentedList, ...]:
    return tuple(documented for documented in documented_lists() if documented.applies(service, protocol))


@cache
def documented_error_codes(service: str, protocol: str) -> frozenset[str]:
    """Codes documented for `service` (botocore's service name, e.g. "ec2") answering in `protocol`."""
    return frozenset(code for documented in _applicable(service, protocol) for code in documented.spellings)


def _entries(service: str, protocol: str, code: str) -> list[DocumentedCode]:
    key = code.casefold()
    return [documented.codes[key] for documented in _applicable(service, protocol) if key in documented.codes]


def is_documented(service: str, protocol: str, code: str) -> bool:
    """Whether a list for `service` or `protocol` documents `code` (in any case)."""
    return bool(_entries(service, protocol, code))


def documented_fault(service: str, protocol: str, code: str) -> Fault | None:
    """"client" or "server" as the first list that documents `code` with a fault says; None if none does."""
    return next((entry.fault for entry in _entries(service, protocol, code) if entry.fault), None)


def documented_status(service: str, protocol: str, code: str) -> int | None:
    """The HTTP status the first list that gives one documents for `code`; None if none gives one."""
    return next((entry.statuses[0] for entry in _entries(service, protocol, code) if entry.statuses), None)


def documented_statuses(service: str, protocol: str, code: str) -> frozenset[int]:
    """Every HTTP status any applicable list documents for `code` (S3's EntityTooLarge: 400 and 405)."""
    return frozenset(status for entry in _entries(service, protocol, code) for status in entry.statuses)


def documented_sources(service: str, protocol: str, code: str) -> tuple[dict[str, str], ...]:
    """The sources of the lists that document `code`, for a finding to cite."""
    key = code.casefold()
    return tuple(documented.source for documented in _applicable(service, protocol) if key in documented.codes)
