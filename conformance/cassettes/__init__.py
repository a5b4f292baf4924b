"""VCR cassettes: record a run's traffic with vcrpy, replay it offline, and check recorded responses.

The format is vcrpy's own (YAML, `interactions:`), written and read by vcrpy; this package only plugs into
it: request matchers that work for AWS protocols (`matching`), redaction of secrets (`redaction`), which
service and operation a recorded request is (`identify`), reading and validating a cassette (`reading`),
recording a run (`recording`) and checking recorded responses with the spec's checks (`checking`).

Importing this package does not import vcrpy. `CassetteMiss` lives with the targets (`conformance.targets.miss`): the
runner catches it without importing the cassettes.
"""

from conformance.targets.miss import CassetteMiss

__all__ = ["CassetteMiss"]
