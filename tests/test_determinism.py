"""A seed repeats a run in any process: the cases do not depend on the caller's own (local) modules.

Hypothesis mixes in literals from the source of local modules loaded in the process; `conformance.determinism`
pins that pool empty. Each test runs the same seed in two fresh processes, one of which first imports a local
module full of literals, and compares the cases byte for byte.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import PROJECT

PROBE = textwrap.dedent('''
    """Prints a digest of the cases one seed gives: `probe.py MODE EXTRA|PLAIN [nopin]`."""
    import hashlib
    import sys
    from pathlib import Path

    mode, imports = sys.argv[1], sys.argv[2]
    if imports == "extra":
        import caller_constants  # noqa: F401  (a local module of "the caller", full of literals)
    if sys.argv[3:] == ["nopin"]:
        import conformance.determinism as determinism
        determinism.pin_generation = lambda: True
        import conformance.server.generic as generic
        generic.pin_generation = lambda: True

    digest = hashlib.sha256()
    if mode == "fuzz":
        from conformance.server.fuzz import case_id, fuzz_case, parse_case_id
        for seed in range(300):
            operation, number = parse_case_id(case_id("GetMLTaskRun", seed * 7919))
            case = fuzz_case("glue", operation, number)
            digest.update(repr((case.status, sorted(case.headers.items()), case.body)).encode())
    elif mode == "record":
        from conformance.cli import main
        from conformance.server.endpoint import Endpoint, EndpointOptions
        from conformance.server.http import serve_in_thread
        cassette = Path(sys.argv[4] if len(sys.argv) > 4 else "run.yaml")
        with serve_in_thread(Endpoint("glue", EndpointOptions(seed=3))) as server:
            code = main(["run", "glue:GetMLTaskRun", "--target", server.url, "--record", str(cassette),
                         "--seed", "5", "--max-examples", "30", "--no-resources", "--force"])
        assert code in (0, 1), code
        import yaml
        for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
            digest.update(repr(interaction["request"]["body"]).encode())
    elif mode == "fuzz-parser":
        import probe_parser
        from conformance.cli import main
        main(["fuzz-parser", "glue:GetMLTaskRun", "--parser", "probe_parser:parse", "--max-examples", "150",
              "--seed", "11", "--no-seeds"])
        for status, headers, body in probe_parser.SEEN:
            digest.update(repr((status, sorted(headers.items()), body)).encode())
    print("DIGEST", digest.hexdigest())
''')

PARSER = textwrap.dedent('''
    """A parser that notes every response it is given and parses nothing."""
    SEEN = []

    def parse(status, headers, body, service, operation):
        SEEN.append((status, dict(headers), bytes(body)))
        return {}
''')


def _caller_constants() -> str:
    """A module of the kind a user has: literals Hypothesis would otherwise pick up (under its limit)."""
    draw = random.Random(5)
    lines = [f"    {draw.randrange(-10**9, 10**9)}, {''.join(draw.choices('abcdefghijk-_0123456789', k=12))!r}, "
             f"{draw.random()!r}," for _ in range(15)]
    return "VALUES = [\n" + "\n".join(lines) + "\n]\n"


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    # Not under a directory named test(s), and no test_ prefix: Hypothesis counts such files as local code.
    folder = tmp_path / "caller"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    (folder / "probe_parser.py").write_text(PARSER)
    (folder / "caller_constants.py").write_text(_caller_constants())
    return folder


def digest(folder: Path, mode: str, imports: str, *extra: str) -> str:
    done = subprocess.run([sys.executable, "probe.py", mode, imports, *extra], cwd=folder, capture_output=True,
                          text=True, timeout=300, env=_env(folder))
    lines = [line for line in done.stdout.splitlines() if line.startswith("DIGEST ")]
    assert lines, done.stderr[-2000:]
    return lines[-1]


def _env(folder: Path) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(PROJECT)]),
            "HYPOTHESIS_STORAGE_DIRECTORY": str(folder / ".hypothesis")}


def test_serve_fuzz_cases_by_id_are_the_same_whatever_the_caller_imported(probe: Path) -> None:
    assert digest(probe, "fuzz", "plain") == digest(probe, "fuzz", "extra")


def test_without_the_pin_the_callers_modules_change_the_cases(probe: Path) -> None:
    """The control: the mechanism is real, so the test above would see it come back."""
    assert digest(probe, "fuzz", "plain", "nopin") != digest(probe, "fuzz", "extra", "nopin")


def test_run_record_sends_the_same_requests_whatever_the_caller_imported(probe: Path) -> None:
    assert digest(probe, "record", "plain", "pin", "a.yaml") == digest(probe, "record", "extra", "pin", "b.yaml")


def test_fuzz_parser_feeds_the_same_responses_whatever_the_caller_imported(probe: Path) -> None:
    assert digest(probe, "fuzz-parser", "plain") == digest(probe, "fuzz-parser", "extra")
