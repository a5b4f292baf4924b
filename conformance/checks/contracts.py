"""Operation-specific semantic contracts, kept apart from the generic, model-driven checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.checks.registry import CheckContext, check, succeeded
from conformance.findings import Finding

Contract = Callable[[CheckContext, dict[str, Any], dict[str, Any]], Iterator[Finding]]
CONTRACTS: dict[tuple[str, str], list[Contract]] = {}


def contract(service: str, operation: str) -> Callable[[Contract], Contract]:
    def register(function: Contract) -> Contract:
        CONTRACTS.setdefault((service, operation), []).append(function)
        return function
    return register


@check(succeeded)
def operation_contract(ctx: CheckContext) -> Iterator[Finding]:
    """The operation's own semantic contracts on a successful answer (see CONTRACTS)."""
    exchange = ctx.exchange
    contracts = CONTRACTS.get((exchange.service, exchange.operation), [])
    if not contracts:
        return
    body = ctx.output().value
    if not isinstance(body, dict) or not isinstance(exchange.wire_input, dict):
        return
    for function in contracts:
        yield from function(ctx, exchange.wire_input, body)


def _echoes(ctx: CheckContext, request: dict[str, Any], body: dict[str, Any],
            members: tuple[str, ...]) -> Iterator[Finding]:
    for member in members:
        if member in request and body.get(member) != request[member]:
            yield ctx.finding("operation_contract", "error", f"/{member}",
                              f"{ctx.exchange.operation} must echo the request's {member} "
                              f"{request[member]!r}, got {body.get(member)!r}")


@contract("glue", "GetMLTaskRun")
def get_ml_task_run_echoes_ids(ctx: CheckContext, request: dict[str, Any], body: dict[str, Any]) -> Iterator[Finding]:
    yield from _echoes(ctx, request, body, ("TransformId", "TaskRunId"))
