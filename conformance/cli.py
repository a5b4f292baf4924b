"""The `conformance` command line: one subcommand per job, each in `conformance.commands`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from conformance import __version__
from conformance.commands import COMMAND_MODULES, command_modules
from conformance.errors import UsageError

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit code 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ARGV naming a subcommand first, only that subcommand's module is imported."""
    parser = OneLineParser(prog="conformance",
                           description="Contract tests and spec conformance for AWS APIs, from botocore's model.")
    parser.add_argument("--version", action="version", version=f"conformance {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    subparsers.required = True
    chosen = [argv[0]] if argv and argv[0] in COMMAND_MODULES else list(COMMAND_MODULES)
    for command in command_modules(chosen):
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        code: int = args.run(args)
    except UsageError as error:
        print(f"conformance: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return 0
    return code


def hypothesis_storage() -> Path:
    """Where Hypothesis keeps its files for the command line: the user's cache, not the current directory.

    Even with no example database Hypothesis writes a cache of constants it reads from local source files
    to `.hypothesis/` under the working directory; a command run in a user's project must not leave that
    behind. HYPOTHESIS_STORAGE_DIRECTORY, when set, still wins."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "conformance" / "hypothesis"


def console_main() -> NoReturn:
    """The console script: `main`, then an exit that skips the collection of what is about to be freed anyway."""
    # Through the environment, so the matrix's pytest workers use the same place.
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(hypothesis_storage()))
    code = main()
    # At exit CPython collects the whole heap (botocore models, moto's backends, Hypothesis's caches): about
    # 0.4 s of a short run, for memory the process returns to the system regardless. Frozen objects are not
    # collected; atexit handlers (logging's flush among them) still run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    console_main()
