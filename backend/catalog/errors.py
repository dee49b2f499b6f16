"""Error codes the catalog raises (its domain errors carry these as ``code``)."""
from __future__ import annotations

import enum


class CatalogErrorCode(enum.StrEnum):
    HAS_BOOKINGS = "has_bookings"  # an accommodation with bookings cannot be deleted
    RATE_PLAN_CODE_TAKEN = "rate_plan_code_taken"  # the code is already used by another plan of the place
    INVALID_PARENT_PLAN = "invalid_parent_plan"  # a parent of another place, a derived parent, or the plan itself
    DERIVED_PLAN_PRICE = "derived_plan_price"  # a derived plan's prices follow its parent: set them there
    DEFAULT_PLAN_REQUIRED = "default_plan_required"  # the default plan cannot be deactivated or derived
    PLAN_HAS_DERIVED = "plan_has_derived"  # a plan others derive from cannot itself become derived
    INVALID_CANCELLATION_POLICY = "invalid_cancellation_policy"
    INVALID_WEEKDAY = "invalid_weekday"  # weekdays are ISO numbers 1 (Monday) to 7 (Sunday)
    INVALID_STAY_RULE = "invalid_stay_rule"  # min/max stay out of range, or min above max
    RATE_RANGE_TOO_LONG = "rate_range_too_long"  # setRates or a calendar over more days than allowed
    INVALID_RATE_RANGE = "invalid_rate_range"  # end not after start
    NOTHING_TO_SET = "nothing_to_set"  # setRates with no value to write
    INVALID_TIME_ZONE = "invalid_time_zone"  # not an IANA time zone name
