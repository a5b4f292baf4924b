"""Check that botocore reads the response: no parser exception, and the code maps to the modeled class."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.registry import CheckContext, check
from conformance.findings import Finding


@check()
def client_parse(ctx: CheckContext) -> Iterator[Finding]:
    """botocore parses the response without an exception, and reads a declared error as its modeled class."""
    exchange = ctx.exchange
    if exchange.client_exception:
        yield ctx.finding("client_parse", "error", "",
                          f"botocore failed to read the response: {exchange.client_exception}")
        return
    response = exchange.response
    if response is None or response.status < 300:
        return
    # The code a client reads first (a query-compatible service's x-amzn-query-error code wins over __type);
    # botocore finds the modeled exception by any of the names.
    found = ctx.error_code()
    declared = set(ctx.error_names()) & set(ctx.declared_errors())
    if found is not None and declared and exchange.client_error_code != found.code:
        yield ctx.finding("client_parse", "error", "",
                          f"the endpoint sent {found.code} ({found.source}), botocore read "
                          f"{exchange.client_error_code!r}: client.exceptions.{found.code} would not catch it")
