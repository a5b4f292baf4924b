"""Packages a part of conformance needs beyond its core, and the one-line error that says what to install.

moto is a runtime dependency (the default target); vcrpy (`--record`, `cassette:` targets) and pytest-xdist
(`--workers`) come with the extras `conformance[record]` and `conformance[workers]`. An installation without
them (or one that pip's `--no-deps` left short) gets a UsageError naming the package, not a traceback.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from conformance.errors import UsageError


@dataclass(frozen=True)
class Need:
    module: str  # what is imported
    package: str  # what pip installs
    install: str  # the command that installs it


MOTO = Need("moto", "moto", "pip install conformance  (moto is one of its dependencies), or pip install moto")
VCRPY = Need("vcr", "vcrpy", "pip install 'conformance[record]'")
XDIST = Need("xdist", "pytest-xdist", "pip install 'conformance[workers]'")
PYTEST = Need("pytest", "pytest", "pip install 'conformance[workers]'")


def require(need: Need, purpose: str) -> ModuleType:
    """Import NEED's module for PURPOSE ("the moto target", "--workers"), or raise a one-line UsageError."""
    try:
        return importlib.import_module(need.module)
    except ModuleNotFoundError as error:
        if error.name != need.module:
            raise  # the package is there and something it imports is missing: its own problem, shown whole
        raise UsageError(f"{purpose} needs {need.package}, which is not installed: {need.install}") from None
