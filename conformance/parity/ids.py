"""Ids each side generated, paired: an id created on A maps to the id B created in the same step.

A stateful sequence (create → get → delete) then replays on B with B's own ids: the parameters B is sent
have A's ids replaced by their partners, and A's answers are read with A's ids replaced, so an id that comes
back where the other side's partner comes back agrees, and one that comes back wrong does not.

Pairs are learned from two successful answers to the same step: wherever both hold a string at the same
place under an id-like member (`...Id`, `...Arn`, `...Url`, `...Token` is not one) and the strings differ,
and neither is paired yet. A pair is never re-learned, so a later answer that echoes another id is a
difference.
"""

from __future__ import annotations

import re
from typing import Any

ID_MEMBER = re.compile(r"(Id|ID|Ids|Arn|ARN|Arns|Url|URL|Urls)$")


class IdMap:
    def __init__(self) -> None:
        self.a_to_b: dict[str, str] = {}
        self._b_values: set[str] = set()

    def pair(self, a: str, b: str) -> None:
        if a != b and a not in self.a_to_b and b not in self._b_values:
            self.a_to_b[a] = b
            self._b_values.add(b)

    def learn(self, a: Any, b: Any, member: str = "") -> None:
        """Pair the ids at the same places of A's and B's answers."""
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a.keys() & b.keys():
                self.learn(a[key], b[key], str(key))
        elif isinstance(a, list) and isinstance(b, list):
            for item_a, item_b in zip(a, b, strict=False):
                self.learn(item_a, item_b, member)
        elif isinstance(a, str) and isinstance(b, str) and ID_MEMBER.search(member):
            self.pair(a, b)

    def to_b(self, value: Any) -> Any:
        """VALUE (parameters, or an answer of A) with each of A's paired ids replaced by B's partner."""
        if not self.a_to_b:
            return value
        if isinstance(value, dict):
            return {key: self.to_b(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.to_b(item) for item in value]
        if isinstance(value, str):
            if value in self.a_to_b:
                return self.a_to_b[value]
            for a, b in self.a_to_b.items():  # an id inside a longer string: an ARN, a queue URL, a path
                if len(a) >= 8 and a in value:
                    value = value.replace(a, b)
        return value
