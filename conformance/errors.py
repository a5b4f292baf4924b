"""Errors a user can act on; the CLI turns each into one line and a distinct exit code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UsageError(Exception):
    """Bad input or configuration: the CLI prints the message and exits with code 2."""

    exit_code = 2


class UnknownServiceError(UsageError, LookupError):
    def __init__(self, service: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown service {service!r}{closest_names(service, known)}")
        self.service = service


class UnknownOperationError(UsageError, LookupError):
    def __init__(self, service: str, operation: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown operation {operation!r} of service {service!r}{closest_names(operation, known)}")
        self.service = service
        self.operation = operation


def closest_names(name: str, known: Iterable[str]) -> str:
    candidates = list(known)
    # Case-insensitive first: "getmltaskrun" should find "GetMLTaskRun".
    lowered = {candidate.lower(): candidate for candidate in candidates}
    matches = [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)]
    if not matches:
        return ""
    return "; did you mean " + ", ".join(matches) + "?"
