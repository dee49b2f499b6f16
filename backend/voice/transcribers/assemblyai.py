"""AssemblyAI through its official SDK: upload, create the transcript, poll.

Webhook mode (``submit`` + ``fetch``): create the transcript with a webhook URL and a secret
header, return at once; AssemblyAI calls back when it is done and the transcript is then
fetched by id, once. The worker uses it when ASSEMBLYAI_WEBHOOK_URL is set.

The SDK does not retry; this class only classifies what went wrong so the
worker can retry (TransientTranscriptionError) or give up (Permanent...).
Each instance has its own SDK client and settings: no global state shared
between worker threads.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, Sequence

import assemblyai as aai
import httpx
from django.conf import settings

from .base import PermanentTranscriptionError, Transcript, TransientTranscriptionError

logger = logging.getLogger(__name__)

RATE_LIMITED = 429
# AssemblyAI's limits for keyterms_prompt: at most this many terms, each at most six words.
MAX_KEY_TERMS = 100
MAX_KEY_TERM_WORDS = 6
# The header AssemblyAI sends back on the webhook, holding ASSEMBLYAI_WEBHOOK_SECRET.
WEBHOOK_SECRET_HEADER = "X-Booking-Graph-Webhook-Secret"
# Error texts AssemblyAI uses when the failure is on its side, not the audio's.
_SERVER_SIDE_ERRORS = ("internal server error", "timed out", "try again")


class AssemblyAITranscriber:
    name = "assemblyai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.assemblyai.com",
        http_timeout: float = 30.0,
        polling_interval: float = 3.0,
        max_wait_seconds: float = 600.0,
        language_code: str | None = None,
        redact_pii: bool = True,
        redact_audio: bool = False,
    ) -> None:
        if not api_key:
            raise PermanentTranscriptionError("ASSEMBLYAI_API_KEY is not set.")
        sdk_settings = aai.types.Settings(
            api_key=api_key, base_url=base_url, http_timeout=http_timeout, polling_interval=polling_interval
        )
        self._client = aai.Client(settings=sdk_settings)
        self._language_code = language_code
        self._max_wait_seconds = max_wait_seconds
        self._redact_pii = redact_pii
        self._redact_audio = redact_audio

    @classmethod
    def from_settings(cls) -> AssemblyAITranscriber:
        return cls(
            api_key=settings.ASSEMBLYAI_API_KEY,
            base_url=settings.ASSEMBLYAI_BASE_URL,
            http_timeout=settings.ASSEMBLYAI_HTTP_TIMEOUT,
            polling_interval=settings.ASSEMBLYAI_POLLING_INTERVAL,
            redact_pii=settings.VOICE_REDACT,
            redact_audio=settings.ASSEMBLYAI_REDACT_AUDIO,
        )

    def _config(self, key_terms: Sequence[str], languages: Sequence[str] = ()) -> aai.TranscriptionConfig:
        candidates = list(dict.fromkeys(languages)) or ([self._language_code] if self._language_code else [])
        if len(candidates) == 1:
            language = {"language_code": candidates[0]}
        elif candidates:  # detection, restricted to the note's candidate languages
            language = {"language_detection": True, "language_detection_options": aai.LanguageDetectionOptions(
                expected_languages=candidates, fallback_language=candidates[0])}
        else:
            language = {"language_detection": True}
        config = aai.TranscriptionConfig(**language, keyterms_prompt=clean_key_terms(key_terms) or None)
        if self._redact_pii:
            # AssemblyAI's own redaction first; voice.redaction runs on its answer as well and turns
            # its entity names ([CREDIT_CARD_NUMBER]...) into ours ([card]...).
            config.set_redact_pii(
                policies=REDACT_POLICIES, substitution=aai.PIISubstitutionPolicy.entity_name,
                redact_audio=self._redact_audio or None,
            )
        return config

    def submit(
        self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = (), webhook_url: str,
        webhook_secret: str,
    ) -> str:
        """Upload and create the transcript with a completion webhook; the job id. No polling."""
        config = self._config(key_terms, languages)
        config.set_webhook(webhook_url, WEBHOOK_SECRET_HEADER, webhook_secret)
        transcriber = aai.Transcriber(client=self._client, config=config)
        with _classified_errors():
            result = transcriber.submit(audio)
        if result.status == aai.TranscriptStatus.error or not result.id:
            raise _classify_transcript_error(result.error or "the transcript was not created")
        logger.info("transcriber.assemblyai_submitted", extra={"provider": self.name, "provider_job_id": result.id})
        return result.id

    def fetch(self, job_id: str) -> Transcript | None:
        """The finished transcript, None while AssemblyAI is still working on it."""
        with _classified_errors():
            response = aai.api.get_transcript(self._client.http_client, job_id)
        if response.status == aai.TranscriptStatus.error:
            logger.warning("transcriber.assemblyai_error", extra={"provider_job_id": job_id, "error": response.error})
            raise _classify_transcript_error(response.error or "unknown error")
        if response.status != aai.TranscriptStatus.completed:
            return None
        return Transcript(
            text=from_entity_names(response.text or ""),
            confidence=response.confidence,
            language=getattr(response.language_code, "value", response.language_code),
            provider_job_id=job_id,
            extra=self._redacted_audio(job_id, bool(getattr(response, "redact_pii_audio", None))),
        )

    def _redacted_audio(self, job_id: str, asked: bool) -> dict:
        """Where AssemblyAI keeps the beeped copy of the audio (24 h), when it was asked for."""
        if not asked:
            return {}
        try:
            with _classified_errors():
                answer = self._client.http_client.get(f"/v2/transcript/{job_id}/redacted-audio")
            url = answer.json().get("redacted_audio_url") if answer.status_code == 200 else None
        except Exception:  # noqa: BLE001 - the transcript stands without it
            logger.warning("transcriber.assemblyai_redacted_audio_unavailable", extra={"provider_job_id": job_id})
            return {}
        return {"redacted_audio_url": url} if url else {}

    def transcribe(self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = ()) -> Transcript:
        started = time.monotonic()
        transcriber = aai.Transcriber(client=self._client, config=self._config(key_terms, languages))
        with _classified_errors():
            # A file object is streamed by httpx in chunks: the audio is never held whole in memory.
            result = transcriber.transcribe(audio, poll_timeout=self._max_wait_seconds)
        extra = {"provider": self.name, "provider_job_id": result.id, "duration": round(time.monotonic() - started, 3)}
        if result.status == aai.TranscriptStatus.error:
            logger.warning("transcriber.assemblyai_error", extra={**extra, "error": result.error})
            raise _classify_transcript_error(result.error or "unknown error")
        logger.info("transcriber.assemblyai_done", extra=extra)
        response = result.json_response or {}
        return Transcript(
            text=from_entity_names(result.text or ""),
            confidence=response.get("confidence"),
            language=response.get("language_code"),
            provider_job_id=result.id or "",
            extra=self._redacted_audio(result.id, bool(response.get("redact_pii_audio"))) if result.id else {},
        )


# What AssemblyAI is asked to redact, and the placeholder each of its entity names becomes.
REDACT_POLICIES = [
    aai.PIIRedactionPolicy.credit_card_number,
    aai.PIIRedactionPolicy.credit_card_cvv,
    aai.PIIRedactionPolicy.credit_card_expiration,
    aai.PIIRedactionPolicy.phone_number,
    aai.PIIRedactionPolicy.email_address,
    aai.PIIRedactionPolicy.banking_information,
]
_ENTITY_PLACEHOLDERS = {
    "CREDIT_CARD_NUMBER": "[card]", "CREDIT_CARD_CVV": "[card]", "CREDIT_CARD_EXPIRATION": "[card]",
    "PHONE_NUMBER": "[phone]", "EMAIL_ADDRESS": "[email]", "BANKING_INFORMATION": "[iban]",
}
_ENTITY = re.compile(r"\[(" + "|".join(_ENTITY_PLACEHOLDERS) + r")\]")


def from_entity_names(text: str) -> str:
    """AssemblyAI's "[CREDIT_CARD_NUMBER]" -> "[card]", so every provider's notes read the same."""
    return _ENTITY.sub(lambda match: _ENTITY_PLACEHOLDERS[match.group(1)], text)


def clean_key_terms(terms: Sequence[str]) -> list[str]:
    """Non-empty, de-duplicated (case-insensitively), in order, within AssemblyAI's limits."""
    cleaned, seen = [], set()
    for term in terms:
        words = " ".join(str(term).split()).split(" ")
        term = " ".join(words[:MAX_KEY_TERM_WORDS])
        if term and term.lower() not in seen:
            seen.add(term.lower())
            cleaned.append(term)
    return cleaned[:MAX_KEY_TERMS]


@contextmanager
def _classified_errors() -> Iterator[None]:
    try:
        yield
    except aai.types.TranscriptError as exc:
        raise _classify_http_error(exc) from exc
    except (httpx.TimeoutException, httpx.TransportError, ConnectionError) as exc:
        raise TransientTranscriptionError(f"AssemblyAI unreachable: {type(exc).__name__}: {exc}") from exc


def _classify_http_error(exc: aai.types.TranscriptError) -> Exception:
    status = exc.status_code
    if status is None:  # poll_timeout elapsed: the job may still finish, try again later
        return TransientTranscriptionError(f"AssemblyAI did not finish in time: {exc}")
    if status == RATE_LIMITED or status >= 500:
        return TransientTranscriptionError(f"AssemblyAI answered HTTP {status}: {exc}")
    if status in (401, 403):
        return PermanentTranscriptionError(f"AssemblyAI refused the API key (HTTP {status}): check ASSEMBLYAI_API_KEY.")
    return PermanentTranscriptionError(f"AssemblyAI refused the request (HTTP {status}): {exc}")


def _classify_transcript_error(message: str) -> Exception:
    if any(marker in message.lower() for marker in _SERVER_SIDE_ERRORS):
        return TransientTranscriptionError(f"AssemblyAI failed on its side: {message}")
    return PermanentTranscriptionError(f"AssemblyAI could not transcribe the audio: {message}")
