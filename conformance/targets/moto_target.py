"""The embedded default target: moto's in-process `mock_aws`, no network at all."""

from __future__ import annotations

from typing import Any, ClassVar

from conformance.requirements import MOTO, require
from conformance.targets.base import DUMMY_CREDENTIALS, Target


class MotoTarget(Target):
    name = "moto"
    embedded_mock: ClassVar[bool] = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._mock: Any = None

    def start(self) -> None:
        moto = require(MOTO, "the moto target")  # imported here: only this target needs moto

        self._mock = moto.mock_aws()
        self._mock.start()

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def reset(self) -> None:
        if self._mock is not None:
            self._mock.reset()  # every moto backend back to its initial state, as a fresh mock_aws() starts

    def credentials(self) -> dict[str, str]:
        return dict(DUMMY_CREDENTIALS)  # never the user's real ones, even though moto would ignore them
