"""The errors any operation may answer with, and which codes say "your input is invalid".

Where each protocol carries an error's code is the protocol layer's (`conformance.protocols`)."""

from __future__ import annotations

from collections.abc import Container

# Errors real AWS services send to any operation, whether or not the operation's model declares them.
# Sources: the AWS "Common Errors" API reference page shared by service API references (e.g. Glue's
# "Common Errors", EC2's "Common client error codes"), Smithy's aws.protocols framework errors, and
# botocore's retry handler (botocore/retries/standard.py, botocore/data/_retry.json), which names the
# throttling and transient codes clients must expect. Coral-based services prefix them with a
# namespace (`com.amazon.coral.service#UnrecognizedClientException`), removed before lookup.
COMMON_CLIENT_ERRORS = frozenset({
    "AccessDeniedException", "AccessDenied", "IncompleteSignature", "IncompleteSignatureException",
    "InvalidAction", "InvalidClientTokenId", "InvalidParameterCombination", "InvalidParameterValue",
    "InvalidQueryParameter", "InvalidSignatureException", "MalformedQueryString", "MissingAction",
    "MissingAuthenticationToken", "MissingAuthenticationTokenException", "MissingParameter",
    "NotAuthorized", "OptInRequired", "RequestExpired", "RequestTimeout", "RequestTimeoutException",
    "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
    "RequestThrottled", "RequestThrottledException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
    "SlowDown", "PriorRequestNotComplete", "TransactionInProgressException",
    "UnrecognizedClientException", "UnknownOperationException", "ValidationError", "ValidationException",
    "SerializationException", "ExpiredTokenException", "InvalidAccessKeyId", "SignatureDoesNotMatch",
    "EC2ThrottledException", "BandwidthLimitExceeded", "LimitExceededException",
})
COMMON_SERVER_ERRORS = frozenset({
    "InternalFailure", "InternalError", "InternalServerError", "InternalServiceError",
    "ServiceUnavailable", "ServiceUnavailableException", "ServiceUnavailableError",
})
COMMON_ERRORS = COMMON_CLIENT_ERRORS | COMMON_SERVER_ERRORS

# Codes that say "your input is invalid": the answer an invalid input must get.
COMMON_VALIDATION_ERRORS = frozenset({
    "ValidationException", "ValidationError", "SerializationException", "InvalidParameterValue",
    "InvalidParameterCombination", "MissingParameter", "InvalidQueryParameter", "MalformedQueryString",
})
VALIDATION_WORDS = ("Invalid", "Validation", "Malformed", "BadRequest", "Serialization")
# EC2 names "the id you gave names nothing" InvalidXxx.NotFound: a valid input's answer, not a validation error.
NOT_FOUND_WORDS = ("NotFound", "NoSuch")


def is_validation_error(code: str, known: Container[str]) -> bool:
    """Whether CODE says "your input is invalid": a common validation code, or a KNOWN one (declared or
    documented for the service) whose name says so and does not say "not found"."""
    if code in COMMON_VALIDATION_ERRORS:
        return True
    return (code in known and any(word in code for word in VALIDATION_WORDS)
            and not any(word in code for word in NOT_FOUND_WORDS))
