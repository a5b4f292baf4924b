"""Check that botocore reads the response: no parser exception, and the code maps to the modeled class."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.error_codes import client_error_code, error_names
from conformance.checks.registry import JSON_BODY_PROTOCOLS, CheckContext, check
from conformance.findings import Finding


@check("client_parse")
def client_parse(ctx: CheckContext) -> Iterator[Finding]:
    """botocore parses the response without an exception, and reads a declared error as its modeled class."""
    exchange = ctx.exchange
    if exchange.client_exception:
        yield ctx.finding("client_parse", "error", "",
                          f"botocore failed to read the response: {exchange.client_exception}")
        return
    response = exchange.response
    if response is None or response.status < 300 or ctx.protocol not in JSON_BODY_PROTOCOLS:
        return
    # The code a client reads: a query-compatible service's x-amzn-query-error code wins over __type.
    code, _ = client_error_code(response, ctx.document)
    if set(error_names(response, ctx.document)) & set(ctx.declared_errors()) and exchange.client_error_code != code:
        yield ctx.finding("client_parse", "error", "",
                          f"the endpoint sent {code}, botocore read {exchange.client_error_code!r}: "
                          f"client.exceptions.{code} would not catch it")
