"""Real AWS with the user's credentials and region; only read-only operations unless allowed."""

from __future__ import annotations

from conformance.errors import UsageError
from conformance.targets.base import Target

READ_ONLY_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Search", "Lookup", "Query", "Scan", "Head",
                      "Check", "Validate", "Estimate", "Preview", "Simulate", "Test")


def is_read_only(operation: str) -> bool:
    """Decided from the operation's name, the model's only statement of intent (GetX, ListX, DescribeX...)."""
    return operation.startswith(READ_ONLY_PREFIXES)


class AwsTarget(Target):
    name = "aws"

    def start(self) -> None:
        if self.session.get_credentials() is None:
            raise UsageError("target aws needs AWS credentials (the normal boto3 chain found none)")

    def allows(self, service: str, operation: str) -> bool:
        return self.allow_mutating or is_read_only(operation)

    def credentials(self) -> dict[str, str]:
        return {}  # boto3's own chain, untouched
