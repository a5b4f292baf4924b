"""Subcommands of the CLI; each module offers `add_parser(subparsers)` and sets `run` on its parser.

Modules are imported on demand: a command line that names its subcommand loads only that module, so
`conformance run` does not pay for importing the server or the parser fuzzer.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType

COMMAND_MODULES = {
    "run": "conformance.commands.run_command",
    "check-cassette": "conformance.commands.check_cassette_command",
    "serve": "conformance.commands.serve_command",
    "spec": "conformance.commands.spec_command",
    "fuzz-parser": "conformance.commands.fuzz_parser_command",
    "parity": "conformance.commands.parity_command",
    "baseline": "conformance.commands.baseline_command",
    "report": "conformance.commands.report_command",
}


def command_modules(names: Iterable[str] = COMMAND_MODULES) -> list[ModuleType]:
    return [importlib.import_module(COMMAND_MODULES[name]) for name in names]
