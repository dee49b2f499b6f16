"""The offline provider on real speech (flite voices), and the audio helpers it relies on."""
from __future__ import annotations

import json
import wave

import pytest
from voice_helpers import FIXTURES, FORMAT_FIXTURES
from wer import wer

from voice.audio import UndecodableAudio, decode_to_pcm16k_mono, probe, sniff_format
from voice.transcribers import get_transcriber
from voice.transcribers.base import PermanentTranscriptionError
from voice.transcribers.offline import PocketSphinxTranscriber

SENTENCES = json.loads((FIXTURES / "sentences.json").read_text())



def wav_seconds(path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_wer_helper():
    assert wer("a late check out", "a late checkout") == 0.0
    assert wer("one two three four", "one too three") == pytest.approx(0.5)  # one substitution, one deletion
    assert wer("room twelve", "") == 1.0


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


def test_default_provider_without_a_key_is_offline(settings):
    settings.VOICE_TRANSCRIBER = "pocketsphinx"
    assert isinstance(get_transcriber(), PocketSphinxTranscriber)


def test_offline_word_error_rate_on_staff_sentences(record_property):
    transcriber = PocketSphinxTranscriber()
    rates = {}
    for filename, reference in SENTENCES.items():
        with open(FIXTURES / filename, "rb") as audio:
            transcript = transcriber.transcribe(audio)
        rates[filename] = wer(reference, transcript.text)
        print(f"{filename}: WER {rates[filename]:.2f}  heard: {transcript.text!r}")
        record_property(f"wer_{filename}", round(rates[filename], 3))
    mean = sum(rates.values()) / len(rates)
    print(f"mean WER {mean:.2f} over {len(rates)} sentences")

    assert len({name.rsplit("_", 1)[-1] for name in rates}) >= 2  # two or more voices
    assert mean < 0.5


@pytest.mark.parametrize("filename", ["late_checkout.webm", "late_checkout.m4a", "late_checkout.ogg"])
def test_offline_transcribes_compressed_formats(filename):
    with open(FIXTURES / filename, "rb") as audio:
        text = PocketSphinxTranscriber().transcribe(audio).text

    assert wer(SENTENCES["late_checkout_slt.wav"], text) < 0.6


def test_garbage_is_a_permanent_failure():
    with open(FIXTURES / "bad_text.mp3", "rb") as audio, pytest.raises(PermanentTranscriptionError):
        PocketSphinxTranscriber().transcribe(audio)
