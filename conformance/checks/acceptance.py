"""Checks of how the endpoint judged the input: invalid input refused as such, valid input accepted."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.error_codes import client_error_code, error_names, is_validation_error
from conformance.checks.registry import CheckContext, check
from conformance.findings import Finding


@check("negative_data_rejection")
def negative_data_rejection(ctx: CheckContext) -> Iterator[Finding]:
    """An invalid input gets a 4xx validation-class error: never 2xx, never 5xx."""
    response = ctx.exchange.response
    if ctx.expectation != "invalid" or response is None:
        return
    label = ctx.exchange.label or "an invalid input"
    if response.status < 300:
        yield ctx.finding("negative_data_rejection", "error", "",
                          f"{label} was accepted with HTTP {response.status}")
        return
    if response.status >= 500:
        yield ctx.finding("negative_data_rejection", "error", "",
                          f"{label} got a server error HTTP {response.status}, not a 4xx validation error")
        return
    code, _ = client_error_code(response, ctx.document)
    if code is None or not any(is_validation_error(name, ctx.declared_errors())
                               for name in error_names(response, ctx.document)):
        yield ctx.finding("negative_data_rejection", "error", "",
                          f"{label} got {code or 'an error without code'} (HTTP {response.status}), "
                          "not a validation error such as InvalidInputException or ValidationException")


@check("positive_data_acceptance")
def positive_data_acceptance(ctx: CheckContext) -> Iterator[Finding]:
    """A valid input is never refused as invalid."""
    response = ctx.exchange.response
    if ctx.expectation != "valid" or response is None or response.status < 400:
        return
    code, _ = client_error_code(response, ctx.document)
    if code is not None and 400 <= response.status < 500 and is_validation_error(code, ctx.declared_errors()):
        yield ctx.finding("positive_data_acceptance", "error", "",
                          f"a valid input was refused as invalid: {code} (HTTP {response.status})")
