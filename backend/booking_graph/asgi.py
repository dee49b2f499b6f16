"""ASGI entry point: HTTP goes to Django (unchanged: CSRF, upload limits, views);
WebSocket /graphql/ carries GraphQL subscriptions (graphql-transport-ws)."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
# A web server: its database statements get DB_STATEMENT_TIMEOUT_MS (settings.py). Taken out of the
# environment again once the settings are read, so processes started from this one are not marked.
_marked_web = "BOOKING_GRAPH_WEB_PROCESS" not in os.environ
os.environ.setdefault("BOOKING_GRAPH_WEB_PROCESS", "1")

from django.core.asgi import get_asgi_application  # noqa: E402

django_http = get_asgi_application()  # sets Django up before the imports below touch models
if _marked_web:
    os.environ.pop("BOOKING_GRAPH_WEB_PROCESS", None)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from booking_graph.asgi_limits import MultipartSizeLimit  # noqa: E402
from booking_graph.schema import schema  # noqa: E402
from booking_graph.graphql.websocket import SubscriptionConsumer  # noqa: E402

application = ProtocolTypeRouter({
    "http": MultipartSizeLimit(django_http),
    # A page on another site cannot ride on a staff member's session cookie: the Origin must
    # be one of our hosts or a trusted frontend (Cross-Site WebSocket Hijacking).
    "websocket": OriginValidator(
        AuthMiddlewareStack(URLRouter([path("graphql/", SubscriptionConsumer.as_asgi(schema=schema))])),
        [*settings.ALLOWED_HOSTS, *settings.WEBSOCKET_ALLOWED_ORIGINS],
    ),
})

# Last: everything the process holds from here on lives as long as it does.
from booking_graph.process import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
