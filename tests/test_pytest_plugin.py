"""The pytest plugin runs the same checks as parametrized tests: one per operation and check."""

from __future__ import annotations

import pytest

from conformance.checks import CHECKS
from tests.endpoints import serve

pytest_plugins = ["pytester"]


def test_plugin_passes_on_a_correct_endpoint(pytester: pytest.Pytester) -> None:
    with serve("correct") as url:
        result = pytester.runpytest_subprocess("--conformance", "glue:GetMLTaskRun", "--conformance-target", url,
                                               "--conformance-max-examples", "5", "--conformance-seed", "1", "-v")
    result.assert_outcomes(passed=len(CHECKS))
    result.stdout.fnmatch_lines(["*glue:GetMLTaskRun*enum*PASSED*"])


def test_plugin_fails_exactly_the_broken_check(pytester: pytest.Pytester) -> None:
    with serve("enum") as url:
        result = pytester.runpytest_subprocess("--conformance", "glue:GetMLTaskRun", "--conformance-target", url,
                                               "--conformance-max-examples", "5", "--conformance-seed", "1")
    result.assert_outcomes(passed=len(CHECKS) - 1, failed=1)
    result.stdout.fnmatch_lines(["*/Status*DONE*"])


def test_plugin_skips_unimplemented_operations(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--conformance", "glue:GetMLTaskRun", "--conformance-max-examples", "2")
    result.assert_outcomes(skipped=len(CHECKS))
