"""The default offline model (Whisper base, pinned) per language, on committed clips:
real human speech for Spanish and English (Debian's asterisk prompts, telephone quality, 8 kHz)
and labelled synthetic speech (espeak-ng) for German and Portuguese, where no registry package
has human speech with references (tests/fixtures/audio/multilingual/README.md).

Thresholds sit above the values measured with `bench/voice_pipeline.py --languages` (quoted
beside each) by a margin: they catch a regression, not noise. Synthetic German and Portuguese
are far harder for Whisper than people are (espeak-ng is robotic); their thresholds guard the
pipeline, they are not a quality claim. The model is loaded once per test session."""
from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from voice_helpers import FIXTURES
from wer import corpus_wer, wer

from voice.transcribers.whisper import WhisperTranscriber

pytestmark = pytest.mark.slow

CLIPS = FIXTURES / "multilingual"
REFERENCES = json.loads((CLIPS / "references.json").read_text())

# language: (kind, maximum corpus WER with the language given, measured)
MAX_WER = {
    "es": ("real", 0.12),  # measured 0.069 (two runs)
    "en": ("real", 0.06),  # measured 0.011 (telephone prompts, two runs)
    "de": ("synthetic", 0.45),  # measured 0.289 (espeak-ng, two runs)
    "pt": ("synthetic", 0.85),  # measured 0.600 in two runs (espeak-ng; decoding falls back to sampling here)
}


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber.from_settings()


def clips(language: str) -> dict:
    return {CLIPS / name: item["text"] for name, item in REFERENCES.items() if item["language"] == language}


def transcribe_all(whisper, files: dict, languages: tuple[str, ...], language: str):
    references, heard, detected = [], [], []
    for path, reference in files.items():
        with open(path, "rb") as audio:
            transcript = whisper.transcribe(audio, key_terms=django_settings.VOICE_KEY_TERMS, languages=languages)
        references.append(reference)
        heard.append(transcript.text)
        detected.append(transcript.language)
        print(f"{path.name} [{transcript.language}] WER {wer(reference, transcript.text, language):.2f}: {transcript.text!r}")
    rate = corpus_wer(references, heard, language)
    print(f"{language} candidates {languages}: corpus WER {rate:.3f} over {len(files)} clips")
    return rate, detected


def test_fixtures_are_labelled_with_source_and_kind():
    assert {item["language"] for item in REFERENCES.values()} == {"en", "es", "de", "pt"}
    for name, item in REFERENCES.items():
        assert (CLIPS / name).is_file() and item["text"] and item["source"]
        assert item["kind"] == ("synthetic" if item["language"] in ("de", "pt") else "real")
    assert (CLIPS / "README.md").is_file()


@pytest.mark.parametrize("language", ["es", "en", "de", "pt"])
def test_accuracy_with_the_language_given(whisper, language, record_property):
    kind, limit = MAX_WER[language]

    rate, detected = transcribe_all(whisper, clips(language), (language,), language)
    record_property(f"wer_{language}_{kind}", round(rate, 3))

    assert set(detected) == {language}
    assert rate <= limit


def test_spanish_is_not_heard_as_portuguese_when_detection_is_restricted(whisper):
    # A Barcelona place takes notes in Spanish and English: detection chooses between those two only.
    rate, detected = transcribe_all(whisper, clips("es"), ("es", "en"), "es")

    assert detected == ["es"] * len(clips("es"))
    assert rate <= MAX_WER["es"][1]


def test_english_at_a_place_that_also_speaks_german_is_detected_as_english(whisper):
    files = dict(list(clips("en").items())[:3])

    _, detected = transcribe_all(whisper, files, ("de", "en"), "en")

    assert detected == ["en"] * len(files)
