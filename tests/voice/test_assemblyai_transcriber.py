"""The AssemblyAI provider with the real SDK against a loopback server speaking its API."""
from __future__ import annotations

import hashlib
import io
import socket

import pytest
from fake_assemblyai import fake_assemblyai  # noqa: F401  (fixture)
from voice_helpers import FIXTURES

from voice.transcribers import get_transcriber
from voice.transcribers.assemblyai import AssemblyAITranscriber, clean_key_terms
from voice.transcribers.base import PermanentTranscriptionError, TransientTranscriptionError

AUDIO = (FIXTURES / "late_checkout.mp3").read_bytes()


def provider(fake, **overrides) -> AssemblyAITranscriber:
    options = {"api_key": fake.api_key, "base_url": fake.base_url, "polling_interval": 0.01, "http_timeout": 2.0}
    return AssemblyAITranscriber(**(options | overrides))


def test_completed_transcript_is_mapped_and_audio_arrives_intact(fake_assemblyai):
    transcript = provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))

    assert transcript.text == fake_assemblyai.text
    assert (transcript.confidence, transcript.language) == (0.93, "en")
    assert transcript.provider_job_id in fake_assemblyai.transcripts
    upload = next(r for r in fake_assemblyai.received if r.path == "/v2/upload")
    assert (upload.body_size, upload.body_sha256) == (len(AUDIO), hashlib.sha256(AUDIO).hexdigest())
    assert upload.authorization == fake_assemblyai.api_key


def test_polls_through_queued_and_processing(fake_assemblyai):
    fake_assemblyai.polls_before_done = 4

    provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))

    polls = [p for p in fake_assemblyai.paths("GET") if p.startswith("/v2/transcript/")]
    assert len(polls) == 5


def test_transcript_error_status_is_permanent(fake_assemblyai):
    fake_assemblyai.final_error = "Transcoding failed. File does not appear to contain audio."

    with pytest.raises(PermanentTranscriptionError, match="does not appear to contain audio"):
        provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))


def test_server_side_transcript_error_is_transient(fake_assemblyai):
    fake_assemblyai.final_error = "Internal server error, please try again"

    with pytest.raises(TransientTranscriptionError):
        provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))


@pytest.mark.parametrize(
    ("path", "status"),
    [("/v2/upload", 500), ("/v2/transcript", 503), ("/v2/transcript/", 429), ("/v2/upload", 502)],
    ids=["upload-500", "create-503", "poll-429", "upload-502"],
)
def test_5xx_and_429_are_transient(fake_assemblyai, path, status):
    fake_assemblyai.fail(path, status)

    with pytest.raises(TransientTranscriptionError, match=str(status)):
        provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))


def test_bad_api_key_is_permanent(fake_assemblyai):
    with pytest.raises(PermanentTranscriptionError, match="API key"):
        provider(fake_assemblyai, api_key="wrong-key").transcribe(io.BytesIO(AUDIO))


def test_other_4xx_is_permanent(fake_assemblyai):
    fake_assemblyai.fail("/v2/transcript", 400)

    with pytest.raises(PermanentTranscriptionError, match="400"):
        provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))


def test_slow_answer_beyond_http_timeout_is_transient(fake_assemblyai):
    fake_assemblyai.fail("/v2/transcript", delay=1.5)

    with pytest.raises(TransientTranscriptionError, match="unreachable"):
        provider(fake_assemblyai, http_timeout=0.5).transcribe(io.BytesIO(AUDIO))


def test_connection_refused_is_transient():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again: nothing listens there
    transcriber = AssemblyAITranscriber(api_key="k", base_url=f"http://127.0.0.1:{port}", http_timeout=1.0)

    with pytest.raises(TransientTranscriptionError, match="unreachable"):
        transcriber.transcribe(io.BytesIO(AUDIO))


def test_job_that_never_finishes_hits_the_deadline_and_is_transient(fake_assemblyai):
    fake_assemblyai.polls_before_done = 10_000

    with pytest.raises(TransientTranscriptionError, match="in time"):
        provider(fake_assemblyai, max_wait_seconds=0.3).transcribe(io.BytesIO(AUDIO))


def test_chosen_by_setting_with_base_url_from_settings(fake_assemblyai, settings):
    settings.VOICE_TRANSCRIBER = "assemblyai"
    settings.ASSEMBLYAI_API_KEY = fake_assemblyai.api_key
    settings.ASSEMBLYAI_BASE_URL = fake_assemblyai.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01

    transcript = get_transcriber().transcribe(io.BytesIO(AUDIO))

    assert transcript.text == fake_assemblyai.text


def test_key_terms_are_sent_as_keyterms_prompt(fake_assemblyai):
    provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO), key_terms=["late checkout", "cot", "Hotel Adlon"])

    (job,) = fake_assemblyai.transcripts.values()
    assert job["request"]["keyterms_prompt"] == ["late checkout", "cot", "Hotel Adlon"]


def test_without_key_terms_no_keyterms_prompt_is_sent(fake_assemblyai):
    provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))

    (job,) = fake_assemblyai.transcripts.values()
    assert "keyterms_prompt" not in job["request"]


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["cot", "  Cot ", "", "   ", "late   checkout"], ["cot", "late checkout"]),  # blanks, spaces, case duplicates
        (["one two three four five six seven"], ["one two three four five six"]),  # at most six words a term
        ([f"term{i}" for i in range(150)], [f"term{i}" for i in range(100)]),  # at most 100 terms
        ([], []),
    ],
)
def test_key_terms_are_cleaned_to_assemblyai_limits(terms, expected):
    assert clean_key_terms(terms) == expected


# --- issue 20: languages and AssemblyAI's own PII redaction ----------------------------------


def only_job(fake) -> dict:
    (job,) = fake.transcripts.values()
    return job["request"]


def test_redact_pii_is_asked_for_with_our_policies_and_entity_names(fake_assemblyai):
    fake_assemblyai.text = "Card [CREDIT_CARD_NUMBER], CVV [CREDIT_CARD_CVV], call [PHONE_NUMBER] or [EMAIL_ADDRESS]."

    transcript = provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO))

    request = only_job(fake_assemblyai)
    assert request["redact_pii"] is True and request["redact_pii_sub"] == "entity_name"
    assert set(request["redact_pii_policies"]) == {
        "credit_card_number", "credit_card_cvv", "credit_card_expiration", "phone_number", "email_address",
        "banking_information",
    }
    assert "redact_pii_audio" not in request  # only with ASSEMBLYAI_REDACT_AUDIO
    assert transcript.text == "Card [card], CVV [card], call [phone] or [email]."


def test_redaction_off_asks_for_nothing(fake_assemblyai):
    provider(fake_assemblyai, redact_pii=False).transcribe(io.BytesIO(AUDIO))

    assert "redact_pii" not in only_job(fake_assemblyai)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (("es",), {"language_code": "es"}),
        (("es", "en"), {"language_detection": True,
                        "language_detection_options": {"expected_languages": ["es", "en"], "fallback_language": "es"}}),
        ((), {"language_detection": True}),
    ],
)
def test_the_notes_languages_reach_assemblyai(fake_assemblyai, languages, expected):
    provider(fake_assemblyai).transcribe(io.BytesIO(AUDIO), languages=languages)

    request = only_job(fake_assemblyai)
    sent = {key: request[key] for key in ("language_code", "language_detection", "language_detection_options") if key in request}
    assert sent == expected
