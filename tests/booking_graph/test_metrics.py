"""/metrics of the web process: who may read it, and that the numbers move with what happens."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from graphql_client import GraphQLClient

pytestmark = pytest.mark.django_db

BACKEND = Path(__file__).resolve().parents[2] / "backend"

CREATE = """mutation Book($data: BookingInput!) { createBooking(data: $data) {
  __typename ... on OperationInfo { messages { code } } } }"""


def scrape(client: Client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(text: str, sample: str) -> float:
    """The value of one sample line (name plus labels exactly as exposed), 0 when absent."""
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, flags=re.M)
    return float(match.group(1)) if match else 0.0


class TestAccess:
    def test_loopback_may_scrape(self, client):
        assert "booking_graph_graphql_operations_total" in scrape(client)

    def test_another_address_gets_a_plain_404(self, db):
        outsider = Client(REMOTE_ADDR="203.0.113.9")

        response = outsider.get("/metrics")

        assert response.status_code == 404
        assert b"booking_graph" not in response.content

    def test_the_token_opens_it_from_anywhere(self, settings, db):
        settings.METRICS_TOKEN = "s3cret-scrape-token"
        outsider = Client(REMOTE_ADDR="203.0.113.9")

        assert outsider.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        assert "booking_graph_voice_notes" in scrape(outsider, Authorization="Bearer s3cret-scrape-token")

    def test_no_token_configured_means_no_token_accepted(self, settings, db):
        settings.METRICS_TOKEN = ""
        outsider = Client(REMOTE_ADDR="203.0.113.9")

        assert outsider.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404

    def test_allowed_networks_come_from_settings(self, settings, db):
        settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

        assert Client(REMOTE_ADDR="10.2.3.4").get("/metrics").status_code == 200
        assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404


def test_operations_latency_and_errors_are_counted(client, gql, make_hotel):
    make_hotel()
    before = scrape(client)

    gql("query Catalog { accommodations { id } }")
    gql("query Catalog { accommodations { id } }")
    gql('query Broken { accommodations(filters: {price: {gte: "NaN"}}) { id } }')
    after = scrape(client)

    ops = 'booking_graph_graphql_operations_total{operation="Catalog",type="query"}'
    assert value(after, ops) - value(before, ops) == 2
    count = 'booking_graph_graphql_operation_seconds_count{operation="Catalog",type="query"}'
    assert value(after, count) - value(before, count) == 2
    errors = 'booking_graph_graphql_errors_total{code="invalid_value",operation="Broken"}'
    assert value(after, errors) - value(before, errors) == 1


def test_hostile_operation_names_share_one_series(client, gql):
    gql("query Fine { me { id } }")
    after = scrape(client)

    assert 'operation="Fine"' in after
    from booking_graph import metrics

    assert metrics.operation_label("x" * 65) == "other"
    assert metrics.operation_label(None) == "anonymous"


def test_bookings_created_and_refused_by_code(client, gql, make_apartment, day):
    apartment = make_apartment()
    data = {"accommodation": str(apartment.pk), "startDate": str(day(1)), "endDate": str(day(3)), "guestName": "Ada"}
    before = scrape(client)

    assert gql(CREATE, {"data": data}).data["createBooking"]["__typename"] == "Booking"
    assert gql(CREATE, {"data": data}).data["createBooking"]["messages"][0]["code"] == "booking_overlap"
    after = scrape(client)

    created = 'booking_graph_bookings_created_total{kind="apartment"}'
    refused = 'booking_graph_bookings_refused_total{code="booking_overlap"}'
    assert (value(after, created) - value(before, created), value(after, refused) - value(before, refused)) == (1, 1)


def test_a_retry_with_the_same_idempotency_key_is_not_counted_again(client, gql, make_hotel, day):
    hotel = make_hotel(rooms=5)
    data = {
        "accommodation": str(hotel.pk), "startDate": str(day(1)), "endDate": str(day(3)), "guestName": "Ada",
        "idempotencyKey": "metrics-retry",
    }
    created = 'booking_graph_bookings_created_total{kind="hotel"}'
    before = value(scrape(client), created)

    for _ in range(3):
        assert gql(CREATE, {"data": data}).data["createBooking"]["__typename"] == "Booking"

    assert value(scrape(client), created) - before == 1


def test_bookings_made_outside_the_api_are_not_counted(client, make_hotel, day):
    """Only createBooking counts (create_booking_counted); the admin and seed_demo call create_booking."""
    from bookings.services import create_booking

    created = 'booking_graph_bookings_created_total{kind="hotel"}'
    before = value(scrape(client), created)

    create_booking(accommodation_id=make_hotel().pk, start_date=day(1), end_date=day(2), guest_name="Ada")

    assert value(scrape(client), created) == before


def test_django_setup_leaves_prometheus_client_unimported():
    """In a Dramatiq worker, its Prometheus middleware must import prometheus_client first, after it
    sets PROMETHEUS_MULTIPROC_DIR (booking_graph/worker_metrics.py); the services load at setup, and
    bookings count their outcomes, so the counters are imported only when first used."""
    code = "import sys, django; django.setup(); import voice.tasks; print('prometheus_client' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=BACKEND, env=dict(os.environ), capture_output=True,
                         text=True, timeout=120)

    assert run.stdout.strip() == "False", run.stdout + run.stderr


def test_rate_limit_refusals_are_counted(client, settings, make_hotel):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_read": "1/m"}
    reader = GraphQLClient(Client(REMOTE_ADDR="192.0.2.50"))
    before = scrape(client)

    reader("{ hotels { id } }")
    reader("{ hotels { id } }")
    after = scrape(client)

    sample = 'booking_graph_rate_limited_total{scope="public_read"}'
    assert value(after, sample) - value(before, sample) == 1


def test_queue_and_voice_note_state_are_read_at_scrape_time(client, make_apartment, day):
    """The queue starts empty: the autouse fixture flushed the test Redis database."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bookings.services import create_booking
    from voice.models import VoiceNote
    from voice.services import enqueue_transcription

    booking = create_booking(accommodation_id=make_apartment().pk, start_date=day(1), end_date=day(2),
                             guest_name="Ada")
    name = default_storage.save("voice-notes/x.wav", ContentFile(b"RIFF"))
    note = VoiceNote.objects.create(booking=booking, audio=name, content_type="audio/wav", size_bytes=4,
                                    duration_seconds=2.5)
    enqueue_transcription(note)

    text = scrape(client)

    assert value(text, 'booking_graph_queue_messages{queue="voice",state="ready"}') == 1
    assert value(text, 'booking_graph_voice_notes{provider="none",status="PENDING"}') == 1
    assert value(text, 'booking_graph_voice_audio_seconds{provider="none",status="PENDING"}') == 2.5
    assert value(text, "booking_graph_voice_oldest_pending_seconds") >= 0
    assert "booking_graph_voice_oldest_pending_seconds " in text


def test_registering_the_state_collector_reads_nothing(db):
    """Registration happens on import, inside some request: it must not run the scrape's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from prometheus_client import CollectorRegistry

    from booking_graph.metrics import StateCollector

    with CaptureQueriesContext(connection) as captured:
        CollectorRegistry(auto_describe=True).register(StateCollector())  # as the global REGISTRY

    assert captured.captured_queries == []


def test_prometheus_may_scrape_the_pod_address_over_plain_http(settings, db):
    """Like the probes: answered before the host check and the HTTPS redirect."""
    settings.ALLOWED_HOSTS = ["api.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    scraper = Client(REMOTE_ADDR="10.0.0.9")

    response = scraper.get("/metrics", HTTP_HOST="10.1.2.3:8006")

    assert response.status_code == 200
    assert b"booking_graph_graphql_operations_total" in response.content
