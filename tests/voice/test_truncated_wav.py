"""A WAV cut off in its data section is refused with undecodable_audio (issue 19, finding 8): FFmpeg
decodes what is there without an error, so it was accepted with a shorter duration than recorded."""
from __future__ import annotations

import io

import pytest
from voice_helpers import make_wav, multipart_upload

from voice import audio
from voice.models import VoiceNote

pytestmark = pytest.mark.django_db


def test_a_wav_truncated_in_its_data_section_is_undecodable(staff_gql, booking):
    whole = make_wav(1.0)
    cut = whole[: len(whole) // 2]

    response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=cut)

    answer = response.json()["data"]["addVoiceNote"]
    assert answer["__typename"] == "OperationInfo", answer
    [message] = answer["messages"]
    assert message["code"] == "undecodable_audio"
    assert "truncated WAV" in message["message"]
    assert VoiceNote.objects.count() == 0


def test_a_whole_wav_and_a_streamed_one_of_unknown_length_are_accepted():
    whole = make_wav(1.0)
    streamed = bytearray(whole)
    data = streamed.index(b"data")
    streamed[data + 4: data + 8] = (0xFFFFFFFF).to_bytes(4, "little")  # length unknown when written

    assert audio.probe(io.BytesIO(whole)).duration_seconds == pytest.approx(1.0)
    assert audio.probe(io.BytesIO(bytes(streamed))).duration_seconds == pytest.approx(1.0)
