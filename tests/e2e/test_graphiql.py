"""GraphiQL works offline: assets come from our static files, the example document runs."""
from __future__ import annotations

import re
import tempfile
import time

import pytest
from chromium import Browser, chromium_binary
from django.test import Client
from graphql import parse, validate

from booking_graph.graphiql import example_document
from booking_graph.schema import schema


@pytest.mark.django_db
def test_graphiql_page_loads_only_local_assets():
    client = Client()
    page = client.get("/graphql/", headers={"Accept": "text/html"})

    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/graphiql/") for url in assets), assets
    assert "unpkg.com" not in html and "jsdelivr" not in html
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert int(response.get("Content-Length", 1)) > 0 or b"".join(response.streaming_content)
    assert "csrftoken" in page.cookies  # the page's fetcher sends it back as X-CSRFToken


@pytest.mark.django_db
def test_example_document_is_valid_against_the_schema():
    assert validate(schema._schema, parse(example_document())) == []


@pytest.mark.django_db
def test_every_example_operation_runs_on_demo_data(settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True  # as under `make run`: the demo login exists
    call_command("seed_demo", verbosity=0)
    client = Client()
    document = example_document()
    answers: dict[str, list[dict]] = {}
    for operation in ("Catalog", "SearchStays", "Availability", "Book", "Book", "Login", "StaffBookings"):
        response = client.post(
            "/graphql/",
            {"query": document, "operationName": operation},
            content_type="application/json",
            headers={"X-CSRFToken": client.cookies["csrftoken"].value} if "csrftoken" in client.cookies else {},
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, (operation, body)
        assert "OperationInfo" not in str(body), (operation, body)
        answers.setdefault(operation, []).append(body["data"])
    assert answers["SearchStays"][0]["searchStays"], "the example search finds offers on the demo data"
    # Book ran twice with one idempotency key: one booking, the same answer.
    first, retry = answers["Book"]
    assert first == retry and first["createBooking"]["guests"] == 2


def run_until_result(browser: Browser, expected: str, attempts: int = 20) -> str:
    """Press Run until the result pane shows `expected` (the editor applies edits after a short debounce)."""
    read_result = (
        "(() => { const r = document.querySelector('.result-window'); return r ? r.innerText : ''; })()"
    )
    for _ in range(attempts):
        browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
        time.sleep(1)
        result = browser.evaluate(read_result)
        if expected in result:
            return result
    raise AssertionError(f"GraphiQL never showed {expected!r}; result pane: {browser.evaluate(read_result)!r}")


@pytest.mark.browser
@pytest.mark.skipif(chromium_binary() is None, reason="Debian's chromium is not installed (scripts/install_chromium.sh)")
@pytest.mark.django_db(transaction=True)
def test_graphiql_renders_and_runs_a_query_in_headless_chromium(live_server, make_hotel):
    make_hotel(name="Hotel Chromium Check", location="Lisbon")
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.call("Page.navigate", url=f"{live_server.url}/graphql/")
        browser.wait_for("document.querySelector('.graphiql-execute-button') !== null")
        browser.wait_for("document.querySelector('.graphiql-query-editor .CodeMirror') !== null")
        # Replace the example document with one query and run it like a user would.
        browser.evaluate(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
            ".setValue('{ hotels { name location } }')"
        )
        result = run_until_result(browser, "Hotel Chromium Check")
        browser.screenshot(tempfile.gettempdir() + "/graphiql-check.png")
    finally:
        browser.close()

    assert '"location": "Lisbon"' in result
