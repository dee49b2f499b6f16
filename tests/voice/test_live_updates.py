"""voiceNoteUpdates over a real WebSocket against the ASGI app (uvicorn on loopback):
events from the web process and from a real Dramatiq worker, in order; who may subscribe."""
from __future__ import annotations

import time

import pytest
import redis
from asgi_server import graphql_ws, session_cookie
from django.conf import settings
from scripted_transcriber import ScriptedTranscriber
from voice_helpers import multipart_upload
from websockets.exceptions import InvalidStatus

from voice import live
from voice.transcribers.base import Transcript

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIPTION = """
subscription($booking: ID!) {
  voiceNoteUpdates(booking: $booking) { id status transcript editedTranscript editedBy { username } provider audioUrl booking { id } }
}
"""


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """No group left over from an earlier run: `wait_until_subscribed` must see this test's subscriber."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    client = redis.Redis.from_url(config["hosts"][0]["address"])
    for key in client.scan_iter(match=f"{config['prefix']}:group:*"):
        client.delete(key)


@pytest.fixture
def scripted(settings):
    settings.VOICE_TRANSCRIBER = "scripted_transcriber.ScriptedTranscriber"
    ScriptedTranscriber.script(Transcript(text="guest asked for a late checkout", language="en"))
    return ScriptedTranscriber


def wait_until_subscribed(booking_id: int, timeout: float = 10.0) -> None:
    """The server joined the booking's group (channels_redis keeps groups in a sorted set):
    only then can the test be sure no event is published before anyone listens."""
    client = redis.Redis.from_url(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"])
    key = f"{settings.CHANNEL_LAYERS['default']['CONFIG']['prefix']}:group:{live.booking_group(booking_id)}"
    deadline = time.monotonic() + timeout
    while client.zcard(key) == 0:
        assert time.monotonic() < deadline, "the subscription never joined its group"
        time.sleep(0.02)


def next_payloads(ws, operation_id: str, count: int) -> list[dict]:
    payloads = []
    while len(payloads) < count:
        message = ws.receive()
        assert message.get("id") == operation_id and message["type"] == "next", message
        assert "errors" not in message["payload"], message
        payloads.append(message["payload"]["data"]["voiceNoteUpdates"])
    return payloads


def test_upload_and_worker_events_arrive_in_order(server, staff_user, staff_gql, booking, wav_bytes, scripted, worker):
    with graphql_ws(server.ws_url, cookie=session_cookie(staff_user), origin=server.url) as ws:
        assert ws.init()["type"] == "connection_ack"
        operation = ws.subscribe(SUBSCRIPTION, {"booking": str(booking.pk)})
        wait_until_subscribed(booking.pk)

        response = multipart_upload(staff_gql, booking_id=booking.pk, filename="memo.wav", content=wav_bytes)
        note_id = response.json()["data"]["addVoiceNote"]["id"]
        events = next_payloads(ws, operation, 3)

        staff_gql(
            "mutation($id: ID!) { editVoiceNoteTranscript(id: $id, transcript: \"Late checkout, room 12\") { __typename } }",
            {"id": note_id},
        )
        edited = next_payloads(ws, operation, 1)[0]

    assert [(e["id"], e["status"]) for e in events] == [
        (note_id, "PENDING"), (note_id, "PROCESSING"), (note_id, "COMPLETED")
    ]
    assert events[0]["transcript"] == "" and events[2]["transcript"] == "guest asked for a late checkout"
    assert events[2]["provider"] == "scripted" and events[2]["booking"] == {"id": str(booking.pk)}
    assert events[2]["audioUrl"] == f"{server.url}/voice-notes/{note_id}/audio/"
    assert edited["transcript"] == "guest asked for a late checkout"  # the machine text stays
    assert (edited["editedTranscript"], edited["editedBy"]) == ("Late checkout, room 12", {"username": "staff"})


def test_only_the_subscribed_booking_is_delivered(server, staff_user, staff_gql, booking, make_hotel, day, wav_bytes):
    from bookings import services as booking_services

    other = booking_services.create_booking(
        accommodation_id=make_hotel().pk, start_date=day(3), end_date=day(4), guest_name="Grace Hopper"
    )
    with graphql_ws(server.ws_url, cookie=session_cookie(staff_user), origin=server.url) as ws:
        ws.init()
        operation = ws.subscribe(SUBSCRIPTION, {"booking": str(booking.pk)})
        wait_until_subscribed(booking.pk)
        multipart_upload(staff_gql, booking_id=other.pk, filename="other.wav", content=wav_bytes)
        response = multipart_upload(staff_gql, booking_id=booking.pk, filename="mine.wav", content=wav_bytes)
        mine = response.json()["data"]["addVoiceNote"]["id"]
        first = next_payloads(ws, operation, 1)[0]

    assert (first["id"], first["booking"]) == (mine, {"id": str(booking.pk)})


def test_anonymous_connection_is_refused(server):
    with graphql_ws(server.ws_url, origin=server.url) as ws:
        ws.send({"type": "connection_init", "payload": {}})
        with pytest.raises(Exception) as closed:
            ws.receive()
    assert closed.value.rcvd.code == 4403


def test_non_staff_connection_is_refused(server, plain_user):
    with graphql_ws(server.ws_url, cookie=session_cookie(plain_user), origin=server.url) as ws:
        ws.send({"type": "connection_init", "payload": {}})
        with pytest.raises(Exception) as closed:
            ws.receive()
    assert closed.value.rcvd.code == 4403


def test_foreign_origin_is_refused_at_the_handshake(server, staff_user):
    with pytest.raises(InvalidStatus) as refused:
        with graphql_ws(server.ws_url, cookie=session_cookie(staff_user), origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403


def test_missing_origin_is_refused(server, staff_user):
    with pytest.raises(InvalidStatus) as refused:
        with graphql_ws(server.ws_url, cookie=session_cookie(staff_user)):
            pass
    assert refused.value.response.status_code == 403


def test_unknown_booking_is_an_error_not_a_silent_stream(server, staff_user):
    with graphql_ws(server.ws_url, cookie=session_cookie(staff_user), origin=server.url) as ws:
        ws.init()
        operation = ws.subscribe(SUBSCRIPTION, {"booking": "999999"})
        message = ws.receive()
        completed = ws.receive()
    assert (message["id"], message["type"]) == (operation, "next")
    assert message["payload"]["errors"][0]["extensions"]["code"] == "not_found"
    assert (completed["id"], completed["type"]) == (operation, "complete")


def test_the_field_itself_refuses_non_staff(plain_user, booking):
    """Defence in depth: even on a transport that skipped the connection check, the field refuses."""
    import asyncio
    from types import SimpleNamespace

    from booking_graph.schema import schema
    from booking_graph.graphql.websocket import SubscriptionContext

    consumer = SimpleNamespace(scope={"user": plain_user})

    async def first_result():
        result = await schema.subscribe(SUBSCRIPTION, variable_values={"booking": str(booking.pk)},
                                        context_value=SubscriptionContext(request=consumer, ws=consumer))
        if hasattr(result, "__anext__"):
            return await result.__anext__()
        return result

    result = asyncio.run(first_result())
    assert result.data is None
    assert result.errors[0].message == "User is not a staff member."


def test_a_change_made_through_the_asgi_server_is_published(server, staff_user, booking):
    """The web process publishes too: a correction sent over HTTP to uvicorn reaches the subscriber."""
    import http.client
    import json

    from test_voice_note_api import make_note

    note = make_note(booking, transcript="machine text")
    cookie = session_cookie(staff_user)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/graphql/", headers={"Accept": "text/html", "Cookie": cookie})
    page = connection.getresponse()
    page.read()
    token = next(c.split("=", 1)[1].split(";")[0] for c in page.headers.get_all("Set-Cookie") if c.startswith("csrftoken="))

    with graphql_ws(server.ws_url, cookie=cookie, origin=server.url) as ws:
        ws.init()
        operation = ws.subscribe(SUBSCRIPTION, {"booking": str(booking.pk)})
        wait_until_subscribed(booking.pk)
        body = json.dumps({"query": 'mutation($id: ID!) { editVoiceNoteTranscript(id: $id, transcript: "fixed") '
                                    '{ __typename } }', "variables": {"id": str(note.pk)}})
        connection.request("POST", "/graphql/", body=body, headers={
            "Content-Type": "application/json", "Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token,
            "Origin": server.url,
        })
        answer = json.loads(connection.getresponse().read())
        event = next_payloads(ws, operation, 1)[0]
    connection.close()

    assert answer == {"data": {"editVoiceNoteTranscript": {"__typename": "VoiceNote"}}}
    assert (event["id"], event["editedTranscript"], event["transcript"]) == (str(note.pk), "fixed", "machine text")
