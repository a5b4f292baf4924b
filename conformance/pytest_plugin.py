"""pytest plugin: the same run as `conformance run`, as one test per operation and check.

    pytest --conformance glue:GetMLTaskRun,glue:GetMLTransform --conformance-target http://127.0.0.1:5000

Each operation runs once per pytest process and its findings are shared by its check items; the items of
one operation are grouped for pytest-xdist (`--dist loadgroup`), and JUnit comes from pytest's `--junitxml`.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.bounds import MEMORY_BOUND_BYTES, MEMORY_EXIT_CODE
from conformance.cases import parse_examples
from conformance.checks import CHECKS, select_checks
from conformance.matrix import result_path
from conformance.memory import relieve, resident_bytes
from conformance.options import add_plugin_options, plugin_values
from conformance.resources import ResourcePool
from conformance.results import OperationResult
from conformance.runner import Runner, RunOptions
from conformance.targets import Target, make_target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "AWS API conformance (conformance run as tests)")
    group.addoption("--conformance", metavar="TARGETS", default=None,
                    help="comma-separated SERVICE:OPERATION or SERVICE to check, or @FILE holding them")
    add_plugin_options(group.addoption)
    group.addoption("--conformance-results", default=None, metavar="DIR",
                    help="write each operation's result as JSON into DIR (used by conformance run --workers)")
    group.addoption("--conformance-check-cassettes", action="store_true",
                    help="check every response pytest-recording replays against the spec (fails the test)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    if not item.config.getoption("conformance_check_cassettes"):
        return (yield)
    from conformance.cassettes.pytest_checks import checked_call

    return (yield from checked_call(item))


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """pytest-recording's VCR knows the AWS matchers: `match_on` in a suite's vcr_config can name them."""
    from conformance.cassettes.matching import register_matchers

    register_matchers(vcr)


class ConformanceFailure(Exception):
    pass


class ConformanceItem(pytest.Item):
    """One check of one operation; or, with CHECK None, the whole operation (one item each in a matrix)."""

    def __init__(self, *, service: str, operation: str, check: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service, self.operation, self.check = service, operation, check
        self.add_marker(pytest.mark.xdist_group(f"{service}:{operation}"))

    def runtest(self) -> None:
        result = _operation_result(self.config, self.service, self.operation)
        if result.status in ("not-implemented", "skipped"):
            pytest.skip(f"{result.status}: {'; '.join(result.notes)}")
        if result.status == "error":
            raise ConformanceFailure(f"the operation could not be run: {'; '.join(result.notes)}")
        errors = [f for f in result.findings if f.severity == "error" and self.check in (None, f.check)]
        if errors:
            raise ConformanceFailure("\n\n".join(f"{f.pointer or '/'}: {f.message}\n{f.reproduce}" for f in errors))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        return "conformance", 0, f"{self.service}:{self.operation} [{self.check}]"


def _operation_result(config: pytest.Config, service: str, operation: str) -> OperationResult:
    cache: dict[tuple[str, str], OperationResult] = config.stash.setdefault(_RESULTS, {})
    if (service, operation) not in cache:
        values = plugin_values(config.getoption)
        options = RunOptions(checks=_checks(config), max_examples=values["max_examples"], seed=values["seed"],
                             strict=values["strict"], examples=parse_examples(values["example"]),
                             max_seconds=_seconds_left(config), operation_seconds=values["operation_timeout"])
        results = config.getoption("conformance_results")
        started = result_path(Path(results), service, operation).with_suffix(".started") if results else None
        if started is not None and started.exists():
            # It started on a worker that died: run again it would only take the next worker down with it
            # (once per check item of the operation).
            result = OperationResult(service, operation, status="error",
                                     notes=["the operation crashed the worker running it"])
            cache[(service, operation)] = result
            result_path(Path(results), service, operation).write_text(json.dumps(result.as_json()))
            return result
        if started is not None:
            started.touch()
        target, resources = _session_target(config)
        options.resources = resources
        options.shrunk = config.stash.setdefault(_SHRUNK, set())  # the process's operations are one run
        if target.replays_recording:
            from conformance.cassettes.session import use_recorded_cases

            use_recorded_cases(target, options)  # a cassette that carries its cases replays them
        if started is not None:
            options.on_bounds_exit = started.write_text  # a matrix worker's last words before it ends itself
        else:
            options.memory_bytes = None  # a plain pytest session is the user's process: theirs to bound
        result = Runner(target, options).run_operation(service, operation)
        relieve(target, resources)
        cache[(service, operation)] = result
        if results:
            result_path(Path(results), service, operation).write_text(json.dumps(result.as_json()))
            if resident_bytes() > MEMORY_BOUND_BYTES:
                # Freed, but not given back to the system: every next operation would be stopped at once.
                # A new worker (xdist starts one) starts small.
                os._exit(MEMORY_EXIT_CODE)
    return cache[(service, operation)]


_RESULTS = pytest.StashKey[dict[tuple[str, str], OperationResult]]()
_DEADLINE = pytest.StashKey[float | None]()
_SHRUNK = pytest.StashKey[set[str]]()


def pytest_configure(config: pytest.Config) -> None:
    # --conformance-max-time bounds the whole session; a matrix's workers get the command's own deadline.
    deadline, max_time = config.getoption("conformance_deadline"), config.getoption("conformance_max_time")
    config.stash[_DEADLINE] = deadline if deadline is not None else (
        time.time() + max_time if max_time is not None else None)


def _seconds_left(config: pytest.Config) -> float | None:
    """What is left of the session's bound, for the next operation's Runner (never 0: that means no bound)."""
    deadline = config.stash.get(_DEADLINE, None)
    return None if deadline is None else max(deadline - time.time(), 1e-6)
_TARGET = pytest.StashKey[tuple[Target, ResourcePool | None]]()


def _session_target(config: pytest.Config) -> tuple[Target, ResourcePool | None]:
    """One target (and its pool of real resources) per pytest process, shared by its operations.

    Starting in-process moto and rediscovering resources for every operation would cost more than
    running most operations; sharing also lets one operation's resources serve the next.
    """
    if _TARGET not in config.stash:
        name = config.getoption("conformance_target")
        target = make_target(name, timeout=config.getoption("conformance_timeout"),
                             allow_mutating=config.getoption("conformance_allow_mutating"))
        target.start()
        resources = None
        if not config.getoption("conformance_no_resources"):
            resources = ResourcePool(target, create=name != "aws", seed=config.getoption("conformance_seed") or 0)
        config.stash[_TARGET] = (target, resources)
    return config.stash[_TARGET]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TARGET in config.stash:
        config.stash[_TARGET][0].stop()


@functools.cache
def _checks_by_name(names: str | None) -> tuple[str, ...]:
    return tuple(select_checks(names))


def _checks(config: pytest.Config) -> dict[str, Any]:
    return {name: CHECKS[name] for name in _checks_by_name(config.getoption("conformance_checks"))}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    targets = config.getoption("conformance")
    if not targets:
        return
    from conformance.commands.run_command import resolve_operations

    if targets.startswith("@"):
        # A whole matrix (3,648 operations for moto) is longer than one command-line argument may be.
        try:
            targets = Path(targets[1:]).read_text()
        except OSError as error:
            raise pytest.UsageError(f"--conformance {targets}: {error.strerror or error}") from None
    named = [t.strip() for t in targets.replace("\n", ",").split(",") if t.strip()]
    if config.getoption("conformance_results"):
        # A matrix's list comes from `conformance run`, which resolved it: checking it again against the
        # models cost every worker (and every replacement of a crashed one) 6 s before its first operation.
        chosen = [(service, operation) for service, _, operation in (item.partition(":") for item in named)]
    else:
        chosen = resolve_operations(named)
    for service, operation in chosen:
        if config.getoption("conformance_results"):
            # A matrix (`conformance run --workers`): one item per operation, so that xdist's plain `load`
            # scheduling (which replaces a crashed worker and goes on) never splits an operation.
            items.append(ConformanceItem.from_parent(session, name=f"{service}:{operation}", service=service,
                                                     operation=operation, check=None))
            continue
        for check in _checks(config):
            items.append(ConformanceItem.from_parent(session, name=f"{service}:{operation}[{check}]",
                                                     service=service, operation=operation, check=check))
