"""Live updates: how long from a voice-note change (the service call) to the event on a subscriber's
WebSocket (the app under uvicorn, Redis channel layer), and what publishing adds to a write.

    .venv/bin/python bench/live_updates.py        # about 20 seconds

Prints medians and 95th percentiles over 100 changes (after 10 warm-up ones), and the ratio
against what a client polling every 2 s would wait on average (1 s).
"""
from __future__ import annotations

import time

from _django import percentile, median, setup

CHANGES = 100
WARM_UP = 10
POLL_INTERVAL_S = 2.0


def main() -> None:
    setup()
    import redis
    from asgi_server import AsgiServer, graphql_ws, session_cookie
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bookings import services as booking_services
    from catalog import services as catalog_services
    from voice import live, services
    from voice.models import TranscriptionStatus, VoiceNote
    from voice_helpers import make_wav

    import datetime
    from decimal import Decimal

    users = get_user_model()
    staff, _ = users.objects.get_or_create(username="bench-live", defaults={"is_staff": True})
    apartment = catalog_services.create_apartment(
        name="Bench Live", location="Bench", price=Decimal("80"), bedrooms=1, max_guests=2)
    start = datetime.date.today() + datetime.timedelta(days=200)
    booking = booking_services.create_booking(accommodation_id=apartment.pk, start_date=start,
                                              end_date=start + datetime.timedelta(days=2), guest_name="Bench Guest")
    audio = make_wav(0.5)
    note = VoiceNote.objects.create(
        booking=booking, audio=default_storage.save("voice-notes/bench/live.wav", ContentFile(audio)),
        content_type="audio/wav", size_bytes=len(audio), duration_seconds=0.5,
        status=TranscriptionStatus.COMPLETED, transcript="bench",
    )
    server = AsgiServer()
    query = "subscription($b: ID!) { voiceNoteUpdates(booking: $b) { id editedTranscript } }"
    group_key = f"{settings.CHANNEL_LAYERS['default']['CONFIG']['prefix']}:group:{live.booking_group(booking.pk)}"
    client = redis.Redis.from_url(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"])
    latencies, writes = [], []
    try:
        with graphql_ws(server.ws_url, cookie=session_cookie(staff), origin=server.url) as ws:
            ws.init()
            operation = ws.subscribe(query, {"b": str(booking.pk)})
            while client.zcard(group_key) == 0:
                time.sleep(0.01)
            for index in range(WARM_UP + CHANGES):
                started = time.perf_counter()
                services.edit_transcript(note_id=note.pk, transcript=f"change {index}", editor=staff)
                written = time.perf_counter()
                message = ws.receive()
                arrived = time.perf_counter()
                assert message["id"] == operation and message["payload"]["data"]["voiceNoteUpdates"][
                    "editedTranscript"] == f"change {index}", message
                if index >= WARM_UP:
                    latencies.append((arrived - started) * 1000)
                    writes.append((written - started) * 1000)
        # The same write with publishing switched off: what the live update costs the writer.
        original, live._send = live._send, lambda *args: None
        try:
            bare = []
            for index in range(WARM_UP + CHANGES):
                started = time.perf_counter()
                services.edit_transcript(note_id=note.pk, transcript=f"bare {index}", editor=staff)
                if index >= WARM_UP:
                    bare.append((time.perf_counter() - started) * 1000)
        finally:
            live._send = original
    finally:
        server.stop()
        note.delete()
        booking.delete()
        apartment.delete()

    print(f"== Live updates: committed change -> event on the subscriber's WebSocket ({CHANGES} changes)")
    print(f"   change made -> event    median {median(latencies):6.2f} ms   p95 {percentile(latencies, 0.95):6.2f} ms"
          "   (the write, its commit, the publish, Redis, the ASGI process, the socket)")
    print(f"   polling every {POLL_INTERVAL_S:.0f} s waits on average {POLL_INTERVAL_S / 2 * 1000:.0f} ms: "
          f"live is {POLL_INTERVAL_S / 2 * 1000 / median(latencies):.0f}x sooner (median)")
    print(f"   the write, publishing   median {median(writes):6.2f} ms   p95 {percentile(writes, 0.95):6.2f} ms")
    print(f"   the write, no publish   median {median(bare):6.2f} ms   p95 {percentile(bare, 0.95):6.2f} ms")
    print(f"   publishing adds         median {median(writes) - median(bare):6.2f} ms per change "
          f"(ratio {median(writes) / median(bare):.2f})")


if __name__ == "__main__":
    main()
