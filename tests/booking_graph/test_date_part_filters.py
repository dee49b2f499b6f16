"""Errors a client gets always carry a code. Date-part filters with a year no date can have answer
invalid_value, not an internal error
(the production fuzz found `bookings(filters: {startDate: {year: {gt: -76772}}})` and
`isoYear: {gte: 0}` on hotels answering "Unexpected error.")."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "document",
    [
        "{ bookings(filters: {startDate: {year: {gt: -76772}}}) { id } }",
        "{ bookings(filters: {endDate: {isoYear: {gte: 0}}}) { id } }",
        "{ bookings(filters: {startDate: {year: {exact: 10000}}}) { id } }",
        "{ bookings(filters: {endDate: {year: {lt: 0}}}) { id } }",
        "{ bookings(filters: {startDate: {isoYear: {lte: 123456}}}) { id } }",
    ],
)
def test_an_impossible_year_is_an_invalid_value(staff_gql, document):
    answer = staff_gql(document)

    assert answer.status_code == 200
    (error,) = answer.errors
    assert error["extensions"]["code"] == "invalid_value", error
    assert "between 1 and 9999" in error["message"]


def test_a_possible_year_still_filters(staff_gql, make_apartment, day):
    from bookings import services

    flat = make_apartment()
    services.create_booking(accommodation_id=flat.pk, start_date=day(3), end_date=day(4), guest_name="Ana")

    found = staff_gql(f"{{ bookings(filters: {{startDate: {{year: {{exact: {day(3).year}}}}}}}) {{ id }} }}").data
    missed = staff_gql(f"{{ bookings(filters: {{startDate: {{year: {{gt: {day(3).year}}}}}}}) {{ id }} }}").data
    assert len(found["bookings"]) == 1 and missed["bookings"] == []


@pytest.mark.parametrize(
    "document",
    [
        "{ hotels(filters: {createdAt: {year: {lt: 0}}}) { id } }",  # no such filter field
        "{ accommodations { nope } }",
    ],
)
def test_a_document_that_does_not_fit_the_schema_is_coded_invalid_query(gql, document):
    answer = gql(document)

    assert answer.errors and all(error["extensions"]["code"] == "invalid_query" for error in answer.errors)


@pytest.mark.parametrize(
    "document",
    ["{ accommodations { ", "query {", "{ accommodations(filters: {name: }) { id } }", "}{", '{ a(b: "\\x") }'],
    ids=["unclosed", "empty-selection", "missing-value", "stray-brace", "bad-escape"],
)
def test_a_syntax_error_is_coded_invalid_query(client, document):
    """Strawberry's parser cache raises a syntax error through the operation instead of returning
    it: the code must still be on it, over HTTP as the client sees it."""
    response = client.post("/graphql/", {"query": document}, content_type="application/json")

    errors = response.json()["errors"]
    assert response.status_code == 200 and len(errors) == 1
    assert errors[0]["message"].startswith("Syntax Error") and errors[0]["extensions"] == {"code": "invalid_query"}


def test_a_staff_only_field_refused_to_a_guest_is_coded_permission_denied(gql):
    answer = gql("{ bookings { id } }")

    (error,) = answer.errors
    assert error["extensions"]["code"] == "permission_denied" and "staff" in error["message"]
