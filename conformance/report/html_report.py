"""One self-contained HTML file: the picture of the run (services x checks), the root causes, then the
operations and every finding.

No external script, style or font: it opens from disk, from a CI artifact, or attached to a mail. The small
inline script only filters rows; without it everything is still there to read.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from conformance.checks import CHECKS
from conformance.checks.aws_deviations import aws_deviations
from conformance.report.console import answers_text
from conformance.results import OperationResult, RunResult
from conformance.root_causes import RootCause, group
from conformance.spec.writer import atomic_write

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0} th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left}
th{background:#f6f8fa} td.n{text-align:right}
.pass{background:#dafbe1} .fail{background:#ffebe9} .not-implemented{background:#f6f8fa;color:#57606a}
.error{background:#fff8c5} .skipped{background:#f6f8fa}
.sev-error{color:#cf222e;font-weight:600} .sev-warning{color:#9a6700}
details{margin:.25rem 0 .25rem 1rem} pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;font-size:.85rem}
#filter{margin:.5rem 0} .chip{display:inline-block;margin-right:.75rem}
#picture td.h{text-align:right;min-width:2.2rem} #picture th.c{writing-mode:vertical-rl;font-weight:normal}
.h0{background:#ffffff;color:#8c959f} .h1{background:#ffd8d3} .h2{background:#ff9f93} .h3{background:#f0604d;color:#fff}
.h4{background:#a40e26;color:#fff}
section{content-visibility:auto;contain-intrinsic-size:auto 4rem} ul.same{margin:.25rem 0 .25rem 1rem;font-size:.9rem}
"""
HEAT_STEPS = (1, 10, 100, 1000)  # error findings from which a cell is one shade darker
MAX_BODY_CHARS = 4000  # a body in the page is cut here (the JSON report has it whole): the page stays light
MAX_LINE_CHARS = 600  # and a finding's message in its one line (botocore's parse errors quote whole bodies)
MAX_LISTED_OPERATIONS = 40
# Why the page stays light on a whole-mock run (tens of thousands of findings): each operation shows one finding
# of each of its root causes whole (bodies, reproducer); the others of that root cause are one line each, and
# sections off screen are not laid out (content-visibility). The JSON report has every finding whole.

SCRIPT = """
document.getElementById('filter').addEventListener('change', function (event) {
  var show = {};
  document.querySelectorAll('#filter input').forEach(function (box) { show[box.value] = box.checked; });
  document.querySelectorAll('tr[data-status]').forEach(function (row) {
    row.style.display = show[row.dataset.status] ? '' : 'none';
  });
});
document.getElementById('script-state').textContent = 'filters ready';
"""

STATUSES = ("pass", "fail", "not-implemented", "error", "skipped")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(op: OperationResult) -> str:
    return f"op-{op.service}-{op.operation}"


def render_html(result: RunResult) -> str:
    summary = {"operations": len(result.operations), "cases": sum(op.cases for op in result.operations),
               "errors": result.errors, "warnings": sum(op.warnings for op in result.operations),
               "aws_deviations": aws_deviations(f for op in result.operations for f in op.findings),
               "seconds": round(result.seconds, 2)}
    statuses = Counter(op.status for op in result.operations)
    checks: Counter[tuple[str, str]] = Counter(
        (f.check, f.severity) for op in result.operations for f in op.findings
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>conformance: {_e(result.target)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Conformance of {_e(result.target)}</h1>",
        f"<p id='summary'>{summary['operations']} operations, {summary['cases']} cases, "
        f"<span class='sev-error'>{summary['errors']} errors</span>, "
        f"<span class='sev-warning'>{summary['warnings']} warnings</span>, "
        f"{summary['aws_deviations']} that AWS itself answers, seed {result.seed}, "
        f"{summary['seconds']} s</p>",
        "<p>" + " ".join(f"<span class='chip {s}'>{_e(s)}: {statuses.get(s, 0)}</span>" for s in STATUSES) + "</p>",
        "<div id='filter'>show: " + " ".join(
            f"<label><input type='checkbox' value='{s}' checked> {s}</label>" for s in STATUSES) + "</div>",
        "<p><small id='script-state'>filters need JavaScript; everything is shown</small></p>",
    ]
    if result.baseline is not None:
        counts = result.baseline.counts()
        parts.append(f"<p id='baseline'>baseline {_e(result.baseline.path)}: {counts['new']} new, "
                     f"{counts['known']} known, {counts['fixed']} fixed</p>")
    causes, cause_of = group(result.operations)
    parts += _picture(result)
    parts += _root_causes(causes)
    parts.append("<h2>Operations</h2><table id='matrix'><thead><tr><th>operation</th><th>status</th><th>cases</th>"
                 "<th>answers</th><th>error codes</th><th>errors</th><th>warnings</th><th>real resource</th></tr>"
                 "</thead><tbody>")
    for op in result.operations:
        codes = ", ".join(f"{code} {count}" for code, count in op.stats.error_codes.items())
        parts.append(
            f"<tr data-status='{_e(op.status)}' class='{_e(op.status)}'>"
            f"<td><a href='#{_e(_anchor(op))}'>{_e(op.service)}:{_e(op.operation)}</a></td>"
            f"<td>{_e(op.status)}</td><td class='n'>{op.cases}</td><td>{_e(answers_text(op))}</td>"
            f"<td>{_e(codes)}</td><td class='n'>{op.errors}</td>"
            f"<td class='n'>{op.warnings}</td><td>{'yes' if op.real_resource else ''}</td></tr>"
        )
    parts.append("</tbody></table><h2>Findings per check</h2><table id='checks'><thead><tr><th>check</th>"
                 "<th>errors</th><th>warnings</th></tr></thead><tbody>")
    for check in sorted({check for check, _ in checks}):
        parts.append(f"<tr><td>{_e(check)}</td><td class='n'>{checks[(check, 'error')]}</td>"
                     f"<td class='n'>{checks[(check, 'warning')]}</td></tr>")
    parts.append("</tbody></table><h2>Details</h2>")
    for op in result.operations:
        parts.append(f"<section id='{_e(_anchor(op))}'><h3>{_e(op.service)}:{_e(op.operation)} "
                     f"<span class='{_e(op.status)}'>{_e(op.status)}</span></h3>")
        parts.extend(f"<p>{_e(note)}</p>" for note in op.notes)
        shown: set[str] = set()
        again: list[str] = []
        for finding in op.findings:
            headline = (f"<span class='sev-{finding.severity}'>{finding.severity}</span> [{_e(finding.check)}] "
                        f"{_e(finding.pointer or '/')}: {_e(_cut(finding.message, MAX_LINE_CHARS))}")
            cause = cause_of.get(id(finding), "")
            if cause in shown:
                again.append(f"<li>{headline} <a href='#{_e(cause)}'>{_e(cause)}</a></li>")
                continue
            shown.add(cause)
            parts.append(
                f"<details><summary>{headline}</summary>"
                f"<p>root cause <a href='#{_e(cause)}'>{_e(cause)}</a></p>"
                f"<p>request</p><pre>{_e(_cut(finding.request.get('body', '')))}</pre>"
                f"<p>response HTTP {_e(finding.response.get('status', ''))}</p>"
                f"<pre>{_e(_cut(finding.response.get('body', '')))}</pre>"
                f"<p>reproduce</p><pre>{_e(finding.reproduce)}</pre></details>"
            )
        if again:
            parts.append(f"<details><summary>{len(again)} more of the same root causes</summary>"
                         f"<ul class='same'>{''.join(again)}</ul></details>")
        parts.append("</section>")
    parts.append(f"<script>{SCRIPT}</script></body></html>\n")
    return "".join(parts)


def _cut(body: object, limit: int = MAX_BODY_CHARS) -> str:
    text = str(body)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters in all)"


def _heat(errors: int) -> str:
    return f"h{sum(errors >= step for step in HEAT_STEPS)}"


def _picture(result: RunResult) -> list[str]:
    """Services x checks, each cell shaded by its error findings, with each service's operations by status."""
    services = sorted({op.service for op in result.operations})
    errors: Counter[tuple[str, str]] = Counter(
        (op.service, f.check) for op in result.operations for f in op.findings if f.severity == "error")
    checks = [name for name in CHECKS if any(service_check[1] == name for service_check in errors)]
    checks += sorted({check for _, check in errors} - set(checks))  # cassette_miss and any check not registered
    statuses = Counter((op.service, op.status) for op in result.operations)
    parts = ["<h2>The run</h2><table id='picture'><thead><tr><th>service</th>",
             *(f"<th>{_e(s)}</th>" for s in STATUSES), *(f"<th class='c'>{_e(c)}</th>" for c in checks),
             "</tr></thead><tbody>"]
    for service in services:
        parts.append(f"<tr><td>{_e(service)}</td>")
        parts += [f"<td class='n {s}'>{statuses[(service, s)] or ''}</td>" for s in STATUSES]
        parts += [f"<td class='h {_heat(errors[(service, c)])}' title='{_e(service)} {_e(c)}'>"
                  f"{errors[(service, c)] or ''}</td>" for c in checks]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return parts


def _root_causes(causes: list[RootCause]) -> list[str]:
    parts = [f"<h2>Root causes ({len(causes)})</h2><p>worst first: the operations each touches, weighed by how "
             "badly it breaks a client</p><table id='root-causes'><thead><tr><th>root cause</th><th>check</th>"
             "<th>severity</th><th>operations</th><th>findings</th><th>summary</th></tr></thead><tbody>"]
    for cause in causes:
        example = cause.example
        listed = ", ".join(f"<a href='#op-{_e(name.replace(':', '-'))}'>{_e(name)}</a>"
                           for name in cause.operations[:MAX_LISTED_OPERATIONS])
        more = len(cause.operations) - MAX_LISTED_OPERATIONS
        listed += f" and {more} more" if more > 0 else ""
        parts.append(
            f"<tr id='{_e(cause.id)}'><td><code>{_e(cause.id)}</code></td><td>{_e(cause.check)}</td>"
            f"<td class='sev-{_e(cause.severity)}'>{_e(cause.severity)}</td><td class='n'>{len(cause.operations)}</td>"
            f"<td class='n'>{cause.findings}</td><td>{_e(cause.summary)}"
            f"<details><summary>smallest example: {_e(example.get('operation', ''))} "
            f"{_e(example.get('pointer') or '/')}: {_e(example.get('message', ''))}</summary>"
            f"<p>request</p><pre>{_e(_cut(example.get('request', {}).get('body', '')))}</pre>"
            f"<p>response HTTP {_e(example.get('response', {}).get('status', ''))}</p>"
            f"<pre>{_e(_cut(example.get('response', {}).get('body', '')))}</pre>"
            f"<p>reproduce</p><pre>{_e(example.get('reproduce', ''))}</pre>"
            f"<p>operations: {listed}</p></details></td></tr>")
    parts.append("</tbody></table>")
    return parts


def write_html(result: RunResult, path: Path) -> None:
    atomic_write(path, render_html(result))
