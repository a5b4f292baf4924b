"""The committed spec/ documents are exactly what the installed botocore derives."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import spec
from conformance.spec.families import GLUE_ML
from conformance.spec.models import botocore_version

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"
REGENERATE = "conformance spec --family glue-ml --out spec"


def test_committed_index_lists_the_glue_ml_family() -> None:
    index = json.loads((SPEC_DIR / "index.json").read_text())
    assert index["regenerate"] == REGENERATE
    assert set(index["services"]["glue"]["operations"]) == set(GLUE_ML)


def test_committed_documents_match_installed_botocore() -> None:
    index = json.loads((SPEC_DIR / "index.json").read_text())
    assert index["x-aws-botocore-version"] == botocore_version(), (
        f"spec/ was derived from botocore {index['x-aws-botocore-version']}, botocore {botocore_version()} is "
        f"installed: install the pinned one (pip install -c constraints.txt -e .) or regenerate: {REGENERATE}"
    )
    drifted = []
    for service, entry in index["services"].items():
        for operation, relative in entry["operations"].items():
            committed = json.loads((SPEC_DIR / relative).read_text())
            derived = json.loads(json.dumps(spec.document(service, operation)))
            if committed != derived:
                drifted.append(relative)
    assert drifted == [], f"spec/ drifted from the derivation in {drifted}; regenerate with: {REGENERATE}"
