"""Judge what a parser did with one response: nothing wrong, or one defect (crash, accepted-invalid, wrong-value).

- Any exception other than the parser's documented error type is a `crash`.
- A valid response (`Expectation.mode == "valid"`) must parse to the value sent: a different value, or the
  documented error, is a `wrong-value`. An `intact` response (valid payload, odd headers) may be rejected
  with the documented error; a value it returns must be the value sent.
- A malformed response may be rejected with the documented error; a value it returns must validate against
  the schema (unknown members and out-of-enum strings pass unless strict), else `accepted-invalid`.

A parse is read in the wire data model (`conformance.fuzz.convert`), `ResponseMetadata` dropped. Error
responses parse as botocore's do: `{"Error": {"Code": str, "Message": str}, <the error shape's members>}`;
the code must be the one the response carries (as AWS clients read `__type`, `X-Amzn-ErrorType` and `code`:
namespace and URI removed) and the members those sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.fuzz.context import OperationContext
from conformance.fuzz.convert import WireCodec, difference
from conformance.fuzz.fastcheck import FastCheck
from conformance.fuzz.wire import INTACT, VALID, WireResponse, shown
from conformance.spec.derive import Schema

CRASH, ACCEPTED_INVALID, WRONG_VALUE = "crash", "accepted-invalid", "wrong-value"
DEFECT_KINDS = (CRASH, ACCEPTED_INVALID, WRONG_VALUE)
METADATA_KEY = "ResponseMetadata"
MESSAGE_LIMIT = 300
CANONICAL_CACHE = 4096


@dataclass(frozen=True)
class Verdict:
    """A defect. An `accepted-invalid` verdict may be *pending*: the fast check found the parse invalid and
    `settle()` asks jsonschema for the message (None: jsonschema finds nothing, so there is no defect)."""

    kind: str
    exception: str | None
    message: str
    pending: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)

    def settle(self) -> Verdict | None:
        if self.pending is None:
            return self
        message = self.pending()
        return None if message is None else replace(self, message=message, pending=None)


class Oracle:
    """Judges parses of one operation's responses (schemas compiled once)."""

    def __init__(self, context: OperationContext, documented: tuple[type[BaseException], ...] = (),
                 *, strict: bool = False) -> None:
        self.context = context
        self.documented = documented
        self.strict = strict
        self.codec = WireCodec(context)
        self._checks: dict[int, tuple[Schema, FastCheck]] = {}
        self._canonical: dict[tuple[int, int], tuple[Any, Any]] = {}

    def judge(self, response: WireResponse, parsed: Any = None, error: BaseException | None = None, *,
              settle: bool = True) -> Verdict | None:
        """The defect PARSED (or ERROR) shows for RESPONSE, or None; `settle=False` may leave it pending."""
        verdict = self._judge(response, parsed, error)
        return verdict.settle() if settle and verdict is not None else verdict

    def _judge(self, response: WireResponse, parsed: Any, error: BaseException | None) -> Verdict | None:
        if error is not None:
            return self.judge_exception(response, exception_name(error), one_line(error),
                                        documented=isinstance(error, self.documented))
        value = without_metadata(parsed)
        try:
            if response.status >= 300:
                return self._judge_error(response, value)
            return self._judge_output(response, value)
        except (TypeError, ValueError, OverflowError, RecursionError) as problem:
            # Values no JSON parse can hold (objects of the parser's own, ...): not in the data model.
            return Verdict(ACCEPTED_INVALID, None, f"the parse cannot be read in the wire data model: "
                           f"{type(problem).__name__}: {one_line(problem)} ({shown(value, 80)})")

    def judge_exception(self, response: WireResponse, name: str, message: str, *,
                        documented: bool) -> Verdict | None:
        """The defect of a parser that raised NAME (MESSAGE) for RESPONSE: a crash unless DOCUMENTED (its way
        of refusing a response), which is wrong only for a valid response. Also for clients judged by name."""
        text = f"{name}: {message}"
        if not documented:
            return Verdict(CRASH, name, text)
        if response.expectation.mode == VALID:
            return Verdict(WRONG_VALUE, name, f"rejected a valid response with {text}")
        return None

    def problems(self, response: WireResponse, parsed: Any = None,
                 error: BaseException | None = None) -> list[str]:
        """The verdict as a list of lines (empty: no defect), for reproduction snippets."""
        verdict = self.judge(response, parsed, error)
        return [] if verdict is None else [f"{verdict.kind}: {verdict.message}"]

    # -- success responses -------------------------------------------------------------------------------

    def _judge_output(self, response: WireResponse, value: Any) -> Verdict | None:
        schema = self.context.output
        wire = self.codec.to_wire(schema, value)
        expectation = response.expectation
        if expectation.mode in (VALID, INTACT):
            return self._compare(schema, expectation.value, wire, "")
        return self._validate(schema, wire, "the parse")

    def _compare(self, schema: Schema, sent: Any, wire: Any, where: str) -> Verdict | None:
        found = difference(self._expected(schema, sent), self.codec.canonical(schema, wire))
        if found is None:
            return None
        pointer, expected, actual = found
        return Verdict(WRONG_VALUE, None, f"{where}{pointer}: the response has {expected!r}, the parse {actual!r}")

    def _validate(self, schema: Schema, wire: Any, what: str) -> Verdict | None:
        check = self._check(schema)
        if check.check(wire):
            return None

        def explain() -> str | None:
            problems = check.explain(wire)
            if not problems:
                return None
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            return f"the schema rejects {what}: {'; '.join(problems[:3])}{more}"

        return Verdict(ACCEPTED_INVALID, None, f"the schema rejects {what}", explain)

    def _expected(self, schema: Schema, sent: Any) -> Any:
        """The canonical form of SENT; responses built from one base share its body, so it is kept."""
        key = (id(schema), id(sent))
        cached = self._canonical.get(key)
        if cached is not None and cached[0] is sent:
            return cached[1]
        canonical = self.codec.canonical(schema, sent)
        if len(self._canonical) >= CANONICAL_CACHE:
            self._canonical.clear()
        self._canonical[key] = (sent, canonical)
        return canonical

    def _check(self, schema: Schema) -> FastCheck:
        cached = self._checks.get(id(schema))
        if cached is None or cached[0] is not schema:
            cached = (schema, FastCheck(schema, strict=self.strict))
            self._checks[id(schema)] = cached
        return cached[1]

    # -- error responses ---------------------------------------------------------------------------------

    def _judge_error(self, response: WireResponse, value: Any) -> Verdict | None:
        if not isinstance(value, dict) or not isinstance(value.get("Error"), dict):
            return Verdict(ACCEPTED_INVALID, None,
                           f"the parse of an HTTP {response.status} answer has no Error object: {shown(value, 80)}")
        error = value["Error"]
        code, message = error.get("Code"), error.get("Message")
        if not isinstance(code, str):
            return Verdict(ACCEPTED_INVALID, None, f"Error.Code is {shown(code)}, not a string")
        if message is not None and not isinstance(message, str):
            return Verdict(ACCEPTED_INVALID, None, f"Error.Message is {shown(message)}, not a string")
        members = {k: v for k, v in value.items() if k != "Error"}
        expectation = response.expectation
        if expectation.mode in (VALID, INTACT):
            if code != expectation.error_code:
                return Verdict(WRONG_VALUE, None,
                               f"Error.Code is {code!r}; the response carries {expectation.error_code!r}")
            declared = self.context.error_for_code(code)
            if declared is None:
                return None
            wire = self.codec.to_wire(declared.schema, members)
            return self._compare(declared.schema, expectation.value, wire, f"error {declared.name} member ")
        declared = self.context.error_for_code(code)
        if declared is None or not members:
            return None
        return self._validate(declared.schema, self.codec.to_wire(declared.schema, members),
                              f"the members of error {declared.name}")


def exception_name(error: BaseException) -> str:
    """`TypeError` for built-in exceptions, `module.Class` for any other (`binascii.Error`)."""
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def without_metadata(parsed: Any) -> Any:
    if isinstance(parsed, dict) and METADATA_KEY in parsed:
        return {k: v for k, v in parsed.items() if k != METADATA_KEY}
    return parsed


def one_line(error: BaseException | str) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."
