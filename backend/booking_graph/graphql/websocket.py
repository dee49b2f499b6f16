"""GraphQL over WebSocket (graphql-transport-ws): the consumer behind `Subscription`.

Authentication is the Django session (Channels' AuthMiddlewareStack reads the cookie);
the origin is checked before the handshake (asgi.py). Only staff may open a connection:
anyone else is closed with 4403 at `connection_init`, and each staff-only field checks
again, so the rule holds for every transport.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from strawberry.channels import GraphQLWSConsumer
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

logger = logging.getLogger(__name__)


@dataclass
class SubscriptionContext:
    """Attribute access like the HTTP view's context (`info.context.request`), dict access like Strawberry's."""

    request: GraphQLWSConsumer
    ws: GraphQLWSConsumer

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


class SubscriptionConsumer(GraphQLWSConsumer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(**kwargs)

    async def get_context(self, request: GraphQLWSConsumer, response: GraphQLWSConsumer) -> SubscriptionContext:
        return SubscriptionContext(request=request, ws=request)

    async def on_ws_connect(self, context: SubscriptionContext):
        user = self.scope.get("user")  # loaded by AuthMiddlewareStack before the consumer runs
        if not (user is not None and user.is_authenticated and user.is_staff):
            logger.info("graphql.ws_refused", extra={"user_id": getattr(user, "pk", None)})
            raise ConnectionRejectionError({"reason": "Staff login required."})
        return await super().on_ws_connect(context)
