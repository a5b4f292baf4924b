"""Answers for any operation, drawn from the strategies' output bodies: valid by construction, repeatable.

Each answer is a function of (server seed, operation, canonical request body): the same request to a
server started with the same `--seed` gets the same body, and different requests get different bodies.

How a value is drawn (`draw`): Hypothesis' public API only. A throwaway `@given(strategy)` test, pinned with
`@seed(n)`, `database=None`, the generate phase only and `max_examples=2`, records the values it is called
with. Its first example is Hypothesis' simplest value (empty strings, zeros, no optional members), so the
second one, the first random draw, is kept (the first when the strategy has only one value). That costs
a few milliseconds a draw, so answers are cached per (operation, request seed). `strategy.example()` is
meant for interactive use only, and `find()` searches for a value that satisfies a condition and shrinks
it: neither is a seeded draw.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from conformance.determinism import pin_generation

# Hypothesis keeps per-run state in globals: one draw at a time.
_DRAW_LOCK = threading.Lock()
_DRAW_SETTINGS = settings(
    database=None, max_examples=2, phases=[Phase.generate], deadline=None, derandomize=False,
    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
)


def draw(strategy: st.SearchStrategy[Any], seed: int) -> Any:
    """One value of STRATEGY, the same for the same SEED (see the module docstring)."""
    pin_generation()  # the same in any process: `serve --fuzz` case ids are replayed elsewhere
    values: list[Any] = []

    def record(value: Any) -> None:
        values.append(value)

    test = _DRAW_SETTINGS(hypothesis_seed(seed)(given(strategy)(record)))
    with _DRAW_LOCK:
        test()
    return values[1] if len(values) > 1 else values[0]


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from PARTS (stable across processes and Python versions: no `hash()`)."""
    digest = hashlib.sha256("\x00".join(_canonical(part) for part in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _canonical(part: object) -> str:
    if isinstance(part, str):
        return part
    return json.dumps(part, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)


class GenericResponder:
    """Success bodies for OPERATIONs of SERVICE from `strategies.responses`, cached per request seed."""

    def __init__(self, service: str, seed: int, cache_size: int = 4096) -> None:
        self.service = service
        self.seed = seed
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._strategies: dict[str, st.SearchStrategy[Any]] = {}

    def request_seed(self, operation: str, request: Any) -> int:
        return derive_seed(self.seed, self.service, operation, request)

    def response(self, operation: str, request: Any) -> Any:
        """The body answering REQUEST; treat it as read-only (it is shared through the cache)."""
        key = (operation, self.request_seed(operation, request))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = draw(self.strategy(operation), key[1])
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return value

    def strategy(self, operation: str) -> st.SearchStrategy[Any]:
        if operation not in self._strategies:
            import strategies  # the generation stage (imported late: the server starts without it)

            self._strategies[operation] = strategies.responses(self.service, operation)
        return self._strategies[operation]
