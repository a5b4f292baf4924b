"""The case behind each recorded interaction: what `--record` stores beside it, and what a replay sends again.

Stored under the interaction's `conformance_case:` key (vcrpy and pytest-recording ignore keys they do not
know): the operation, the case's kind, expectation and label, its input in the wire data model and the
boto3 parameters exactly as they were given to the client. A replay sends those parameters, so it needs
neither Hypothesis nor the code that generated them: a cassette survives an upgrade or any change of code.

Values are stored as JSON text (ASCII, so lone surrogates and control characters an invalid case may hold
survive any YAML emitter); boto3 parameters that JSON has no type for are tagged: `{"$bytes": base64}`,
`{"$datetime": ISO 8601}`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.cases import Case
from conformance.errors import UsageError

CASE_KEY = "conformance_case"
BYTES_TAG = "$bytes"
DATETIME_TAG = "$datetime"


@dataclass(frozen=True)
class RecordedCase:
    service: str
    operation: str
    case: Case
    params: Any  # the boto3 parameters, as the client was given them

    def as_json(self, redact: Callable[[str], str] = str) -> dict[str, Any]:
        """The stored form; REDACT takes the JSON texts (the recording's credentials never reach the file)."""
        return {"service": self.service, "operation": self.operation, "kind": self.case.kind,
                "expectation": self.case.expectation, "label": self.case.label, "hinted": self.case.hinted,
                "input": redact(_json_text(self.case.value)), "params": redact(_json_text(encode(self.params)))}

    @classmethod
    def from_json(cls, data: Any, where: str) -> RecordedCase:
        if not isinstance(data, dict):
            raise UsageError(f"{where}: {CASE_KEY} is not a mapping")
        try:
            expectation = data["expectation"]
            if expectation not in ("valid", "invalid"):
                raise ValueError(f"expectation {expectation!r}")
            case = Case(str(data["kind"]), json.loads(data["input"]), expectation, str(data["label"]),
                        bool(data.get("hinted", False)))
            return cls(str(data["service"]), str(data["operation"]), case, decode(json.loads(data["params"])))
        except (KeyError, TypeError, ValueError) as error:
            raise UsageError(f"{where}: {CASE_KEY} cannot be read ({type(error).__name__}: {error})") from None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, sort_keys=False, default=repr)


def encode(value: Any) -> Any:
    """boto3 parameters as JSON data: bytes and datetimes tagged, everything else as it is."""
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return {DATETIME_TAG: value.isoformat()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and BYTES_TAG in value and isinstance(value[BYTES_TAG], str):
            try:
                return base64.b64decode(value[BYTES_TAG], validate=True)
            except (binascii.Error, ValueError):
                return value
        if len(value) == 1 and DATETIME_TAG in value and isinstance(value[DATETIME_TAG], str):
            try:
                return datetime.datetime.fromisoformat(value[DATETIME_TAG])
            except ValueError:
                return value
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value
