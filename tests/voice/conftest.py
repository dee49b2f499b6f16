"""Voice fixtures: a booking, generated audio, multipart uploads, a real Dramatiq worker."""
from __future__ import annotations

import dramatiq
import pytest
from dramatiq import Worker

from bookings import services as booking_services
from asgi_server import asgi_server as server  # noqa: F401  (fixture: the app under uvicorn)
from voice_helpers import make_wav


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    """Each test gets its own storage folder, so 'nothing was stored' can be checked exactly."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def booking(make_apartment, day):
    apartment = make_apartment()
    return booking_services.create_booking(
        accommodation_id=apartment.pk, start_date=day(3), end_date=day(5), guest_name="Ada Lovelace"
    )


@pytest.fixture
def wav_bytes() -> bytes:
    return make_wav(1.5)


@pytest.fixture
def broker():
    """The project's real Redis broker (settings_test points it at Redis db 15), emptied around each test."""
    redis_broker = dramatiq.get_broker()
    redis_broker.flush_all()
    yield redis_broker
    redis_broker.flush_all()


@pytest.fixture
def worker(broker):
    """A real Dramatiq worker thread consuming from Redis, like `rundramatiq` does."""
    # A worker consumes the queues declared when it starts: declare the actors' `voice` queue
    # (services send messages by name and no longer import the tasks module themselves).
    import voice.tasks  # noqa: F401

    running = Worker(broker, worker_timeout=100, worker_threads=1)
    running.start()
    yield running
    running.stop()
