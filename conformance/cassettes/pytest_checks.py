"""`pytest --conformance-check-cassettes`: the responses pytest-recording plays in a test are checked too.

After each test that uses pytest-recording's `vcr` fixture passes, the interactions it played (or recorded)
are checked against the spec like `conformance check-cassette` does; an error finding fails the test.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conformance.cassettes.checking import CassetteChecker, select_cassette_checks
from conformance.cassettes.reading import Interaction


def checked_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """The body of a `pytest_runtest_call` wrapper: run the test, then check what its cassette answered."""
    cassette = getattr(item, "funcargs", {}).get("vcr")
    if cassette is None or not hasattr(cassette, "play_counts"):
        return (yield)
    played_before = dict(cassette.play_counts)
    recorded_before = len(cassette.data)
    result = yield  # a failing test raises here: its own failure is what it reports
    used = {index for index, count in cassette.play_counts.items() if count > played_before.get(index, 0)}
    used.update(range(recorded_before, len(cassette.data)))
    checker = CassetteChecker(select_cassette_checks(item.config.getoption("conformance_checks")),
                              strict=bool(item.config.getoption("conformance_strict")),
                              source=str(getattr(cassette, "path", "")))
    errors: list[str] = []
    for index in sorted(used):
        request, response = cassette.data[index]
        interaction = Interaction.from_vcr(index + 1, request, response)
        checked = checker.check(interaction)
        if checked.operation is None:
            continue
        name = f"{checked.operation.service}:{checked.operation.operation}"
        errors += [f"{finding.reproduce}\n  {name} [{finding.check}] {finding.pointer or '/'}: {finding.message}"
                   for finding in checked.findings if finding.severity == "error"]
    if errors:
        pytest.fail("responses replayed from the cassette break the spec:\n" + "\n".join(errors), pytrace=False)
    return result
