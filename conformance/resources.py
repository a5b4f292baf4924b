"""Real resources for operations that need them: ids discovered from list/describe answers, or created.

Links are inferred from member names, in the spirit of OpenAPI links and Schemathesis's stateful phase: an
operation whose output carries a member named like a required input member of another (GetMLTransforms →
Transforms[].TransformId, CreateMLTransform → TransformId) can supply real values for it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from conformance import spec
from conformance.determinism import pin_generation
from conformance.targets.base import Target
from conformance.targets.call import call

CREATE_PREFIXES = ("Create", "Put", "Start", "Register", "Import", "Allocate", "Run", "Add")
LIST_PREFIXES = ("List", "Describe", "Get", "Search")
MAX_VALUES = 5
CREATE_ATTEMPTS = 3


def _member_names(shapes: dict[str, Any], root: str) -> set[str]:
    """Every member name reachable from shape ROOT of botocore's model (structures, lists and maps followed).

    Read from the model itself, not from derived documents: deriving every operation of a service only to
    find its links would translate every pattern of the service.
    """
    names: set[str] = set()
    seen: set[str] = set()
    stack = [root]
    while stack:
        name = stack.pop()
        if name in seen or name not in shapes:
            continue
        seen.add(name)
        shape = shapes[name]
        for member, reference in shape.get("members", {}).items():
            names.add(member)
            stack.append(reference["shape"])
        stack.extend(shape[key]["shape"] for key in ("member", "key", "value") if key in shape)
    return names


@functools.lru_cache(maxsize=1024)
def required_names(service: str, operation: str) -> tuple[str, ...]:
    """Required top-level string members of the input: the ids an operation needs to reach a resource."""
    model = spec.deriver(service).raw
    spec.document(service, operation)  # an unknown operation is a one-line usage error
    input_name = model["operations"][operation].get("input", {}).get("shape")
    if not input_name:
        return ()
    root = model["shapes"][input_name]
    names = []
    for name in root.get("required", []):
        shape = model["shapes"][root["members"][name]["shape"]]
        if shape["type"] == "string" and "enum" not in shape:
            names.append(name)
    return tuple(names)


@functools.lru_cache(maxsize=8)  # a matrix runs one service after another
def output_members(service: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each operation of SERVICE (sorted) with every member name its output carries, read once a service:
    asked per (service, name), the walks over the model cost a whole-service run seconds (Glue: 3 s)."""
    model = spec.deriver(service).raw
    table = []
    for operation, definition in sorted(model["operations"].items()):
        output = definition.get("output", {}).get("shape")
        table.append((operation, frozenset(_member_names(model["shapes"], output)) if output else frozenset()))
    return tuple(table)


@functools.lru_cache(maxsize=1024)
def producers(service: str, name: str) -> tuple[str, ...]:
    """Operations whose output carries a member NAME: listers first (they need no input), then creators."""
    found = [operation for operation, names in output_members(service) if name in names]
    listers = [op for op in found if op.startswith(LIST_PREFIXES) and not required_names(service, op)]
    creators = [op for op in found if op.startswith(CREATE_PREFIXES)]
    return tuple(listers + creators)


def harvest(value: Any, name: str) -> list[str]:
    """String values of members named NAME anywhere in VALUE."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == name and isinstance(item, str):
                found.append(item)
            else:
                found.extend(harvest(item, name))
    elif isinstance(value, list):
        for item in value:
            found.extend(harvest(item, name))
    return found


def draw(strategy: st.SearchStrategy[Any], count: int, seed: int) -> list[Any]:
    """COUNT values of STRATEGY, the same ones for the same seed (Hypothesis's public API only)."""
    pin_generation()
    drawn: list[Any] = []

    @settings(max_examples=count, database=None, deadline=None, phases=(Phase.generate,),
              verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck))
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[:count]


class ResourcePool:
    """Real values of input members, found on or created at the target, shared by a run's operations."""

    def __init__(self, target: Target, *, create: bool, seed: int = 0) -> None:
        self.target = target
        self.create = create
        self.seed = seed
        self.values: dict[tuple[str, str], list[str]] = {}
        # What producers answered, for the other names they carry: ec2 DescribeInstances lists instance,
        # image, subnet, VPC and key ids, and was asked once per name (a second each, on moto's ec2), and
        # RunInstances launched instances again for each name.
        self.listed: dict[tuple[str, str], Any] = {}
        self.created: dict[tuple[str, str], list[Any]] = {}

    def forget(self) -> None:
        """Drop every value found: the target's state was reset, and they are gone with it."""
        self.values.clear()
        self.listed.clear()
        self.created.clear()

    def examples_for(self, service: str, operation: str) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for name in required_names(service, operation):
            values = self.values_for(service, name, exclude=operation)
            if values:
                found[name] = list(values)
        return found

    def values_for(self, service: str, name: str, *, exclude: str) -> list[str]:
        key = (service, name)
        if key not in self.values:
            self.values[key] = []  # set first: producers that need the same name do not recurse
            self.values[key] = self._discover(service, name, exclude)
        return self.values[key]

    def _discover(self, service: str, name: str, exclude: str) -> list[str]:
        found: list[str] = []
        for operation in producers(service, name):
            if operation == exclude or len(found) >= MAX_VALUES:
                continue
            creating = operation.startswith(CREATE_PREFIXES) and not operation.startswith(LIST_PREFIXES)
            if creating and (not self.create or found):
                continue
            for answer in self._answers(service, operation, creating):
                found.extend(v for v in harvest(answer, name) if v not in found)
                if found:
                    break
        return found[:MAX_VALUES]

    def _answers(self, service: str, operation: str, creating: bool) -> Iterator[Any]:
        """OPERATION's parsed answers (None where it gave none), asked once for every name they carry until
        the target is reset: a lister's answer, and a creator's, one per drawn input as needed. Like the
        values found, an answer is not asked again when the cases change the target's state: asking ec2's
        listers again after each creation made ec2's discovery a third longer (20 s to 27.6 s)."""
        key = (service, operation)
        if not creating:
            if key not in self.listed:
                self.listed[key] = self._ask(service, operation, {})
            yield self.listed[key]
            return
        made = self.created.setdefault(key, [])
        yield from made
        if len(made) < CREATE_ATTEMPTS:
            for params in self._inputs(service, operation)[len(made):]:
                answer = self._ask(service, operation, params)
                made.append(answer)
                yield answer

    def _ask(self, service: str, operation: str, params: dict[str, Any]) -> Any:
        return call(self.target.client(service), service, operation, params, wire_input=params).parsed

    def _inputs(self, service: str, operation: str) -> list[dict[str, Any]]:
        import strategies

        inputs = draw(strategies.valid_inputs(service, operation), CREATE_ATTEMPTS, self.seed)
        return [strategies.to_params(service, operation, value) for value in inputs]
