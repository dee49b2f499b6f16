"""Helpers for voice tests: generated audio and GraphQL multipart uploads."""
from __future__ import annotations

import io
import json
import math
import struct
import wave
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audio"

# One recording in every accepted container: file -> (format name, content type, stored extension).
FORMAT_FIXTURES = {
    "late_checkout_slt.wav": ("wav", "audio/wav", "wav"),
    "late_checkout.mp3": ("mp3", "audio/mpeg", "mp3"),
    "late_checkout.m4a": ("mp4", "audio/mp4", "m4a"),
    "late_checkout.ogg": ("ogg", "audio/ogg", "ogg"),
    "late_checkout.webm": ("webm", "audio/webm", "webm"),
    "late_checkout.flac": ("flac", "audio/flac", "flac"),
}

ADD_VOICE_NOTE = """
mutation Add($booking: ID!, $audio: Upload!) {
  addVoiceNote(booking: $booking, audio: $audio) {
    __typename
    ... on VoiceNote { id status contentType sizeBytes durationSeconds originalFilename audioUrl }
    ... on OperationInfo { messages { kind field message code } }
  }
}
"""


def make_wav(seconds: float = 1.0, rate: int = 16000, frequency: float = 440.0) -> bytes:
    """A real PCM WAV (a sine tone): decodable audio without a fixture file."""
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * n / rate))) for n in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


def multipart_upload(
    gql_client, *, booking_id, filename: str, content: bytes, query: str = ADD_VOICE_NOTE, variables: dict | None = None
):
    """POST per the GraphQL multipart request spec: operations + map + the file part."""
    operations = {"query": query, "variables": {"booking": str(booking_id), "audio": None, **(variables or {})}}
    data = {
        "operations": json.dumps(operations),
        "map": json.dumps({"0": ["variables.audio"]}),
        "0": _named_file(filename, content),
    }
    headers = {}
    token = gql_client.client.cookies.get("csrftoken")
    if token:
        headers["X-CSRFToken"] = token.value
    return gql_client.client.post("/graphql/", data=data, headers=headers)


def _named_file(filename: str, content: bytes) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = filename
    return file
