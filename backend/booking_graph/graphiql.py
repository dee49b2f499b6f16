"""The example document GraphiQL opens with: every query works on the demo data."""
from __future__ import annotations

import datetime
import uuid

from bookings.selectors import next_available_date, today
from catalog.models import Accommodation

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

# Stay search: what is free for these nights and guests, and what it costs (cheapest first).
query SearchStays {{
  searchStays(checkIn: "{start}", checkOut: "{end}", guests: 2, location: "lisbon", pagination: {{ limit: 5 }}) {{
    nights nightlyPrice totalPrice freeUnits
    accommodation {{ __typename id name location ... on Hotel {{ maxGuestsPerRoom }} ... on Apartment {{ maxGuests }} }}
  }}
}}

query Availability {{
  nextAvailableDate(id: "{place_id}", date: "{start}", nights: 2)
  availability(id: "{place_id}", start: "{start}", end: "{end}") {{ date available freeUnits }}
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

query StaffBookings {{
  bookings(pagination: {{ limit: 5 }}) {{
    id guestName startDate endDate guests totalPrice status
    accommodation {{ name }}
    voiceNotes {{ status transcript audioUrl }}
  }}
}}
'''
