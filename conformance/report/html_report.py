"""One self-contained HTML file: the matrix of operations by status, counts per check, every finding.

No external script, style or font: it opens from disk, from a CI artifact, or attached to a mail. The small
inline script only filters rows; without it everything is still there to read.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from conformance.report.json_report import report_dict
from conformance.results import OperationResult, RunResult
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
"""

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
    data = report_dict(result)
    summary = data["summary"]
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
        "<h2>Operations</h2><table id='matrix'><thead><tr><th>operation</th><th>status</th><th>cases</th>"
        "<th>errors</th><th>warnings</th><th>real resource</th></tr></thead><tbody>",
    ]
    for op in result.operations:
        parts.append(
            f"<tr data-status='{_e(op.status)}' class='{_e(op.status)}'>"
            f"<td><a href='#{_e(_anchor(op))}'>{_e(op.service)}:{_e(op.operation)}</a></td>"
            f"<td>{_e(op.status)}</td><td class='n'>{op.cases}</td><td class='n'>{op.errors}</td>"
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
        for finding in op.findings:
            parts.append(
                f"<details><summary><span class='sev-{finding.severity}'>{finding.severity}</span> "
                f"[{_e(finding.check)}] {_e(finding.pointer or '/')}: {_e(finding.message)}</summary>"
                f"<p>request</p><pre>{_e(finding.request.get('body', ''))}</pre>"
                f"<p>response HTTP {_e(finding.response.get('status', ''))}</p>"
                f"<pre>{_e(finding.response.get('body', ''))}</pre>"
                f"<p>reproduce</p><pre>{_e(finding.reproduce)}</pre></details>"
            )
        parts.append("</section>")
    parts.append(f"<script>{SCRIPT}</script></body></html>\n")
    return "".join(parts)


def write_html(result: RunResult, path: Path) -> None:
    atomic_write(path, render_html(result))
