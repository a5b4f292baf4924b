"""One-line plain-text descriptions from botocore's HTML documentation strings."""

from __future__ import annotations

import html
import re

_PARAGRAPH_END = re.compile(r"</p>|<br\s*/?>|\n\s*\n", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
MAX_DESCRIPTION = 240


def one_line(documentation: str) -> str:
    """The first paragraph, tags stripped, entities decoded, whitespace collapsed, kept short."""
    for paragraph in _PARAGRAPH_END.split(documentation):
        text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", paragraph))).strip()
        if text:
            return _shorten(text)
    return ""


def _shorten(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION:
        return text
    # Prefer a whole first sentence; else cut at a word boundary.
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) <= MAX_DESCRIPTION:
        return sentence
    return text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
