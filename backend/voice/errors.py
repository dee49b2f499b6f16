"""Error codes voice notes raise (its domain errors carry these as ``code``)."""
from __future__ import annotations

import enum


class VoiceErrorCode(enum.StrEnum):
    EMPTY_AUDIO = "empty_audio"
    AUDIO_TOO_LARGE = "audio_too_large"  # over VOICE_MAX_UPLOAD_BYTES
    UNSUPPORTED_AUDIO_FORMAT = "unsupported_audio_format"  # the bytes are none of the accepted containers
    UNDECODABLE_AUDIO = "undecodable_audio"
    AUDIO_TOO_LONG = "audio_too_long"  # over VOICE_MAX_DURATION_SECONDS
    NOT_RETRYABLE = "not_retryable"  # only a FAILED transcription can be retried
    NOT_EDITABLE = "not_editable"  # only a COMPLETED transcript can be corrected
    STORAGE_UNAVAILABLE = "storage_unavailable"  # the audio could not be written (S3/disk down): try again
    LANGUAGE_NOT_CONFIGURED = "language_not_configured"  # not one of the accommodation's voice languages
