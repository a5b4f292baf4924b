"""`conformance spec`: print or write the schema documents derived from botocore's model."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from conformance import spec
from conformance.errors import UsageError
from conformance.spec.families import FAMILIES, family
from conformance.spec.models import service_names
from conformance.spec.writer import check_index, dumps, update_index, write_service_documents


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "spec",
        help="print or write JSON Schema documents derived from botocore's model",
        description="Print the schema document of SERVICE OPERATION (or one --part of it), "
        "or write documents to --out DIR as DIR/SERVICE/OPERATION.json plus DIR/index.json.",
    )
    parser.add_argument("service", nargs="?", metavar="SERVICE", help="botocore service name, e.g. glue")
    parser.add_argument("operations", nargs="*", metavar="OPERATION", help="operation name, e.g. GetMLTaskRun")
    parser.add_argument("--part", metavar="PART",
                        help="input, output or error:NAME: print a self-contained schema of that part")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write documents under DIR")
    parser.add_argument("--all", action="store_true", help="with --out: every operation of every service")
    parser.add_argument("--family", choices=sorted(FAMILIES), help="with --out: a named operation family")
    parser.add_argument("--force", action="store_true", help="replace files under DIR that we did not write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.out is None:
        return _print(args)
    return _write(args)


def _print(args: argparse.Namespace) -> int:
    if args.all or args.family:
        raise UsageError("--all and --family write many documents: give --out DIR")
    if not args.service or len(args.operations) != 1:
        raise UsageError("give SERVICE OPERATION to print a document, or --out DIR to write documents")
    operation = args.operations[0]
    schema = spec.part(args.service, operation, args.part) if args.part else spec.document(args.service, operation)
    sys.stdout.write(dumps(schema))
    return 0


def _write(args: argparse.Namespace) -> int:
    if args.part:
        raise UsageError("--part prints one part; it does not combine with --out")
    targets = _targets(args)
    started = time.perf_counter()
    count = 0
    regenerate = f"conformance spec --family {args.family} --out {args.out}" if args.family else None
    check_index(args.out, args.force)
    entries = []
    try:
        for service, operations in targets:
            written, entry = write_service_documents(args.out, service, operations, force=args.force)
            count += len(written)
            entries.append(entry)
    finally:
        update_index(args.out, entries, regenerate)  # once, and for what was written even if a service failed
    seconds = time.perf_counter() - started
    print(f"wrote {count} documents of {len(targets)} services to {args.out} in {seconds:.1f} s", file=sys.stderr)
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, list[str] | None]]:
    chosen = sum(bool(x) for x in (args.all, args.family, args.service))
    if chosen != 1:
        raise UsageError("with --out give exactly one of SERVICE [OPERATION...], --family NAME or --all")
    if args.all:
        return [(service, None) for service in service_names()]
    if args.family:
        service, operations = family(args.family)
        return [(service, list(operations))]
    return [(args.service, args.operations or None)]
