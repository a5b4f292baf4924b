"""Normalizers: what legitimately differs between two endpoints' answers, replaced before they are compared.

Like LocalStack's snapshot transformers: each has a name (listed in the report) and rewrites one kind of
value, in both answers alike, into a placeholder (`<date>`, `<account>`, ...), so only what is left is
compared. A normalizer is a function `(member name, value) -> value`, applied to every value of a parsed
answer, bottom up; the member name is the innermost one (a list item has its list's).

Generated ids are not a normalizer of this kind: they are paired (`conformance.parity.ids`), so that an id
one side created must come back where the other side's id comes back.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.errors import UsageError

Rewrite = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Normalizer:
    name: str
    description: str
    rewrite: Rewrite

    def __call__(self, member: str, value: Any) -> Any:
        return self.rewrite(member, value)


def _by_member(names: Iterable[str], placeholder: str) -> Rewrite:
    chosen = frozenset(names)

    def rewrite(member: str, value: Any) -> Any:
        return placeholder if member in chosen and isinstance(value, str | int) else value

    return rewrite


def _by_pattern(pattern: re.Pattern[str], replacement: str | Callable[[re.Match[str]], str]) -> Rewrite:
    def rewrite(member: str, value: Any) -> Any:
        return pattern.sub(replacement, value) if isinstance(value, str) else value

    return rewrite


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b")
HTTP_DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b")
ARN = re.compile(r"\barn:(aws[a-z-]*):([a-z0-9-]*):([a-z0-9-]*):(\d{12})?:")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
SIGNATURE_PARAMETER = re.compile(r"((?:X-Amz-)?Signature=)[^&\s\"']+")
ACCOUNT_MEMBERS = ("AccountId", "OwnerId", "Owner", "AwsAccountId", "accountId", "ownerId")
TOKEN_MEMBER = re.compile(r"(Token|token)$")


def _date(member: str, value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return "<date>"
    if isinstance(value, str):
        return HTTP_DATE.sub("<date>", ISO_DATE.sub("<date>", value))
    return value


def _arn(match: re.Match[str]) -> str:
    region = "<region>" if match.group(3) else ""
    account = "<account>" if match.group(4) else ""
    return f"arn:{match.group(1)}:{match.group(2)}:{region}:{account}:"


def _account(member: str, value: Any) -> Any:
    value = _by_pattern(ARN, _arn)(member, value)
    if member in ACCOUNT_MEMBERS and isinstance(value, str) and re.fullmatch(r"\d{12}", value):
        return "<account>"
    return value


def _token(member: str, value: Any) -> Any:
    if TOKEN_MEMBER.search(member) and isinstance(value, str) and value:
        return "<token>"
    return value


def _signature(member: str, value: Any) -> Any:
    if member in ("Signature", "signature") and isinstance(value, str):
        return "<signature>"
    return _by_pattern(SIGNATURE_PARAMETER, r"\1<signature>")(member, value)


BUILTIN: tuple[Normalizer, ...] = (
    Normalizer("request_id", "members RequestId / requestId (the header is never compared)",
               _by_member(("RequestId", "requestId", "RequestID"), "<request-id>")),
    Normalizer("date", "timestamps, ISO 8601 and HTTP dates in strings", _date),
    Normalizer("arn_account_region", "the region and account of ARNs, 12-digit AccountId/OwnerId members",
               _account),
    Normalizer("uuid", "UUIDs in strings (generated ids)", _by_pattern(UUID, "<uuid>")),
    Normalizer("token", "non-empty members named *Token (NextToken, ...): presence is still compared", _token),
    Normalizer("etag", "ETag members", _by_member(("ETag", "Etag", "eTag"), "<etag>")),
    Normalizer("signature", "Signature members and signature parameters of presigned URLs", _signature),
)
BUILTIN_NAMES = tuple(normalizer.name for normalizer in BUILTIN)


def pattern_normalizer(name: str, pattern: str) -> Normalizer:
    """`--normalize NAME=REGEX`: every match of REGEX in a string becomes `<NAME>`."""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise UsageError(f"--normalize {name}={pattern}: not a regular expression ({error})") from None
    return Normalizer(name, f"matches of /{pattern}/", _by_pattern(compiled, f"<{name}>"))


def member_normalizer(name: str, members: Sequence[str]) -> Normalizer:
    """`--normalize NAME=@Member,Other`: the values of members so named become `<NAME>`."""
    return Normalizer(name, "members " + ", ".join(members), _by_member(members, f"<{name}>"))


def parse_normalizers(specs: Sequence[str], disabled: Sequence[str]) -> list[Normalizer]:
    """The built-ins but DISABLED, then each `--normalize NAME=REGEX` or `NAME=@Member[,Member]`."""
    unknown = sorted(set(disabled) - set(BUILTIN_NAMES))
    if unknown:
        raise UsageError(f"--no-normalize {unknown[0]}: not a built-in normalizer ({', '.join(BUILTIN_NAMES)})")
    chosen = [normalizer for normalizer in BUILTIN if normalizer.name not in disabled]
    for spec in specs:
        name, sep, rule = spec.partition("=")
        if not sep or not name.strip() or not rule:
            raise UsageError(f"--normalize {spec!r}: give NAME=REGEX or NAME=@Member[,Member]")
        if rule.startswith("@"):
            chosen.append(member_normalizer(name.strip(), [m.strip() for m in rule[1:].split(",") if m.strip()]))
        else:
            chosen.append(pattern_normalizer(name.strip(), rule))
    return chosen


def normalized(value: Any, normalizers: Sequence[Normalizer], member: str = "") -> Any:
    """VALUE with every normalizer applied to every value in it (a copy; VALUE is not changed)."""
    if isinstance(value, dict):
        value = {key: normalized(item, normalizers, str(key)) for key, item in value.items()}
    elif isinstance(value, list | tuple):
        value = [normalized(item, normalizers, member) for item in value]
    for normalizer in normalizers:
        value = normalizer(member, value)
    return value
