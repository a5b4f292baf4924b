"""Subcommands of the CLI; each module offers `add_parser(subparsers)` and sets `run` on its parser."""

from __future__ import annotations

from types import ModuleType

from conformance.commands import check_cassette_command, fuzz_parser_command, run_command, serve_command, spec_command

COMMANDS: tuple[ModuleType, ...] = (
    run_command, check_cassette_command, serve_command, spec_command, fuzz_parser_command)
