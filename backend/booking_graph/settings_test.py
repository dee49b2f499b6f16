"""Settings for the test suite: the real PostgreSQL and Redis, nothing external."""
import os
import tempfile

# Decided before settings.py reads the environment, so a developer's .env cannot leak in.
os.environ["DEBUG"] = "1"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Retries in milliseconds, not minutes, so worker tests exercise backoff quickly.
os.environ.setdefault("VOICE_RETRY_MIN_BACKOFF_MS", "50")
os.environ.setdefault("VOICE_RETRY_MAX_BACKOFF_MS", "200")
# Workers started by tests export no metrics unless the test asks (a fixed port would collide).
os.environ.setdefault("WORKER_METRICS_PORT", "0")
for name in ("AWS_STORAGE_BUCKET_NAME", "ASSEMBLYAI_API_KEY", "VOICE_TRANSCRIBER"):
    os.environ[name] = ""

from .settings import *  # noqa: E402,F403

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="booking-graph-media-"))  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never outside tests
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")  # noqa: F405
# The test runner forces DEBUG off; serve GraphiQL's assets from STATICFILES_DIRS as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
