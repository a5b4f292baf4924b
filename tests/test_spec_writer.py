"""The documents' writer: the same bytes json.dumps(indent=1) writes, and one index write per command."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from conformance import spec
from conformance.cli import main
from conformance.spec import writer
from conformance.spec.writer import INDEX_NAME, dumps


@pytest.mark.parametrize("value", [
    {}, [], {"a": {}}, {"a": []}, {"a": [1, 2.5, -0.0, 1e300, True, False, None, "x"]},
    {"é": "naïve \u2028 \"quoted\" \\ \n tab\t", "emoji": "\U0001f600", "ctl": "\x00\x1f"},
    {"nested": [[{"deep": [{}]}], []], "n": 10**20, "f": math.inf, "g": -math.inf},
    [1, [2, [3, {"k": "v"}]]], "top-level string", 7, None,
    {1: "an int key", "b": 2}, ("a", "tuple"),
])
def test_dumps_writes_exactly_what_json_dumps_writes(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=1, ensure_ascii=False) + "\n"


def test_dumps_matches_json_dumps_on_real_documents() -> None:
    for service, operation in [("glue", "GetMLTaskRun"), ("s3", "PutObject"), ("ec2", "RunInstances"),
                               ("dynamodb", "Query"), ("sqs", "SendMessage")]:
        document = spec.document(service, operation)
        assert dumps(document) == json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def test_documents_sharing_their_shapes_text_are_written_as_json_dumps_writes_them() -> None:
    deriver = spec.deriver("glue")
    defs_text: writer.DefsText = {}
    for operation in ("GetMLTaskRun", "GetMLTransform", "GetMLTaskRuns", "CreateMLTransform"):
        document = deriver.document(operation)
        assert dumps(document, defs_text) == json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    assert "EntityNotFoundException" in defs_text  # shared, so encoded once


def test_a_shapes_remembered_text_is_used_only_for_the_schema_it_was_made_from() -> None:
    defs_text: writer.DefsText = {}
    first = {"title": "t", "$defs": {"Name": {"type": "string"}}}
    second = {"title": "t", "$defs": {"Name": {"type": "integer"}, "Other": {}}}
    for document in (first, second, {"title": "t", "$defs": {}}):
        assert dumps(document, defs_text) == json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def test_many_services_write_the_index_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    writes: list[Path] = []
    original = writer.atomic_write

    def counting(path: Path, text: str) -> None:
        if path.name == INDEX_NAME:
            writes.append(path)
        original(path, text)

    monkeypatch.setattr(writer, "atomic_write", counting)
    monkeypatch.setattr("conformance.commands.spec_command.service_names", lambda: ("sqs", "sns", "glue"))
    assert main(["spec", "--all", "--out", str(tmp_path)]) == 0
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert set(index["services"]) == {"sqs", "sns", "glue"}
    assert len(writes) == 1  # it was rewritten whole after each service


def test_a_foreign_index_is_refused_before_any_document_is_written(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / INDEX_NAME).write_text('{"mine": true}')
    assert main(["spec", "sqs", "--out", str(tmp_path)]) == 2
    assert "is not a conformance index" in capsys.readouterr().err
    assert not (tmp_path / "sqs").exists()
    assert json.loads((tmp_path / INDEX_NAME).read_text()) == {"mine": True}
