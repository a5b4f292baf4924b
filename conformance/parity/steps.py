"""The steps of a parity run: the same requests, in the same order, for both sides.

Two sources. Generated: each operation's valid, invalid and boundary cases, drawn once with the run's seed
(Hypothesis's generate phase only: both sides must get the same cases, so nothing is shrunk or chosen by an
answer). Recorded: a cassette's interactions in file order, each with the recorded answer as side A's. A
cassette conformance recorded carries each case's parameters; any other interaction of a JSON protocol
(the resource calls of a recording, a pytest-recording cassette) gets its parameters back from its body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import HypothesisException, Unsatisfiable
from hypothesis.strategies import SearchStrategy

from conformance import spec
from conformance.cases import KINDS, Case, case_identity, case_strategy
from conformance.determinism import pin_generation
from conformance.exchange import Exchange

JSON_PROTOCOLS = ("json",)


@dataclass
class Step:
    service: str
    operation: str
    case: Case
    params: Any  # boto3 parameters, with side A's ids
    recorded: Exchange | None = None  # side A's answer, when A is a recording
    where: str = ""  # for a recorded step: "PATH interaction N"


def generated_steps(service: str, operation: str, *, max_examples: int, seed: int,
                    examples: dict[str, list[Any]], notes: list[str]) -> list[Step]:
    """Up to MAX_EXAMPLES distinct cases of each kind, in the order Hypothesis draws them for SEED."""
    import strategies

    pin_generation()
    steps: list[Step] = []
    seen: set[str] = set()
    for kind in KINDS:
        try:
            drawn = _draw(case_strategy(service, operation, kind, examples), max_examples, seed)
        except Unsatisfiable:
            continue  # no case of this kind exists (an input without limits has no boundary)
        except HypothesisException as error:
            notes.append(f"{kind} cases could not be generated: {type(error).__name__}: {error}")
            continue
        for case in drawn:
            identity = case_identity(case)
            if identity in seen:
                continue
            seen.add(identity)
            try:
                params = strategies.to_params(service, operation, case.value)
            except (TypeError, ValueError) as error:
                notes.append(f"case not sent: {error}")
                continue
            steps.append(Step(service, operation, case, params))
    return steps


def _draw(strategy: SearchStrategy[Case], count: int, seed: int) -> list[Case]:
    """What Hypothesis draws from STRATEGY in COUNT examples under SEED (the generate phase only)."""
    drawn: list[Case] = []

    def keep(case: Case) -> None:
        drawn.append(case)

    settings(max_examples=count, database=None, deadline=None, phases=(Phase.generate,),
             suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False)(
        hypothesis_seed(seed)(given(strategy)(keep)))()
    return drawn


def recorded_steps(cassette: Any, hints: list[str], notes: list[str]) -> list[Step]:
    """Every interaction of CASSETTE (a `CassetteFile`) that can be sent again, in file order."""
    from conformance.cassettes.checking import exchange_of
    from conformance.cassettes.identify import RequestView, identify
    from conformance.cassettes.matching import body_bytes

    steps: list[Step] = []
    skipped: list[str] = []
    for interaction in cassette.interactions:
        request = interaction.request
        view = RequestView.of(request.method, request.uri, dict(request.headers.items()), body_bytes(request.body))
        where = f"{cassette.path} interaction {interaction.number}"
        found = identify(view, hints)
        if found is None:
            skipped.append(f"{where}: not an AWS request conformance can place")
            continue
        exchange = exchange_of(interaction, found, view)
        if interaction.case is not None:
            case, params = interaction.case.case, interaction.case.params
        else:
            rebuilt = _params_of(found.service, found.operation, exchange)
            if rebuilt is None:
                skipped.append(f"{where}: the parameters of a {_protocol(found.service, found.operation)} request "
                               "cannot be read back (record it with `conformance run --record`)")
                continue
            case = Case("recorded", exchange.wire_input, "valid", f"recorded interaction {interaction.number}")
            params = rebuilt
        exchange.label = case.label
        steps.append(Step(found.service, found.operation, case, params, recorded=exchange, where=where))
    if skipped:
        notes.append(f"{len(skipped)} interactions not replayed, the first: {skipped[0]}")
    return steps


def _protocol(service: str, operation: str) -> str:
    return str(spec.document(service, operation)["x-aws-protocol"])


def _params_of(service: str, operation: str, exchange: Exchange) -> Any:
    """boto3 parameters from a recorded JSON-protocol body (the body is the whole input there)."""
    import strategies

    if _protocol(service, operation) not in JSON_PROTOCOLS or exchange.wire_input is None:
        return None
    try:
        return strategies.to_params(service, operation, exchange.wire_input)
    except (TypeError, ValueError):
        return None


