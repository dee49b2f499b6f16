"""Reads worth a name: staff search across transcripts."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce, NullIf

from booking_graph.domain import CommonErrorCode, field_error, refuse_null_in
from bookings.models import Booking

from . import languages
from .models import TranscriptionStatus, VoiceNote

# ts_headline marks matches with these; the staff page turns them into <mark> without parsing HTML.
HIT_START, HIT_STOP = "[[", "]]"
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class VoiceNoteHit:
    note: VoiceNote
    booking: Booking
    snippet: str
    rank: float


def _row_config():
    """The text-search configuration of each row's language, as SQL (one statement for all)."""
    return Case(
        *[When(language=code, then=Value(config)) for code, config in languages.SEARCH_CONFIGS.items()],
        default=Value("simple"),
    )


def search_voice_notes(*, query: str, language: str | None = None, offset: int = 0, limit: int = 20) -> list[VoiceNoteHit]:
    """Completed notes whose (redacted) transcript or correction matches ``query`` (web-search
    syntax: words, "a phrase", -not, or), best first, each with a highlighted snippet. Each row is
    matched in its own language's configuration (stemming: "toallas" finds "toalla"), or only
    notes in ``language`` with that one. One SQL statement, whatever the page size."""
    refuse_null_in(field="query", value=query)
    text = " ".join((query or "").split())
    if not text:
        raise field_error("query", "Type a word to search for.", CommonErrorCode.BLANK)
    if len(text) > MAX_QUERY_CHARS:
        raise field_error("query", f"The search has {len(text)} characters; the limit is {MAX_QUERY_CHARS}.",
                          CommonErrorCode.MAX_LENGTH)
    notes = VoiceNote.objects.filter(status=TranscriptionStatus.COMPLETED)
    if language:
        code = languages.base_code(language)
        if code not in languages.SUPPORTED:
            raise field_error("language", f"Search languages are {', '.join(languages.SUPPORTED)}.", CommonErrorCode.INVALID)
        config = Value(languages.search_config(code))
        notes = notes.filter(language=code)
    else:
        config = _row_config()
    search = SearchQuery(text, config=config, search_type="websearch")
    shown = Coalesce(NullIf(F("edited_transcript"), Value("")), F("transcript"))
    rows = list(
        notes.filter(search_vector=search)
        .annotate(
            rank=SearchRank(F("search_vector"), search),
            snippet=SearchHeadline(
                shown, search, config=config, start_sel=HIT_START, stop_sel=HIT_STOP, max_words=25, min_words=8,
                max_fragments=2, fragment_delimiter=" … ",
            ),
        )
        .select_related("booking__accommodation")
        .defer("search_vector")
        .order_by("-rank", "-created_at", "-id")[offset : offset + limit]
    )
    return [VoiceNoteHit(note=row, booking=row.booking, snippet=row.snippet, rank=float(row.rank)) for row in rows]
