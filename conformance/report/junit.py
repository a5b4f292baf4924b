"""JUnit XML: one test case per operation and check, so CI systems show each contract on its own."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from conformance.results import RunResult
from conformance.spec.writer import atomic_write


def junit_xml(result: RunResult, check_names: list[str]) -> str:
    suite = ElementTree.Element("testsuite", name="conformance", tests="0", failures="0", skipped="0",
                                time=f"{result.seconds:.3f}")
    tests = failures = skipped = 0
    for op in result.operations:
        for check in check_names:
            tests += 1
            case = ElementTree.SubElement(suite, "testcase", classname=f"{op.service}.{op.operation}", name=check)
            errors = [f for f in op.findings if f.check == check and f.severity == "error"]
            if op.status in ("not-implemented", "skipped", "error"):
                skipped += 1
                ElementTree.SubElement(case, "skipped", message=f"{op.status}: {'; '.join(op.notes)}")
            elif errors:
                failures += 1
                failure = ElementTree.SubElement(case, "failure", message=errors[0].message)
                failure.text = "\n\n".join(f"{f.pointer or '/'}: {f.message}\n{f.reproduce}" for f in errors)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(result: RunResult, check_names: list[str], path: Path) -> None:
    atomic_write(path, junit_xml(result, check_names))
