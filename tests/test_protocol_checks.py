"""The checks on rest-json, query, ec2 and rest-xml: quiet on an AWS-like endpoint for one operation of each,
exactly the broken contract's check on each broken endpoint (see tests/protocol_endpoints.py)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import CHECKS
from conformance.results import OperationResult
from conformance.runner import Runner, RunOptions
from conformance.targets import make_target
from tests.protocol_endpoints import ENDPOINTS, WARNING_MODES, serve

EXAMPLES = 5
CORRECT_EXAMPLES = 15  # the quiet endpoints get more cases: a false positive may need a rarer one


def run_against(protocol: str, url: str, *, max_examples: int = EXAMPLES, strict: bool = False) -> OperationResult:
    endpoint = ENDPOINTS[protocol]
    options = RunOptions(checks=dict(CHECKS), max_examples=max_examples, seed=1, examples=endpoint.examples,
                         strict=strict)
    with make_target(url) as target:
        return Runner(target, options).run_operation(endpoint.service, endpoint.operation)


def checks_with(result: OperationResult, severity: str) -> set[str]:
    return {finding.check for finding in result.findings if finding.severity == severity}


def shown(result: OperationResult) -> list[str]:
    return [f"{f.severity} {f.check} {f.pointer}: {f.message} [{f.request.get('label')}]" for f in result.findings]


def unexplained(result: OperationResult, *, besides: tuple[str, ...] = ()) -> list[str]:
    """The error findings of RESULT other than those of the checks in BESIDES."""
    return [f"{f.check} {f.pointer}: {f.message} [{f.request.get('label')}]" for f in result.findings
            if f.severity == "error" and f.check not in besides]


# Warnings the correct endpoints get, each true of real AWS too: S3's NoSuchBucket carries <BucketName>,
# which the model's error shape does not have.
EXPECTED_WARNINGS = {"rest-xml": {("error_body", "/BucketName")}}


@pytest.mark.parametrize("protocol", sorted(ENDPOINTS))
def test_correct_endpoint_gets_no_finding(protocol: str) -> None:
    with serve(protocol) as url:
        result = run_against(protocol, url, max_examples=CORRECT_EXAMPLES)
    assert result.status == "pass", shown(result)
    assert unexplained(result) == []
    # Deviations of a class real AWS itself answers are warnings by design (conformance.checks.aws_deviations):
    # the endpoints echo generated names into ARNs, as a careless AWS-like mock would.
    warnings = {(f.check, f.pointer) for f in result.findings if f.severity == "warning" and not f.aws_deviation}
    assert warnings <= EXPECTED_WARNINGS.get(protocol, set()), shown(result)
    assert result.cases >= 5


# Broken modes that cannot be caught yet, and why. strict: once they are caught, the mark must go.
NOT_CAUGHT_YET = {
    # botocore sends no S3 request whose bucket name breaks `validate_bucket_name` (a client rule the model
    # does not state), and the generator draws invalid cases' other members at random: none travels.
    ("rest-xml", "negative_data_rejection"): "S3's invalid cases never travel: bucket names botocore will not send",
}


def _broken_params() -> list[Any]:
    params = []
    for protocol, endpoint in ENDPOINTS.items():
        for mode in endpoint.modes:
            reason = NOT_CAUGHT_YET.get((protocol, mode))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(protocol, mode, marks=marks, id=f"{protocol}-{mode}"))
    return params


BROKEN = _broken_params()


@pytest.mark.parametrize(("protocol", "mode"), BROKEN)
def test_broken_endpoint_fires_exactly_its_check(protocol: str, mode: str) -> None:
    checks = ENDPOINTS[protocol].modes[mode][0]
    with serve(protocol, mode) as url:
        result = run_against(protocol, url)
    # A broken contract of a class real AWS itself answers (an out-of-enum value, a required member left out,
    # another status of the declared fault class) fires its check as a warning that says so; --strict makes
    # it an error.
    deviations = {f.check for f in result.findings if f.aws_deviation}
    if (protocol, mode) in WARNING_MODES:
        assert set(checks) <= checks_with(result, "warning"), shown(result)
        assert not set(checks) & checks_with(result, "error"), shown(result)
    elif set(checks) <= deviations:
        assert set(checks) <= checks_with(result, "warning"), shown(result)
        with serve(protocol, mode) as url:
            strict = run_against(protocol, url, strict=True)
        assert set(checks) <= checks_with(strict, "error"), shown(strict)
    else:
        assert set(checks) <= checks_with(result, "error"), shown(result)
        assert result.status == "fail"
        finding = next(f for f in result.findings if f.check == checks[0])
        assert finding.response["status"] >= 200 and finding.reproduce
    assert unexplained(result, besides=checks) == [], shown(result)


def _client(url: str, service: str) -> Any:
    return make_target(url).client(service)


def test_botocore_reads_the_correct_answers_as_aws_answers() -> None:
    """botocore's own parsers read every correct answer: the output's members, the error's code and status,
    the request id, wherever each protocol carries them."""
    from botocore.exceptions import ClientError

    with serve("query") as url:
        iam = _client(url, "iam")
        user = iam.get_user(UserName="Bob0")
        with pytest.raises(ClientError) as missing:
            iam.get_user(UserName="Bob")
    assert user["User"]["UserName"] == "Bob0" and user["User"]["CreateDate"].year == 2013
    assert user["User"]["Tags"] == [{"Key": "Role", "Value": "Dev"}]
    assert user["User"]["PermissionsBoundary"]["PermissionsBoundaryType"] == "PermissionsBoundaryPolicy"
    assert user["ResponseMetadata"]["RequestId"]
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing.value.response["ResponseMetadata"]["RequestId"]

    with serve("ec2") as url:
        ec2 = _client(url, "ec2")
        vpcs = ec2.describe_vpcs()
        chosen = ec2.describe_vpcs(VpcIds=["vpc-1a2b3c4d"])
        with pytest.raises(ClientError) as missing:
            ec2.describe_vpcs(VpcIds=["vpc-1"])
    vpc = vpcs["Vpcs"][0]
    assert (vpc["VpcId"], vpc["State"], vpc["IsDefault"]) == ("vpc-0a60eb65b4EXAMPLE", "available", False)
    assert vpc["Tags"] == [{"Key": "Name", "Value": "MyVPC"}]
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"
    assert vpcs["ResponseMetadata"]["RequestId"]
    assert [found["VpcId"] for found in chosen["Vpcs"]] == ["vpc-1a2b3c4d"]
    assert missing.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"
    assert missing.value.response["ResponseMetadata"]["RequestId"]

    with serve("rest-xml") as url:
        s3 = _client(url, "s3")
        listing = s3.list_objects_v2(Bucket="logs", RequestPayer="requester")
        with pytest.raises(ClientError) as missing:
            s3.list_objects_v2(Bucket="log")
    assert [item["Key"] for item in listing["Contents"]] == ["photos/2024/cat.jpg", "readme.txt"]
    assert listing["KeyCount"] == 2 and listing["IsTruncated"] is False and listing["RequestCharged"] == "requester"
    assert listing["Contents"][0]["ChecksumAlgorithm"] == ["CRC64NVME"] and listing["Contents"][0]["Size"] == 11
    assert listing["ResponseMetadata"]["RequestId"] and listing["ResponseMetadata"]["HostId"]
    assert missing.value.response["Error"]["Code"] == "NoSuchBucket"
    assert missing.value.response["Error"]["BucketName"] == "log"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    with serve("rest-json") as url:
        lambda_client = _client(url, "lambda")
        configuration = lambda_client.get_function_configuration(FunctionName="my-function0")
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as not_found:
            lambda_client.get_function_configuration(FunctionName="my-function")
    assert configuration["Runtime"] == "python3.12" and configuration["Timeout"] == 3
    assert configuration["EphemeralStorage"] == {"Size": 512}
    assert configuration["ResponseMetadata"]["RequestId"]
    assert not_found.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert not_found.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_an_s3_call_leaves_the_spec_alone() -> None:
    """botocore rewrites an S3 operation's `requestUri` in its loaded model when it sends the request; the spec,
    derived from the same loaded model, keeps its own (request decoding reads the bucket from it)."""
    from conformance import spec

    document = spec.document("s3", "ListObjectsV2")
    with serve("rest-xml") as url:
        _client(url, "s3").list_objects_v2(Bucket="logs")
    assert document["x-aws-http"]["requestUri"] == "/{Bucket}?list-type=2"
    assert spec.document("s3", "ListObjectsV2")["x-aws-http"]["requestUri"] == "/{Bucket}?list-type=2"
