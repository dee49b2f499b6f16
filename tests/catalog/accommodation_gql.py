"""Helpers for the accommodation suites: mutation documents, OperationInfo reading, DB snapshots."""
from __future__ import annotations

from typing import Any

from catalog.models import Accommodation, Apartment, Hotel
from graphql_client import GraphQLClient, GraphQLResponse

OPERATION_INFO = "... on OperationInfo { messages { kind field message code } }"
HOTEL_FIELDS = "id kind name description price location rooms stars"
APARTMENT_FIELDS = "id kind name description price location bedrooms maxGuests"

# mutation name -> (input type, selection on the union answer)
MUTATIONS: dict[str, tuple[str, str]] = {
    "createHotel": ("HotelInput", f"__typename ... on Hotel {{ {HOTEL_FIELDS} }} {OPERATION_INFO}"),
    "updateHotel": ("HotelPartialInput", f"__typename ... on Hotel {{ {HOTEL_FIELDS} }} {OPERATION_INFO}"),
    "deleteHotel": ("NodeInput", f"__typename ... on Hotel {{ id name }} {OPERATION_INFO}"),
    "createApartment": ("ApartmentInput", f"__typename ... on Apartment {{ {APARTMENT_FIELDS} }} {OPERATION_INFO}"),
    "updateApartment": (
        "ApartmentPartialInput",
        f"__typename ... on Apartment {{ {APARTMENT_FIELDS} }} {OPERATION_INFO}",
    ),
    "deleteApartment": ("NodeInput", f"__typename ... on Apartment {{ id name }} {OPERATION_INFO}"),
}

HOTEL_INPUT = {
    "name": "Hotel Sacher",
    "location": "Vienna",
    "price": "210.50",
    "rooms": 4,
    "stars": 5,
    "description": "Famous for its cake.",
}
APARTMENT_INPUT = {"name": "Riverside Loft", "location": "Porto", "price": "80.00", "bedrooms": 2, "maxGuests": 4}


def mutation_document(name: str) -> str:
    input_type, selection = MUTATIONS[name]
    return f"mutation Run($data: {input_type}!) {{ {name}(data: $data) {{ {selection} }} }}"


def send(client: GraphQLClient, name: str, data: dict[str, Any]) -> GraphQLResponse:
    """Run one catalog mutation; the raw response, for tests that expect GraphQL errors."""
    return client(mutation_document(name), {"data": data})


def mutate(client: GraphQLClient, name: str, data: dict[str, Any]) -> dict:
    """Run one catalog mutation that must resolve (no top-level errors); its union answer."""
    response = send(client, name, data)
    assert response.status_code == 200, response.body
    return response.data[name]


def problems(answer: dict) -> set[tuple[str | None, str | None]]:
    """(field, code) of every message of an OperationInfo answer."""
    assert answer["__typename"] == "OperationInfo", answer
    assert answer["messages"], answer
    return {(message["field"], message["code"]) for message in answer["messages"]}


def message_kinds(answer: dict) -> set[str]:
    assert answer["__typename"] == "OperationInfo", answer
    return {message["kind"] for message in answer["messages"]}


def catalog_snapshot() -> tuple[list[dict], list[dict], list[dict]]:
    """Every catalog row (base and child tables), to prove a refused write changed nothing."""
    return (
        list(
            Accommodation.objects.order_by("pk").values(
                "pk", "kind", "name", "description", "price", "location", "updated_at"
            )
        ),
        list(Hotel.objects.order_by("pk").values("pk", "rooms", "stars")),
        list(Apartment.objects.order_by("pk").values("pk", "bedrooms", "max_guests")),
    )


def assert_graphql_error_not_500(response: GraphQLResponse) -> None:
    """Malformed documents and variables: a GraphQL error in the body, never a server error."""
    assert response.status_code != 500
    assert response.status_code in (200, 400), response.status_code
    assert response.errors, response.body
    assert not (response.body.get("data") or {}), response.body
