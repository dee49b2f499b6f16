"""Which language a voice note is transcribed in.

In order (issue 20):
1. the accommodation's configured languages (``Accommodation.voice_languages``; empty = the
   deployment's VOICE_DEFAULT_LANGUAGES): when there is one, it is the note's language;
2. the language staff chose at upload (``addVoiceNote(language:)``), which must be one of them;
3. otherwise the provider detects it, restricted to the configured languages (Spanish can no
   longer be heard as Portuguese at a Barcelona property that speaks Spanish and English).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from booking_graph.domain import field_error
from catalog.models import Accommodation, VoiceLanguage

from .errors import VoiceErrorCode

SUPPORTED = tuple(VoiceLanguage.values)
# PostgreSQL text-search configuration per language (stemming and stop words); "simple" otherwise.
SEARCH_CONFIGS = {"en": "english", "pt": "portuguese", "de": "german", "es": "spanish"}


class Source:
    ACCOMMODATION = "accommodation"
    REQUEST = "request"
    DETECTED = "detected"
    PROVIDER = "provider"  # the provider chose with no candidates (none configured it could use)


@dataclass(frozen=True)
class LanguagePlan:
    candidates: tuple[str, ...]  # one: use it; several: detect among them
    source: str


def configured_languages(accommodation: Accommodation) -> tuple[str, ...]:
    configured = accommodation.voice_languages or settings.VOICE_DEFAULT_LANGUAGES
    known = [code.strip().lower() for code in configured if code.strip().lower() in SUPPORTED]
    return tuple(dict.fromkeys(known)) or ("en",)


def check_requested(requested: str | None, accommodation: Accommodation) -> str:
    """The staff's choice, normalised; refused when the place does not speak it."""
    code = (requested or "").strip().lower()
    if not code:
        return ""
    allowed = configured_languages(accommodation)
    if code not in allowed:
        raise field_error(
            "language",
            f"{accommodation.name} takes voice notes in {', '.join(allowed)}; {requested!r} is not one of them.",
            VoiceErrorCode.LANGUAGE_NOT_CONFIGURED,
        )
    return code


def plan(*, accommodation: Accommodation, requested: str = "") -> LanguagePlan:
    configured = configured_languages(accommodation)
    if len(configured) == 1:
        return LanguagePlan(configured, Source.ACCOMMODATION)
    if requested in configured:
        return LanguagePlan((requested,), Source.REQUEST)
    return LanguagePlan(configured, Source.DETECTED)


def base_code(language: str | None) -> str:
    """"en_us", "pt-BR", "de" -> "en", "pt", "de"."""
    return (language or "").replace("-", "_").split("_")[0].lower()


def search_config(language: str | None) -> str:
    return SEARCH_CONFIGS.get(base_code(language), "simple")
