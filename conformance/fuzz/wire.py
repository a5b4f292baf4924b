"""One HTTP response as it goes on the wire, what it was made to test, and what a parser must make of it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from conformance.exchange import HttpResponse

VALID, INTACT, MALFORMED = "valid", "intact", "malformed"
MODES = (VALID, INTACT, MALFORMED)


@dataclass(frozen=True)
class Expectation:
    """What a parser must do with a response.

    - `valid`: the response is what the protocol allows; the parse must equal `value` (the body's members in
      the wire data model, as clients read them) and, for an error, read `error_code`.
    - `intact`: the payload is valid but something around it is off (the Content-Type); the parser may
      reject it with its documented error, and if it returns a value, that value must be the valid one.
    - `malformed`: the parser must raise its documented error or return a value valid against the schema.

    `error_name` is the error shape whose schema describes `value` (None: an error no shape describes).
    """

    mode: str
    value: Any = None
    error_code: str | None = None
    error_name: str | None = None


@dataclass
class WireResponse(HttpResponse):
    """An HTTP response (the one HttpResponse type) labelled with what was broken and how to judge it.

    `family` names the kind of response ("valid", "wrong-type", "truncated", ...) and `target` what it
    broke ("integer", "error code", "body"), so `category` groups responses that break the same thing;
    `label` says exactly what this one is (where, which value).
    """

    label: str
    family: str
    target: str
    expectation: Expectation = field(default_factory=lambda: Expectation("malformed"))

    @property
    def category(self) -> str:
        return f"{self.family}: {self.target}"

    @property
    def is_malformed(self) -> bool:
        return self.expectation.mode == MALFORMED

    def as_json(self, limit: int | None = None) -> dict[str, Any]:
        """Status, headers and body as JSON; a body that is not UTF-8 also comes as `body_base64`."""
        shown: dict[str, Any] = {"status": self.status, "headers": dict(self.headers)}
        try:
            shown["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            shown["body"] = self.body.decode("utf-8", errors="backslashreplace")
            shown["body_base64"] = base64.b64encode(self.body).decode("ascii")
        return shown


class Raw:
    """JSON text written into a body as it is (NaN, 1e400, a 5000-digit number, deep nesting)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:37] + "..."


_RAW_MARK = "\u0000conformance-raw-json\u0000"
_PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # stateless: shared, thread-safe
_SHOWN = json.JSONEncoder(ensure_ascii=False, default=repr)


def encode(value: Any) -> bytes:
    """VALUE as compact UTF-8 JSON, with every `Raw` written verbatim."""
    try:
        return _PLAIN.encode(value).encode("utf-8")
    except TypeError:
        pass  # a Raw inside
    raws: list[str] = []

    def default(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item.text)
            return f"{_RAW_MARK}{len(raws) - 1}"
        raise TypeError(f"{type(item).__name__} is not JSON")

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"{_RAW_MARK}{index}", ensure_ascii=False), raw, 1)
    return text.encode("utf-8")


def shown(value: Any, limit: int = 40) -> str:
    """A short JSON rendering of VALUE for labels."""
    if isinstance(value, Raw):
        return repr(value)
    text = _SHOWN.encode(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
