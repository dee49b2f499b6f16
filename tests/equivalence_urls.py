"""The project's URLs plus /graphql-stock/: the same view over the schema built with
GRAPHQL_FAST_PATHS=0 semantics, in the same process (tests/booking_graph/test_equivalence.py)."""
from django.test import override_settings
from django.urls import path

from booking_graph.schema import build_schema, schema
from booking_graph.urls import urlpatterns as project_urlpatterns
from booking_graph.views import BookingGraphView

# Built under the DEBUG the project's schema was built under: internal errors masked alike.
with override_settings(DEBUG=not schema.masks_errors):
    stock_schema = build_schema(fast_paths=False)

urlpatterns = [
    *project_urlpatterns,
    path("graphql-stock/", BookingGraphView.as_view(schema=stock_schema, multipart_uploads_enabled=True)),
]
