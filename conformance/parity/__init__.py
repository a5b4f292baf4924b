"""Parity: the same cases to two endpoints (or a recording and an endpoint), and the differences of their answers.

    from conformance.parity import ParityOptions, ParityRunner, LiveSide, Normalizer, BUILTIN
"""

from conformance.parity.compare import Difference, compare
from conformance.parity.ids import IdMap
from conformance.parity.normalize import BUILTIN, Normalizer, member_normalizer, normalized, pattern_normalizer
from conformance.parity.runner import (
    CHECK,
    LiveSide,
    ParityOptions,
    ParityResult,
    ParityRunner,
    ParityScore,
    RecordedSide,
    Side,
)
from conformance.parity.steps import Step, generated_steps, recorded_steps

__all__ = ["BUILTIN", "CHECK", "Difference", "IdMap", "LiveSide", "Normalizer", "ParityOptions", "ParityResult",
           "ParityRunner", "ParityScore", "RecordedSide", "Side", "Step", "compare", "generated_steps",
           "member_normalizer", "normalized", "pattern_normalizer", "recorded_steps"]
