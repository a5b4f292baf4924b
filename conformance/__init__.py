"""conformance: contract tests and spec conformance for AWS APIs, derived from botocore's model."""

__version__ = "0.1.0"
