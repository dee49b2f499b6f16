"""The contract every speech-to-text provider fulfils.

A provider is one class with a ``name`` and ``transcribe(audio, *, key_terms, languages) -> Transcript``.
``key_terms`` are words the note is likely to contain (hotel vocabulary, the
booking's accommodation and guest name); a provider uses them to bias
recognition where it can and may ignore them.
It raises ``TransientTranscriptionError`` when trying again later may succeed
(network, timeouts, 5xx, rate limits) and ``PermanentTranscriptionError`` when
it will not (the provider says the audio is unusable). The worker maps those
onto retry-with-backoff vs FAILED; providers never touch the database.
A provider that can also run the note as a job and call back (webhook mode) implements
``SubmittingTranscriber`` as well: ``submit`` and ``fetch``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Protocol, Sequence, runtime_checkable


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float | None = None  # 0..1 where the provider reports one
    language: str | None = None  # BCP-47-ish code, e.g. "en" or "en_us"
    provider_job_id: str = ""
    # Room to grow (speaker labels, summaries...) without changing the protocol.
    extra: dict = field(default_factory=dict)


class TranscriptionError(Exception):
    """Base class: the provider could not produce a transcript."""


class TransientTranscriptionError(TranscriptionError):
    """Worth retrying: network error, timeout, HTTP 5xx or 429."""


class PermanentTranscriptionError(TranscriptionError):
    """Not worth retrying: the provider refused or could not decode the audio."""


@runtime_checkable
class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = ()) -> Transcript:
        """Transcribe a readable binary stream positioned at its start, in one of ``languages``
        (one: that language; several: detect among them; none: the provider's own choice)."""
        ...


@runtime_checkable
class SubmittingTranscriber(Transcriber, Protocol):
    """A provider that can also run a note as a job on its side (webhook mode): ``submit`` uploads
    the audio and answers the provider's job id at once, the provider calls ``webhook_url`` back
    when it is done, and ``fetch`` collects the result by id (also when the callback is overdue).
    The worker uses it when ASSEMBLYAI_WEBHOOK_URL is set; other providers are always waited on."""

    def submit(
        self, audio: BinaryIO, *, key_terms: Sequence[str] = (), languages: Sequence[str] = (), webhook_url: str,
        webhook_secret: str,
    ) -> str:
        """Start the job, sending ``webhook_secret`` with the callback; the provider's job id. No waiting."""
        ...

    def fetch(self, job_id: str) -> Transcript | None:
        """The finished transcript, None while the provider is still working on it."""
        ...
