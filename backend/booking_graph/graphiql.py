"""The example document GraphiQL opens with: every query works on the demo data."""
from __future__ import annotations

import datetime
import uuid

from bookings.selectors import next_available_date, today
from catalog.models import Accommodation, RatePlan

NIGHTS = 3


def example_document() -> str:
    """Built against the current data: the first accommodation and a stay it can still take,
    so the example mutation succeeds on the first click."""
    place = Accommodation.objects.select_subclasses().order_by("id").first()
    start = today() + datetime.timedelta(days=14)
    if place is not None:
        start = next_available_date(accommodation=place, date=start, nights=NIGHTS)
    end = start + datetime.timedelta(days=NIGHTS)
    place_id = place.pk if place is not None else 1
    plan = RatePlan.objects.filter(accommodation_id=place_id, is_default=True).first()
    plan_id = plan.pk if plan is not None else 1
    first_day = today()
    three_months = first_day + datetime.timedelta(days=90)
    # New on every page load: pressing Run twice shows the retry answer (the same booking).
    retry_key = f"graphiql-{uuid.uuid4()}"
    return f'''# Welcome to Booking Graph. Press the ▶ button (or Ctrl-Enter) and pick an operation.
# Staff-only fields need a session: run `Login` first (demo / demo-staff-2026 when DEBUG is on).

query Catalog {{
  accommodations(pagination: {{ limit: 10 }}) {{
    __typename
    id
    name
    location
    price
    ... on Hotel {{ rooms stars }}
    ... on Apartment {{ bedrooms maxGuests }}
    nextAvailableDate(date: "{start}")
  }}
}}

# Stay search: one offer per place and rate plan that would accept these nights and guests,
# with each night's price and the cancellation terms (cheapest first).
query SearchStays {{
  searchStays(checkIn: "{start}", checkOut: "{end}", guests: 2, location: "lisbon", pagination: {{ limit: 5 }}) {{
    nights totalPrice freeUnits freeCancellationUntil cancellationFee
    nightlyPrices {{ date price }}
    ratePlan {{ id code name cancellationPolicy {{ refundable freeCancellationDays feePercent }} }}
    accommodation {{ __typename id name location ... on Hotel {{ maxGuestsPerRoom }} ... on Apartment {{ maxGuests }} }}
  }}
}}

# A date picker's calendar: free units, each night's price and the arrival rules.
query Availability {{
  nextAvailableDate(id: "{place_id}", date: "{start}", nights: 2)
  availability(id: "{place_id}", start: "{start}", end: "{end}") {{
    date available freeUnits price minStay closedToArrival closedToDeparture stopSell
  }}
}}

query RatePlans {{
  accommodation(id: "{place_id}") {{
    name
    ratePlans {{
      id code name parent {{ code }} adjustmentPercent
      cancellationPolicy {{ refundable freeCancellationDays feePercent }}
      calendar(start: "{start}", end: "{end}") {{ date price minStay maxStay closedToArrival closedToDeparture stopSell }}
    }}
  }}
}}

# Run it twice: the idempotency key makes the retry return the same booking.
mutation Book {{
  createBooking(data: {{
    accommodation: "{place_id}", startDate: "{start}", endDate: "{end}", guestName: "Ada Lovelace", guests: 2,
    idempotencyKey: "{retry_key}"
  }}) {{
    __typename
    ... on Booking {{ id startDate endDate nights guests totalPrice status accommodation {{ name }} }}
    ... on OperationInfo {{ messages {{ kind field message code }} }}
  }}
}}

mutation Login {{
  login(username: "demo", password: "demo-staff-2026") {{ username isStaff }}
}}

# Staff: Fridays and Saturdays at 210.00 for the next three months on the first place's default plan.
mutation WeekendPrice {{
  setRates(ratePlan: "{plan_id}", start: "{first_day}", end: "{three_months}", weekdays: [5, 6], price: "210.00") {{
    __typename
    ... on RateCalendar {{ ratePlan {{ code }} days {{ date price minStay stopSell }} }}
    ... on OperationInfo {{ messages {{ field message code }} }}
  }}
}}

query StaffBookings {{
  bookings(pagination: {{ limit: 5 }}) {{
    id guestName startDate endDate guests totalPrice status
    ratePlan {{ code }} nightlyPrices {{ date price }} freeCancellationUntil cancellationFee
    accommodation {{ name }}
    voiceNotes {{ status transcript audioUrl }}
  }}
}}
'''
