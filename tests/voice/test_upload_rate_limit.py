"""addVoiceNote is limited per staff user (storage and transcription cost), not per address."""
from __future__ import annotations

import pytest
from django.test import Client
from voice_helpers import make_wav, multipart_upload

from bookings import services as booking_services
from graphql_client import GraphQLClient

pytestmark = pytest.mark.django_db


def client_from(address: str) -> GraphQLClient:
    return GraphQLClient(Client(enforce_csrf_checks=True, REMOTE_ADDR=address))


class TestVoiceUploads:
    def test_uploads_are_limited_per_staff_user(self, limits, django_user_model, staff_user, make_apartment, day):
        limits(voice_upload="2/h")
        booking = booking_services.create_booking(
            accommodation_id=make_apartment().pk, start_date=day(3), end_date=day(5), guest_name="Ada")
        first = client_from("10.0.0.1")
        first.login(staff_user)
        other_staff = django_user_model.objects.create_user("staff2", password="x-pass-123456", is_staff=True)
        second = client_from("10.0.0.1")  # same address: the budget is the user's
        second.login(other_staff)
        audio = make_wav(0.5)

        answers = [multipart_upload(first, booking_id=booking.pk, filename="a.wav", content=audio).json()
                   for _ in range(3)]

        assert [a["data"]["addVoiceNote"]["__typename"] for a in answers] == ["VoiceNote", "VoiceNote",
                                                                                "OperationInfo"]
        assert answers[2]["data"]["addVoiceNote"]["messages"][0]["code"] == "rate_limited"
        assert booking.voice_notes.count() == 2
        other = multipart_upload(second, booking_id=booking.pk, filename="a.wav", content=audio).json()
        assert other["data"]["addVoiceNote"]["__typename"] == "VoiceNote"
