"""`conformance fuzz-parser`: feed a response parser valid and malformed responses and report its defects."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance import spec
from conformance.commands.argument_types import positive_int
from conformance.errors import UsageError
from conformance.fuzz import FuzzOptions, FuzzRunner, default_parser, for_operation, load_parser
from conformance.fuzz.parsers import Parser
from conformance.fuzz.report import judged_report_dict, print_summary, pytest_module, report_dict, write_json_report
from conformance.server.judge import Judge, read_verdict_inputs
from conformance.spec.writer import atomic_write


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fuzz-parser",
        help="fuzz a client response parser with valid and malformed responses from the model",
        description="Parse generated responses of SERVICE:OPERATION (valid ones, and malformed ones that each "
        "break one thing) with botocore's parser or --parser, and report every crash, accepted invalid value "
        "and wrong value, each with a shrunk reproducer. Exit 0: no defect; 1: defects; 2: usage error.",
    )
    parser.add_argument("target", metavar="SERVICE:OPERATION",
                        help="e.g. glue:GetMLTaskRun (with --judge, SERVICE alone judges every operation)")
    parser.add_argument("--parser", dest="parser_spec", metavar="MODULE:FUNCTION",
                        help="a parser function(status, headers, body, service, operation) -> dict "
                        "(default: botocore's parser for the operation's protocol)")
    parser.add_argument("--parser-error", metavar="MODULE:CLASS",
                        help="the exception type --parser raises for responses it rejects (any other is a crash)")
    parser.add_argument("--protocol", metavar="NAME",
                        help="answer in NAME, a protocol the service's model lists beside botocore's choice "
                        "(smithy-rpc-v2-cbor for CloudWatch, CodeBuild, Translate, ...; default: botocore's)")
    parser.add_argument("--max-examples", type=positive_int, default=1000, metavar="N",
                        help="generated cases per round (default 1000)")
    parser.add_argument("--seed", type=int, metavar="S", help="repeat a run exactly")
    parser.add_argument("--strict", action="store_true",
                        help="also count unknown members and out-of-enum strings a parser passes through")
    parser.add_argument("--no-seeds", action="store_true",
                        help="skip botocore's protocol-test cases (run first with botocore's parser)")
    parser.add_argument("--max-time", type=float, metavar="SECONDS", help="bound on the whole run")
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--pytest", type=Path, metavar="FILE", help="write every reproducer as a pytest module")
    parser.add_argument("--judge", type=Path, metavar="RESULTS.jsonl",
                        help="judge another client instead: one verdict input a line (a `serve --fuzz` case id "
                        "and the client's output or error, as posted to the server's judge; see the README)")
    parser.set_defaults(run=run)


def run_judge(args: argparse.Namespace) -> int:
    """`--judge FILE`: the verdict inputs of FILE, judged as the fuzz server judges them."""
    service, colon, operation = args.target.partition(":")
    spec.operations(service)  # an unknown service is a one-line UsageError
    if colon:
        spec.document(service, operation)
    for option, given in (("--parser", args.parser_spec), ("--parser-error", args.parser_error),
                          ("--pytest", args.pytest), ("--seed", args.seed is not None),
                          ("--protocol", args.protocol)):
        if given:
            raise UsageError(f"--judge judges what a client already made of each case; {option} does not apply "
                             "(a client's defects reproduce with `conformance serve SERVICE --replay-case ID`)")
    try:
        text = args.judge.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--judge {args.judge}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
    try:
        records = read_verdict_inputs(text.splitlines(), service, str(args.judge))
    except ValueError as error:
        raise UsageError(f"--judge {error}") from None
    kept = [record for record in records if not colon or record.operation == operation]
    judge = Judge(service, strict=args.strict)
    judge.judge_all(kept)
    result = judge.result()
    if len(kept) < len(records):
        result.notes.append(f"{len(records) - len(kept)} verdict inputs of other operations than {operation} "
                            "were left out")
    if not kept:
        result.notes.append(f"{args.judge} holds no verdict input to judge")
    print_summary(result, sys.stdout)
    if args.report_json:
        write_json_report(judged_report_dict(result, strict=args.strict), args.report_json)
    return 1 if result.defects else 0


def run(args: argparse.Namespace) -> int:
    for path in (args.report_json, args.pytest):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    if args.judge is not None:
        return run_judge(args)
    service, colon, operation = args.target.partition(":")
    if not colon or not service or not operation:
        raise UsageError(f"give SERVICE:OPERATION, e.g. glue:GetMLTaskRun (got {args.target!r})")
    for path in (args.report_json, args.pytest):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    if args.parser_error and not args.parser_spec:
        raise UsageError("--parser-error names the error type of a --parser; botocore's is ResponseParserError")
    context = for_operation(service, operation, args.protocol)
    parser: Parser = (load_parser(args.parser_spec, args.parser_error, context) if args.parser_spec
                      else default_parser(context))
    options = FuzzOptions(max_examples=args.max_examples, seed=args.seed, strict=args.strict,
                          seeds=not args.no_seeds, max_seconds=args.max_time)
    result = FuzzRunner(context, parser, options, progress=_progress).run()
    print_summary(result, sys.stdout)
    if args.report_json:
        write_json_report(report_dict(result, parser, context, strict=args.strict), args.report_json)
    if args.pytest:
        atomic_write(args.pytest, pytest_module(result, parser, context, strict=args.strict))
    return 1 if result.defects else 0


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)
