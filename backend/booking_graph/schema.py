"""The root schema: each app's Query and Mutation merged into one."""
from __future__ import annotations

import strawberry
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from booking_graph import auth_schema
from booking_graph.security import security_extensions
from bookings import mutations as booking_mutations
from bookings import queries as booking_queries
from catalog import mutations as catalog_mutations
from catalog import queries as catalog_queries
from catalog.types import ApartmentType, HotelType

Query = merge_types("Query", (catalog_queries.Query, booking_queries.Query, auth_schema.Query))
Mutation = merge_types("Mutation", (catalog_mutations.Mutation, booking_mutations.Mutation, auth_schema.Mutation))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Concrete types reachable only through the Accommodation interface.
    types=[HotelType, ApartmentType],
    extensions=[DjangoOptimizerExtension, *security_extensions()],
)
