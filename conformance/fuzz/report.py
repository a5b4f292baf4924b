"""Reports of a fuzz-parser run: the JSON document, the console summary and pytest reproducers."""

from __future__ import annotations

import json
import pprint
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from conformance.fuzz.context import OperationContext
from conformance.fuzz.oracle import DEFECT_KINDS
from conformance.fuzz.parsers import Parser
from conformance.fuzz.runner import Defect, FuzzResult
from conformance.fuzz.wire import MALFORMED, VALID
from conformance.spec.writer import atomic_write

BODY_SHOWN = 160


# -- pytest reproducers --------------------------------------------------------------------------------


def reproduce_snippet(defect: Defect, parser: Parser, context: OperationContext, *, strict: bool = False,
                      number: int = 1) -> str:
    """A pytest test that fails while DEFECT is there: the same bytes, the same parser, the same oracle."""
    response = defect.response
    name = _test_name(context, defect, number)
    doc = f'    """{defect.kind}{f" ({defect.exception})" if defect.exception else ""}: {_docstring(defect.label)}"""'
    if defect.source == "protocol test":
        seed_name = f"{defect.label.removeprefix('protocol test ')}"
        return "\n".join([
            "from conformance.fuzz import seeds", "", "",
            f"def {name}() -> None:", doc,
            f"    assert seeds.problems({seed_name!r}) == []", "",
        ])
    imports, setup, documented = parser.snippet_lines(context)
    expectation = response.expectation
    arguments = [f"mode={expectation.mode!r}"]
    if expectation.mode != MALFORMED:
        arguments.append(f"expected={_literal(expectation.value, 8)}")
        if expectation.error_code is not None:
            arguments.append(f"error_code={expectation.error_code!r}")
    if strict:
        arguments.append("strict=True")
    if context.chosen_protocol:
        arguments.append(f"protocol={context.chosen_protocol!r}")
    lines = [*imports, "", "from conformance.fuzz import check_parse", "", "",
             f"def {name}() -> None:", doc,
             f"    status = {response.status}",
             f"    headers = {_literal(response.headers, 14)}",
             f"    body = {response.body!r}"]
    if expectation.mode == VALID:
        lines += [f"    {line}" for line in setup]
    else:
        lines += ["    try:", *(f"        {line}" for line in setup),
                  f"    except {documented}:",
                  "        return  # the parser's documented error: not a defect for this response"]
    lines += [f"    problems = check_parse({context.service!r}, {context.operation!r}, status, headers, body, parsed,",
              f"                           {', '.join(arguments)})",
              "    assert problems == []", ""]
    return "\n".join(lines)


def _test_name(context: OperationContext, defect: Defect, number: int) -> str:
    words = [context.service, context.operation, defect.kind, defect.exception or "", str(number)]
    return "test_" + "_".join(re.sub(r"\W+", "_", word).strip("_").lower() for word in words if word)


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''")


def _literal(value: Any, indent: int) -> str:
    text = pprint.pformat(value, width=110 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def pytest_module(result: FuzzResult, parser: Parser, context: OperationContext, *, strict: bool = False) -> str:
    """Every reproducer of RESULT as one pytest module (imports merged at the top)."""
    imports: list[str] = []
    bodies: list[str] = []
    for number, defect in enumerate(result.defects, 1):
        snippet = reproduce_snippet(defect, parser, context, strict=strict, number=number)
        head, _, body = snippet.partition("\n\n\ndef ")
        imports.extend(line for line in head.splitlines() if line and line not in imports)
        bodies.append("def " + body.rstrip() + "\n")
    header = [f'"""Reproducers of `conformance fuzz-parser {result.service}:{result.operation}` '
              f'(seed {result.seed}, {result.parser})."""', "", "from __future__ import annotations", ""]
    plain = sorted(line for line in imports if line.startswith("import "))
    froms = sorted(line for line in imports if not line.startswith("import "))
    return "\n".join([*header, *plain, *froms, "", "", ""]) + "\n\n".join(bodies)


# -- JSON --------------------------------------------------------------------------------------------


def report_dict(result: FuzzResult, parser: Parser, context: OperationContext, *,
                strict: bool = False) -> dict[str, Any]:
    defects = [_defect_dict(defect, reproduce_snippet(defect, parser, context, strict=strict, number=number))
               for number, defect in enumerate(result.defects, 1)]
    return _document(result, defects, strict)


def replay_command(service: str, case: str) -> str:
    return f"conformance serve {service} --replay-case {case}"


def judged_report_dict(result: FuzzResult, *, strict: bool = False) -> dict[str, Any]:
    """The report of a client judged from its verdict inputs: each defect reproduces as its `--replay-case`
    (the client read that very answer) and carries the operation, the case id and how often it was seen."""
    defects = []
    for defect in result.defects:
        replay = replay_command(result.service, defect.case or "")
        entry = _defect_dict(defect, f"{replay}  # then point {result.parser} at it")
        entry.update({"operation": defect.operation, "case": defect.case, "replay": replay, "seen": defect.seen})
        defects.append(entry)
    return _document(result, defects, strict)


def _defect_dict(defect: Defect, reproduce: str) -> dict[str, Any]:
    return {
        "kind": defect.kind,
        "exception": defect.exception,
        "category": defect.category,
        "label": defect.label,
        "message": defect.message,
        "shrunk": defect.shrunk,
        "source": defect.source,
        "response": defect.response.as_json(),
        "reproduce": reproduce,
    }


def _document(result: FuzzResult, defects: list[dict[str, Any]], strict: bool) -> dict[str, Any]:
    return {
        "parser": result.parser,
        "service": result.service,
        "operation": result.operation,
        "seed": result.seed,
        "strict": strict,
        "defects": defects,
        "summary": {
            "cases": result.cases,
            "defects": len(result.defects),
            "seconds": round(result.seconds, 2),
            "by_kind": {kind: sum(d.kind == kind for d in result.defects) for kind in DEFECT_KINDS},
            "rounds": result.rounds,
            "protocol_tests": {"passed": result.seeds_passed, "skipped": len(result.seeds_skipped)},
            "notes": result.notes,
        },
    }


def write_json_report(document: dict[str, Any], path: Path) -> None:
    atomic_write(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


# -- console -----------------------------------------------------------------------------------------


def print_summary(result: FuzzResult, out: TextIO) -> None:
    rate = result.cases / result.seconds if result.seconds else 0.0
    out.write(f"fuzz-parser {result.service}:{result.operation} with {result.parser}\n")
    judged = any(defect.case is not None for defect in result.defects) or not result.rounds
    out.write(f"{result.cases} cases in {result.seconds:.1f} s ({rate:.0f}/s)")
    if not judged:  # a client's verdict inputs have no seed of the run: their cases name their own
        out.write(f", seed {result.seed}")
    if result.seeds_passed or result.seeds_skipped:
        out.write(f"; protocol tests: {result.seeds_passed} passed, {len(result.seeds_skipped)} skipped "
                  "(botocore's ignore list)")
    out.write("\n")
    for note in result.notes:
        out.write(f"note: {note}\n")
    if not result.defects:
        out.write("no defects\n")
        return
    out.write(f"{len(result.defects)} defects\n")
    for (kind, exception), group in _groups(result.defects):
        out.write(f"\n{kind}{f' {exception}' if exception else ''} ({len(group)})\n")
        for defect in group:
            response = defect.response
            out.write(f"  - {printable(defect.category)}: {printable(defect.label)}\n")
            out.write(f"    {printable(defect.message)}\n")
            body = response.body.decode("utf-8", errors="backslashreplace")
            if len(body) > BODY_SHOWN:
                body = body[:BODY_SHOWN] + f"... ({len(response.body)} bytes)"
            headers = ", ".join(f"{k}: {v}" for k, v in response.headers.items())
            out.write(f"    HTTP {response.status} [{printable(headers)}] {printable(body)}\n")
            if defect.case is not None:
                out.write(f"    {defect.operation} case {defect.case}, seen {defect.seen}x: "
                          f"{replay_command(result.service, defect.case)}\n")
    if any(defect.case is not None for defect in result.defects):
        out.write("\nreproducers: each case id with --replay-case; --report-json FILE for every raw answer\n")
        return
    out.write("\nreproducers: --report-json FILE (each defect's `reproduce`) or --pytest FILE\n")


def printable(text: str) -> str:
    """TEXT with control and other unprintable characters escaped, for a terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _groups(defects: Iterable[Defect]) -> list[tuple[tuple[str, str | None], list[Defect]]]:
    grouped: dict[tuple[str, str | None], list[Defect]] = {}
    for defect in defects:
        grouped.setdefault((defect.kind, defect.exception), []).append(defect)
    return sorted(grouped.items(), key=lambda item: (DEFECT_KINDS.index(item[0][0]), item[0][1] or ""))
