"""Benchmark: deciding the checks of one XML answer vs botocore's own parse of the same bytes.

Ours: every response check of the registry on one exchange (the protocol layer decodes the XML strictly into
the output's data model, validates it, reads the request id and content type). Baseline: botocore's parser for
the same protocol turning the same bytes into its result (`create_parser(protocol).parse`), measured in the
same run, on the same answers: a query answer (IAM ListUsers, 100 users), an ec2 answer (DescribeVpcs,
50 VPCs with tags) and a rest-xml answer (S3 ListObjectsV2, 200 objects).
Target: ours / botocore <= 2.0.   Run: python bench/bench_protocols.py [REPEATS]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from conformance.checks import CHECKS, CheckContext
from conformance.checks.registry import RESPONSE_CHECKS
from conformance.exchange import Exchange, HttpResponse
from conformance.spec.models import load_service


def _users(count: int) -> bytes:
    users = "".join(
        f"<member><Path>/</Path><UserName>user{n}</UserName><UserId>AIDA{n:017d}</UserId>"
        f"<Arn>arn:aws:iam::123456789012:user/user{n}</Arn><CreateDate>2024-01-0{n % 9 + 1}T10:00:00Z</CreateDate>"
        "</member>" for n in range(count))
    return (f'<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>'
            f"<IsTruncated>false</IsTruncated><Users>{users}</Users></ListUsersResult>"
            "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>"
            "</ListUsersResponse>").encode()


def _vpcs(count: int) -> bytes:
    vpcs = "".join(
        f"<item><vpcId>vpc-{n:017x}</vpcId><ownerId>123456789012</ownerId><state>available</state>"
        f"<cidrBlock>10.{n % 256}.0.0/16</cidrBlock><cidrBlockAssociationSet><item>"
        f"<cidrBlock>10.{n % 256}.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-{n:017x}</associationId>"
        "<cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>"
        "<dhcpOptionsId>dopt-19edf471</dhcpOptionsId><tagSet><item><key>Name</key><value>main</value></item>"
        "</tagSet><instanceTenancy>default</instanceTenancy><isDefault>false</isDefault></item>"
        for n in range(count))
    return (f'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            f"<requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId><vpcSet>{vpcs}</vpcSet>"
            "</DescribeVpcsResponse>").encode()


def _objects(count: int) -> bytes:
    objects = "".join(
        f"<Contents><Key>photos/2024/{n:05d}.jpg</Key><LastModified>2024-01-01T10:00:00.000Z</LastModified>"
        f'<ETag>"{n:032x}"</ETag><Size>{n * 1024}</Size><StorageClass>STANDARD</StorageClass></Contents>'
        for n in range(count))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name>'
            f"<Prefix></Prefix><KeyCount>{count}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
            f"{objects}</ListBucketResult>").encode()


ANSWERS = {
    ("iam", "ListUsers"): (_users(100), {"Content-Type": "text/xml", "x-amzn-RequestId": "7a62c49f"}),
    ("ec2", "DescribeVpcs"): (_vpcs(50), {"Content-Type": "text/xml;charset=UTF-8"}),
    ("s3", "ListObjectsV2"): (_objects(200), {"Content-Type": "application/xml", "x-amz-request-id": "4442587F"}),
}


def _best(function: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    checks = [CHECKS[name] for name in RESPONSE_CHECKS]
    worst = 0.0
    for (service, operation), (body, headers) in ANSWERS.items():
        model = load_service(service)
        shape = model.operation_model(operation).output_shape
        parser = create_parser(model.resolved_protocol)
        response = HttpResponse(200, headers, body)

        def botocore_parse(parser: Any = parser, shape: Any = shape, headers: dict[str, str] = headers,
                           body: bytes = body) -> object:
            return parser.parse({"status_code": 200, "headers": HeadersDict(headers), "body": body}, shape)

        def our_checks(service: str = service, operation: str = operation,
                       response: HttpResponse = response) -> object:
            context = CheckContext(Exchange(service, operation, {}, response=response), "valid")
            findings = [finding for check in checks for finding in check(context)]
            assert not [f for f in findings if f.severity == "error"], findings
            return findings

        our_checks()  # compile the validators and derive the document before timing
        ours, theirs = _best(our_checks, repeats), _best(botocore_parse, repeats)
        ratio = ours / theirs
        worst = max(worst, ratio)
        print(f"{service}:{operation:14s} {len(body):7,d} bytes  ours {ours * 1000:6.2f} ms  "
              f"botocore parse {theirs * 1000:6.2f} ms  ratio {ratio:.2f}x")
    print(f"worst ratio {worst:.2f}x (target <= 2.0x)")


if __name__ == "__main__":
    main()
