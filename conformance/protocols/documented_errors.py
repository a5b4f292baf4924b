"""Error codes services document outside their models (placeholder until the lists land)."""

from __future__ import annotations


def documented_error_codes(service: str, protocol: str) -> frozenset[str]:
    return frozenset()
