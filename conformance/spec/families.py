"""Named groups of operations that belong together (served, committed and tested as one family)."""

from __future__ import annotations

from conformance.errors import UsageError, closest_names

GLUE_ML = (
    "GetMLTaskRun",
    "GetMLTaskRuns",
    "StartMLEvaluationTaskRun",
    "StartMLLabelingSetGenerationTaskRun",
    "StartImportLabelsTaskRun",
    "StartExportLabelsTaskRun",
    "CancelMLTaskRun",
    "CreateMLTransform",
    "GetMLTransform",
    "GetMLTransforms",
    "DeleteMLTransform",
)

FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "glue-ml": ("glue", GLUE_ML),
}


def family(name: str) -> tuple[str, tuple[str, ...]]:
    """(service, operations) of the family NAME."""
    if name not in FAMILIES:
        raise UsageError(f"unknown family {name!r}{closest_names(name, FAMILIES)} (known: {', '.join(FAMILIES)})")
    return FAMILIES[name]
