"""Session login for staff: login, logout, me."""
from __future__ import annotations

import strawberry
import strawberry_django
from django.contrib import auth
from django.contrib.auth import get_user_model
from graphql import GraphQLError
from strawberry.types import Info

from booking_graph.graphql.errors import RequestErrorCode
from booking_graph.graphql.ratelimits import RateLimit, by_address, by_argument
from booking_graph.graphql.security import CsrfRequired


@strawberry_django.type(get_user_model(), name="User")
class UserType:
    id: strawberry.ID
    username: str
    email: str
    first_name: str
    last_name: str
    is_staff: bool


@strawberry.type
class Query:
    @strawberry_django.field(description="The signed-in user, or null for anonymous requests.")
    def me(self, info: Info) -> UserType | None:
        user = info.context.request.user
        return user if user.is_authenticated else None


@strawberry.type
class Mutation:
    @strawberry_django.mutation(
        handle_django_errors=False,
        extensions=[
            CsrfRequired(),
            RateLimit("login_address", key=by_address),
            RateLimit("login_username", key=by_argument("username")),
        ],
        description="Start a session (sets the sessionid and csrftoken cookies). Needs the CSRF token "
        "(X-CSRFToken header, from the csrftoken cookie any /graphql/ response sets).",
    )
    def login(self, info: Info, username: str, password: str) -> UserType:
        request = info.context.request
        user = auth.authenticate(request, username=username, password=password)
        if user is None:
            raise GraphQLError("Incorrect username or password.", extensions={"code": RequestErrorCode.INVALID_CREDENTIALS})
        auth.login(request, user)  # also rotates the CSRF token
        return user

    logout: bool = strawberry_django.auth.logout(description="End the session; true if one was open.")
