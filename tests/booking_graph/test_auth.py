"""Session login through GraphQL, `me`, logout, the CSRF rule, and the redirects around /graphql/."""
from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from graphql_client import GraphQLClient

pytestmark = pytest.mark.django_db

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) { id username isStaff } }"""
ME = "{ me { id username isStaff } }"
LOGOUT = "mutation { logout }"


def fresh_client() -> GraphQLClient:
    """A browser that has loaded /graphql/ once: it holds the csrftoken cookie login needs."""
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.fetch_csrf_cookie()
    return client


def post_json(client: Client, body: dict, **headers):
    return client.post("/graphql/", json.dumps(body), content_type="application/json", headers=headers)


class TestLogin:
    def test_right_password_starts_a_session(self, staff_user):
        client = fresh_client()

        user = client(LOGIN, {"u": "staff", "p": "staff-pass-123"}).data["login"]

        assert user == {"id": str(staff_user.pk), "username": "staff", "isStaff": True}
        assert client.client.cookies.get(settings.SESSION_COOKIE_NAME).value
        assert client.client.cookies.get(settings.CSRF_COOKIE_NAME).value

    def test_me_after_login(self, staff_user):
        client = fresh_client()
        client(LOGIN, {"u": "staff", "p": "staff-pass-123"}).data

        assert client(ME).data["me"] == {"id": str(staff_user.pk), "username": "staff", "isStaff": True}

    def test_a_non_staff_user_can_log_in_too(self, plain_user):
        client = fresh_client()

        assert client(LOGIN, {"u": "guest", "p": "guest-pass-123"}).data["login"]["isStaff"] is False
        assert client(ME).data["me"]["username"] == "guest"

    @pytest.mark.parametrize(
        ("username", "password"),
        [("staff", "wrong-password"), ("staff", ""), ("nobody", "staff-pass-123"), ("STAFF", "staff-pass-123")],
        ids=["wrong-password", "empty-password", "unknown-user", "username-case"],
    )
    def test_wrong_credentials_are_refused_without_a_session(self, staff_user, username, password):
        client = fresh_client()

        response = client(LOGIN, {"u": username, "p": password})

        assert response.status_code == 200
        assert response.errors
        assert response.errors[0]["extensions"]["code"] == "invalid_credentials"
        assert response.body["data"] is None
        assert settings.SESSION_COOKIE_NAME not in client.client.cookies
        assert client(ME).data["me"] is None

    def test_wrong_password_message_does_not_say_which_part_was_wrong(self, staff_user):
        unknown_user = fresh_client()(LOGIN, {"u": "nobody", "p": "x"}).errors[0]["message"]
        wrong_password = fresh_client()(LOGIN, {"u": "staff", "p": "x"}).errors[0]["message"]

        assert unknown_user == wrong_password

    def test_an_inactive_user_cannot_log_in(self, staff_user):
        staff_user.is_active = False
        staff_user.save()

        response = fresh_client()(LOGIN, {"u": "staff", "p": "staff-pass-123"})

        assert response.errors and response.errors[0]["extensions"]["code"] == "invalid_credentials"

    def test_missing_password_argument_is_a_graphql_error(self, staff_user):
        response = fresh_client()('mutation { login(username: "staff") { id } }')

        assert response.status_code in (200, 400)
        assert response.errors


class TestMe:
    def test_anonymous_is_null(self, gql):
        assert gql(ME).data == {"me": None}

    def test_logged_in_user(self, user_gql, plain_user):
        assert user_gql(ME).data["me"] == {"id": str(plain_user.pk), "username": "guest", "isStaff": False}

    def test_staff_user(self, staff_gql, staff_user):
        assert staff_gql(ME).data["me"] == {"id": str(staff_user.pk), "username": "staff", "isStaff": True}

    def test_me_does_not_expose_the_password_hash(self, gql):
        response = gql("{ me { password } }")

        assert response.errors
        assert response.status_code != 500


class TestLogout:
    def test_logout_ends_the_session(self, staff_gql):
        assert staff_gql(LOGOUT).data == {"logout": True}

        assert staff_gql(ME).data == {"me": None}
        assert staff_gql(LOGOUT).data == {"logout": False}

    def test_logout_without_a_session_answers_false(self, gql):
        assert gql(LOGOUT).data == {"logout": False}

    def test_login_logout_login_again(self, staff_user):
        client = fresh_client()
        client(LOGIN, {"u": "staff", "p": "staff-pass-123"}).data
        client(LOGOUT).data

        assert client(ME).data["me"] is None
        assert client(LOGIN, {"u": "staff", "p": "staff-pass-123"}).data["login"]["username"] == "staff"
        assert client(ME).data["me"]["username"] == "staff"


class TestCsrfRule:
    """A request riding on a session cookie must carry the CSRF token; anonymous ones need none."""

    def test_anonymous_post_without_token_works(self, db):
        client = Client(enforce_csrf_checks=True)

        response = post_json(client, {"query": "{ me { id } }"})

        assert response.status_code == 200
        assert response.json() == {"data": {"me": None}}

    def test_login_without_a_token_is_refused(self, staff_user):
        """Login CSRF: a forged login would sign the victim into the attacker's account."""
        client = Client(enforce_csrf_checks=True)

        response = post_json(
            client, {"query": LOGIN, "variables": {"u": "staff", "p": "staff-pass-123"}}
        )

        assert response.status_code == 403
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["extensions"]["code"] == "csrf_failed"
        assert "sessionid" not in client.cookies
        # The refusal itself hands out the cookie, so a real client can retry with the token.
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        retried = post_json(client, {"query": LOGIN, "variables": {"u": "staff", "p": "staff-pass-123"}},
                            **{"X-CSRFToken": token})
        assert retried.json()["data"]["login"]["username"] == "staff"

    def test_login_with_a_token_not_matching_the_cookie_is_refused(self, staff_user):
        client = Client(enforce_csrf_checks=True)
        client.get("/graphql/", headers={"Accept": "text/html"})

        response = post_json(client, {"query": LOGIN, "variables": {"u": "staff", "p": "staff-pass-123"}},
                             **{"X-CSRFToken": "y" * 32})

        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "csrf_failed"
        assert "sessionid" not in client.cookies

    def test_login_with_a_forged_origin_is_refused(self, staff_user):
        client = Client(enforce_csrf_checks=True)
        client.get("/graphql/", headers={"Accept": "text/html"})
        token = client.cookies[settings.CSRF_COOKIE_NAME].value

        response = post_json(client, {"query": LOGIN, "variables": {"u": "staff", "p": "staff-pass-123"}},
                             **{"X-CSRFToken": token, "Origin": "https://evil.example"})

        assert response.status_code == 403
        assert "sessionid" not in client.cookies

    def test_session_post_without_token_is_refused_with_json(self, staff_user, make_hotel):
        hotel = make_hotel()
        client = Client(enforce_csrf_checks=True)
        client.force_login(staff_user)

        response = post_json(client, {"query": f'mutation {{ updateHotel(data: {{id: "{hotel.pk}", name: "CSRF"}}) '
                                               "{ __typename } }"})

        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "csrf_failed"
        hotel.refresh_from_db()
        assert hotel.name == "Hotel Adlon"

    def test_session_post_with_a_wrong_token_is_refused(self, staff_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(staff_user)
        client.get("/graphql/", headers={"Accept": "text/html"})

        response = post_json(client, {"query": "{ me { id } }"}, **{"X-CSRFToken": "x" * 32})

        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "csrf_failed"

    def test_session_post_with_the_token_works(self, staff_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(staff_user)
        page = client.get("/graphql/", headers={"Accept": "text/html"})
        token = client.cookies[settings.CSRF_COOKIE_NAME].value

        response = post_json(client, {"query": "{ me { username } }"}, **{"X-CSRFToken": token})

        assert page.status_code == 200
        assert response.status_code == 200
        assert response.json() == {"data": {"me": {"username": "staff"}}}

    def test_the_token_from_login_works_for_the_next_request(self, staff_user):
        client = Client(enforce_csrf_checks=True)
        client.get("/graphql/", headers={"Accept": "text/html"})
        before = client.cookies[settings.CSRF_COOKIE_NAME].value
        post_json(client, {"query": LOGIN, "variables": {"u": "staff", "p": "staff-pass-123"}},
                  **{"X-CSRFToken": before})
        token = client.cookies[settings.CSRF_COOKIE_NAME].value

        without = post_json(client, {"query": "{ me { username } }"})
        with_token = post_json(client, {"query": "{ me { username } }"}, **{"X-CSRFToken": token})

        assert without.status_code == 403
        assert with_token.json() == {"data": {"me": {"username": "staff"}}}

    def test_the_graphql_page_sets_the_csrf_cookie(self, db):
        client = Client()

        client.get("/graphql/", headers={"Accept": "text/html"})

        assert client.cookies[settings.CSRF_COOKIE_NAME].value


class TestPages:
    def test_documentation_redirects_to_graphql(self, client):
        response = client.get("/documentation/")

        assert response.status_code in (301, 302)
        assert response["Location"] == "/graphql/"

    def test_root_redirects_to_graphql(self, client):
        response = client.get("/")

        assert response.status_code in (301, 302)
        assert response["Location"] == "/graphql/"

    def test_graphiql_renders_in_a_browser(self, client):
        response = client.get("/graphql/", headers={"Accept": "text/html"})

        assert response.status_code == 200
        assert b"graphiql" in response.content.lower()

    def test_admin_sends_anonymous_users_to_its_login_page(self, client):
        response = client.get("/admin/", follow=True)

        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith("/admin/login/")
        assert b'name="username"' in response.content and b'name="password"' in response.content

    def test_admin_login_page_renders(self, client):
        response = client.get("/admin/login/")

        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" in response.content

    def test_staff_can_open_the_admin(self, client, staff_user):
        staff_user.is_superuser = True
        staff_user.save()
        client.force_login(staff_user)

        response = client.get("/admin/")

        assert response.status_code == 200
        assert b"catalog" in response.content.lower()
