"""A Finding: one contract a response broke, said so a user can act on it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
_LIST_INDEX = re.compile(r"/\d+(?=/|$)")


@dataclass
class Finding:
    check: str
    severity: Severity
    pointer: str
    message: str
    request: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] = field(default_factory=dict)
    reproduce: str = ""
    # The class of deviation real AWS itself answers (conformance.checks.aws_deviations), or "": reports
    # count these apart from the other warnings and errors.
    aws_deviation: str = ""

    @property
    def member_path(self) -> str:
        """The pointer with list indexes taken out (`/connections/*/state`): the member, whichever item."""
        return _LIST_INDEX.sub("/*", self.pointer)

    @property
    def key(self) -> tuple[str, str, str]:
        """Findings with the same key are the same defect seen on several cases."""
        return (self.check, self.severity, self.pointer)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(data["check"], data["severity"], data["pointer"], data["message"], data.get("request", {}),
                   data.get("response", {}), data.get("reproduce", ""), data.get("aws_deviation", ""))

    def as_json(self) -> dict[str, Any]:
        data = {"check": self.check, "severity": self.severity, "pointer": self.pointer,
                "message": self.message, "request": self.request, "response": self.response,
                "reproduce": self.reproduce}
        if self.aws_deviation:
            data["aws_deviation"] = self.aws_deviation
        return data
