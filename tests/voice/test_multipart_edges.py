"""Malformed multipart requests and non-file values for an Upload (issue 19, findings 2 and 3):
every one answers the API's JSON error shape with a code and a true message, never a 500."""
from __future__ import annotations

import json

import httpx
import pytest
from voice_helpers import ADD_VOICE_NOTE, make_wav

from voice.models import VoiceNote

pytestmark = pytest.mark.django_db(transaction=True)


def post_multipart(staff_gql, operations: dict, files_map: object, files: dict[str, bytes]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"operations": json.dumps(operations), "map": json.dumps(files_map)}
    data.update({name: SimpleUploadedFile("memo.wav", content, content_type="audio/wav") for name, content in files.items()})
    token = staff_gql.client.cookies["csrftoken"].value
    return staff_gql.client.post("/graphql/", data, headers={"X-CSRFToken": token})


def operations_for(booking) -> dict:
    return {"query": ADD_VOICE_NOTE, "variables": {"booking": str(booking.pk), "audio": None}}


def refusal(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert body["data"] is None
    return body["errors"][0]


@pytest.mark.parametrize(("files_map", "says"), [
    pytest.param({"0": ["variables.audio.5"]}, "'variables.audio.5' goes through a value", id="path-through-null"),
    pytest.param({"0": ["variables.nothing"]}, "'variables.nothing' is not in operations", id="path-to-nothing"),
    pytest.param({"0": ["variables"]}, "does not start with \"variables.\"", id="path-to-variables-itself"),
    pytest.param({"0": ["query.x"]}, "does not start with \"variables.\"", id="path-through-the-query"),
    pytest.param({"0": [""]}, "not a dotted path", id="empty-path"),
    pytest.param({"0": [7]}, "not a dotted path", id="path-a-number"),
    pytest.param({"0": []}, "non-empty list", id="no-path"),
    pytest.param({"1": ["variables.audio"]}, "map names the file part '1'", id="part-missing"),
])
def test_a_malformed_map_is_a_coded_400(staff_gql, booking, files_map, says):
    response = post_multipart(staff_gql, operations_for(booking), files_map, {"0": make_wav(0.5)})

    assert response.status_code == 400
    error = refusal(response)
    assert error["extensions"]["code"] == "bad_request"
    assert says in error["message"]
    assert VoiceNote.objects.count() == 0


def test_a_list_index_path_is_followed(staff_gql, booking):
    operations = {"query": ADD_VOICE_NOTE.replace("$audio: Upload!", "$files: [Upload!]!").replace(
        "audio: $audio", "audio: $files"), "variables": {"booking": str(booking.pk), "files": [None]}}

    response = post_multipart(staff_gql, operations, {"0": ["variables.files.3"]}, {"0": make_wav(0.5)})

    assert response.status_code == 400
    assert "'variables.files.3' is not an index" in refusal(response)["message"]


@pytest.mark.parametrize("how", ["literal", "variable"])
def test_a_string_where_a_file_belongs_is_invalid_value(staff_gql, booking, how):
    if how == "literal":
        response = staff_gql(f'mutation {{ addVoiceNote(booking: "{booking.pk}", audio: "hello") {{ __typename }} }}')
    else:
        response = staff_gql(ADD_VOICE_NOTE, {"booking": str(booking.pk), "audio": "hello"})

    assert response.status_code in (200, 400)
    [error] = response.errors
    assert error["extensions"]["code"] == "invalid_value", error
    assert '"hello" is not a file' in error["message"]
    assert VoiceNote.objects.count() == 0


def test_a_chunked_upload_without_content_length_is_told_so(server, booking, staff_user):
    from asgi_server import session_cookie

    boundary = "b0undary"
    parts = [("operations", json.dumps(operations_for(booking)).encode()), ("map", b'{"0": ["variables.audio"]}')]
    body = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode() + value + b"\r\n"
        for name, value in parts
    ) + (f"--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"memo.wav\"\r\n"
         "Content-Type: audio/wav\r\n\r\n").encode() + make_wav(0.5) + f"\r\n--{boundary}--\r\n".encode()
    token = "t" * 32
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": token,
               "Cookie": f"{session_cookie(staff_user)}; csrftoken={token}"}

    def chunks():  # a generator body: httpx sends it chunked, without Content-Length
        yield body[:100]
        yield body[100:]

    response = httpx.post(f"{server.url}/graphql/", content=chunks(), headers=headers, timeout=30)

    assert response.status_code == 411
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "bad_request"
    assert "Content-Length" in error["message"]
