"""Django settings for Booking Graph.

Everything a deployment changes comes from the environment (``.env`` is read
for local runs); every variable is listed with its default in ``env.example``.
DEBUG defaults to on so that a fresh clone runs locally with no set-up; any
real deployment sets ``DEBUG=0``, which makes SECRET_KEY mandatory.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # backend/
PROJECT_DIR = BASE_DIR.parent  # repository root


class _SetVariables(Mapping):
    """os.environ as the settings see it: an empty value (e.g. "SECRET_KEY=" copied from
    env.example) counts as unset, so the default applies; every "$" is escaped so a value
    is taken literally (django-environ would read "$NAME" as a reference to NAME)."""

    def __getitem__(self, name: str) -> str:
        value = os.environ[name]
        if value == "":
            raise KeyError(name)
        return value.replace("$", r"\$")

    def __iter__(self) -> Iterator[str]:
        return (name for name, value in os.environ.items() if value != "")

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(value: str) -> float:
    return float(value)  # Python's parser: "1e3" is 1000.0


class Env(environ.Env):
    """django-environ with this project's parsing: see _SetVariables, and `bool`/`float` below."""

    def __init__(self) -> None:
        super().__init__()
        self.ENVIRON = _SetVariables()
        self.escape_proxy = True  # undoes the escaping above: "\$" -> "$"

    def bool(self, var: str, default=environ.Env.NOTSET) -> bool:
        """True only for 1/true/yes/on (any case); django-environ would also take "2", "ok", "y"."""
        return self.get_value(var, cast=_flag, default=default)

    def float(self, var: str, default=environ.Env.NOTSET) -> float:
        """django-environ's float drops every non-digit first, so "1e3" would read as 13.0."""
        return self.get_value(var, cast=_number, default=default)

    def list(self, var: str, cast=None, default=environ.Env.NOTSET) -> list:
        """Comma-separated, blanks around items ignored: "a.com, b.com" -> ["a.com", "b.com"]."""
        return [item.strip() for item in super().list(var, cast=cast, default=default) if item.strip()]


# Read before any setting; variables already in the environment win over the file.
Env.read_env(PROJECT_DIR / ".env")
env = Env()


# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DEBUG", True)

SECRET_KEY = env.str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "strawberry_django",
    "django_dramatiq",
    "django_ratelimit",
    "booking_graph",
    "catalog",
    "bookings",
    "voice",
]

MIDDLEWARE = [
    # First: probes come with the pod's IP as Host and over plain HTTP (see health.py).
    "booking_graph.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "booking_graph.urls"
WSGI_APPLICATION = "booking_graph.wsgi.application"
ASGI_APPLICATION = "booking_graph.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# A connection pool per process (psycopg_pool through Django's "pool" option). Under ASGI Django
# runs each request's sync code in a thread of its own, so a connection kept per thread
# (DB_CONN_MAX_AGE) is never reused: without the pool every request opened a PostgreSQL
# connection, about half of a request's time under load (bench/README.md, load_test.py).
# DB_POOL_MAX_SIZE=0 turns the pool off; only then may DB_CONN_MAX_AGE keep connections.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", 20)
DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", 0)
if DB_POOL_MAX_SIZE < 0:
    raise ImproperlyConfigured(f"DB_POOL_MAX_SIZE must be 0 (no pool) or more, not {DB_POOL_MAX_SIZE}.")
if DB_POOL_MAX_SIZE and DB_CONN_MAX_AGE:
    raise ImproperlyConfigured(
        "DB_CONN_MAX_AGE keeps a connection per thread and cannot be combined with the connection pool: "
        "set DB_CONN_MAX_AGE=0, or DB_POOL_MAX_SIZE=0 to turn the pool off."
    )
DB_POOL = {
    # Opened lazily, on a process's first query; shrinks back to min_size when idle.
    "min_size": min(env.int("DB_POOL_MIN_SIZE", 2), DB_POOL_MAX_SIZE),
    "max_size": DB_POOL_MAX_SIZE,
    # Seconds a request waits for a connection before it answers service_unavailable (all max_size
    # in use, or PostgreSQL down): a few seconds, so an outage is a prompt, retryable answer.
    "timeout": env.float("DB_POOL_TIMEOUT", 3.0),
} if DB_POOL_MAX_SIZE else None

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": env.str("DB_HOST", "127.0.0.1"),
        "PORT": env.str("DB_PORT", "5432"),
        "NAME": env.str("DB_NAME", "booking_graph"),
        "USER": env.str("DB_USER", "postgres"),
        "PASSWORD": env.str("DB_PASSWORD", ""),
        "CONN_MAX_AGE": DB_CONN_MAX_AGE,
        # With the pool: a connection is checked before it is handed out (a restarted server's
        # dead connections are replaced, not given to a request).
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            **({"pool": DB_POOL} if DB_POOL else {}),
            # Seconds to open a connection (an unreachable host otherwise waits for the OS's TCP timeout).
            "connect_timeout": env.int("DB_CONNECT_TIMEOUT", 3),
        },
    }
}
# PostgreSQL's statement_timeout for the statements of web requests (booking_graph.db_limits; the
# worker, migrations and commands are not limited). Far above any bench query; 0 = no limit.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", 5000)
# Set by asgi.py / wsgi.py before the settings load: only a web server's connections get the limit.
if DB_STATEMENT_TIMEOUT_MS > 0 and os.environ.get("BOOKING_GRAPH_WEB_PROCESS") == "1":
    DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, sessions, CSRF, CORS -------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000", "http://localhost:5173"])
CORS_ALLOW_CREDENTIALS = True  # the frontend sends the session cookie
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- HTTPS (docs/security.md lists the production environment; `check --deploy` is clean with it) ---
# The header a TLS-terminating proxy sets to "https". Only trustworthy when that proxy overwrites it:
# "none" disables it (the app terminates TLS itself, or nothing in front sanitises the header).
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", "none" if DEBUG else "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = None if _proxy_ssl_header.lower() == "none" else (_proxy_ssl_header, "https")
# Plain-HTTP requests are redirected (the health probes are answered before this, see health.py).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
# HSTS: browsers refuse plain HTTP for this long. Hard to undo: start small on a new domain.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Consent to browsers' built-in HSTS list; only once the whole domain is HTTPS for good.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)

# --- I18N / time --------------------------------------------------------------

LANGUAGE_CODE = "en-us"
# "Today" for booking rules is the business's local date, not UTC's.
TIME_ZONE = env.str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
# GraphiQL's scripts and styles, installed from npm by `make` (no CDN at run time).
STATICFILES_DIRS = [PROJECT_DIR / "var" / "graphiql-dist"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# Lifetime of presigned download URLs (the staff audio link redirects to one when S3 is used).
VOICE_AUDIO_URL_TTL_SECONDS = env.int("VOICE_AUDIO_URL_TTL_SECONDS", 300)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", "")
USE_S3 = bool(AWS_STORAGE_BUCKET_NAME)
if USE_S3:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", "us-east-1"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", "") or None,
            # MinIO and SeaweedFS need path-style addressing and SigV4.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": VOICE_AUDIO_URL_TTL_SECONDS,
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Voice notes ----------------------------------------------------------------

VOICE_MAX_UPLOAD_BYTES = env.int("VOICE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
VOICE_MAX_DURATION_SECONDS = env.float("VOICE_MAX_DURATION_SECONDS", 300.0)
VOICE_MAX_ATTEMPTS = env.int("VOICE_MAX_ATTEMPTS", 5)
VOICE_RETRY_MIN_BACKOFF_MS = env.int("VOICE_RETRY_MIN_BACKOFF_MS", 5_000)
VOICE_RETRY_MAX_BACKOFF_MS = env.int("VOICE_RETRY_MAX_BACKOFF_MS", 300_000)
# Crash recovery and retention (voice/recovery.py, voice/retention.py), run by every worker's sweep.
# The actor's time limit; a note PROCESSING for longer than VOICE_STALE_PROCESSING_SECONDS has
# lost its worker (which must therefore exceed the time limit).
VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS = env.int("VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS", 900)
VOICE_STALE_PROCESSING_SECONDS = env.float("VOICE_STALE_PROCESSING_SECONDS", VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS + 60)
if VOICE_STALE_PROCESSING_SECONDS <= VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS:
    raise ImproperlyConfigured("VOICE_STALE_PROCESSING_SECONDS must exceed VOICE_TRANSCRIPTION_TIME_LIMIT_SECONDS.")
# While a worker transcribes a note it stamps the note's heartbeat_at every VOICE_HEARTBEAT_SECONDS,
# and each worker process records itself in Redis as often (voice.worker). A PROCESSING note whose
# stamp is older than VOICE_HEARTBEAT_STALE_SECONDS has lost its worker: the sweep (or a redelivered
# message) takes it over, within a minute of a SIGKILL instead of the time limit + 60 s. The stale
# threshold (15 s) is below the broker's QUEUE_WORKER_HEARTBEAT_TIMEOUT_SECONDS (30 s), so when the
# broker redelivers the dead worker's message the note is already known lost and that message takes
# it over. A worker not seen in Redis for as long is counted as gone (/readyz,
# booking_graph_voice_workers_alive).
VOICE_HEARTBEAT_SECONDS = env.float("VOICE_HEARTBEAT_SECONDS", 5.0)
VOICE_HEARTBEAT_STALE_SECONDS = env.float("VOICE_HEARTBEAT_STALE_SECONDS", 3 * VOICE_HEARTBEAT_SECONDS)
if not 0 < VOICE_HEARTBEAT_SECONDS < VOICE_HEARTBEAT_STALE_SECONDS:
    raise ImproperlyConfigured("VOICE_HEARTBEAT_STALE_SECONDS must exceed VOICE_HEARTBEAT_SECONDS (> 0).")
# A PENDING note never attempted for this long is re-sent (its message was lost, e.g. Redis down).
VOICE_PENDING_RESEND_SECONDS = env.float("VOICE_PENDING_RESEND_SECONDS", 300)
# How often each worker process sweeps (one per interval does the work); 0 turns the sweep off.
VOICE_SWEEP_INTERVAL_SECONDS = env.float("VOICE_SWEEP_INTERVAL_SECONDS", 60)
# Audio is deleted this many days after the stay's check-out day; the transcript is kept.
VOICE_AUDIO_RETENTION_DAYS = env.int("VOICE_AUDIO_RETENTION_DAYS", 90)
# Longest staff correction of a transcript (characters); 5 minutes of speech is ~5,000.
VOICE_MAX_TRANSCRIPT_CHARS = env.int("VOICE_MAX_TRANSCRIPT_CHARS", 20_000)
ASSEMBLYAI_API_KEY = env.str("ASSEMBLYAI_API_KEY", "")
ASSEMBLYAI_BASE_URL = env.str("ASSEMBLYAI_BASE_URL", "https://api.assemblyai.com")
ASSEMBLYAI_HTTP_TIMEOUT = env.float("ASSEMBLYAI_HTTP_TIMEOUT", 30.0)
ASSEMBLYAI_POLLING_INTERVAL = env.float("ASSEMBLYAI_POLLING_INTERVAL", 3.0)
# Webhook mode: AssemblyAI calls this URL (our /webhooks/assemblyai/ as it reaches us) when a
# transcript is done, instead of the worker polling. Empty: the worker polls.
ASSEMBLYAI_WEBHOOK_URL = env.str("ASSEMBLYAI_WEBHOOK_URL", "")
# Sent back by AssemblyAI in a header on each webhook; required with the URL.
ASSEMBLYAI_WEBHOOK_SECRET = env.str("ASSEMBLYAI_WEBHOOK_SECRET", "")
if ASSEMBLYAI_WEBHOOK_URL and len(ASSEMBLYAI_WEBHOOK_SECRET) < 16:
    raise ImproperlyConfigured("ASSEMBLYAI_WEBHOOK_URL needs ASSEMBLYAI_WEBHOOK_SECRET (16 characters or more).")
# A note whose webhook has not come after this long is looked up by id (then again, up to
# ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS times, before it is retried as a failed attempt).
ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS = env.float("ASSEMBLYAI_WEBHOOK_TIMEOUT_SECONDS", 600.0)
ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS = env.int("ASSEMBLYAI_WEBHOOK_MAX_LOOKUPS", 6)

# >>> Transcription providers (voice/transcribers/; issue 8). One block, kept together. >>>
# Which Transcriber runs: "assemblyai" when a key is set, offline Whisper otherwise.
VOICE_TRANSCRIBER = env.str("VOICE_TRANSCRIBER", "assemblyai" if ASSEMBLYAI_API_KEY else "whisper")
# Words notes are likely to contain, sent to the provider with the booking's accommodation and
# guest name: AssemblyAI key terms, Whisper hotwords.
VOICE_KEY_TERMS = env.list(
    "VOICE_KEY_TERMS",
    default=["check-in", "checkout", "late checkout", "early check-in", "cot", "baby cot", "housekeeping",
             "towels", "minibar", "reception", "concierge", "room service", "wake-up call", "no-show", "deposit"],
)
# Offline Whisper (faster-whisper). Empty model = Whisper base (multilingual) from the pinned
# packages in requirements-models.txt, joined and sha256-checked; else a CTranslate2 model
# directory or a name already in the local Hugging Face cache (nothing is downloaded at run time).
WHISPER_MODEL = env.str("WHISPER_MODEL", "")
# English notes with another model: "" = the same; "tiny.en" = the pinned tiny.en (cheaper, less accurate).
WHISPER_ENGLISH_MODEL = env.str("WHISPER_ENGLISH_MODEL", "")
WHISPER_DEVICE = env.str("WHISPER_DEVICE", "cpu")
WHISPER_COMPUTE_TYPE = env.str("WHISPER_COMPUTE_TYPE", "int8")
WHISPER_CPU_THREADS = env.int("WHISPER_CPU_THREADS", 2)
WHISPER_NUM_WORKERS = env.int("WHISPER_NUM_WORKERS", 1)
WHISPER_BEAM_SIZE = env.int("WHISPER_BEAM_SIZE", 5)
WHISPER_VAD = env.bool("WHISPER_VAD", True)
WHISPER_LANGUAGE = env.str("WHISPER_LANGUAGE", "")
WHISPER_HOTWORDS = env.bool("WHISPER_HOTWORDS", True)
# Languages of a place's voice notes when its `voice_languages` is empty (en, pt, de, es).
VOICE_DEFAULT_LANGUAGES = env.list("VOICE_DEFAULT_LANGUAGES", default=["en"])
# Card numbers, phone numbers, e-mail addresses and IBANs are replaced by [card], [phone], [email],
# [iban] before a transcript is stored, logged or published (voice/redaction.py). 0 turns it off.
VOICE_REDACT = env.bool("VOICE_REDACT", True)
# AssemblyAI only: also ask it for a redacted copy of the audio (kept at AssemblyAI, URL in the note's extra).
ASSEMBLYAI_REDACT_AUDIO = env.bool("ASSEMBLYAI_REDACT_AUDIO", False)
# <<< Transcription providers <<<

# Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB default) bounds JSON bodies and form fields but
# not file parts; the GraphQL view refuses multipart bodies above this, before reading them:
# the audio limit plus room for the multipart envelope.
MULTIPART_MAX_REQUEST_BYTES = VOICE_MAX_UPLOAD_BYTES + 1024 * 1024
# Uploads above this spill to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# --- Queue ----------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", "redis://127.0.0.1:6379/0")
# Seconds any Redis call may take (connect, and each reply) before it fails: queue sends, live
# publishes, cache and rate limits. A frozen or unreachable Redis costs a request this long, not a hang.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", 2.0)


def redis_url_with_timeouts(url: str, timeout: float) -> str:
    """The URL with socket timeouts in its query (Dramatiq's broker builds its pool from the URL
    alone, so this is the only way to give it timeouts); values already in the URL win."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_timeout", str(timeout))
    query.setdefault("socket_connect_timeout", str(timeout))
    return urlunsplit(parts._replace(query=urlencode(query)))


# Dramatiq's Redis broker marks a worker dead when it has not called Redis for this long, and some
# of its calls (this many per million) look for dead workers and put their unacknowledged messages
# (running and prefetched) back on the queue. Dramatiq's defaults (60 s, 1,000 per million) left the
# prefetched messages of a SIGKILLed worker waiting 5 minutes and more (docs/voice-notes.md).
QUEUE_WORKER_HEARTBEAT_TIMEOUT_SECONDS = env.float("QUEUE_WORKER_HEARTBEAT_TIMEOUT_SECONDS", 30.0)
QUEUE_MAINTENANCE_CHANCE = env.int("QUEUE_MAINTENANCE_CHANCE", 100_000)
DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {
        "url": redis_url_with_timeouts(REDIS_URL, REDIS_SOCKET_TIMEOUT),
        "heartbeat_timeout": int(QUEUE_WORKER_HEARTBEAT_TIMEOUT_SECONDS * 1000),
        "maintenance_chance": QUEUE_MAINTENANCE_CHANCE,
    },
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
        "voice.worker.TranscriberStartupCheck",  # loads the offline model once per worker process
        "voice.sweeper.PeriodicSweep",  # crash recovery and audio retention, inside every worker
        "voice.worker.WorkerHeartbeat",  # each worker process says it is alive (Redis, a few seconds)
        "booking_graph.worker_metrics.WorkerMetrics",  # Prometheus exporter of the worker (docs/operations.md)
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]

# --- Metrics (docs/operations.md) ----------------------------------------------------

# /metrics of the web process answers only these client addresses, or a request carrying
# "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 404.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env.str("METRICS_TOKEN", "")
# The worker's metrics (Dramatiq's Prometheus exporter): host and port it listens on, 0 = off.
WORKER_METRICS_HOST = env.str("WORKER_METRICS_HOST", "127.0.0.1")
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", 9191)

# --- Cache and abuse limits ----------------------------------------------------------

# Shared by every web process (rate-limit counters must be); short timeouts so a Redis outage
# costs a request one second, not a hang (the limits then fail open, see rate_limits.check).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "bg",
        "OPTIONS": {"socket_connect_timeout": min(1.0, REDIS_SOCKET_TIMEOUT),
                    "socket_timeout": min(1.0, REDIS_SOCKET_TIMEOUT)},
    }
}
# How many reverse proxies (load balancer, ingress) append to X-Forwarded-For in front of the
# app. 0: the header is ignored and the peer address is the client (it is trivially forged).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)
RATELIMIT_USE_CACHE = "default"
# django-ratelimit 4.1 predates Django's own RedisCache; its add (SET NX) and incr (INCRBY) are atomic.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_IP_META_KEY = "booking_graph.rate_limits.client_address"
# "<count>/<period>" with period s, m, h, d (optionally multiplied: 10m); "off" disables one.
RATE_LIMITS = {
    # Anonymous bookings per client address: a script cannot fill the inventory.
    "create_booking": env.str("RATE_LIMIT_CREATE_BOOKING", "20/h"),
    # Login attempts per address and per username tried (password guessing, spraying).
    "login_address": env.str("RATE_LIMIT_LOGIN_ADDRESS", "30/10m"),
    "login_username": env.str("RATE_LIMIT_LOGIN_USERNAME", "10/10m"),
    # Voice-note uploads per staff user (storage and transcription cost).
    "voice_upload": env.str("RATE_LIMIT_VOICE_UPLOAD", "60/h"),
    # Anonymous catalog, availability and search reads per client address (scraping).
    "public_read": env.str("RATE_LIMIT_PUBLIC_READ", "600/m"),
    # Guests reaching a booking by reference + e-mail: per client address, and per reference tried.
    "guest_booking_address": env.str("RATE_LIMIT_GUEST_BOOKING_ADDRESS", "60/10m"),
    "guest_booking_reference": env.str("RATE_LIMIT_GUEST_BOOKING_REFERENCE", "20/10m"),
    # AssemblyAI webhook calls per address, before the secret is checked (secret guessing, floods).
    "webhook": env.str("RATE_LIMIT_WEBHOOK", "300/m"),
}
for _scope, _rate in RATE_LIMITS.items():
    if _rate != "off" and not re.fullmatch(r"[1-9]\d*/\d*[smhd]", _rate):
        raise ImproperlyConfigured(f"RATE_LIMIT_{_scope.upper()}={_rate!r}: expected e.g. 20/h, 30/10m or off.")

# Live updates (GraphQL subscriptions): web and worker processes publish voice-note changes
# through this Redis channel layer; each web process delivers them to its own WebSockets.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": env.str("CHANNELS_REDIS_URL", REDIS_URL),
                       "socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}],
            "prefix": "booking-graph:channels",
        },
    }
}
# Longest a request waits to publish one live update (after its commit); a Redis that does not
# answer by then costs the update (logged), never the request.
LIVE_PUBLISH_TIMEOUT_SECONDS = env.float("LIVE_PUBLISH_TIMEOUT_SECONDS", 1.0)
# WebSocket origins allowed besides the API's own hosts (ALLOWED_HOSTS): the browser frontends.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=CSRF_TRUSTED_ORIGINS)

# --- GraphQL ----------------------------------------------------------------------

GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", 2000)
# Parsed and validated documents kept per process (LRU): clients send the same few documents.
GRAPHQL_DOCUMENT_CACHE_SIZE = env.int("GRAPHQL_DOCUMENT_CACHE_SIZE", 256)
GRAPHQL_PAGE_SIZE_DEFAULT = env.int("GRAPHQL_PAGE_SIZE_DEFAULT", 20)
GRAPHQL_PAGE_SIZE_MAX = env.int("GRAPHQL_PAGE_SIZE_MAX", 100)
# The fast paths reach into graphql-core / Strawberry / strawberry-django internals (fenced by
# tests/booking_graph/test_upstream_fence.py). 0 builds the stock schema: the same answers and SQL, slower
# (docs/architecture.md "Fast paths"); the way out if a library upgrade breaks the fence.
GRAPHQL_FAST_PATHS = env.bool("GRAPHQL_FAST_PATHS", True)

STRAWBERRY_DJANGO = {
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": True,
    "TYPE_DESCRIPTION_FROM_MODEL_DOCSTRING": True,
    "MUTATIONS_DEFAULT_HANDLE_ERRORS": True,
    "PAGINATION_DEFAULT_LIMIT": GRAPHQL_PAGE_SIZE_DEFAULT,
    "PAGINATION_MAX_LIMIT": GRAPHQL_PAGE_SIZE_MAX,
}

# --- Bookings ---------------------------------------------------------------------

BOOKING_MAX_NIGHTS = env.int("BOOKING_MAX_NIGHTS", 365)
AVAILABILITY_MAX_DAYS = env.int("AVAILABILITY_MAX_DAYS", 366)
# How long a hold keeps its rooms while the guest pays (createBooking with hold: true).
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", 15)
# Longest date range one setRates write may cover (two years by default).
RATES_MAX_DAYS = env.int("RATES_MAX_DAYS", 731)
# Default check-in time of new properties (each has its own, in its own time zone): deadlines count back from it.
BOOKING_CHECK_IN_TIME = env.str("BOOKING_CHECK_IN_TIME", "15:00")

# --- Logging ----------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object per line: the event, then the context passed as `extra=` (ids, provider,
        # attempt...), every value escaped, so any line parses and can be filtered by field.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "botocore": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}
