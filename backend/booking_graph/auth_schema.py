"""Session login for staff: login, logout, me."""
from __future__ import annotations

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model
from strawberry.types import Info


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
    login: UserType = strawberry_django.auth.login(
        description="Start a session (sets the sessionid and csrftoken cookies)."
    )
    logout: bool = strawberry_django.auth.logout(description="End the session; true if one was open.")
