"""What the catalog announces so that apps built on it can hold their rules about it."""
from __future__ import annotations

from django.dispatch import Signal

# Sent with hotel= and rooms= under the hotel's row lock, before a lower or higher room count
# is saved. A receiver refuses the change by raising ValidationError (bookings: rooms >= booked).
hotel_rooms_changing = Signal()
