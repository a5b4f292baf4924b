"""Deviations from the model that real AWS itself answers: warnings by default, errors with `--strict`.

The model is stricter than the services in known ways: real AWS answers empty tag lists where the model says
at least one item, values outside an enum, numbers outside a range, values AWS sets itself that break the
member's pattern, and leaves out members the model calls required. Smithy says clients must accept outputs
that break constraint traits. So a violation of one of the classes below is a warning that says so ("AWS
itself answers this: empty list against minItems 1"), counted apart in every report (`Finding.aws_deviation`),
and an error with `--strict`. Each class keeps its evidence: responses real AWS sent (from
`../shared/data/real-aws`: cloud-custodian placebo recordings and LocalStack snapshots validated against
AWS), so a class is added for what AWS was seen to do, never for what a mock does.

Everything else stays an error: wrong JSON types, a timestamp or blob in the wrong format (their wire
patterns are not model patterns), integers beyond their type's width, unions without exactly one member,
unknown error codes, client faults with 5xx.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from conformance.findings import Finding, Severity
from conformance.fuzz.fastcheck import FastCheck
from conformance.spec.derive import INT32, INT64, Schema
from conformance.spec.validation import Violation, violations


@dataclass(frozen=True)
class Evidence:
    """One response real AWS sent that shows the class: service, operation and what it sent."""

    service: str
    operation: str
    sent: str
    source: str  # the record it is in


@dataclass(frozen=True)
class DeviationClass:
    name: str
    title: str  # what the class is, for the README and reports
    evidence: tuple[Evidence, ...]


# Where a record is: its original path in cloud-custodian (placebo) or LocalStack (snapshot and key).
PLACEBO = "tests/data/placebo/"
LOCALSTACK = "tests/aws/"

EMPTY_COLLECTION = DeviationClass("empty-collection", "an empty list or map against minItems/minProperties", (
    Evidence("keyspaces", "ListTagsForResource", "tags: [] (TagList, minItems 1)",
             PLACEBO + "test_keyspace_table_tag/cassandra.ListTagsForResource_2.json"),
    Evidence("cloudhsmv2", "DescribeBackups", "TagList: [] (minItems 1)",
             PLACEBO + "test_cloudhsm_backup_mark_for_op/cloudhsmv2.DescribeBackups_1.json"),
    Evidence("eks", "DescribeCluster", "tags: {} (TagMap, minProperties 1)",
             PLACEBO + "test_eks_addon_health/eks.DescribeCluster_1.json"),
))
EMPTY_STRING = DeviationClass("empty-string", "an empty string against minLength or a pattern", (
    Evidence("wafv2", "GetWebACL", 'Description: "" (EntityDescription, minLength 1, pattern)',
             PLACEBO + "test_appelb_wafv2_value/wafv2.GetWebACL_1.json"),
    Evidence("wafv2", "ListTagsForResource", 'NextMarker: "" (minLength 1)',
             PLACEBO + "test_wafv2_cloudfront_remove_tag/wafv2.ListTagsForResource_1.json"),
    Evidence("workspaces", "DescribeWorkspaces", 'NextToken: "" (PaginationToken, minLength 1)',
             PLACEBO + "test_workspaces_connection_status/workspaces.DescribeWorkspaces_1.json"),
    Evidence("acm", "GetCertificate", 'Certificate: "" (CertificateBody, minLength 1, pattern)',
             PLACEBO + "test_acm_certificate_delete_in_use_error/acm.GetCertificate_1.json"),
))
STRING_LENGTH = DeviationClass("string-length", "a string longer or shorter than the model's length range", (
    Evidence("wafv2", "ListWebACLs", "Id: a 38-character id (EntityId, maxLength 36)",
             PLACEBO + "test_appelb_waf/wafv2.ListWebACLs_1.json"),
    Evidence("networkmanager", "ListCoreNetworks", 'OwnerAccountId: "1234567890" (AWSAccountId, length 12)',
             PLACEBO + "test_networkmanager_core_networks_exclude_ram/networkmanager.ListCoreNetworks_1.json"),
))
NUMBER_RANGE = DeviationClass("number-range", "a number outside the model's range", (
    Evidence("athena", "GetCapacityReservation", "TargetDpus: 0 (TargetDpusInteger, minimum 4)",
             PLACEBO + "test_athena_cancel_capacity_reservation/athena.GetCapacityReservation_1.json"),
    Evidence("xray", "GetSamplingRules", "Priority: 10000 (Priority, maximum 9999)",
             PLACEBO + "test_xray_rule_query/xray.GetSamplingRules_1.json"),
))
ENUM_VALUE = DeviationClass("enum-value", "a value outside the enum", (
    Evidence("ec2", "DescribeVpcEndpoints", 'State: "available" (enum has "Available")',
             PLACEBO + "test_endpoint_policy_filter/ec2.DescribeVpcEndpoints_1.json"),
    Evidence("dms", "DescribeEndpoints", 'EndpointType: "SOURCE" (enum has "source")',
             PLACEBO + "test_dms_endpoint_delete/dms.DescribeEndpoints_1.json"),
    Evidence("acm", "DescribeCertificate", 'KeyAlgorithm: "RSA-2048" (enum has "RSA_2048")',
             PLACEBO + "test_acm_certificate_augment/acm.DescribeCertificate_1.json"),
    Evidence("mq", "DescribeBroker", 'engineType: "ActiveMQ" (enum has "ACTIVEMQ")',
             PLACEBO + "test_mq_delete/mq.DescribeBroker_1.json"),
))
PATTERN = DeviationClass("pattern", "a value AWS sets itself that breaks the member's pattern", (
    Evidence("network-firewall", "DescribeFirewall", "SyncStates.*.Config keys that are ARNs (ResourceName pattern)",
             PLACEBO + "test_delete_firewall/network-firewall.DescribeFirewall_1.json"),
    Evidence("health", "DescribeEvents", 'arn: "arn:aws:health:us-east-1::event/EBS_1234..." (eventArn pattern)',
             PLACEBO + "test_ebs_health_events_filter/health.DescribeEvents_1.json"),
    Evidence("workspaces", "DescribeWorkspaces", 'SubnetId: "subnet-2a8374658" (SubnetId pattern)',
             PLACEBO + "test_workspaces_query/workspaces.DescribeWorkspaces_1.json"),
))
REQUIRED = DeviationClass("required-member", "a member the model calls required left out", (
    Evidence("sqs", "SendMessageBatch", "no Failed (SendMessageBatchResult requires it)",
             LOCALSTACK + "services/lambda_/event_source_mapping/test_lambda_integration_sqs.snapshot.json"
             " send-message-batch-result-10"),
    Evidence("sagemaker", "DescribeTrainingJob", "no ModelArtifacts (required)",
             PLACEBO + "test_sagemaker_training_job_query/api.sagemaker.DescribeTrainingJob_1.json"),
    Evidence("wafv2", "GetWebACL", "WebACL without VisibilityConfig (required)",
             PLACEBO + "test_distribution_waf/wafv2.GetWebACL_1.json"),
    Evidence("iam", "ListInstanceProfilesForRole", "InstanceProfiles[] without Arn (required)",
             PLACEBO + "test_force_delete_role/iam.ListInstanceProfilesForRole_1.json"),
))
NULL_ITEM = DeviationClass("null-list-item", "a null item in a list the model does not call sparse", (
    Evidence("dms", "DescribeReplicationInstances", "ReplicationInstancePublicIpAddresses: [null]",
             PLACEBO + "test_dms_mark_for_op/dms.DescribeReplicationInstances_1.json"),
))
DECLARED_STATUS = DeviationClass("declared-status", "an error with another status of its fault class than the "
                                 "model's httpStatusCode", (
    Evidence("elasticbeanstalk", "ListTagsForResource", "ResourceNotFoundException with HTTP 404 (declared 400)",
             PLACEBO + "test_elasticbeanstalk_describe_envs_exception/elasticbeanstalk.ListTagsForResource_2.json"),
))

CLASSES: tuple[DeviationClass, ...] = (EMPTY_COLLECTION, EMPTY_STRING, STRING_LENGTH, NUMBER_RANGE, ENUM_VALUE,
                                       PATTERN, REQUIRED, NULL_ITEM, DECLARED_STATUS)
TYPE_WIDTHS = frozenset((*INT32, *INT64))  # integer bounds derivation adds for the type, not from the model

Classifier = Callable[[Violation], str | None]  # what the violation is, said for a user, or None: not this class


def _empty_collection(v: Violation) -> str | None:
    if v.keyword in ("minItems", "minProperties") and isinstance(v.instance, list | dict) and not v.instance:
        return f"empty {'list' if isinstance(v.instance, list) else 'map'} against {v.keyword} {v.bound}"
    return None


def _is_model_string(v: Violation) -> bool:
    schema = v.schema if isinstance(v.schema, dict) else {}
    return schema.get("x-aws-type") == "string" and isinstance(v.instance, str)


def _empty_string(v: Violation) -> str | None:
    if v.instance != "" or not _is_model_string(v):
        return None
    if v.keyword == "minLength":
        return f"empty string against minLength {v.bound}"
    if v.keyword == "pattern" and "x-aws-pattern" in v.schema:
        return "empty string against the member's pattern"
    return None


def _string_length(v: Violation) -> str | None:
    if v.keyword in ("minLength", "maxLength") and v.instance != "" and _is_model_string(v):
        return f"string of length {len(v.instance)} against {v.keyword} {v.bound}"
    return None


def _number_range(v: Violation) -> str | None:
    if v.keyword not in ("minimum", "maximum") or isinstance(v.instance, bool):
        return None
    if not isinstance(v.instance, int | float) or v.bound in TYPE_WIDTHS:
        return None  # beyond the type's width: no client can hold it
    return f"{v.instance} against {v.keyword} {v.bound}"


def _enum_value(v: Violation) -> str | None:
    if v.keyword == "enum" and isinstance(v.instance, str):
        return f"{v.instance!r} outside the enum"
    return None


def _pattern(v: Violation) -> str | None:
    # Only the model's own patterns: timestamp and base64 wire formats are patterns too, and stay errors.
    if v.keyword == "pattern" and v.instance != "" and _is_model_string(v) and "x-aws-pattern" in v.schema:
        return f"a value breaking the pattern {v.schema['x-aws-pattern']}"
    return None


def _required(v: Violation) -> str | None:
    schema = v.schema if isinstance(v.schema, dict) else {}
    if v.keyword == "required" and schema.get("x-aws-type") == "structure" and not schema.get("x-aws-union"):
        return "a required member left out"
    return None


def _null_item(v: Violation) -> str | None:
    # Structure members set to null are absent and dense maps skip null values (spec.validation): a null
    # left to fail its type is an item of a list.
    if v.keyword == "type" and v.instance is None and v.pointer.rsplit("/", 1)[-1].isdigit():
        return "null item in a list that is not sparse"
    return None


CLASSIFIERS: tuple[tuple[DeviationClass, Classifier], ...] = (
    (EMPTY_COLLECTION, _empty_collection), (EMPTY_STRING, _empty_string), (STRING_LENGTH, _string_length),
    (NUMBER_RANGE, _number_range), (ENUM_VALUE, _enum_value), (PATTERN, _pattern), (REQUIRED, _required),
    (NULL_ITEM, _null_item),
)


def classify(violation: Violation) -> tuple[DeviationClass, str] | None:
    """The deviation class VIOLATION belongs to and what it is, or None: a broken contract, an error."""
    for deviation, classifier in CLASSIFIERS:
        said = classifier(violation)
        if said is not None:
            return deviation, said
    return None


def deviation_finding(check: str, pointer: str, message: str, deviation: DeviationClass, said: str, *,
                      strict: bool) -> Finding:
    """A finding of a class AWS itself answers: a warning (an error with --strict) that says so."""
    seen = deviation.evidence[0]
    severity: Severity = "error" if strict else "warning"
    return Finding(check, severity, pointer,
                   f"{message}: AWS itself answers this: {said} (e.g. {seen.service} {seen.operation})",
                   aws_deviation=deviation.name)


def violation_finding(check: str, violation: Violation, *, strict: bool) -> Finding:
    """The finding CHECK raises for one violation of a response's schema."""
    if violation.unknown_member:
        return Finding(check, "error" if strict else "warning", violation.pointer,
                       f"{violation.message}: AWS may add members, but the model does not have it")
    found = classify(violation)
    if found is None:
        return Finding(check, "error", violation.pointer, violation.message)
    return deviation_finding(check, violation.pointer, violation.message, *found, strict=strict)


def output_findings(schema: Schema, value: Any, *, strict: bool = False) -> list[Finding]:
    """The findings of `response_schema` (and of `enum`, for enum members) on an output VALUE in its wire
    data model: what the checks report on a 2xx body, and what judges a botocore-parsed response."""
    if _fast_check(schema)(value):
        return []  # valid: jsonschema would find nothing, and takes ten times as long to say so
    return [violation_finding("enum" if violation.keyword == "enum" else "response_schema", violation,
                              strict=strict)
            for violation in violations(schema, value)]


# Compiled yes/no checks of schemas seen before, by identity (each entry holds its schema, so the id is not
# reused while it lives): the cached spec parts come back as the same objects.
_FAST: OrderedDict[int, tuple[Schema, Callable[[Any], bool]]] = OrderedDict()
_FAST_SIZE = 512


def _fast_check(schema: Schema) -> Callable[[Any], bool]:
    """Whether a value has no violation at all (strict: unknown members and enum values count), decided by
    the fuzzer's compiled checks; a "no" is explained by jsonschema, so no verdict comes from them."""
    known = _FAST.get(id(schema))
    if known is not None and known[0] is schema:
        _FAST.move_to_end(id(schema))
        return known[1]
    check = FastCheck(schema, strict=True).check
    _FAST[id(schema)] = (schema, check)
    if len(_FAST) > _FAST_SIZE:
        _FAST.popitem(last=False)
    return check


def status_deviation(code: str, status: int, declared: int, *, strict: bool) -> Finding:
    """An error sent with another status of its fault class than its declared httpStatusCode."""
    return deviation_finding("error_status", "", f"{code} is declared with HTTP {declared}, got {status}",
                             DECLARED_STATUS, f"HTTP {status} for a declared {declared}", strict=strict)


def aws_deviations(findings: Iterable[Finding]) -> int:
    """How many FINDINGS are of a class real AWS itself answers: every report counts them apart."""
    return sum(1 for finding in findings if finding.aws_deviation)


def deviation_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each deviation class AWS itself answers (for reports)."""
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.aws_deviation:
            counts[finding.aws_deviation] = counts.get(finding.aws_deviation, 0) + 1
    return counts


__all__ = ["CLASSES", "DeviationClass", "Evidence", "aws_deviations", "classify", "deviation_counts", "output_findings",
           "status_deviation", "violation_finding"]
