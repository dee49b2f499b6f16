"""Audio checks that trust the bytes, not the file name.

`sniff_format` reads magic numbers from the first bytes; `probe` opens the
stream with PyAV (FFmpeg) and decodes it to be sure it is whole and to learn
its real duration; `decode_to_pcm16k_mono` feeds offline recognisers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import av
import av.error


@dataclass(frozen=True)
class AudioFormat:
    name: str
    extension: str
    content_type: str


WAV = AudioFormat("wav", "wav", "audio/wav")
MP3 = AudioFormat("mp3", "mp3", "audio/mpeg")
MP4 = AudioFormat("mp4", "m4a", "audio/mp4")
OGG = AudioFormat("ogg", "ogg", "audio/ogg")
WEBM = AudioFormat("webm", "webm", "audio/webm")
FLAC = AudioFormat("flac", "flac", "audio/flac")


@dataclass(frozen=True)
class AudioInfo:
    duration_seconds: float
    codec: str
    sample_rate: int
    channels: int


class UndecodableAudio(Exception):
    """FFmpeg cannot read it: truncated, corrupt, or not audio after all."""


def _is_mp3_frame(head: bytes) -> bool:
    # MPEG audio frame sync: 11 set bits, then a valid version/layer (layer III or II).
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0


def sniff_format(head: bytes) -> AudioFormat | None:
    """The container named by the first bytes (at least 12), or None when it is not one we accept."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:3] == b"ID3" or _is_mp3_frame(head):
        return MP3
    if head[4:8] == b"ftyp":
        return MP4
    if head[:4] == b"OggS":
        return OGG
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM (Matroska) — the codec is checked by probe()
        return WEBM
    if head[:4] == b"fLaC":
        return FLAC
    return None


def wav_shortfall(file: BinaryIO) -> str | None:
    """Why a WAV is truncated (its data chunk is shorter than its header says), else None.
    FFmpeg decodes what is there and reports no error, so without this a cut-off upload was
    accepted with a shorter duration than recorded. A size of 0 or 0xFFFFFFFF (a writer that
    streamed and never knew the length) is taken as "up to the end of the file"."""
    start = file.tell()
    try:
        file.seek(0, 2)
        total = file.tell()
        file.seek(12)  # after "RIFF" <size> "WAVE"
        while True:
            header = file.read(8)
            if len(header) < 8:
                return None  # no data chunk: FFmpeg says what is wrong
            chunk_id, size = header[:4], int.from_bytes(header[4:], "little")
            offset = file.tell()
            if chunk_id == b"data":
                available = total - offset
                if size not in (0, 0xFFFFFFFF) and size > available:
                    return f"truncated WAV: the header announces {size} bytes of audio, the file holds {available}"
                return None
            file.seek(offset + size + (size & 1))
    finally:
        file.seek(start)


def probe(file: BinaryIO | str) -> AudioInfo:
    """Decode the first audio stream end to end (streaming, frame by frame) and measure it.
    A truncated WAV is refused (UndecodableAudio), not measured short."""
    if not isinstance(file, str) and sniff_format(_peek(file, 12)) == WAV and (shortfall := wav_shortfall(file)):
        raise UndecodableAudio(shortfall)
    try:
        with av.open(file, mode="r") as container:
            if not container.streams.audio:
                raise UndecodableAudio("no audio stream")
            stream = container.streams.audio[0]
            # Whole samples per rate, divided once: adding per-frame floats gave 3.7900000000000027 s.
            samples_per_rate: dict[int, int] = {}
            for frame in container.decode(stream):
                samples_per_rate[frame.sample_rate] = samples_per_rate.get(frame.sample_rate, 0) + frame.samples
            seconds = sum(samples / rate for rate, samples in samples_per_rate.items())
            codec = stream.codec_context.name
            sample_rate = stream.codec_context.sample_rate
            channels = stream.codec_context.channels
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise UndecodableAudio(str(exc) or type(exc).__name__) from exc
    if seconds <= 0:
        raise UndecodableAudio("no audio samples")
    return AudioInfo(duration_seconds=seconds, codec=codec, sample_rate=sample_rate, channels=channels)


def _peek(file: BinaryIO, size: int) -> bytes:
    start = file.tell()
    file.seek(0)
    head = file.read(size)
    file.seek(start)
    return head


def decode_to_pcm16k_mono(file: BinaryIO | str) -> bytes:
    """Signed 16-bit little-endian PCM, 16 kHz, mono: what speech recognisers expect."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    chunks: list[bytes] = []
    try:
        with av.open(file, mode="r") as container:
            for frame in container.decode(audio=0):
                chunks += [bytes(out.planes[0])[: out.samples * 2] for out in resampler.resample(frame)]
            chunks += [bytes(out.planes[0])[: out.samples * 2] for out in resampler.resample(None)]
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise UndecodableAudio(str(exc) or type(exc).__name__) from exc
    return b"".join(chunks)
