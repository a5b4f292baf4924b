"""`--shard K/N`: the K-th of N deterministic parts of a run's operations, for a CI matrix of N runners.

Operations are sorted by service and name and dealt round-robin, so each shard gets a like share of every
service (services differ in cost far more than operations of one service do) and the N shards together
are exactly the run. `conformance report merge` joins the shards' JSON reports again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from conformance.errors import UsageError

_SHARD = re.compile(r"(\d+)/(\d+)")


def parse_shard(text: str) -> tuple[int, int]:
    match = _SHARD.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text!r}: give K/N with 1 <= K <= N, e.g. --shard 2/4")
    return int(match.group(1)), int(match.group(2))


def shard(operations: Sequence[tuple[str, str]], index: int, count: int) -> list[tuple[str, str]]:
    """The INDEX-th (from 1) of COUNT shards of OPERATIONS."""
    return [op for position, op in enumerate(sorted(set(operations))) if position % count == index - 1]
