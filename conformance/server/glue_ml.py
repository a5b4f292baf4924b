"""The stateful Glue ML family: transforms and their task runs, driven by the clock.

This is the one place with operation-specific behaviour (ARCHITECTURE.md: semantic contracts live apart).
Inputs arrive validated against the input schema; every answer is built from stored records, in the wire
data model, and validates against the output schema (tests/test_serve_glue_ml.py checks that).

A task run's history is fixed when it starts: STARTING for the first third of `--task-run-seconds` (at most
one second), then RUNNING, then SUCCEEDED (FAILED when its S3 path is not an `s3://` URI). CancelMLTaskRun
of an active run moves it to STOPPING and, a third of the duration later, STOPPED. Status and timestamps are
computed from the clock when asked, so nothing runs in the background and a restarted server continues
where it stopped. StartedOn <= LastModifiedOn (the last transition) <= CompletedOn (terminal states only);
ExecutionTime is the whole seconds from StartedOn to CompletedOn (to now while active).

Messages of EntityNotFoundException and the other errors are the templates of the Glue developer guide
(exceptions-machine-learning.md), with the account id and the handle filled in.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.server.protocol import ServiceError
from conformance.spec.families import GLUE_ML

Record = dict[str, Any]
Persist = Callable[[dict[str, Any]], None]

STATE_KEY = "glue-ml"
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_PAGE_SIZE = 100
LOG_GROUP = "/aws-glue/ml"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT"})
ACTIVE = frozenset({"STARTING", "RUNNING"})

# The operation that starts a run, its TaskType, and the TaskRunProperties member describing it.
STARTERS: dict[str, tuple[str, str | None]] = {
    "StartMLEvaluationTaskRun": ("EVALUATION", None),
    "StartMLLabelingSetGenerationTaskRun": ("LABELING_SET_GENERATION", "LabelingSetGenerationTaskRunProperties"),
    "StartImportLabelsTaskRun": ("IMPORT_LABELS", "ImportLabelsTaskRunProperties"),
    "StartExportLabelsTaskRun": ("EXPORT_LABELS", "ExportLabelsTaskRunProperties"),
}
# Members of CreateMLTransform kept and answered by GetMLTransform(s) as they were given.
ECHOED_MEMBERS = ("Name", "Description", "InputRecordTables", "Parameters", "Role", "GlueVersion", "MaxCapacity",
                  "WorkerType", "NumberOfWorkers", "Timeout", "MaxRetries", "TransformEncryption")
# Defaults the Glue API reference documents for members left out.
DEFAULT_GLUE_VERSION = "0.9"
DEFAULT_MAX_CAPACITY = 10.0
DEFAULT_TIMEOUT_MINUTES = 2880
DEFAULT_MAX_RETRIES = 0


@dataclass(frozen=True)
class GlueMLOptions:
    account_id: str = DEFAULT_ACCOUNT_ID
    task_run_seconds: float = 3.0
    require_labels: bool = False  # transforms stay NOT_READY until an import-labels run succeeds
    max_transforms: int = 1000  # ResourceNumberLimitExceededException beyond it
    max_concurrent_runs: int = 0  # per transform; 0: no limit

    @property
    def starting_seconds(self) -> float:
        return min(1.0, self.task_run_seconds / 3)

    @property
    def stopping_seconds(self) -> float:
        return min(1.0, self.task_run_seconds / 3)


class GlueMLFamily:
    """The eleven operations of the family over transforms and task runs held in memory (and persisted)."""

    operations = frozenset(GLUE_ML)

    def __init__(self, options: GlueMLOptions | None = None, *, resources: dict[str, Any] | None = None,
                 persist: Persist | None = None, clock: Callable[[], float] = time.time) -> None:
        self.options = options or GlueMLOptions()
        self.clock = clock
        self.persist = persist
        saved = (resources or {}).get(STATE_KEY, {})
        self.transforms: dict[str, Record] = dict(saved.get("transforms", {}))
        self.task_runs: dict[str, Record] = dict(saved.get("task_runs", {}))
        self._lock = threading.RLock()
        self._handlers: dict[str, Callable[[Record, float], Record]] = {
            "CreateMLTransform": self.create_transform,
            "GetMLTransform": self.get_transform,
            "GetMLTransforms": self.get_transforms,
            "DeleteMLTransform": self.delete_transform,
            "GetMLTaskRun": self.get_task_run,
            "GetMLTaskRuns": self.get_task_runs,
            "CancelMLTaskRun": self.cancel_task_run,
            **{operation: self._starter(operation) for operation in STARTERS},
        }

    def snapshot(self) -> dict[str, Any]:
        return {STATE_KEY: {"transforms": self.transforms, "task_runs": self.task_runs}}

    def handles(self, operation: str) -> bool:
        return operation in self._handlers

    def handle(self, operation: str, request: Record) -> Record:
        """The answer of OPERATION to a validated REQUEST (nulls already read as absent); ServiceError otherwise."""
        with self._lock:
            return self._handlers[operation](request, _ms(self.clock()))

    # -- changes ------------------------------------------------------------------------------------------

    def _commit(self, transforms: dict[str, Record], task_runs: dict[str, Record]) -> None:
        """Make the new maps current once they are saved; a failed save changes nothing."""
        if self.persist is not None:
            try:
                self.persist({STATE_KEY: {"transforms": transforms, "task_runs": task_runs}})
            except OSError as error:
                raise ServiceError("InternalServiceException", f"Dependency failure. (state file: {error})",
                                   500) from None
        self.transforms, self.task_runs = transforms, task_runs

    # -- transforms ---------------------------------------------------------------------------------------

    def create_transform(self, request: Record, now: float) -> Record:
        name = request["Name"]
        if len(self.transforms) >= self.options.max_transforms:
            raise ServiceError("ResourceNumberLimitExceededException",
                               f"ML Transforms count ({len(self.transforms)}) has exceeded the limit of "
                               f"{self.options.max_transforms} transforms.")
        if any(record["Name"] == name for record in self.transforms.values()):
            raise ServiceError("AlreadyExistsException", f"Transform with name {name} already exists.")
        transform_id = "tfm-" + secrets.token_hex(20)
        record: Record = {"TransformId": transform_id, "CreatedOn": now, "LabelCount": 0}
        record.update({member: request[member] for member in ECHOED_MEMBERS if member in request})
        record.setdefault("GlueVersion", DEFAULT_GLUE_VERSION)
        if "WorkerType" not in request and "NumberOfWorkers" not in request:
            record.setdefault("MaxCapacity", DEFAULT_MAX_CAPACITY)
        record.setdefault("Timeout", DEFAULT_TIMEOUT_MINUTES)
        record.setdefault("MaxRetries", DEFAULT_MAX_RETRIES)
        if "Tags" in request:
            record["Tags"] = request["Tags"]
        self._commit({**self.transforms, transform_id: record}, self.task_runs)
        return {"TransformId": transform_id}

    def get_transform(self, request: Record, now: float) -> Record:
        return self._transform_view(self._transform(request["TransformId"]), now)

    def get_transforms(self, request: Record, now: float) -> Record:
        views = [self._transform_view(record, now) for record in self.transforms.values()]
        views = [view for view in views if _transform_matches(view, request.get("Filter", {}))]
        views = _sorted(views, request.get("Sort"), TRANSFORM_SORT_KEYS, default_column="CREATED",
                        default_direction="ASCENDING")
        page, token = _page(views, request, "transforms")
        answer: Record = {"Transforms": page}
        if token:
            answer["NextToken"] = token
        return answer

    def delete_transform(self, request: Record, now: float) -> Record:
        transform_id = request["TransformId"]
        if transform_id not in self.transforms:
            # The guide spells this one message without its final period.
            raise _not_found(f"Cannot find MLTransform in account {self.options.account_id} "
                             f"with handle {transform_id}")
        transforms = {key: value for key, value in self.transforms.items() if key != transform_id}
        task_runs = {key: run for key, run in self.task_runs.items() if run["TransformId"] != transform_id}
        self._commit(transforms, task_runs)
        return {"TransformId": transform_id}

    def _transform(self, transform_id: str) -> Record:
        record = self.transforms.get(transform_id)
        if record is None:
            raise _not_found(f"Cannot find MLTransform in account {self.options.account_id} "
                             f"with handle {transform_id}.")
        return record

    def _transform_view(self, record: Record, now: float) -> Record:
        view = {key: value for key, value in record.items() if key != "Tags"}
        ready_since = self._ready_since(record, now)
        view["Status"] = "READY" if ready_since is not None else "NOT_READY"
        view["LastModifiedOn"] = max(record["CreatedOn"], ready_since or record["CreatedOn"])
        return _ordered(view, TRANSFORM_ORDER)

    def _ready_since(self, record: Record, now: float) -> float | None:
        """When the transform became READY, None while it is not."""
        if not self.options.require_labels:
            return float(record["CreatedOn"])
        imported = [self._run_view(run, now) for run in self.task_runs.values()
                    if run["TransformId"] == record["TransformId"] and run["TaskType"] == "IMPORT_LABELS"]
        done = [view["CompletedOn"] for view in imported if view["Status"] == "SUCCEEDED"]
        return min(done) if done else None

    # -- task runs ----------------------------------------------------------------------------------------

    def _starter(self, operation: str) -> Callable[[Record, float], Record]:
        task_type, properties_member = STARTERS[operation]

        def start(request: Record, now: float) -> Record:
            transform = self._transform(request["TransformId"])
            if task_type == "EVALUATION" and self._ready_since(transform, now) is None:
                raise ServiceError("MLTransformNotReadyException",
                                   "This operation can only be applied to a transform that is in a READY state.")
            self._check_concurrency(operation, transform["TransformId"], now)
            properties: Record = {"TaskType": task_type}
            s3_path = request.get("InputS3Path", request.get("OutputS3Path"))
            if properties_member == "ImportLabelsTaskRunProperties":
                properties[properties_member] = {"InputS3Path": request["InputS3Path"],
                                                 "Replace": bool(request.get("ReplaceAllLabels", False))}
            elif properties_member is not None:
                properties[properties_member] = {"OutputS3Path": request["OutputS3Path"]}
            run_id = "tsk-" + secrets.token_hex(20)
            run: Record = {
                "TaskRunId": run_id, "TransformId": transform["TransformId"], "TaskType": task_type,
                "Properties": properties, "StartedOn": now,
                "StartingSeconds": self.options.starting_seconds,
                "RunSeconds": max(self.options.task_run_seconds, self.options.starting_seconds),
                "StoppingSeconds": self.options.stopping_seconds,
                "Outcome": "SUCCEEDED",
            }
            if s3_path is not None and not str(s3_path).startswith("s3://"):
                run["Outcome"] = "FAILED"
                run["ErrorString"] = f"Invalid S3 path {s3_path!r}: expected an s3://bucket/key URI."
            self._commit(self.transforms, {**self.task_runs, run_id: run})
            return {"TaskRunId": run_id}

        return start

    def _check_concurrency(self, operation: str, transform_id: str, now: float) -> None:
        limit = self.options.max_concurrent_runs
        if limit <= 0 or operation not in ("StartMLEvaluationTaskRun", "StartMLLabelingSetGenerationTaskRun"):
            return  # only these two declare ConcurrentRunsExceededException
        active = sum(1 for run in self.task_runs.values()
                     if run["TransformId"] == transform_id and self._run_view(run, now)["Status"] not in TERMINAL)
        if active >= limit:
            raise ServiceError("ConcurrentRunsExceededException",
                               f"ML Task Runs count {active} has exceeded the transform limit of {limit} task runs.")

    def get_task_run(self, request: Record, now: float) -> Record:
        run = self._task_run(request["TransformId"], request["TaskRunId"])
        return self._run_view(run, now)

    def get_task_runs(self, request: Record, now: float) -> Record:
        transform_id = self._transform(request["TransformId"])["TransformId"]
        views = [self._run_view(run, now) for run in self.task_runs.values() if run["TransformId"] == transform_id]
        views = [view for view in views if _run_matches(view, request.get("Filter", {}))]
        views = _sorted(views, request.get("Sort"), RUN_SORT_KEYS, default_column="STARTED",
                        default_direction="DESCENDING")
        page, token = _page(views, request, f"runs:{transform_id}")
        answer: Record = {"TaskRuns": page}
        if token:
            answer["NextToken"] = token
        return answer

    def cancel_task_run(self, request: Record, now: float) -> Record:
        run = self._task_run(request["TransformId"], request["TaskRunId"])
        if self._run_view(run, now)["Status"] in ACTIVE:
            run = {**run, "CancelledOn": now}
            self._commit(self.transforms, {**self.task_runs, run["TaskRunId"]: run})
        view = self._run_view(run, now)
        return {"TransformId": view["TransformId"], "TaskRunId": view["TaskRunId"], "Status": view["Status"]}

    def _task_run(self, transform_id: str, task_run_id: str) -> Record:
        self._transform(transform_id)
        run = self.task_runs.get(task_run_id)
        if run is None or run["TransformId"] != transform_id:
            raise _not_found(f"No ML Task Run found for {task_run_id}: in account {self.options.account_id} "
                             f"for transform {transform_id}.")
        return run

    @staticmethod
    def _run_view(run: Record, now: float) -> Record:
        """The TaskRun (and GetMLTaskRunResponse) body of RUN as it stands at NOW."""
        started = float(run["StartedOn"])
        running_from = _ms(started + float(run["StartingSeconds"]))
        finished = _ms(started + float(run["RunSeconds"]))
        cancelled = run.get("CancelledOn")
        completed: float | None = None
        if cancelled is not None:
            stopped = _ms(float(cancelled) + float(run["StoppingSeconds"]))
            if now < stopped:
                status, modified = "STOPPING", float(cancelled)
            else:
                status, modified, completed = "STOPPED", stopped, stopped
        elif now < running_from:
            status, modified = "STARTING", started
        elif now < finished:
            status, modified = "RUNNING", running_from
        else:
            status, modified, completed = str(run["Outcome"]), finished, finished
        view: Record = {
            "TransformId": run["TransformId"], "TaskRunId": run["TaskRunId"], "Status": status,
            "LogGroupName": LOG_GROUP, "Properties": run["Properties"],
        }
        if status == "FAILED" and run.get("ErrorString"):
            view["ErrorString"] = run["ErrorString"]
        view["StartedOn"] = started
        view["LastModifiedOn"] = modified
        if completed is not None:
            view["CompletedOn"] = completed
        view["ExecutionTime"] = max(0, math.floor((completed if completed is not None else now) - started))
        return view


# -- listing: filters, sorting, pages ---------------------------------------------------------------------

TRANSFORM_ORDER = ("TransformId", "Name", "Description", "Status", "CreatedOn", "LastModifiedOn",
                   "InputRecordTables", "Parameters", "EvaluationMetrics", "LabelCount", "Schema", "Role",
                   "GlueVersion", "MaxCapacity", "WorkerType", "NumberOfWorkers", "Timeout", "MaxRetries",
                   "TransformEncryption")
TRANSFORM_SORT_KEYS: dict[str, Callable[[Record], Any]] = {
    "NAME": lambda view: view["Name"],
    "TRANSFORM_TYPE": lambda view: view.get("Parameters", {}).get("TransformType", ""),
    "STATUS": lambda view: view["Status"],
    "CREATED": lambda view: view["CreatedOn"],
    "LAST_MODIFIED": lambda view: view["LastModifiedOn"],
}
RUN_SORT_KEYS: dict[str, Callable[[Record], Any]] = {
    "TASK_RUN_TYPE": lambda view: view["Properties"]["TaskType"],
    "STATUS": lambda view: view["Status"],
    "STARTED": lambda view: view["StartedOn"],
}


def _transform_matches(view: Record, criteria: Record) -> bool:
    """TransformFilterCriteria; `Schema` is not matched (the server keeps no catalog schema)."""
    equal = {"Name": view["Name"], "TransformType": view.get("Parameters", {}).get("TransformType"),
             "Status": view["Status"], "GlueVersion": view.get("GlueVersion")}
    if any(member in criteria and criteria[member] != value for member, value in equal.items()):
        return False
    return _within(view["CreatedOn"], criteria.get("CreatedAfter"), criteria.get("CreatedBefore")) and \
        _within(view["LastModifiedOn"], criteria.get("LastModifiedAfter"), criteria.get("LastModifiedBefore"))


def _run_matches(view: Record, criteria: Record) -> bool:
    """TaskRunFilterCriteria."""
    equal = {"TaskRunType": view["Properties"]["TaskType"], "Status": view["Status"]}
    if any(member in criteria and criteria[member] != value for member, value in equal.items()):
        return False
    return _within(view["StartedOn"], criteria.get("StartedAfter"), criteria.get("StartedBefore"))


def _within(value: float, after: Any, before: Any) -> bool:
    """VALUE strictly after AFTER and before BEFORE (epoch seconds; a missing bound does not limit)."""
    low, high = _as_epoch(after), _as_epoch(before)
    return (low is None or value > low) and (high is None or value < high)


def _as_epoch(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _sorted(views: list[Record], sort: Record | None, keys: dict[str, Callable[[Record], Any]], *,
            default_column: str, default_direction: str) -> list[Record]:
    column = (sort or {}).get("Column", default_column)
    direction = (sort or {}).get("SortDirection", default_direction)
    key = keys[column]
    # Ties keep a stable order (by start or creation, then id), whichever way the column sorts.
    views = sorted(views, key=lambda view: (view.get("StartedOn", view.get("CreatedOn", 0)),
                                            view.get("TaskRunId", view.get("TransformId", ""))))
    return sorted(views, key=key, reverse=direction == "DESCENDING")


def _page(views: list[Record], request: Record, listing: str) -> tuple[list[Record], str | None]:
    """One page of VIEWS from NextToken; a token this server did not issue for LISTING reads as past the end."""
    size = int(request.get("MaxResults", DEFAULT_PAGE_SIZE))
    start = 0
    if "NextToken" in request:
        offset = _read_token(request["NextToken"], listing)
        if offset is None:
            return [], None
        start = offset
    page = views[start:start + size]
    following = start + size
    return page, (_make_token(following, listing) if following < len(views) else None)


def _make_token(offset: int, listing: str) -> str:
    payload = json.dumps({"listing": listing, "offset": offset}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii")


def _read_token(token: Any, listing: str) -> int | None:
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return None
    if not isinstance(payload, dict) or payload.get("listing") != listing:
        return None
    offset = payload.get("offset")
    return offset if isinstance(offset, int) and offset >= 0 else None


# -- small helpers ----------------------------------------------------------------------------------------


def _not_found(message: str) -> ServiceError:
    return ServiceError("EntityNotFoundException", message)


def _ms(seconds: float) -> float:
    """Timestamps to the millisecond, as AWS answers them."""
    return round(seconds, 3)


def _ordered(view: Record, order: tuple[str, ...]) -> Record:
    return {key: view[key] for key in order if key in view} | {k: v for k, v in view.items() if k not in order}
