"""Posts GraphQL to the real /graphql/ view through Django's test client."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from django.test import Client


@dataclass
class GraphQLResponse:
    status_code: int
    body: dict
    headers: dict = field(default_factory=dict)

    @property
    def data(self) -> dict:
        assert "errors" not in self.body, self.body.get("errors")
        return self.body["data"]

    @property
    def errors(self) -> list[dict]:
        return self.body.get("errors") or []


class GraphQLClient:
    """Posts to the real /graphql/ view through Django's test client (CSRF checks on)."""

    def __init__(self, client: Client, path: str = "/graphql/") -> None:
        self.client = client
        self.path = path

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> GraphQLResponse:
        record(query)
        headers = {}
        token = self.client.cookies.get("csrftoken")
        if token:
            headers["X-CSRFToken"] = token.value
        response = self.client.post(
            self.path,
            json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            headers=headers,
        )
        return GraphQLResponse(response.status_code, response.json(), dict(response.headers))

    def fetch_csrf_cookie(self) -> None:
        """What GraphiQL and the README's curl do before `login`: any /graphql/ answer sets the cookie."""
        self.client.get("/graphql/", headers={"Accept": "text/html"})

    def login(self, user) -> None:
        self.client.force_login(user)
        self.fetch_csrf_cookie()


def record(query: str) -> None:
    """GRAPHQL_CORPUS_RECORD=<file>: every document the suite sends is appended (one JSON string a
    line), for tests/booking_graph/equivalence_corpus.json (tests/booking_graph/test_equivalence.py replays it)."""
    target = os.environ.get("GRAPHQL_CORPUS_RECORD")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(query) + "\n")


def client_from(address: str, **extra) -> GraphQLClient:
    """A browser-like client at ``address`` (REMOTE_ADDR) with CSRF checks on and its cookie fetched."""
    client = GraphQLClient(Client(enforce_csrf_checks=True, REMOTE_ADDR=address, **extra))
    client.fetch_csrf_cookie()
    return client
