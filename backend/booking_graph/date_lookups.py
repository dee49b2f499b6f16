"""Year lookups (`year`, `isoYear` with exact/gt/gte/lt/lte) that refuse a year no date can have.

The generated GraphQL filters expose date parts on every date column; Django turns a year
comparison into a date range (1 January of that year), and a year outside 1..9999 raised
ValueError deep in the ORM: an internal error for what is a client's bad value. These lookups
answer invalid_value instead, before any SQL is built.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models.functions import ExtractIsoYear, ExtractYear
from django.db.models.lookups import YearExact, YearGt, YearGte, YearLt, YearLte

INVALID_VALUE = "invalid_value"


class YearInRange:
    def year_lookup_bounds(self, connection, year):
        if not isinstance(year, int) or not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            raise ValidationError(
                f"A year must be between {datetime.MINYEAR} and {datetime.MAXYEAR}; {year!r} was given.",
                code=INVALID_VALUE,
            )
        return super().year_lookup_bounds(connection, year)


class CheckedYearExact(YearInRange, YearExact):
    pass


class CheckedYearGt(YearInRange, YearGt):
    pass


class CheckedYearGte(YearInRange, YearGte):
    pass


class CheckedYearLt(YearInRange, YearLt):
    pass


class CheckedYearLte(YearInRange, YearLte):
    pass


def install() -> None:
    """Called once from booking_graph.apps: replaces Django's year lookups (same names)."""
    for transform in (ExtractYear, ExtractIsoYear):
        for lookup in (CheckedYearExact, CheckedYearGt, CheckedYearGte, CheckedYearLt, CheckedYearLte):
            transform.register_lookup(lookup)
