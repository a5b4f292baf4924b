"""Root causes: findings that are one defect are grouped across operations and services, and lead the reports."""

from __future__ import annotations

import io
import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from conformance.checks import CHECKS
from conformance.report.console import summary
from conformance.report.json_report import report_dict
from conformance.report.markdown_report import render_markdown
from conformance.results import RunResult
from conformance.root_causes import root_causes, template
from conformance.runner import Runner, RunOptions
from conformance.targets import make_target
from tests.endpoints import serve_handler

ISO = "2024-02-23T14:04:45Z"  # where the JSON protocol sends epoch seconds
# One planted defect per operation; GetMLTransform and GetJob share one (a timestamp as an ISO 8601 string).
ANSWERS: dict[str, dict[str, Any]] = {
    "AWSGlue.GetMLTaskRun": {"TransformId": "tfm-1", "TaskRunId": "tsk-1", "Status": "DONE"},
    "AWSGlue.GetMLTransform": {"TransformId": "tfm-1", "CreatedOn": ISO},
    "AWSGlue.GetJob": {"Job": {"Name": "job", "CreatedOn": ISO}},
    "AWSGlue.GetTrigger": {"Trigger": {"Name": "t", "Type": "SCHEDULED", "State": "CREATED"}},  # conforming
}
OPERATIONS = [("glue", "GetMLTaskRun"), ("glue", "GetMLTransform"), ("glue", "GetJob"), ("glue", "GetTrigger")]


class _Planted(BaseHTTPRequestHandler):
    answers = ANSWERS

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(self.answers[self.headers["X-Amz-Target"]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "req-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def planted_run() -> RunResult:
    checks = {name: CHECKS[name] for name in ("response_schema", "enum")}
    with serve_handler(_Planted) as url, make_target(url) as target:
        # strict: the planted out-of-enum value is an error (by default a warning: real AWS answers such values)
        return Runner(target, RunOptions(checks=checks, max_examples=3, seed=1, strict=True)).run(OPERATIONS)


def test_one_defect_on_two_operations_is_one_root_cause() -> None:
    result = planted_run()
    causes = [cause for cause in root_causes(result) if cause.severity == "error"]
    by_operations = {tuple(cause.operations): cause for cause in causes}
    assert set(by_operations) == {("glue:GetMLTransform", "glue:GetJob"), ("glue:GetMLTaskRun",)}, causes
    timestamp = by_operations[("glue:GetMLTransform", "glue:GetJob")]
    assert timestamp.check == "response_schema" and timestamp.kind == "timestamp"
    assert timestamp.findings == 2
    assert causes[0] is timestamp  # two operations and a wrong type: worse than one bad enum value
    assert by_operations[("glue:GetMLTaskRun",)].check == "enum"


def test_the_json_report_leads_with_root_causes_and_each_finding_names_its_own() -> None:
    data = report_dict(planted_run())
    assert list(data)[:3] == ["target", "seed", "root_causes"]
    ids = {cause["id"] for cause in data["root_causes"]}
    for cause in data["root_causes"]:
        assert set(cause) == {"id", "check", "severity", "summary", "operations", "findings", "example"}
        assert cause["example"]["operation"] in cause["operations"] and cause["example"]["request"]
    findings = [f for op in data["operations"] for f in op["findings"]]
    assert findings and all(f["root_cause"] in ids for f in findings)
    assert data["summary"]["root_causes"] == len(data["root_causes"])


def test_console_and_markdown_lead_with_root_causes() -> None:
    result = planted_run()
    out = io.StringIO()
    summary(result, out)
    text = out.getvalue()
    first = next(c for c in root_causes(result) if c.severity == "error")
    assert text.index("root causes") < text.index("ERROR ")
    assert f"{first.id} [response_schema]" in text and "2 operations, 2 findings: glue:GetMLTransform, glue:GetJob" \
        in text
    markdown = render_markdown(result)
    assert markdown.index("root causes") < markdown.index("| operation | check |")
    assert f"| `{first.id}` | response_schema | 2 |" in markdown


def test_templates_take_the_values_out_and_keep_the_kind_of_defect() -> None:
    assert template("'2024-01-01' is not of type 'number' (shape Timestamp)") == \
        "<value> is not of type 'number' (shape <name>)"
    assert template("invalid input (minLength at /TransformId) was accepted with HTTP 200") == \
        template("invalid input (minLength at /Job/Name) was accepted with HTTP 201")
    assert template("invalid input (minLength at /A) was accepted with HTTP 200") != \
        template("invalid input (pattern at /A) was accepted with HTTP 200")
    assert template("GetJob must echo the request's JobName 'x', got None", "GetJob") == \
        template("GetMLTaskRun must echo the request's TaskRunId 'y', got None", "GetMLTaskRun")
    assert template("error code 'Oops' is neither declared for GetJob (EntityNotFoundException, "
                    "InvalidInputException) nor a common AWS error", "GetJob") == \
        template("error code 'Nope' is neither declared for GetTrigger (InvalidInputException) nor a common AWS "
                 "error", "GetTrigger")
    # botocore quotes the unreadable body (request ids, the case's values): one defect whatever it held.
    unreadable = ("botocore failed to read the response: ResponseParserError: Unable to parse response (not "
                  "well-formed (invalid token): line 1, column {}), invalid XML received. Further retries may "
                  "succeed:\nb'<ErrorResponse><Error><Message>Policy {}\\x08 not found</Message></Error>"
                  "<RequestId>{}</RequestId></ErrorResponse>'")
    assert template(unreadable.format(60, "a", "rUEmTk8Fi0N")) == template(unreadable.format(72, "bb", "eBeyjgSy"))


def test_the_html_report_opens_with_the_picture_then_root_causes_then_operations() -> None:
    import re

    from conformance.report.html_report import render_html

    result = planted_run()
    page = render_html(result)
    assert page.index("id='picture'") < page.index("id='root-causes'") < page.index("id='matrix'")
    picture = page[page.index("id='picture'"):page.index("id='root-causes'")]
    assert "<td>glue</td><td class='n pass'>1</td><td class='n fail'>3</td>" in picture
    assert "title='glue response_schema'>2</td>" in picture and "class='h h1'" in picture
    first = next(c for c in root_causes(result) if c.severity == "error")
    assert page.index(first.id) < page.index("id='matrix'")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page) and "url(" not in page


def test_the_html_report_shows_each_root_cause_of_an_operation_once_whole_and_its_repeats_as_lines() -> None:
    import copy

    from conformance.report.html_report import render_html

    result = planted_run()
    op = next(op for op in result.operations if op.operation == "GetMLTransform" and op.findings)
    first = op.findings[0]
    repeat = copy.copy(first)
    repeat.request = {"body": "a repeat of the same defect: its body is not in the page"}
    op.findings.append(repeat)
    page = render_html(result)
    section = page[page.index("<section id='op-glue-GetMLTransform'>"):]
    section = section[:section.index("</section>")]
    [cause] = {c.id for c in root_causes(result) if f"glue:{op.operation}" in c.operations and c.check == first.check}
    assert section.count("<p>request</p>") == len({c.id for c in root_causes(result)
                                                   if f"glue:{op.operation}" in c.operations})
    assert "more of the same root causes" in section and f"<a href='#{cause}'>{cause}</a></li>" in section
    assert "its body is not in the page" not in page


# The same defect in each of 50 list items, as moto's directconnect answers thousands of connections.
MANY_ITEMS = {"AWSGlue.GetJobs": {"Jobs": [{"Name": f"job-{n}", "CreatedOn": ISO} for n in range(50)]}}


class _ManyItems(_Planted):
    answers = MANY_ITEMS


def test_one_defect_in_every_item_of_a_list_is_one_finding() -> None:
    checks = {"response_schema": CHECKS["response_schema"]}
    with serve_handler(_ManyItems) as url, make_target(url) as target:
        result = Runner(target, RunOptions(checks=checks, max_examples=3, seed=1)).run_operation("glue", "GetJobs")
    timestamps = [f for f in result.findings if f.member_path == "/Jobs/*/CreatedOn"]
    assert len(timestamps) == 1, [f.pointer for f in result.findings]
    assert timestamps[0].pointer == "/Jobs/0/CreatedOn"  # the finding still names an item a user can look at
