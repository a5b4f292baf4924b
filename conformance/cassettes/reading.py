"""Read a vcrpy cassette (ours or anyone's) with vcrpy's own loader; one-line errors for a broken one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from vcr.request import Request
from vcr.serializers import compat, jsonserializer, yamlserializer

from conformance.cassettes.matching import body_bytes
from conformance.cassettes.recorded_cases import CASE_KEY, RecordedCase
from conformance.errors import UsageError
from conformance.exchange import header_value

RECORDING_KEY = "conformance"  # the top-level key our recordings add; vcrpy and pytest-recording ignore it


class CassetteError(UsageError):
    """A cassette that cannot be read: the CLI prints the one line and exits 2."""


@dataclass
class Interaction:
    number: int  # 1-based, in file order
    request: Any  # vcr.request.Request
    status: int
    reason: str
    headers: dict[str, list[str]]
    body: bytes
    case: RecordedCase | None = None  # the case `--record` sent in this interaction (none in older cassettes)

    @classmethod
    def from_vcr(cls, number: int, request: Any, response: dict[str, Any]) -> Interaction:
        """From vcrpy's in-memory pair: its Request, and the response dict its stubs record and play."""
        status = response.get("status") or {}
        headers = {str(k): [str(v) for v in (vs if isinstance(vs, list | tuple) else [vs])]
                   for k, vs in (response.get("headers") or {}).items()}
        return cls(number, request, int(status.get("code", 0)), str(status.get("message") or ""), headers,
                   body_bytes((response.get("body") or {}).get("string")))

    def header(self, name: str) -> str | None:
        """A recorded header's values as one (HTTP joins repeated headers with commas)."""
        return header_value({key: ", ".join(values) for key, values in self.headers.items()}, name)


@dataclass
class CassetteFile:
    path: Path
    interactions: list[Interaction]
    recording: dict[str, Any] = field(default_factory=dict)  # what `conformance run --record` noted

    @property
    def ours(self) -> bool:
        return str(self.recording.get("recorded_by", "")).startswith("conformance")

    @property
    def carries_cases(self) -> bool:
        return any(interaction.case is not None for interaction in self.interactions)

    def cases(self) -> list[tuple[Interaction, RecordedCase]]:
        """The recorded cases with their interactions, in the order they were sent."""
        return [(interaction, interaction.case) for interaction in self.interactions if interaction.case is not None]


def serializer_for(path: Path) -> Any:
    """vcrpy's serializer for PATH: JSON for `.json`, else YAML (vcrpy's default)."""
    return jsonserializer if path.suffix.lower() == ".json" else yamlserializer


def read_cassette(path: Path) -> CassetteFile:
    data = load_document(path)
    if isinstance(data, list):
        raise CassetteError(f"{path}: a cassette in the format of vcrpy before 1.0: re-record it")
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path}: not a vcrpy cassette (no top-level 'interactions' list)")
    interactions = [_interaction(path, number, raw) for number, raw in enumerate(data["interactions"], 1)]
    recording = data.get(RECORDING_KEY)
    return CassetteFile(path, interactions, recording if isinstance(recording, dict) else {})


def load_document(path: Path) -> Any:
    """The parsed file, through vcrpy's serializer (its safe YAML loader, or JSON)."""
    if not path.exists():
        raise CassetteError(f"{path}: no such file")
    if path.is_dir():
        raise CassetteError(f"{path}: is a directory, not a cassette")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CassetteError(f"{path}: not UTF-8 text, so not a vcrpy cassette") from None
    except OSError as error:
        raise CassetteError(f"{path}: cannot be read: {error.strerror or error}") from None
    if not text.strip():
        raise CassetteError(f"{path}: empty file, not a cassette")
    try:
        return serializer_for(path).deserialize(text)
    except yaml.constructor.ConstructorError as error:
        raise CassetteError(f"{path}: a YAML tag vcrpy's safe loader refuses ({error.problem}{_mark(error)})") from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CassetteError(f"{path}: not valid YAML: {problem}{_mark(error)}") from None
    except ValueError as error:
        raise CassetteError(f"{path}: not valid JSON: {error}") from None


def _mark(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _interaction(path: Path, number: int, raw: Any) -> Interaction:
    where = f"{path}: interaction {number}"
    if not isinstance(raw, dict):
        raise CassetteError(f"{where} is a {type(raw).__name__}, not a mapping with request and response")
    request, response = raw.get("request"), raw.get("response")
    if not isinstance(request, dict):
        raise CassetteError(f"{where} has no request mapping")
    if not isinstance(response, dict):
        raise CassetteError(f"{where} has no response mapping")
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str) or not request[key]:
            raise CassetteError(f"{where}: request.{key} is missing or not a string")
    headers = request.get("headers") or {}
    if not isinstance(headers, dict):
        raise CassetteError(f"{where}: request.headers is not a mapping")
    status = response.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int) or isinstance(status["code"], bool):
        raise CassetteError(f"{where}: response.status.code is missing or not an integer")
    response_headers = response.get("headers") or {}
    if not isinstance(response_headers, dict):
        raise CassetteError(f"{where}: response.headers is not a mapping")
    body = response.get("body")
    if not isinstance(body, dict) or "string" not in body:
        raise CassetteError(f"{where}: response.body.string is missing")
    if not isinstance(body["string"], str | bytes | type(None)):
        raise CassetteError(f"{where}: response.body.string is a {type(body['string']).__name__}, not text")
    try:
        vcr_request = Request(method=request["method"], uri=request["uri"], body=request.get("body"),
                              headers=headers)
    except (TypeError, ValueError, AttributeError) as error:
        raise CassetteError(f"{where}: vcrpy cannot read the request ({error})") from None
    converted = compat.convert_to_bytes({"status": status, "headers": response_headers, "body": dict(body)})
    interaction = Interaction.from_vcr(number, vcr_request, converted)
    if raw.get(CASE_KEY) is not None:
        interaction.case = RecordedCase.from_json(raw[CASE_KEY], where)
    return interaction
