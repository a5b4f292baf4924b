"""How AWS JSON protocols carry an error code, and the errors any operation may answer with."""

from __future__ import annotations

from typing import Any

from conformance.exchange import HttpResponse

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

# Client errors a service sends to its operations although its model declares none of them: EC2's model
# declares no error shapes at all (its API reference lists the codes on "Error codes for the Amazon EC2
# API"). Only codes real EC2 was seen to send, each with the record that shows it (cloud-custodian placebo
# recordings in ../shared/data/real-aws, tests/data/placebo/<path>; one LocalStack snapshot validated on AWS).
SERVICE_CLIENT_ERRORS: dict[str, dict[str, str]] = {
    "ec2": {
        "DependencyViolation": "test_internet_gateway_delete_with_dependencies/ec2.DeleteInternetGateway_1.json",
        "InvalidAllocationID.NotFound": "test_release_attached_ec2/ec2.DescribeAddresses_3.json",
        "InvalidGroup.NotFound": "test_security_group_delete/ec2.DeleteSecurityGroup_2.json",
        "InvalidInternetGatewayID.NotFound": "test_query_manager_get/ec2.DescribeInternetGateways_2.json",
        "InvalidKeyPair.NotFound": "LocalStack tests/aws/services/cloudformation/resource_providers/ec2/"
                                   "test_ec2_resource_provider.snapshot.json key_pair_deleted",
        "InvalidLaunchTemplateId.NotFound": "test_launch_template_id_not_found/"
                                            "ec2.DescribeLaunchTemplateVersions_1.json",
        "InvalidNetworkInterfaceID.NotFound": "test_network_interface_delete/ec2.DeleteNetworkInterface_2.json",
        "InvalidPermission.Duplicate": "test_security_group_set_permissions/ec2.AuthorizeSecurityGroupIngress_1.json",
        "InvalidServiceName": "test_vpc_endpoint_service_details_inaccessible/"
                              "ec2.DescribeVpcEndpointServices_1.json",
        "InvalidSnapshot.NotFound": "test_ami_deregister_delete_snap/ec2.DescribeSnapshots_1.json",
        "InvalidSubnetID.NotFound": "test_ecs_service_subnet/ec2.DescribeSubnets_1.json",
        "InvalidVolume.NotFound": "test_ebs_force_delete/ec2.DescribeVolumes_3.json",
        "OperationNotPermitted": "test_ec2_stop_with_protection_enabled/ec2.StopInstances_1.json",
    },
}

# The query-protocol codes a query-compatible service still sends (in `x-amzn-query-error`), by the error
# shape they stand for. botocore's SQS model lacks the `error` traits that say so (botocore handlers.py,
# _handle_sqs_compatible_error); real SQS sends them: AWS.SimpleQueueService.NonExistentQueue with __type
# QueueDoesNotExist (LocalStack snapshot tests/aws/services/sqs/test_sqs.snapshot.json
# queue-does-not-exist, validated on AWS), QueueAlreadyExists with __type QueueNameExists (a wire recording
# of CreateQueue, issue 13).
QUERY_COMPATIBLE_CODES: dict[str, dict[str, str]] = {
    "sqs": {"AWS.SimpleQueueService.NonExistentQueue": "QueueDoesNotExist", "QueueAlreadyExists": "QueueNameExists"},
}


def common_errors(service: str) -> frozenset[str]:
    """The codes SERVICE may answer any operation with: the common AWS errors and the service's own."""
    return COMMON_ERRORS | frozenset(SERVICE_CLIENT_ERRORS.get(service, ()))

# Codes that say "your input is invalid": the answer an invalid input must get.
COMMON_VALIDATION_ERRORS = frozenset({
    "ValidationException", "ValidationError", "SerializationException", "InvalidParameterValue",
    "InvalidParameterCombination", "MissingParameter", "InvalidQueryParameter", "MalformedQueryString",
})
VALIDATION_WORDS = ("Invalid", "Validation", "Malformed", "BadRequest", "Serialization")


def sanitize_code(raw: str) -> str:
    """`ns#Name:http://...` → `Name`, as AWS clients read `__type`, `code` and `X-Amzn-ErrorType`."""
    code = raw.split(":", 1)[0]
    return code.rsplit("#", 1)[-1].strip()


def error_code(response: HttpResponse) -> tuple[str | None, str | None]:
    """(code, where it came from): body `__type`, else the `X-Amzn-ErrorType` header, else body `code`."""
    body = _json_object(response)
    if body is not None and isinstance(body.get("__type"), str) and body["__type"].strip():
        return sanitize_code(body["__type"]), "body __type"
    header = response.header("x-amzn-errortype")
    if header:
        return sanitize_code(header), "X-Amzn-ErrorType header"
    if body is not None and isinstance(body.get("code"), str) and body["code"].strip():
        return sanitize_code(body["code"]), "body code"
    return None, None


QUERY_ERROR_HEADER = "x-amzn-query-error"


def query_error_code(response: HttpResponse) -> str | None:
    """The code of a query-compatible service's `x-amzn-query-error: Code;Sender` header, as botocore reads
    it (two parts, a code before the `;`); None without one."""
    parts = (response.header(QUERY_ERROR_HEADER) or "").split(";")
    return parts[0].strip() if len(parts) == 2 and parts[0].strip() else None


def client_error_code(response: HttpResponse, document: dict[str, Any]) -> tuple[str | None, str | None]:
    """(code, where it came from) as a client reads `Error.Code`: for a query-compatible JSON service
    (`x-aws-query-compatible`, e.g. SQS) the `x-amzn-query-error` header's code wins over `__type`."""
    if document.get("x-aws-query-compatible"):
        code = query_error_code(response)
        if code is not None:
            return code, "x-amzn-query-error header"
    return error_code(response)


def error_names(response: HttpResponse, document: dict[str, Any]) -> tuple[str, ...]:
    """Every code the error goes by: the one a client reads and, for a query-compatible service, the
    `__type` one too. SQS sends `__type` QueueNameExists with `x-amzn-query-error: QueueAlreadyExists;Sender`:
    clients see QueueAlreadyExists, and botocore finds the modeled exception by the `__type` code."""
    seen, _ = client_error_code(response, document)
    wire, _ = error_code(response)
    return tuple(dict.fromkeys(code for code in (seen, wire) if code))


def answers_without_body(document: dict[str, Any]) -> bool:
    """Whether the operation's errors come without a body, so without a code but their status: a HEAD
    request's answer carries no body (RFC 9110), and botocore reads the status as the code (S3 HeadObject's
    404 reaches clients as `Error.Code` "404")."""
    return str(document.get("x-aws-http", {}).get("method", "")).upper() == "HEAD"


def is_validation_error(code: str, declared: dict[str, Any]) -> bool:
    if code in COMMON_VALIDATION_ERRORS:
        return True
    return code in declared and any(word in code for word in VALIDATION_WORDS)


def _json_object(response: HttpResponse) -> dict[str, Any] | None:
    try:
        body = response.json_body()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
