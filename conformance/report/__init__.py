"""Reports of a run: JSON (the machine contract), JUnit XML, and the console summary."""
