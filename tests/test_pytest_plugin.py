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
        # Strict: a value outside the enum, which real AWS answers too, is an error only then.
        result = pytester.runpytest_subprocess("--conformance", "glue:GetMLTaskRun", "--conformance-target", url,
                                               "--conformance-max-examples", "5", "--conformance-seed", "1",
                                               "--conformance-strict")
    result.assert_outcomes(passed=len(CHECKS) - 1, failed=1)
    result.stdout.fnmatch_lines(["*/Status*DONE*"])


def test_plugin_skips_unimplemented_operations(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--conformance", "glue:GetMLTaskRun", "--conformance-max-examples", "2")
    result.assert_outcomes(skipped=len(CHECKS))


def test_plugin_reads_the_operations_from_a_file(pytester: pytest.Pytester) -> None:
    # How `conformance run --workers` passes a whole matrix: longer than one command-line argument may be.
    listing = pytester.path / "operations.txt"
    listing.write_text("glue:GetMLTaskRun\nglue:GetMLTransform,\n\n")
    with serve("correct") as url:
        result = pytester.runpytest_subprocess(f"--conformance=@{listing}", "--conformance-target", url,
                                               "--conformance-max-examples", "2", "--conformance-seed", "1",
                                               "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*glue:GetMLTaskRun*enum*", "*glue:GetMLTransform*enum*"])
    assert result.ret == 0


def test_plugin_names_an_unreadable_operations_file(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(f"--conformance=@{pytester.path / 'missing.txt'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conformance @*missing.txt: No such file or directory*"])
