"""Targets by name: `moto` (default), `aws`, `http(s)://host:port`, `cassette:PATH`."""

from __future__ import annotations

from typing import Any

from conformance.errors import UsageError
from conformance.requirements import VCRPY, require
from conformance.targets.aws_target import AwsTarget
from conformance.targets.base import Target
from conformance.targets.moto_target import MotoTarget
from conformance.targets.url_target import UrlTarget

__all__ = ["Target", "make_target"]


def make_target(spec: str, **kwargs: Any) -> Target:
    if spec == "moto":
        return MotoTarget(**kwargs)
    if spec == "aws":
        return AwsTarget(**kwargs)
    if spec.startswith(("http://", "https://")):
        return UrlTarget(spec, **kwargs)
    if spec.startswith("cassette:"):
        require(VCRPY, "a cassette: target")
        from conformance.targets.cassette_target import CassetteTarget  # needs vcrpy: imported only here

        return CassetteTarget(spec.removeprefix("cassette:"), **kwargs)
    raise UsageError(f"unknown target {spec!r}: use moto, aws, an http://host:port URL or cassette:PATH")
