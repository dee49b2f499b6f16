"""Parsed and validated documents are cached, and every document still meets the depth, alias and
token limits: a new one is checked, a refused one stays refused, a changed limit is applied."""
from __future__ import annotations

import pytest
from django.conf import settings
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from test_graphql_security import aliased_query, error_messages, nested_query, query_of_tokens

pytestmark = pytest.mark.django_db


def cache_hits() -> tuple[int, int]:
    size = settings.GRAPHQL_DOCUMENT_CACHE_SIZE
    return _get_parse_cache(size).cache_info().hits, _get_validate_cache(size).cache_info().hits


def refused(response, word: str) -> bool:
    return response.body.get("data") is None and word in error_messages(response).lower()


def test_a_document_sent_again_is_neither_parsed_nor_validated_again(gql, make_hotel):
    make_hotel(name="Cached")
    document = "{ accommodations { id name } }  # test_a_document_sent_again"
    gql(document)
    parse_hits, validate_hits = cache_hits()

    second = gql(document)

    assert second.data["accommodations"][0]["name"] == "Cached"
    assert cache_hits() == (parse_hits + 1, validate_hits + 1)


def test_the_cache_is_bounded(gql):
    size = settings.GRAPHQL_DOCUMENT_CACHE_SIZE

    for n in range(size + 5):
        gql(f"{{ me {{ id }} }}  # bounded {n}")

    assert 0 < _get_parse_cache(size).cache_info().currsize <= size
    assert 0 < _get_validate_cache(size).cache_info().currsize <= size


@pytest.mark.parametrize(
    ("document", "word"),
    [
        pytest.param(lambda: nested_query(settings.GRAPHQL_MAX_DEPTH + 1), "depth", id="too-deep"),
        pytest.param(lambda: aliased_query(settings.GRAPHQL_MAX_ALIASES + 1), "alias", id="too-many-aliases"),
        pytest.param(lambda: query_of_tokens(settings.GRAPHQL_MAX_TOKENS + 1), "tokens", id="too-many-tokens"),
    ],
)
def test_a_refused_document_is_refused_every_time(gql, document, word):
    gql("{ me { id } }")  # the caches are warm with another document

    answers = [gql(document()) for _ in range(3)]

    assert all(refused(answer, word) for answer in answers), [answer.body for answer in answers]


def test_a_new_document_is_checked_even_when_a_similar_one_is_cached(gql):
    at_the_limit, over_the_limit = nested_query(settings.GRAPHQL_MAX_DEPTH), nested_query(settings.GRAPHQL_MAX_DEPTH + 1)
    assert not gql(at_the_limit).errors

    assert refused(gql(over_the_limit), "depth")


def test_a_lower_limit_applies_to_a_document_already_cached(gql, settings):
    document = nested_query(4)
    assert not gql(document).errors

    settings.GRAPHQL_MAX_DEPTH = 3

    assert refused(gql(document), "depth")


def test_a_lower_token_limit_applies_to_a_document_already_cached(gql, settings):
    document = query_of_tokens(50)
    assert not gql(document).errors

    settings.GRAPHQL_MAX_TOKENS = 49

    assert refused(gql(document), "tokens")
