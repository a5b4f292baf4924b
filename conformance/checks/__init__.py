"""The checks, registered by name in CHECKS (importing this package registers them all)."""

from conformance.checks import acceptance, client, contracts, errors, response
from conformance.checks.registry import CHECKS, CheckContext, CheckFunction, select_checks

__all__ = ["CHECKS", "CheckContext", "CheckFunction", "acceptance", "client", "contracts", "errors",
           "response", "select_checks"]
