"""`python -m conformance` is the `conformance` console script."""

from conformance.cli import console_main

console_main()
