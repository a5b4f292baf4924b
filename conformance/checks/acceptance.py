"""Checks of how the endpoint judged the input: invalid input refused as such, valid input accepted."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.error_codes import answers_without_body, is_validation_error
from conformance.checks.registry import CheckContext, answered, check
from conformance.findings import Finding


@check(answered, judges_case=True)
def negative_data_rejection(ctx: CheckContext) -> Iterator[Finding]:
    """An invalid input gets a 4xx validation-class error: never 2xx, never 5xx."""
    response = ctx.response
    if ctx.expectation != "invalid":
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
    names = ctx.error_names()
    code = names[0] if names else None
    if code is None and response.status == 400 and (
            answers_without_body(ctx.document)
            or ctx.protocol.codeless_error_allowed(ctx.exchange.request, response)):
        return  # S3 answers HEAD with no body: "400 Bad Request" is all a client learns, and it says "invalid"
    if code is None or not any(is_validation_error(name, ctx.known_codes()) for name in names):
        yield ctx.finding("negative_data_rejection", "error", "",
                          f"{label} got {code or 'an error without code'} (HTTP {response.status}), "
                          "not a validation error such as InvalidInputException or ValidationException")


@check(answered, judges_case=True)
def positive_data_acceptance(ctx: CheckContext) -> Iterator[Finding]:
    """A valid input is never refused as invalid."""
    response = ctx.response
    if ctx.expectation != "valid" or response.status < 400:
        return
    found = ctx.error_code()
    code = found.code if found is not None else None
    if code is not None and 400 <= response.status < 500 and is_validation_error(code, ctx.known_codes()):
        yield ctx.finding("positive_data_acceptance", "error", "",
                          f"a valid input was refused as invalid: {code} (HTTP {response.status})")
