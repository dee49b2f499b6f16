"""What one request may cost and what a broken request gets: limits, malformed bodies, methods, introspection."""
from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from graphql import Source, TokenKind, build_client_schema, get_introspection_query
from graphql.language import Lexer

from catalog.models import Accommodation

pytestmark = pytest.mark.django_db


def nested_query(depth: int) -> str:
    """A query whose leaf sits `depth` levels below its top-level field (which is at depth 0)."""
    path = ["accommodations"] + ["bookings" if level % 2 else "accommodation" for level in range(1, depth)]
    selection = "id"
    for field in reversed(path):
        selection = f"{field} {{ {selection} }}"
    return f"{{ {selection} }}"


def aliased_query(count: int) -> str:
    return "{ " + " ".join(f"a{n}: me {{ id }}" for n in range(count)) + " }"


def query_of_tokens(count: int) -> str:
    """A valid query of exactly `count` lexical tokens, padded with the values of one list argument
    (not with repeated fields, which graphql-core's overlap check caps by itself)."""
    frame = '{ accommodations(filters: {name: {inList: [%s]}}) { id } }'
    padding = count - token_count(frame % "")
    return frame % " ".join(['"x"'] * padding)


def token_count(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def raw_client() -> Client:
    """Hands back 500 responses instead of re-raising the server's exception, so they can be asserted on."""
    return Client(raise_request_exception=False)


def error_messages(response) -> str:
    return " ".join(error["message"] for error in response.errors)


class TestDepthLimit:
    def test_the_builder_makes_the_depth_it_says(self):
        assert nested_query(3) == "{ accommodations { bookings { accommodation { id } } } }"

    def test_a_query_at_the_limit_runs(self, staff_gql, make_hotel):
        make_hotel()

        response = staff_gql(nested_query(settings.GRAPHQL_MAX_DEPTH))

        assert response.data["accommodations"] == [{"bookings": []}]

    def test_one_level_deeper_is_refused(self, gql):
        response = gql(nested_query(settings.GRAPHQL_MAX_DEPTH + 1))

        assert response.status_code in (200, 400)
        assert response.body.get("data") is None
        assert "depth" in error_messages(response)

    def test_a_very_deep_query_is_refused_without_a_server_error(self, gql):
        response = gql(nested_query(200))

        assert response.status_code in (200, 400)
        assert response.errors

    def test_fragments_do_not_hide_depth(self, gql):
        half = settings.GRAPHQL_MAX_DEPTH // 2 + 1
        inner = "id"
        for level in range(half):
            inner = f"{'bookings' if level % 2 else 'accommodation'} {{ {inner} }}"
        query = f"""
          fragment Deep on Booking {{ accommodation {{ {inner} }} }}
          {{ accommodations {{ bookings {{ ...Deep accommodation {{ bookings {{ ...Deep }} }} }} }} }}"""

        response = gql(query)

        assert response.body.get("data") is None
        assert "depth" in error_messages(response)


class TestAliasLimit:
    def test_the_maximum_number_of_aliases_runs(self, gql):
        response = gql(aliased_query(settings.GRAPHQL_MAX_ALIASES))

        assert len(response.data) == settings.GRAPHQL_MAX_ALIASES

    def test_one_more_alias_is_refused(self, gql):
        response = gql(aliased_query(settings.GRAPHQL_MAX_ALIASES + 1))

        assert response.status_code in (200, 400)
        assert response.body.get("data") is None
        assert "alias" in error_messages(response).lower()

    def test_aliased_mutations_are_refused_before_anything_runs(self, staff_gql):
        mutations = " ".join(
            f'h{n}: createHotel(data: {{name: "H{n}", location: "L", price: "1", rooms: 1}}) {{ __typename }}'
            for n in range(settings.GRAPHQL_MAX_ALIASES + 1)
        )

        response = staff_gql(f"mutation {{ {mutations} }}")

        assert response.errors
        assert not Accommodation.objects.exists()

    def test_password_guessing_through_aliases_is_bounded(self, gql, staff_user):
        guesses = " ".join(
            f'g{n}: login(username: "staff", password: "guess-{n}") {{ id }}'
            for n in range(settings.GRAPHQL_MAX_ALIASES + 1)
        )

        response = gql(f"mutation {{ {guesses} }}")

        assert response.body.get("data") is None
        assert "alias" in error_messages(response).lower()


class TestTokenLimit:
    def test_the_builder_makes_the_tokens_it_says(self):
        assert token_count(query_of_tokens(100)) == 100

    def test_a_document_at_the_limit_runs(self, gql, make_hotel):
        make_hotel(name="x")

        response = gql(query_of_tokens(settings.GRAPHQL_MAX_TOKENS))

        assert len(response.data["accommodations"]) == 1

    def test_a_document_over_the_limit_is_refused(self, gql):
        response = gql(query_of_tokens(settings.GRAPHQL_MAX_TOKENS + 1))

        assert response.status_code in (200, 400)
        assert response.body.get("data") is None
        assert "tokens" in error_messages(response)

    def test_a_huge_document_is_refused_without_a_server_error(self, gql):
        response = gql(query_of_tokens(100_000))

        assert response.status_code in (200, 400)
        assert response.errors


MALFORMED_JSON_BODIES = [
    pytest.param(b"{not json", id="not-json"),
    pytest.param(b'{"query": "{ me { id } }"', id="truncated"),
    pytest.param(b"", id="empty"),
    pytest.param(b"\xff\xfe\x00", id="not-utf8"),
    pytest.param(b'"{ me { id } }"', id="json-string"),
    pytest.param(b"42", id="json-number"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b"true", id="json-boolean"),
    pytest.param(b"[]", id="json-array"),
    pytest.param(b"{}", id="no-query"),
    pytest.param(b'{"query": 5}', id="query-not-a-string"),
    pytest.param(b'{"query": "{ me { id } }", "variables": "x"}', id="variables-not-an-object"),
    pytest.param(b'{"query": "{ me { id } }", "variables": [1]}', id="variables-a-list"),
    pytest.param(b'{"query": "{ me { id } }", "extensions": 1}', id="extensions-not-an-object"),
    pytest.param(b'{"query": "{ me { id } }", "operationName": "Nope"}', id="unknown-operation"),
]


class TestMalformedRequests:
    @pytest.mark.parametrize("body", MALFORMED_JSON_BODIES)
    def test_json_bodies_get_400_not_500(self, db, body):
        response = raw_client().post("/graphql/", body, content_type="application/json")

        assert response.status_code != 500
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/graphql", "application/x-www-form-urlencoded", "application/xml"]
    )
    def test_unsupported_content_types_get_400(self, db, content_type):
        response = raw_client().post("/graphql/", b'{"query": "{ me { id } }"}', content_type=content_type)

        assert response.status_code == 400

    @pytest.mark.parametrize(
        ("operations", "files_map"),
        [
            pytest.param("{bad", "{}", id="operations-not-json"),
            pytest.param('"x"', "{}", id="operations-a-string"),
            pytest.param("5", "{}", id="operations-a-number"),
            pytest.param('{"query": "{ me { id } }"}', "{bad", id="map-not-json"),
            pytest.param('{"query": "{ me { id } }"}', "[]", id="map-a-list"),
            pytest.param('{"query": "{ me { id } }", "variables": {"f": null}}', '{"0": [5]}',
                         id="map-path-not-a-string"),
            pytest.param('{"query": "{ me { id } }", "variables": {"f": null}}', '{"0": ["variables.f"]}',
                         id="map-names-a-missing-file"),
        ],
    )
    def test_malformed_multipart_gets_400_not_500(self, db, operations, files_map):
        response = raw_client().post("/graphql/", {"operations": operations, "map": files_map})

        assert response.status_code != 500
        assert response.status_code == 400

    def test_a_syntax_error_is_a_graphql_error(self, gql):
        response = gql("{ accommodations { id ")

        assert response.status_code in (200, 400)
        assert "Syntax Error" in error_messages(response)

    def test_an_unknown_field_is_a_graphql_error(self, gql):
        response = gql("{ accommodations { password } }")

        assert response.status_code in (200, 400)
        assert response.errors

    def test_subscriptions_are_not_served(self, gql):
        response = gql("subscription { me { id } }")

        assert response.status_code in (200, 400)
        assert response.errors


class TestMethods:
    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "TRACE"])
    def test_other_methods_are_not_allowed(self, db, method):
        response = raw_client().generic(method, "/graphql/", b'{"query": "{ me { id } }"}', "application/json")

        assert response.status_code == 405

    def test_a_query_by_get_works(self, db):
        response = raw_client().get("/graphql/", {"query": "{ me { id } }"})

        assert response.status_code == 200
        assert response.json() == {"data": {"me": None}}

    def test_a_mutation_by_get_is_refused_even_for_staff(self, staff_user):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(staff_user)
        mutation = 'mutation { createHotel(data: {name: "GET", location: "L", price: "1", rooms: 1}) { __typename } }'

        response = client.get("/graphql/", {"query": mutation})

        assert response.status_code in (400, 405)
        assert not Accommodation.objects.exists()

    def test_logout_by_get_is_refused(self, staff_user):
        client = Client(raise_request_exception=False)
        client.force_login(staff_user)

        response = client.get("/graphql/", {"query": "mutation { logout }"})

        assert response.status_code in (400, 405)
        still_in = client.get("/graphql/", {"query": "{ me { username } }"})
        assert still_in.json() == {"data": {"me": {"username": "staff"}}}


class TestIntrospection:
    QUERY = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    def test_anonymous_full_introspection_works(self, gql):
        response = gql(self.QUERY)

        schema = build_client_schema(response.data)
        accommodation = schema.get_type("Accommodation")
        assert {t.name for t in schema.get_possible_types(accommodation)} == {"Hotel", "Apartment"}
        assert {"accommodations", "accommodation", "hotel", "apartment", "me"} <= set(schema.query_type.fields)
        assert {"createHotel", "deleteApartment", "login", "logout"} <= set(schema.mutation_type.fields)

    def test_introspection_without_a_csrf_token_for_codegen(self, db):
        response = Client(enforce_csrf_checks=True).post(
            "/graphql/", json.dumps({"query": self.QUERY}), content_type="application/json"
        )

        assert response.status_code == 200
        assert response.json()["data"]["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}

    def test_typename_and_type_queries(self, gql):
        data = gql('{ __typename __type(name: "Hotel") { kind interfaces { name } } }').data

        assert data == {"__typename": "Query", "__type": {"kind": "OBJECT", "interfaces": [{"name": "Accommodation"}]}}


class TestCors:
    def test_a_configured_origin_may_send_credentials(self, db):
        origin = settings.CORS_ALLOWED_ORIGINS[0]

        response = Client().options(
            "/graphql/",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-csrftoken",
            },
        )

        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == origin
        assert response["Access-Control-Allow-Credentials"] == "true"
        assert "x-csrftoken" in response["Access-Control-Allow-Headers"]

    def test_an_unknown_origin_gets_no_cors_headers(self, db):
        response = Client().options(
            "/graphql/", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )

        assert "Access-Control-Allow-Origin" not in response
