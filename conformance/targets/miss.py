"""The error of a replay: a request the cassette holds no (unplayed) response for."""

from __future__ import annotations


class CassetteMiss(Exception):
    """Raised instead of sending a request while replaying a cassette; it becomes a `cassette_miss` finding."""
