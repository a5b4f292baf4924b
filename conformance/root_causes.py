"""Root causes: the findings that are one defect, across operations and services.

Two findings share a root cause when they come from the same check with the same severity, their messages
are the same once the values are taken out (quoted values, numbers, member paths, shape and operation
names, error codes), and the member they are about is of the same kind (the model's `x-aws-type`:
timestamp, integer, string...). So "a timestamp sent as an ISO 8601 string where the protocol uses epoch
seconds" is one root cause however many operations show it.

Root causes are ranked by how many operations they touch, weighed by how badly they break a client: a
response a client cannot read or gets the wrong type from before a wrong error code, before an input judged
wrongly, before a pattern or a length. Each keeps its smallest example. The id is a digest of what groups
it, so the same defect has the same id in every run (baselines and merged shards rely on it).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance import spec
from conformance.findings import Finding
from conformance.results import OperationResult, RunResult

# How badly a kind of finding breaks a client, as a weight on the operations it touches.
HARM_WEIGHTS = {"unreadable": 4, "protocol": 3, "judgement": 2, "constraint": 1}
UNREADABLE_CHECKS = {"client_parse", "not_a_server_error", "content_type"}
JUDGEMENT_CHECKS = {"negative_data_rejection", "positive_data_acceptance"}
UNREADABLE_MESSAGES = ("is not of type", "is a required property")  # jsonschema's type and required
JSON_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}

_QUOTED = re.compile(r"(?<!\w)(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")  # not an apostrophe: request's
_POINTER = re.compile(r"(?<![\w<])/[^\s,;:()]*")
_NUMBER = re.compile(r"(?<![\w<])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NAME = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b|\b[A-Z]{2,}[a-z]\w*\b")  # CamelCase: codes, shapes
_SHAPE = re.compile(r"\(shape [^)]+\)")
_LIST = re.compile(r"<(name|value)>(?:, <\1>)+")  # an enum's values, an operation's declared errors
# botocore's XML parser error quotes the whole body it could not read: the example, not the defect.
_ECHOED_BODY = re.compile(r"(Further retries may succeed:).*", re.DOTALL)


@functools.lru_cache(maxsize=65536)  # every report groups the same findings again
def template(message: str, operation: str = "") -> str:
    """MESSAGE with its values taken out; JSON type names stay (they say what kind of defect it is)."""
    text = message.replace(operation, "<operation>") if operation else message
    text = _ECHOED_BODY.sub(r"\1 <body>", text)

    def quoted(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        return match.group(0) if inner in JSON_TYPES else "<value>"

    text = _SHAPE.sub("(shape <name>)", text)
    text = _QUOTED.sub(quoted, text)
    text = _POINTER.sub("<member>", text)
    text = _NUMBER.sub("<n>", text)
    text = _NAME.sub("<name>", text)
    return _LIST.sub(r"<\1>", text)


def member_kind(service: str, operation: str, finding: Finding) -> str:
    """The model's type of the output member FINDING is about (timestamp, integer...); "" when not known."""
    if finding.check not in ("response_schema", "enum") or not finding.pointer:
        return ""
    return _output_member_kind(service, operation, finding.pointer)


# Each report groups the findings again (JSON, console, HTML, markdown, emitted tests): a whole-moto run has
# thousands of them on 159 services, whose documents the spec's own caches do not all hold.
@functools.lru_cache(maxsize=65536)
def _output_member_kind(service: str, operation: str, pointer: str) -> str:
    try:
        document = spec.document(service, operation)
    except LookupError:
        return ""
    defs: dict[str, Any] = document.get("$defs", {})
    node: Any = {"$ref": document.get("x-aws-output", "")}
    for token in [*pointer.split("/")[1:], None]:
        for _ in range(8):  # follow $ref chains (and anyOf around a ref) to the shape
            if isinstance(node, dict) and "$ref" in node:
                node = defs.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
            elif isinstance(node, dict) and "anyOf" in node:
                node = next((o for o in node["anyOf"] if isinstance(o, dict) and "$ref" in o), node["anyOf"][0])
            else:
                break
        if token is None or not isinstance(node, dict):
            break
        token = token.replace("~1", "/").replace("~0", "~")
        if token in node.get("properties", {}):
            node = node["properties"][token]
        elif "items" in node:
            node = node["items"]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return ""
    return str(node.get("x-aws-type", "")) if isinstance(node, dict) else ""


def harm(finding: Finding) -> str:
    if finding.check in UNREADABLE_CHECKS or (finding.check == "response_schema"
                                              and any(m in finding.message for m in UNREADABLE_MESSAGES)):
        return "unreadable"
    if finding.check in JUDGEMENT_CHECKS:
        return "judgement"
    if finding.check == "response_schema":
        return "constraint"
    return "protocol"


@dataclass
class RootCause:
    id: str
    check: str
    severity: str
    summary: str
    kind: str
    harm: str
    operations: list[str] = field(default_factory=list)
    findings: int = 0
    example: dict[str, Any] = field(default_factory=dict)
    _example_size: int = -1

    @property
    def score(self) -> int:
        return len(self.operations) * HARM_WEIGHTS[self.harm]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "check": self.check, "severity": self.severity, "summary": self.summary,
                "operations": self.operations, "findings": self.findings, "example": self.example}


def root_cause_key(op: OperationResult, finding: Finding) -> tuple[str, str, str, str]:
    return (finding.check, finding.severity, template(finding.message, op.operation),
            member_kind(op.service, op.operation, finding))


def root_cause_id(key: tuple[str, str, str, str]) -> str:
    return "rc-" + hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:10]


def _size(finding: Finding) -> int:
    return len(str(finding.request.get("body", ""))) + len(str(finding.response.get("body", "")))


def group(operations: Iterable[OperationResult]) -> tuple[list[RootCause], dict[int, str]]:
    """The ranked root causes of OPERATIONS' findings, and each finding's root cause id (by `id(finding)`)."""
    causes: dict[str, RootCause] = {}
    of_finding: dict[int, str] = {}
    for op in operations:
        name = f"{op.service}:{op.operation}"
        for finding in op.findings:
            key = root_cause_key(op, finding)
            cause_id = root_cause_id(key)
            of_finding[id(finding)] = cause_id
            cause = causes.get(cause_id)
            if cause is None:
                check, severity, text, kind = key
                summary = f"{text} ({kind} members)" if kind else text
                cause = causes[cause_id] = RootCause(cause_id, check, severity, summary, kind, harm(finding))
            cause.findings += 1
            if name not in cause.operations:
                cause.operations.append(name)
            size = _size(finding)
            if cause._example_size < 0 or size < cause._example_size:
                cause._example_size = size
                cause.example = {"operation": name, **finding.as_json()}
    ranked = sorted(causes.values(), key=lambda c: (c.severity != "error", -c.score, -HARM_WEIGHTS[c.harm],
                                                    -c.findings, c.id))
    return ranked, of_finding


def root_causes(result: RunResult) -> list[RootCause]:
    return group(result.operations)[0]
