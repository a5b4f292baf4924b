"""Run a parser over generated responses, judge each parse, and keep one shrunk reproducer per defect.

Order: the protocol-test seeds (known-good, for botocore's parser), then rounds of generated responses.

Speed: Hypothesis spends about half a millisecond on each example it runs, whatever it draws, so one example
is a *batch* of `batch` cases: one byte string, four bytes a case (family, base, slot, variant). The bases
(valid output bodies and errors) are drawn once per run from the `strategies` package and sorted smallest
first, so every choice, the base included, shrinks towards the simplest response.

Shrinking and many defects: a round is one Hypothesis run with the run's seed. Its first case with a defect
not yet reproduced becomes the round's target: the test raises for it, and only for it, so Hypothesis shrinks
that case; the reproducer is its last (smallest) failing case. The next round starts again, knowing one more
defect, until a round of `max_examples` cases finds nothing new. A defect is the triple (kind, exception type,
category: family and what it broke); defects seen on the way keep their first case until their own round,
and the few never targeted are shrunk at the end by trying smaller bases, slots and variants in turn.
A case is a function of its four bytes, so its verdict is remembered for the run: shrinking and the repeated
beginnings of later rounds cost Hypothesis' time, not the parser's, and `cases` counts parses.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from conformance.determinism import pin_generation
from conformance.fuzz import seeds as seed_cases
from conformance.fuzz.context import OperationContext
from conformance.fuzz.generate import Base, Use, base_strategies
from conformance.fuzz.oracle import Oracle, Verdict
from conformance.fuzz.parsers import BotocoreParser, Parser
from conformance.fuzz.wire import WireResponse
from conformance.fuzz.xml_generate import generator_of

CASE_BYTES = 4
DEFAULT_BATCH = 32
DEFAULT_MAX_ROUNDS = 80
OUTCOME_CACHE = 500_000
SUCCESS_POOL = (8, 64)  # bases drawn per run: max_examples // 16, within these bounds
ERROR_POOL = (4, 32)


@dataclass
class FuzzOptions:
    max_examples: int = 1000  # generated cases per round
    seed: int | None = None
    strict: bool = False  # unknown members and out-of-enum strings are accepted-invalid too
    seeds: bool = True  # run botocore's protocol-test cases first (botocore's parser only)
    seed_directory: Path | None = None  # where the protocol tests are (default: seeds.default_directory())
    batch: int = DEFAULT_BATCH
    max_rounds: int = DEFAULT_MAX_ROUNDS
    max_seconds: float | None = None


@dataclass
class Defect:
    kind: str
    exception: str | None
    category: str
    label: str
    message: str
    response: WireResponse
    shrunk: bool = False
    source: str = "generated"  # or "protocol test", or "client" (judged from a client's verdict input)
    choice: tuple[int, int, int, int] | None = None  # the case's bytes: use, base, slot, variant
    case: str | None = None  # a `serve --fuzz` case id (`--replay-case`): a defect a client showed
    operation: str | None = None  # set for a client's defects (one report may span operations)
    seen: int = 1  # how many cases showed it (a client's defects)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.exception or "", self.category)


@dataclass
class FuzzResult:
    service: str
    operation: str
    parser: str
    seed: int
    defects: list[Defect]
    cases: int
    seconds: float
    seeds_passed: int = 0
    seeds_skipped: list[str] = field(default_factory=list)
    rounds: int = 0
    notes: list[str] = field(default_factory=list)


_NO_DEFECT: tuple[Verdict | None, WireResponse | None] = (None, None)


class _Found(Exception):
    """Raised inside the Hypothesis test so that it shrinks the round's target defect."""


@dataclass
class _Round:
    known: set[tuple[str, str, str]]
    target: tuple[str, str, str] | None = None
    last: Defect | None = None
    sweep: bool = False  # keep what is seen, raise for nothing


class FuzzRunner:
    def __init__(self, context: OperationContext, parser: Parser, options: FuzzOptions,
                 progress: Callable[[str], None] | None = None) -> None:
        self.context = context
        self.parser = parser
        self.options = options
        self.seed = options.seed if options.seed is not None else random.randrange(2**32)
        pin_generation()  # the seed alone decides the cases, whatever else this process has imported
        self.progress = progress or (lambda message: None)
        self.oracle = Oracle(context, parser.documented, strict=options.strict)
        self.generator = generator_of(context)
        self.defects: dict[tuple[str, str, str], Defect] = {}
        self.cases = 0
        self.notes: list[str] = []
        self._deadline: float | None = None
        # A case is a function of its four choice bytes: shrinking and later rounds replay many of them.
        self._outcomes: dict[tuple[int, int, int, int], tuple[Verdict | None, WireResponse | None]] = {}
        self._pools: tuple[list[Base], list[Base]] | None = None

    # -- the whole run ------------------------------------------------------------------------------------

    def run(self) -> FuzzResult:
        started = time.perf_counter()
        if self.options.max_seconds is not None:
            self._deadline = time.monotonic() + self.options.max_seconds
        passed, skipped = self.run_seeds() if self.options.seeds else (0, [])
        rounds = self.run_generated()
        defects = sorted(self.defects.values(), key=lambda d: (d.kind, d.exception or "", d.category, d.label))
        return FuzzResult(self.context.service, self.context.operation, self.parser.name, self.seed, defects,
                          self.cases, time.perf_counter() - started, passed, skipped, rounds, self.notes)

    def run_seeds(self) -> tuple[int, list[str]]:
        """The protocol-test cases through botocore's parser; (cases passed, cases skipped)."""
        if not isinstance(self.parser, BotocoreParser):
            self.notes.append("protocol-test seeds skipped: they are models of their own, which only "
                              "botocore's parser reads")
            return 0, []
        if self.context.protocol not in seed_cases.PROTOCOL_FIXTURES:
            self.notes.append(f"protocol-test seeds skipped: they are AWS JSON cases, and {self.context.service} "
                              f"speaks {self.context.protocol}")
            return 0, []
        loaded = seed_cases.load(self.options.seed_directory, self.context.protocol)
        passed = 0
        for seed in loaded.cases:
            parser = BotocoreParser(seed.context.model, seed.context.operation)
            oracle = Oracle(seed.context, parser.documented, strict=self.options.strict)
            verdict = self._judge(parser, oracle, seed.response)
            if verdict is None:
                passed += 1
                continue
            defect = Defect(verdict.kind, verdict.exception, f"protocol test: {seed.case_id}",
                            seed.response.label, verdict.message, seed.response, True, "protocol test")
            self.defects.setdefault(defect.key, defect)
        self.progress(f"protocol-test seeds: {passed} of {len(loaded.cases)} passed, {len(loaded.skipped)} skipped")
        return passed, loaded.skipped

    def run_generated(self) -> int:
        successes, errors = self.pools()
        uses = self.generator.weighted()
        batch = max(1, self.options.batch)
        rounds = 0
        for _ in range(self.options.max_rounds):
            if self._out_of_time():
                self.notes.append("the time bound was reached: later defects may be missing")
                break
            rounds += 1
            state = _Round({key for key, defect in self.defects.items() if defect.shrunk})
            if not self._round(state, uses, successes, errors, batch):
                break
            self.progress(f"round {rounds}: {len(self.defects)} defects, {self.cases} cases")
        else:
            self.notes.append(f"stopped after {self.options.max_rounds} rounds: later defects may be missing")
        for defect in list(self.defects.values()):
            if not defect.shrunk and defect.choice is not None:
                self._minimize(defect, uses, successes, errors)
        return rounds

    def _minimize(self, defect: Defect, uses: tuple[Use, ...], successes: list[Base], errors: list[Base]) -> None:
        """Shrink a defect seen only in passing (while another one shrank): the smallest base, then slot,
        then variant that still show the same defect; what Hypothesis does to these four choices."""
        assert defect.choice is not None
        use_index, base_index, slot, variant = defect.choice
        use = uses[use_index]
        best = [base_index, slot, variant]
        for dimension in range(3):
            for candidate in range(best[dimension]):
                trial = list(best)
                trial[dimension] = candidate
                response = self.generator.build(use, successes[trial[0] % len(successes)],
                                                errors[trial[0] % len(errors)], trial[1], trial[2])
                verdict = self._judge(self.parser, self.oracle, response)
                if verdict is None:
                    continue
                found = Defect(verdict.kind, verdict.exception, response.category, response.label,
                               verdict.message, response)
                if found.key == defect.key:
                    best, defect.response, defect.label, defect.message = trial, response, found.label, found.message
                    break
        defect.choice = (use_index, best[0], best[1], best[2])
        defect.shrunk = True

    def sweep(self, max_examples: int | None = None) -> int:
        """One round of generation without shrinking: every defect seen is kept (unshrunk) and nothing is
        raised. Returns the number of cases parsed (a measure of throughput, see bench/)."""
        successes, errors = self.pools()
        before = self.cases
        examples = self.options.max_examples if max_examples is None else max_examples
        self._round(_Round(set(), sweep=True), self.generator.weighted(), successes, errors,
                    max(1, self.options.batch), examples)
        return self.cases - before

    # -- bases ----------------------------------------------------------------------------------------------

    def pools(self) -> tuple[list[Base], list[Base]]:
        """Valid output and error bases for this run, smallest first (drawn once, with the run's seed)."""
        if self._pools is None:
            success_strategy, error_strategy = base_strategies(self.generator)
            wanted = self.options.max_examples // 16
            successes = _draw_many(success_strategy, _clamp(wanted, SUCCESS_POOL), self.seed)
            errors = _draw_many(error_strategy, _clamp(wanted, ERROR_POOL), self.seed + 1)
            self._pools = (successes, errors)
        return self._pools

    # -- one round ------------------------------------------------------------------------------------------

    def _round(self, state: _Round, uses: tuple[Use, ...], successes: list[Base], errors: list[Base],
               batch: int, max_examples: int | None = None) -> bool:
        """One Hypothesis run; True when it ended on a new defect (then shrunk and kept)."""

        def cases(data: bytes) -> None:
            if self._out_of_time():
                return
            for start in range(0, len(data) - CASE_BYTES + 1, CASE_BYTES):
                use_byte, base_byte, slot, variant = data[start:start + CASE_BYTES]
                use_index = use_byte % len(uses)
                pool = errors if uses[use_index].base == "error" else successes
                choice = (use_index, base_byte % len(pool), slot, variant)
                fixed = uses[use_index].family.fixed
                if fixed:  # the same bytes whatever the base and slot: each of them parsed once
                    choice = (use_index, 0, 0, variant % fixed)
                outcome = self._outcomes.get(choice)
                if outcome is None:
                    built = self.generator.build(uses[use_index], successes[choice[1] % len(successes)],
                                                 errors[choice[1] % len(errors)], choice[2], choice[3])
                    judged = self._judge(self.parser, self.oracle, built, settle=False)
                    outcome = (judged, built) if judged is not None else _NO_DEFECT
                    if len(self._outcomes) < OUTCOME_CACHE:
                        self._outcomes[choice] = outcome
                verdict, response = outcome
                if verdict is not None and response is not None and self._record(state, verdict, response, choice):
                    raise _Found()

        # Hypothesis' first example is its simplest (all zeros: one case, repeated): one more makes up for it.
        examples = 1 + math.ceil((max_examples or self.options.max_examples) / batch)
        phases = (Phase.generate,) if state.sweep else (Phase.generate, Phase.shrink)
        test = settings(
            max_examples=examples, database=None, deadline=None, verbosity=Verbosity.quiet,
            report_multiple_bugs=False, print_blob=False, phases=phases,
            suppress_health_check=list(HealthCheck),
        )(hypothesis_seed(self.seed)(given(st.binary(min_size=batch * CASE_BYTES,
                                                     max_size=batch * CASE_BYTES))(cases)))
        with contextlib.suppress(_Found, FlakyFailure):  # the round's target, shrunk; kept in `state`
            test()
        if state.last is None:
            return False
        state.last.shrunk = True
        self.defects[state.last.key] = state.last
        return True

    def _record(self, state: _Round, verdict: Verdict, response: WireResponse,
                choice: tuple[int, int, int, int]) -> bool:
        """Keep the defect; True when the test must raise (it is the round's target)."""
        key = (verdict.kind, verdict.exception or "", response.category)
        wanted = key == state.target or (state.target is None and key not in state.known and not state.sweep)
        if not wanted and key in self.defects:
            return False  # known, and not what this round shrinks: nothing to keep
        settled = verdict.settle()
        if settled is None:
            return False
        defect = Defect(settled.kind, settled.exception, response.category, response.label, settled.message,
                        response, choice=choice)
        if wanted:
            state.target = key
            state.last = defect
            return True
        self.defects[key] = defect  # kept until its own round shrinks it
        return False

    def _judge(self, parser: Parser, oracle: Oracle, response: WireResponse, *,
               settle: bool = True) -> Verdict | None:
        self.cases += 1
        try:
            parsed = parser(response)
        except Exception as error:  # every exception is judged: the documented one, or a crash
            return oracle.judge(response, error=error)
        return oracle.judge(response, parsed, settle=settle)

    def _out_of_time(self) -> bool:
        return self._deadline is not None and time.monotonic() > self._deadline


def _clamp(value: int, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(bounds[1], value))


def _draw_many(strategy: st.SearchStrategy[Base], count: int, seed: int) -> list[Base]:
    """COUNT distinct values of STRATEGY (Hypothesis' simplest first), repeatable under SEED, smallest first."""
    drawn: list[Base] = []

    def keep(value: Base) -> None:
        drawn.append(value)

    run = settings(max_examples=count, database=None, deadline=None, phases=(Phase.generate,),
                   suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)(
        hypothesis_seed(seed)(given(strategy)(keep)))
    run()
    unique: dict[tuple[Any, ...], Base] = {}
    for base in drawn:
        unique.setdefault((base.code, repr(base.body)), base)
    return sorted(unique.values(), key=lambda base: (len(repr(base.body)), repr(base.body)))
