"""A transcript as it may be stored: redacted, and its full-text search vector."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db.models import Value

from .. import languages, redaction


@dataclass(frozen=True)
class CleanText:
    """A transcript as it may be stored: redacted (unless VOICE_REDACT is off)."""

    text: str
    segments: list
    redactions: dict


def clean_transcript(text: str, segments: list, *, language: str) -> CleanText:
    if not settings.VOICE_REDACT:
        return CleanText(text=text, segments=segments, redactions={})
    full = redaction.redact(text, language)
    return CleanText(text=full.text, segments=redaction.redact_segments(segments, full, language), redactions=full.counts)


def search_vector_of(*texts: str, language: str):
    """to_tsvector in the note's language's configuration, over already-redacted text."""
    return SearchVector(Value(" ".join(filter(None, texts))), config=Value(languages.search_config(language)))
