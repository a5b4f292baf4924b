"""The options of a run, declared once for `conformance run` (`--NAME`) and the pytest plugin
(`--conformance-NAME`).

`conformance run --workers` hands its options to the workers as the plugin's flags: `worker_flags` writes
every option of this table that the user set, so none can be dropped on the way (`--timeout`, `--max-time`
and `--allow-mutating` were, when each side declared its own).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import CHECKS
from conformance.commands.argument_types import positive_int

PLUGIN_PREFIX = "conformance-"
# Internal to the matrix: the run's end as a wall-clock time, so a bound on the whole run holds across the
# workers (each starts later than the command, and a replaced worker later still).
DEADLINE_FLAG = "--conformance-deadline"

# Bounds on each operation, unless --operation-timeout says otherwise. With workers: a safety net, so one
# operation that runs away cannot stall the others. A whole-mock matrix is a survey of thousands of
# operations in minutes: 98 % of moto's end within a second, and those that do not are the ones whose every
# answer takes moto seconds (ec2 DescribeImages) or that launch thousands of resources (ec2 RunInstances,
# emr RunJobFlow). Their seconds past 3 were a third of the matrix's time, and found one root cause of their
# own, which a 3 s run reports as another exception of the same operation (bench/README.md).
WORKERS_OPERATION_SECONDS = 20.0
MATRIX_OPERATION_SECONDS = 3.0


@dataclass(frozen=True)
class RunOption:
    name: str  # --NAME on the command line, --conformance-NAME in pytest
    help: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)  # argparse's: type, default, action, metavar
    plugin_default: Any = None  # where pytest's default differs (fewer cases: a test suite runs often)

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    def default(self) -> Any:
        if "default" in self.kwargs:
            return self.kwargs["default"]
        return [] if self.kwargs.get("action") == "append" else None


RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption("target", "moto (default, in-process), aws, an http://host:port endpoint, or cassette:PATH (replay)",
              {"default": "moto"}),
    RunOption("example", "known-good value for input members named NAME (repeatable)",
              {"action": "append", "default": [], "metavar": "NAME=VALUE"}),
    RunOption("max-examples", "Hypothesis examples per operation and kind, an upper bound on its cases "
              "(default 100; 20 in pytest)",
              {"type": positive_int, "default": 100, "metavar": "N"}, plugin_default=20),
    RunOption("seed", "repeat a run exactly", {"type": int}),
    RunOption("checks", f"checks to run (default all: {', '.join(CHECKS)})", {"metavar": "a,b"}),
    RunOption("strict", "unknown members and deviations real AWS itself answers are errors, not warnings",
              {"action": "store_true"}),
    RunOption("timeout", "per request (default 10)", {"type": float, "default": 10.0, "metavar": "SECONDS"}),
    RunOption("max-time", "bound on the whole run", {"type": float, "metavar": "SECONDS"}),
    RunOption("allow-mutating", "with --target aws: also run operations that change resources",
              {"action": "store_true"}),
    RunOption("operation-timeout",
              f"bound on each operation (default: none; {WORKERS_OPERATION_SECONDS:g} with --workers; "
              f"{MATRIX_OPERATION_SECONDS:g} with --all-implemented)",
              {"type": float, "metavar": "SECONDS"}),
    RunOption("no-resources", "do not discover or create real resources for operations that need ids",
              {"action": "store_true"}),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run options as `conformance run`'s flags."""
    for option in RUN_OPTIONS:
        parser.add_argument(f"--{option.name}", help=option.help, **option.kwargs)


def add_plugin_options(add: Callable[..., None]) -> None:
    """The run options as the pytest plugin's flags (ADD is a pytest option group's `addoption`)."""
    for option in RUN_OPTIONS:
        kwargs = dict(option.kwargs)
        if option.plugin_default is not None:
            kwargs["default"] = option.plugin_default
        add(f"--{PLUGIN_PREFIX}{option.name}", help=option.help, **kwargs)
    add(DEADLINE_FLAG, type=float, default=None, help=argparse.SUPPRESS)


def plugin_values(getoption: Callable[[str], Any]) -> dict[str, Any]:
    """The run options pytest was given, by `dest` (GETOPTION is pytest's `config.getoption`)."""
    return {option.dest: getoption(PLUGIN_PREFIX.replace("-", "_") + option.dest) for option in RUN_OPTIONS}


def worker_flags(args: argparse.Namespace, *, overrides: Mapping[str, Any] | None = None,
                 started: float | None = None, passed: tuple[str, ...] = ("target", "seed")) -> list[str]:
    """The run options of ARGS (with OVERRIDES by dest) as the plugin's flags, for the workers of a matrix.

    Every option that has a value is passed, a default included: the command's default holds in the
    workers, not the plugin's (`--max-examples` is 100 for the command, 20 in pytest). The options named in
    PASSED are left out: the matrix passes them itself (the seed it drew when none was given).
    """
    values = {option.dest: getattr(args, option.dest) for option in RUN_OPTIONS}
    values.update(overrides or {})
    flags: list[str] = []
    for option in RUN_OPTIONS:
        if option.dest in passed:
            continue
        value, flag = values[option.dest], f"--{PLUGIN_PREFIX}{option.name}"
        action = option.kwargs.get("action")
        if action == "store_true":
            flags += [flag] if value else []
        elif action == "append":
            for item in value:
                flags += [flag, str(item)]
        elif value is not None:
            flags += [flag, str(value)]
    if values["max_time"] is not None:
        flags += [DEADLINE_FLAG, repr((started if started is not None else time.time()) + values["max_time"])]
    return flags
