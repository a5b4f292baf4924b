"""Real AWS is the truth: no error finding on any response real AWS sent (../shared/data/real-aws).

Every shared record (cloud-custodian placebo recordings and LocalStack snapshots validated against AWS, both
botocore's parse of a real answer; Apache-2.0, see tests/data/SOURCES.md) goes through the functions `run` and
`check-cassette` judge with: the output validated in its wire data model (`response_schema`, `enum`) and the
error code read as a client reads it (`error_code`, `error_status`, `not_a_server_error`). The deviations
real AWS itself answers are warnings; the table of them by class is printed (`pytest -s`).
"""

from __future__ import annotations

import collections

import pytest

from conformance.checks.aws_deviations import CLASSES
from conformance.errors import UsageError
from conformance.findings import Finding
from conformance.parsed_responses import judge
from tests.real_aws_records import Record, records


def _judged() -> tuple[list[tuple[Record, Finding]], int, int]:
    """(findings, records judged, records left out): placebo files written by hand are not what AWS sent,
    and an operation botocore no longer has cannot be judged."""
    found: list[tuple[Record, Finding]] = []
    judged = left_out = 0
    for record in records():
        try:
            if record.hand_written:
                left_out += 1
                continue
            findings = judge(record.judged())
        except UsageError:
            left_out += 1
            continue
        judged += 1
        found += [(record, finding) for finding in findings if not record.left_out(finding)]
    return found, judged, left_out


def test_no_error_finding_on_what_real_aws_answered(capsys: pytest.CaptureFixture[str]) -> None:
    found, judged, left_out = _judged()
    assert judged > 6000 and left_out < judged / 50, (judged, left_out)
    errors = [(record, finding) for record, finding in found if finding.severity == "error"]
    by_class = collections.Counter(finding.aws_deviation or ("unknown member" if "unknown member" in finding.message
                                                             else finding.check)
                                   for _, finding in found if finding.severity == "warning")
    with capsys.disabled():
        print(f"\n{judged} real AWS responses judged ({left_out} left out: written by hand or unknown); "
              f"{len(errors)} error findings; warnings by class:")
        for name, count in by_class.most_common():
            print(f"  {count:6d}  {name}")
    assert not errors, "\n".join(f"{record.source}: [{finding.check}] {finding.pointer} {finding.message}"
                                 for record, finding in errors[:20])


def test_each_deviation_class_holds_its_evidence() -> None:
    # The classes grow from evidence: each record a class cites is a real AWS answer showing that class.
    by_source = {record.source: record for record in records()}
    for deviation in CLASSES:
        for evidence in deviation.evidence:
            record = by_source[evidence.source]
            assert (record.response.service, record.response.operation) == (evidence.service, evidence.operation)
            assert not record.hand_written, evidence
            found = [f for f in judge(record.judged()) if not record.left_out(f)]
            assert deviation.name in {f.aws_deviation for f in found}, (evidence, found)
            assert all(f.severity == "warning" for f in found), evidence


def test_strict_makes_the_deviations_errors() -> None:
    record = next(record for record in records() if record.source.endswith("wafv2.GetWebACL_1.json")
                  and "test_appelb_wafv2_value" in record.source)
    default = judge(record.judged())
    strict = judge(record.judged(), strict=True)
    assert default and all(f.severity == "warning" for f in default)
    assert [f.pointer for f in strict if f.severity == "error"] == [f.pointer for f in default]
    assert any("AWS itself answers this: empty string against minLength 1" in f.message for f in default)
