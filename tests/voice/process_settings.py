"""Settings for the web and worker processes a crash-recovery test starts: the test settings, plus
the storage folder and provider the test chose (settings_test resets VOICE_TRANSCRIBER itself)."""
import os
from pathlib import Path

from booking_graph.settings_test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["TEST_MEDIA_ROOT"])
VOICE_TRANSCRIBER = os.environ.get("TEST_VOICE_TRANSCRIBER", "slow_transcriber.SlowTranscriber")
