"""`--emit-tests DIR`: per root cause, a pytest file a mock's maintainers can paste into their own suite.

In moto's idiom: `@mock_aws`, a `boto3.client(...)`, and either `pytest.raises(ClientError)` asserting
`err.value.response["Error"]["Code"]`, or the output member and the type (or values) AWS documents for it,
read from the raw answer (botocore's parser forgives some wire defects, an ISO 8601 string for an epoch
timestamp among them, which a test on the parsed response would not see). Each test makes the call of the
root cause's smallest example, so it fails while the defect is there and passes once it is fixed. Run
against another endpoint with boto3's own `AWS_ENDPOINT_URL=http://host:port pytest FILE`.

Root causes of other checks (a Content-Type, a request id, an HTTP status) are not emitted: a test through
boto3 cannot see them, or they need the raw exchange the JSON report already shows.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from botocore import xform_name

from conformance import spec
from conformance.checks.error_codes import COMMON_ERRORS, COMMON_VALIDATION_ERRORS, is_validation_error
from conformance.errors import UsageError
from conformance.results import RunResult
from conformance.root_causes import RootCause, root_causes
from conformance.spec.writer import atomic_write

JSON_TYPES = {"number": "(int, float)", "integer": "int", "string": "str", "boolean": "bool", "object": "dict",
              "array": "list", "null": "type(None)"}
BODY_PROTOCOLS = ("json", "rest-json")  # where an output member is a member of the JSON body
_TYPE = re.compile(r"is not of type '(\w+)'")
_REQUIRED = re.compile(r"^'([^']+)' is a required property")
_ENUM = re.compile(r"is not one of (\[.*\])")
MARK = "# Written by conformance --emit-tests"

HEADER = '''"""conformance root cause {id} ({check}): {summary}

Seen on {count} operation(s) of {target}: {operations}.
Example: {operation} {pointer}: {message}
Run against another endpoint: AWS_ENDPOINT_URL=http://127.0.0.1:5000 pytest {file}
"""
{mark}

import datetime  # noqa: F401 - the call's parameters may hold timestamps
import json  # noqa: F401

import boto3
import pytest  # noqa: F401
from botocore.config import Config
from botocore.exceptions import ClientError  # noqa: F401
from moto import mock_aws

# Validation off, as conformance sent it: the input may be invalid on purpose.
CONFIG = Config(parameter_validation=False)


@mock_aws
def test_{name}():
    client = boto3.client({service!r}, region_name="us-east-1", config=CONFIG)
    params = {params}
'''


def _params_text(reproduce: str) -> str | None:
    """The call's parameters as Python source, from the finding's boto3 snippet."""
    start = reproduce.find("(**")
    end = reproduce.rfind(")")
    return reproduce[start + 3:end].strip() if start >= 0 and end > start else None


def _body_access(pointer: str) -> str:
    tokens = [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
    return "body" + "".join(f"[{int(t)}]" if t.isdigit() else f"[{t!r}]" for t in tokens)


def _raw_call(method: str) -> list[str]:
    return ["    raw = {}",
            "    client.meta.events.register(\"before-parse\", lambda response_dict, **_: raw.update(response_dict))",
            f"    client.{method}(**params)",
            "    body = json.loads(raw[\"body\"] or b\"{}\")"]


def _validation_codes(service: str, operation: str) -> list[str]:
    document = spec.document(service, operation)
    declared = {definition.get("x-aws-error", {}).get("code", name): definition
                for name, definition in document["$defs"].items() if "x-aws-error" in definition
                and f"#/$defs/{name}" in document["x-aws-errors"].values()}
    return sorted({code for code in declared if is_validation_error(code, declared)} | COMMON_VALIDATION_ERRORS)


def _assertions(cause: RootCause) -> list[str] | None:
    """The test's body after `params = ...`; None when this root cause has no test through boto3."""
    example = cause.example
    service, operation = example["operation"].split(":", 1)
    method = xform_name(operation)
    message, pointer = example.get("message", ""), example.get("pointer", "")
    if cause.check == "negative_data_rejection":
        codes = _validation_codes(service, operation)
        return ["    # An invalid input must be refused with a validation error (a 4xx), as AWS does.",
                "    with pytest.raises(ClientError) as err:", f"        client.{method}(**params)",
                f"    assert err.value.response[\"Error\"][\"Code\"] in {codes!r}"]
    if cause.check == "positive_data_acceptance":
        codes = _validation_codes(service, operation)
        return ["    # A valid input must not be refused as invalid.", "    try:", f"        client.{method}(**params)",
                "    except ClientError as err:", f"        assert err.response[\"Error\"][\"Code\"] not in {codes!r}"]
    if cause.check == "not_a_server_error":
        return ["    # The endpoint must answer (a 2xx or a 4xx), not fail with a server error or raise.", "    try:",
                f"        client.{method}(**params)", "    except ClientError as err:",
                "        assert err.response[\"ResponseMetadata\"][\"HTTPStatusCode\"] < 500, err.response[\"Error\"]"]
    if cause.check == "error_code":
        document = spec.document(service, operation)
        declared = sorted({d.get("x-aws-error", {}).get("code", n) for n, d in document["$defs"].items()
                           if "x-aws-error" in d} | COMMON_ERRORS)
        return ["    # An error's code must be one the operation declares, or a common AWS error.", "    try:",
                f"        client.{method}(**params)", "    except ClientError as err:",
                f"        assert err.response[\"Error\"][\"Code\"] in {declared!r}"]
    if cause.check not in ("response_schema", "enum"):
        return None
    if spec.document(service, operation)["x-aws-protocol"] not in BODY_PROTOCOLS:
        return None
    expected_type, required, allowed = _TYPE.search(message), _REQUIRED.search(message), _ENUM.search(message)
    if expected_type and expected_type.group(1) in JSON_TYPES:
        python = JSON_TYPES[expected_type.group(1)]
        not_bool = " and not isinstance(value, bool)" if expected_type.group(1) in ("number", "integer") else ""
        return [f"    # AWS documents {pointer} as a JSON {expected_type.group(1)} ({cause.kind or 'member'}).",
                *_raw_call(method), f"    value = {_body_access(pointer)}",
                f"    assert isinstance(value, {python}){not_bool}, value"]
    if required:
        return [f"    # AWS always sends {pointer}/{required.group(1)}.", *_raw_call(method),
                f"    assert {required.group(1)!r} in {_body_access(pointer)}"]
    if allowed:
        try:
            values = ast.literal_eval(allowed.group(1))
        except (ValueError, SyntaxError):
            return None
        return [f"    # {pointer} holds one of the values the model lists.", *_raw_call(method),
                f"    assert {_body_access(pointer)} in {values!r}"]
    return None


def render_test(cause: RootCause, target: str, file_name: str) -> str | None:
    example = cause.example
    params = _params_text(example.get("reproduce", ""))
    body = _assertions(cause) if params is not None else None
    if body is None:
        return None
    service, operation = example["operation"].split(":", 1)
    listed = ", ".join(cause.operations[:10]) + (f" and {len(cause.operations) - 10} more"
                                                 if len(cause.operations) > 10 else "")
    header = HEADER.format(id=cause.id, check=cause.check, summary=cause.summary.replace('"""', "'''"),
                           count=len(cause.operations), target=target, operations=listed,
                           operation=example["operation"], pointer=example.get("pointer") or "/",
                           message=example.get("message", "").replace('"""', "'''").replace("\\", "\\\\"),
                           file=file_name, mark=MARK, name=f"{xform_name(operation)}_{cause.check}",
                           service=service, params=params)
    return header + "\n".join(body) + "\n"


def emit_tests(result: RunResult, directory: Path) -> list[Path]:
    """Write a test per error root cause of RESULT into DIRECTORY; the files written."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--emit-tests {directory}: not a directory")
    written: list[Path] = []
    for cause in root_causes(result):
        if cause.severity != "error":
            continue
        name = f"test_{cause.id.replace('-', '_')}_{cause.check}.py"
        path = directory / name
        text = render_test(cause, result.target, name)
        if text is None:
            continue
        if path.exists() and MARK not in path.read_text(errors="replace"):
            raise UsageError(f"--emit-tests: {path} exists and was not written by conformance; move it away")
        atomic_write(path, text)
        written.append(path)
    return written
