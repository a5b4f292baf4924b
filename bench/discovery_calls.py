"""Resource discovery's calls, by operation: how many and how long, in a run of SERVICE... on in-process moto.

    python bench/discovery_calls.py ec2            # ec2's operations, bounded at 3 s as in a matrix

Prints the run's summary line, then the discovery calls in all and the 25 operations they spent most on.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from typing import Any

import conformance.resources as resources
from conformance.cli import main as conformance_main


def main() -> None:
    calls: Counter[tuple[str, str]] = Counter()
    seconds: defaultdict[tuple[str, str], float] = defaultdict(float)
    real_call = vars(resources)["call"]  # the name discovery calls through

    def timed_call(client: Any, service: str, operation: str, params: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_call(client, service, operation, params, **kwargs)
        finally:
            calls[(service, operation)] += 1
            seconds[(service, operation)] += time.perf_counter() - started

    vars(resources)["call"] = timed_call
    conformance_main(["run", *sys.argv[1:], "--target", "moto", "--max-examples", "5", "--seed", "1",
                      "--operation-timeout", "3"])
    print(f"discovery: {calls.total()} calls, {sum(seconds.values()):.1f} s")
    for (service, operation), spent in sorted(seconds.items(), key=lambda item: -item[1])[:25]:
        print(f"{spent:7.2f} s {calls[(service, operation)]:5d}  {service}:{operation}")


if __name__ == "__main__":
    main()
