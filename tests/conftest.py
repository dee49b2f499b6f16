"""Fixtures shared by every suite: users, a GraphQL caller, catalog factories."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from bookings.selectors import today
from catalog import services as catalog_services
from graphql_client import GraphQLClient
from migration_helpers import migrate_to_latest


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in Redis (the test db of REDIS_URL): each test starts with full budgets."""
    cache.clear()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True)


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("guest", password="guest-pass-123", is_staff=False)


@pytest.fixture
def gql(db) -> GraphQLClient:
    return GraphQLClient(Client(enforce_csrf_checks=True))


@pytest.fixture
def staff_gql(db, staff_user) -> GraphQLClient:
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.login(staff_user)
    return client


@pytest.fixture
def user_gql(db, plain_user) -> GraphQLClient:
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.login(plain_user)
    return client


@pytest.fixture
def make_hotel(db):
    def make(**overrides):
        fields = {"name": "Hotel Adlon", "location": "Berlin", "price": Decimal("180.00"), "rooms": 3, "stars": 5}
        return catalog_services.create_hotel(**(fields | overrides))

    return make


@pytest.fixture
def make_apartment(db):
    def make(**overrides):
        fields = {"name": "Loft Mitte", "location": "Berlin", "price": Decimal("95.00"), "bedrooms": 1, "max_guests": 2}
        return catalog_services.create_apartment(**(fields | overrides))

    return make


@pytest.fixture
def day():
    """day(n) is n days from the business's today: tests never hard-code calendar dates."""
    base = today()

    def at(offset: int) -> datetime.date:
        return base + datetime.timedelta(days=offset)

    return at


@pytest.fixture
def back_to_latest_afterwards():
    """For data-migration tests (transaction=True): later tests share this database, so it is left
    at the latest migrations, not at the one a test stopped at, even when the test fails."""
    yield
    migrate_to_latest()


@pytest.fixture
def limits(settings):
    """``limits(create_booking="2/m")``: abuse-limit rates for one test (restored afterwards)."""

    def set_limits(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits
