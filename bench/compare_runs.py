"""Compare two JSON reports of the same matrix: root causes lost and new, and where the time went.

    python bench/compare_runs.py BEFORE.json AFTER.json

Root causes are compared by id (the check, severity and message template with the values taken out, as
conformance/root_causes.py keys them), so two runs that found the same defect on different operations or
with different examples agree on it. The time is each operation's `seconds` (reports that have it).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def load(path: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return report


def causes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cause["id"]: cause for cause in report["root_causes"]}


def describe_time(name: str, report: dict[str, Any]) -> None:
    operations = report["operations"]
    if not any("seconds" in op for op in operations):
        return
    total = sum(op.get("seconds", 0.0) for op in operations)
    by_service: Counter[str] = Counter()
    for op in operations:
        by_service[op["service"]] += op.get("seconds", 0.0)
    slowest = sorted(operations, key=lambda op: -op.get("seconds", 0.0))[:15]
    print(f"{name}: {total:.0f} s in operations over {len(operations)}; by service: "
          + ", ".join(f"{service} {seconds:.0f}" for service, seconds in by_service.most_common(8)))
    for op in slowest:
        print(f"  {op.get('seconds', 0.0):6.1f} s  {op['service']}:{op['operation']}  {op['status']}  "
              f"{op['cases']} cases")


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python bench/compare_runs.py BEFORE.json AFTER.json")
    before, after = load(sys.argv[1]), load(sys.argv[2])
    old, new = causes(before), causes(after)
    for name, report in (("before", before), ("after", after)):
        found = causes(report).values()
        errors = sum(cause["severity"] == "error" for cause in found)
        summary = report["summary"]
        print(f"{name}: {len(found)} root causes ({errors} errors), {summary['cases']} cases, "
              f"{summary['seconds']:.0f} s")
    for title, ids, side in (("lost", old.keys() - new.keys(), old), ("new", new.keys() - old.keys(), new)):
        chosen = sorted(ids, key=lambda i: (side[i]["severity"] != "error", side[i]["check"]))
        errors = sum(side[i]["severity"] == "error" for i in chosen)
        print(f"{title}: {len(chosen)} ({errors} errors)")
        for cause_id in chosen:
            cause = side[cause_id]
            print(f"  {cause['severity']:7} {cause['check']:24} {', '.join(cause['operations'][:3])}"
                  f"{' ...' if len(cause['operations']) > 3 else ''}: {cause['summary'][:110]}")
    describe_time("before", before)
    describe_time("after", after)


if __name__ == "__main__":
    main()
