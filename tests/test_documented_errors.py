"""Error codes documented outside botocore's model (conformance/protocols/documented_errors.py).

The expectations below come from the cited pages themselves (EC2's "Error codes for the Amazon EC2 API",
S3's "Error responses", the shared "Common Errors" pages), and the last two tests hold the lists against
responses real AWS sent (../shared/data/real-aws: cloud-custodian placebo recordings and LocalStack snapshots
validated against AWS; see its README.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest

from conformance.protocols import PROTOCOLS
from conformance.protocols.documented_errors import (
    LIST_FILES,
    documented_error_codes,
    documented_fault,
    documented_lists,
    documented_sources,
    documented_status,
    documented_statuses,
    is_documented,
)

DATA = Path(__file__).resolve().parent.parent / "conformance" / "protocols" / "data"


def test_ec2_page_splits_client_and_server_codes() -> None:
    codes = documented_error_codes("ec2", "ec2")
    for code in ("InvalidVpcID.NotFound", "InvalidInstanceID.Malformed", "InvalidParameterValue",
                 "UnauthorizedOperation", "DryRunOperation", "Gateway.NotAttached"):
        assert code in codes
        assert documented_fault("ec2", "ec2", code) == "client"
    for code in ("InternalError", "Unavailable", "ServerInternal", "InsufficientInstanceCapacity"):
        assert code in codes
        assert documented_fault("ec2", "ec2", code) == "server"
    # EC2's page gives no status per code; the framework page does for the codes they share.
    assert documented_status("ec2", "ec2", "InvalidVpcID.NotFound") is None
    assert documented_status("ec2", "ec2", "MissingParameter") == 400


def test_s3_list_keeps_each_codes_status() -> None:
    assert documented_status("s3", "rest-xml", "AccessDenied") == 403
    assert documented_status("s3", "rest-xml", "NoSuchUpload") == 404
    assert documented_status("s3", "rest-xml", "PreconditionFailed") == 412
    assert documented_status("s3", "rest-xml", "InvalidBucketName") == 400
    assert documented_status("s3", "rest-xml", "InvalidRange") == 416  # a row without backticks in the copy read
    assert documented_status("s3", "rest-xml", "SlowDown") == 503
    assert documented_fault("s3", "rest-xml", "SlowDown") == "server"
    assert documented_fault("s3", "rest-xml", "NoSuchKey") == "client"
    # A description's "returns 200 OK" is not the code's status; a row's second status is kept.
    assert documented_statuses("s3", "rest-xml", "BucketAlreadyOwnedByYou") == {409}
    assert documented_statuses("s3", "rest-xml", "EntityTooLarge") == {400, 405}
    # The page gives N/A as the status of InvalidAddressingHeader and as the fault of AuthorizationHeaderMalformed.
    assert documented_status("s3", "rest-xml", "InvalidAddressingHeader") is None
    assert documented_fault("s3", "rest-xml", "AuthorizationHeaderMalformed") is None
    assert "InvalidArgument" in documented_error_codes("s3", "rest-xml")


def test_query_framework_errors_for_query_and_ec2() -> None:
    for protocol in ("query", "ec2"):
        codes = documented_error_codes("iam", protocol)
        for code in ("ValidationError", "InvalidAction", "MissingParameter", "InvalidClientTokenId",
                     "MalformedQueryString", "ThrottlingException", "ServiceUnavailable"):
            assert code in codes, (protocol, code)
    assert documented_status("sts", "query", "ValidationError") == 400
    assert documented_status("sns", "query", "MalformedQueryString") == 404
    assert documented_status("iam", "query", "InternalFailure") == 500
    assert documented_fault("iam", "query", "InternalFailure") == "server"
    assert documented_fault("iam", "query", "MissingParameter") == "client"
    # The two framework pages disagree; the newer page ("Common Error Types") comes first, both are kept.
    assert documented_status("iam", "query", "NotAuthorized") == 401
    assert documented_statuses("iam", "query", "NotAuthorized") == {400, 401}


def test_codes_match_in_any_case() -> None:
    # The page spells InvalidSubnetId.NotFound; real EC2 answers InvalidSubnetID.NotFound (placebo recording).
    assert "InvalidSubnetId.NotFound" in documented_error_codes("ec2", "ec2")
    assert "InvalidSubnetID.NotFound" not in documented_error_codes("ec2", "ec2")
    assert is_documented("ec2", "ec2", "InvalidSubnetID.NotFound")
    assert documented_fault("ec2", "ec2", "InvalidSubnetID.NotFound") == "client"
    # Both spellings the page lists are kept.
    assert {"InvalidHostID.Malformed", "InvalidHostId.Malformed"} <= documented_error_codes("ec2", "ec2")
    assert not is_documented("ec2", "ec2", "InvalidSubnetID.NotFoundX")


def test_what_is_not_documented() -> None:
    assert documented_error_codes("nosuchservice", "json") == frozenset()
    assert documented_error_codes("nosuchservice", "rest-xml") == frozenset()
    assert documented_fault("nosuchservice", "json", "ValidationError") is None
    assert not is_documented("nosuchservice", "json", "ValidationError")
    assert documented_status("nosuchservice", "json", "ValidationError") is None
    # S3's codes belong to S3 and EC2's to EC2, not to every service of their protocol.
    assert "NoSuchUpload" not in documented_error_codes("route53", "rest-xml")
    assert "InvalidVpcID.NotFound" not in documented_error_codes("iam", "query")
    assert "NoSuchUpload" not in documented_error_codes("ec2", "ec2")
    assert documented_status("s3", "rest-xml", "NoSuchThing") is None


def test_every_list_has_its_source_and_its_rows() -> None:
    lists = documented_lists()
    assert [documented.name for documented in lists] == list(LIST_FILES)
    assert sorted(LIST_FILES) == sorted(path.name for path in DATA.glob("*.json"))
    services = set(botocore.session.get_session().get_available_services())
    for documented in lists:
        source = documented.source
        assert source["title"], documented.name
        assert source["url"].startswith("https://docs.aws.amazon.com/"), documented.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["read"]), documented.name
        assert source["repository"] and source["path"], documented.name
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), documented.name
        assert source["extraction"], documented.name
        assert documented.services <= services and documented.protocols <= set(PROTOCOLS), documented.name
        assert documented.services or documented.protocols, documented.name
        raw = json.loads((DATA / documented.name).read_text(encoding="utf-8"))
        assert raw["count"] == len(raw["codes"]) == len(documented.spellings), documented.name
        for code in documented.spellings:
            assert re.fullmatch(r"[A-Z][A-Za-z0-9.]*", code), (documented.name, code)
    assert documented_sources("s3", "rest-xml", "NoSuchUpload")[0]["title"].startswith("Error responses")
    assert {source["title"] for source in documented_sources("ec2", "ec2", "MissingParameter")} >= {
        "Error codes for the Amazon EC2 API", "Common Errors"}


def _real_aws_errors(shared_data: Path) -> set[tuple[str, str, int]]:
    """(service, code, status) of every error response recorded from real AWS."""
    found: set[tuple[str, str, int]] = set()
    real = shared_data / "real-aws"
    for path in (real / "cloud-custodian-placebo").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            recorded = json.loads(line)["recorded"]
            code = ((recorded.get("data") or {}).get("Error") or {}).get("Code")
            if recorded.get("status_code", 200) >= 400 and code:
                found.add((path.stem, code, recorded["status_code"]))
    for line in (real / "localstack-snapshots" / "entries.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        recorded = entry["recorded"]
        code = (recorded.get("Error") or {}).get("Code") if entry["kind"] == "error" else None
        status = (recorded.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        if code and status:
            found.add((entry["service"], code, status))
    return found


def test_every_ec2_error_real_aws_sent_is_documented(shared_data: Path) -> None:
    ec2 = {(code, status) for service, code, status in _real_aws_errors(shared_data) if service == "ec2"}
    assert len(ec2) >= 10  # the recordings hold InvalidSubnetID.NotFound, DependencyViolation, ...
    for code, status in ec2:
        assert is_documented("ec2", "ec2", code), code
        assert documented_fault("ec2", "ec2", code) == ("server" if status >= 500 else "client"), code


@pytest.mark.parametrize("service", ["iam", "sts", "sns"])
def test_framework_errors_real_aws_sent_are_documented_with_their_status(shared_data: Path, service: str) -> None:
    # Of the codes these query services sent, those the service's model does not declare must be framework
    # errors the pages document, with the status real AWS sent.
    model = botocore.session.get_session().get_service_model(service)
    declared = {shape.error_code for shape in model.error_shapes}
    undeclared = {(code, status) for name, code, status in _real_aws_errors(shared_data)
                  if name == service and code not in declared}
    for code, status in undeclared:
        assert is_documented(service, "query", code), code
        assert status in documented_statuses(service, "query", code), code
