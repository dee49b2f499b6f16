"""The app under ASGI (uvicorn), as make run, the Procfile and the image serve it: HTTP keeps the
behaviour the WSGI view had (CSRF for sessions, the upload limit before the body is read)."""
from __future__ import annotations

import http.client
import json

import pytest
from asgi_server import AsgiServer, session_cookie
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server():
    running = AsgiServer()
    yield running
    running.stop()


def post(server, body: bytes, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/graphql/", body=body, headers=headers)
    response = connection.getresponse()
    status, payload = response.status, json.loads(response.read())
    connection.close()
    return status, payload


def test_public_query_over_asgi(server, make_hotel):
    make_hotel(name="Hotel Uvicorn")
    status, body = post(server, json.dumps({"query": "{ hotels { name } }"}).encode(),
                        {"Content-Type": "application/json"})
    assert (status, body) == (200, {"data": {"hotels": [{"name": "Hotel Uvicorn"}]}})


def test_session_without_csrf_token_is_refused_over_asgi(server, staff_user):
    status, body = post(server, json.dumps({"query": "{ me { username } }"}).encode(),
                        {"Content-Type": "application/json", "Cookie": session_cookie(staff_user)})
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "csrf_failed"


def test_oversized_upload_is_refused_before_its_body_is_sent(server):
    """Only the headers go out: the 413 comes back without the server waiting for the body."""
    declared = settings.MULTIPART_MAX_REQUEST_BYTES + 1
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/graphql/")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(declared))
    connection.endheaders()
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 413
    assert body["errors"][0]["extensions"]["code"] == "audio_too_large"
    assert str(declared) in body["errors"][0]["message"]


def test_upload_at_the_limit_is_not_refused_by_size(server):
    """A declared length at the limit passes the guard (the view then answers about the body)."""
    body = b"--x--\r\n"
    status, payload = post(server, body, {
        "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(len(body)),
    })
    assert status == 400 and payload["errors"][0]["extensions"]["code"] == "bad_request"
