"""Every write to bookings goes through here: GraphQL mutations and the admin alike.

Writers to one accommodation are serialised by a row lock on it, so the
capacity check and the insert happen as one step. For apartments PostgreSQL's
exclusion constraint holds the same rule even for writes that skip this module.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction

from booking_graph.domain import CommonErrorCode, field_error, get_or_not_found, refuse_null_characters, refuse_null_in
from catalog import selectors as catalog_selectors
from catalog.models import Accommodation, Hotel, RatePlan

from . import revisions, selectors
from .errors import BookingErrorCode
from .models import APARTMENT_OVERLAP_MESSAGE, Booking, BookingStatus

logger = logging.getLogger(__name__)

OVERLAP_CONSTRAINT = "booking_apartment_no_overlap"
IDEMPOTENCY_CONSTRAINT = "booking_idempotency_key_unique"


def validate_stay(*, start: datetime.date, end: datetime.date, end_field: str = "end_date") -> None:
    """The stay's shape. Whether it starts in the past depends on the property's today
    (refuse_past_start, once the accommodation is known)."""
    if end <= start:
        raise field_error(
            end_field, "The check-out day must be after the check-in day (at least one night).",
            BookingErrorCode.INVALID_DATE_RANGE,
        )
    max_nights = settings.BOOKING_MAX_NIGHTS
    if (end - start).days > max_nights:
        raise field_error(end_field, f"A stay can last at most {max_nights} nights.", BookingErrorCode.STAY_TOO_LONG)


def refuse_past_start(accommodation: Accommodation, start: datetime.date, *, at: datetime.datetime) -> None:
    if start < accommodation.local_today(at):
        raise field_error(
            "start_date", f"The check-in day cannot be in the past ({accommodation.time_zone}).", BookingErrorCode.DATE_IN_PAST
        )


def validate_guests(guests: int) -> None:
    if guests < 1:
        raise field_error("guests", "A stay is for at least one guest.", BookingErrorCode.INVALID_GUESTS)


def _ensure_guests_fit(accommodation: Accommodation, guests: int) -> None:
    validate_guests(guests)
    limit = selectors.max_guests_of(accommodation)
    if guests > limit:
        per = " per room (one room per booking)" if accommodation.is_hotel else ""
        raise field_error(
            "guests", f"{accommodation.name} takes at most {limit} guests{per}; {guests} asked.", BookingErrorCode.TOO_MANY_GUESTS
        )


def validate_nights(*, nights: int) -> None:
    if not 1 <= nights <= settings.BOOKING_MAX_NIGHTS:
        raise field_error(
            "nights", f"nights must be between 1 and {settings.BOOKING_MAX_NIGHTS}.", BookingErrorCode.INVALID_NIGHTS
        )


def validate_window(*, start: datetime.date, end: datetime.date) -> None:
    if end <= start:
        raise field_error("end", "end must be after start.", BookingErrorCode.INVALID_DATE_RANGE)
    if (end - start).days > settings.AVAILABILITY_MAX_DAYS:
        raise field_error(
            "end", f"At most {settings.AVAILABILITY_MAX_DAYS} days per request.", BookingErrorCode.RANGE_TOO_LONG
        )


def rate_plan_for(*, accommodation: Accommodation, rate_plan_id: object | None, field: str = "rate_plan") -> RatePlan:
    """The plan a stay is judged under: the named one of this accommodation, else its default."""
    plan = catalog_selectors.find_rate_plan(accommodation_id=accommodation.pk, rate_plan_id=rate_plan_id)
    if plan is None:
        raise field_error(
            field, f"{accommodation.name} has no rate plan with id {rate_plan_id!r}.", BookingErrorCode.RATE_PLAN_NOT_FOUND
        )
    return plan


def _sellable_plan(*, accommodation: Accommodation, rate_plan_id: object | None) -> RatePlan:
    plan = rate_plan_for(accommodation=accommodation, rate_plan_id=rate_plan_id)
    if not plan.active:
        raise field_error("rate_plan", f"The rate plan {plan.name!r} is not on sale.", BookingErrorCode.RATE_PLAN_NOT_AVAILABLE)
    return plan


def next_available_date(
    *, accommodation: Accommodation, date: datetime.date, nights: int = 1, rate_plan_id: object | None = None
) -> datetime.date:
    """The limits on what a client may ask, then the read."""
    validate_nights(nights=nights)
    plan = None if rate_plan_id is None else _sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    return selectors.next_available_date(accommodation=accommodation, date=date, nights=nights, rate_plan=plan)


def availability(
    *, accommodation: Accommodation, start: datetime.date, end: datetime.date, rate_plan_id: object | None = None,
    include_inactive: bool = False,
) -> list[selectors.AvailabilityDay]:
    """Under a named plan: one on sale, or any plan of the place with `include_inactive` (staff)."""
    validate_window(start=start, end=end)
    if rate_plan_id is None:
        plan = None
    elif include_inactive:
        plan = rate_plan_for(accommodation=accommodation, rate_plan_id=rate_plan_id)
    else:
        plan = _sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    return selectors.availability(accommodation=accommodation, start=start, end=end, rate_plan=plan)


def next_available_dates(
    *, accommodations: Sequence[Accommodation], date: datetime.date, nights: int = 1
) -> dict[int, datetime.date]:
    """next_available_date for a list of places (default plans), by id, in a constant number of statements."""
    validate_nights(nights=nights)
    return selectors.next_available_dates(accommodations=accommodations, date=date, nights=nights)


def availabilities(
    *, accommodations: Sequence[Accommodation], start: datetime.date, end: datetime.date
) -> dict[int, list[selectors.AvailabilityDay]]:
    """availability for a list of places (default plans), by id, in one statement."""
    validate_window(start=start, end=end)
    return selectors.availabilities(accommodations=accommodations, start=start, end=end)


def search_stays(
    *,
    check_in: datetime.date,
    check_out: datetime.date,
    guests: int = 1,
    location: str | None = None,
    kind: str | None = None,
    max_nightly_price: Decimal | None = None,
    offset: int = 0,
    limit: int,
) -> list[selectors.StayOffer]:
    """The places where create_booking(check_in, check_out, guests) would succeed now, priced.
    Bad arguments are errors; a check-in in the past is bookable nowhere, so it finds nothing."""
    # A past check-in is not an error here: it finds nothing (below), as create_booking would refuse it.
    validate_stay(start=check_in, end=check_out, end_field="check_out")
    validate_guests(guests)
    if max_nightly_price is not None and not max_nightly_price.is_finite():
        raise field_error("max_nightly_price", "maxNightlyPrice must be a finite number.", CommonErrorCode.INVALID)
    refuse_null_in(field="location", value=location)
    if check_in < selectors.earliest_local_today():  # the past everywhere (per place, the SQL decides)
        return []
    return selectors.search_stays(
        check_in=check_in, check_out=check_out, guests=guests, location=location, kind=kind,
        max_nightly_price=max_nightly_price, offset=offset, limit=limit,
    )


def ensure_rooms_cover_bookings(*, hotel: Hotel, rooms: int) -> None:
    """A hotel cannot have fewer rooms than confirmed bookings on any upcoming night.
    Runs under the hotel's row lock (catalog's update_hotel sends `hotel_rooms_changing`)."""
    peak = selectors.peak_future_occupancy(accommodation_id=hotel.pk)
    if rooms < peak:
        raise field_error(
            "rooms",
            f"{hotel.name} already has {peak} confirmed bookings on one upcoming night; rooms cannot go below that.",
            BookingErrorCode.ROOMS_BELOW_BOOKINGS,
        )


def booking_is_exclusive(accommodation: Accommodation) -> bool:
    """An apartment is let as a whole: its bookings exclude each other (the database's exclusion constraint)."""
    return accommodation.is_apartment


def _clean_guest_name(guest_name: str) -> str:
    name = guest_name.strip()
    if not name:
        raise field_error("guest_name", "The guest name cannot be empty.", CommonErrorCode.BLANK)
    if len(name) > Booking._meta.get_field("guest_name").max_length:
        raise field_error("guest_name", "The guest name is too long (200 characters at most).", CommonErrorCode.MAX_LENGTH)
    return name


def _lock_accommodation(accommodation_id: object) -> Accommodation:
    """Row lock that serialises booking writers per accommodation (held until commit).

    The concrete Hotel/Apartment is read by a second statement *after* the lock is
    granted: a single locking query would return the child row (rooms) as of before
    the wait, and a concurrent `update_hotel` could have lowered it meanwhile."""
    locked = get_or_not_found(Accommodation.objects.select_for_update(), accommodation_id, field="accommodation")
    return Accommodation.objects.get_subclass(pk=locked.pk)


def _refuse_unbookable(accommodation: Accommodation, quote: selectors.StayQuote, *, start: datetime.date, end: datetime.date) -> None:
    """Name the first rule a stay breaks: the plan's rules (fixed by the property) before capacity."""
    nights = (end - start).days
    if quote.closed_to_arrival:
        raise field_error("start_date", f"{accommodation.name} takes no arrivals on {start}.", BookingErrorCode.CLOSED_TO_ARRIVAL)
    if nights < quote.min_stay:
        raise field_error(
            "end_date", f"Stays arriving on {start} last at least {quote.min_stay} nights; {nights} asked.",
            BookingErrorCode.MIN_STAY_NOT_MET,
        )
    if quote.max_stay is not None and nights > quote.max_stay:
        raise field_error(
            "end_date", f"Stays arriving on {start} last at most {quote.max_stay} nights; {nights} asked.",
            BookingErrorCode.MAX_STAY_EXCEEDED,
        )
    if quote.closed_to_departure:
        raise field_error("end_date", f"{accommodation.name} takes no departures on {end}.", BookingErrorCode.CLOSED_TO_DEPARTURE)
    if quote.stop_sell:
        raise field_error(
            "start_date", f"{accommodation.name} is not sold for some of the nights from {start} to {end}.", BookingErrorCode.STOP_SELL
        )
    if quote.free_units <= 0:
        if accommodation.is_apartment:
            raise field_error(
                "start_date",
                f"{accommodation.name} is already booked for some of the nights from {start} to {end}.",
                BookingErrorCode.BOOKING_OVERLAP,
            )
        raise field_error(
            "start_date",
            f"{accommodation.name} has no room left for some of the nights from {start} to {end}.",
            BookingErrorCode.NO_ROOMS_AVAILABLE,
        )


def _quote_bookable(
    accommodation: Accommodation, plan: RatePlan, *, start: datetime.date, end: datetime.date,
    exclude_booking_id: int | None = None,
) -> selectors.StayQuote:
    """The stay's verdict and price under the plan, refused with the rule it breaks."""
    quote = selectors.quote_stay(rate_plan=plan, start=start, end=end, exclude_booking_id=exclude_booking_id)
    _refuse_unbookable(accommodation, quote, start=start, end=end)
    return quote


def _apply_snapshot(booking: Booking, plan: RatePlan, quote: selectors.StayQuote, accommodation: Accommodation) -> None:
    """What the guest agrees to, kept on the booking: later rate and policy changes never touch it."""
    terms = selectors.cancellation_terms(rate_plan=plan, accommodation=accommodation, check_in=booking.start_date)
    booking.rate_plan = plan
    booking.nightly_prices = [{"date": night.date.isoformat(), "price": str(night.price)} for night in quote.nightly_prices]
    booking.total_price = quote.total_price
    booking.refundable = terms.refundable
    booking.free_cancellation_until = terms.free_until
    booking.cancellation_fee_percent = terms.fee_percent


def check_bookable(
    *,
    accommodation_id: object,
    start_date: datetime.date,
    end_date: datetime.date,
    guests: int = 1,
    booking: Booking | None = None,
    rate_plan_id: object | None = None,
) -> None:
    """The create/update checks without writing (the admin form shows them as field errors)."""
    keeps_start = booking is not None and booking.start_date == start_date
    validate_stay(start=start_date, end=end_date)
    accommodation = get_or_not_found(
        Accommodation.objects.select_subclasses(), accommodation_id, field="accommodation"
    )
    if not keeps_start:
        refuse_past_start(accommodation, start_date, at=selectors.now())
    _ensure_guests_fit(accommodation, guests)
    plan = booking.rate_plan if booking is not None and rate_plan_id is None else _sellable_plan(
        accommodation=accommodation, rate_plan_id=rate_plan_id
    )
    _quote_bookable(
        accommodation, plan, start=start_date, end=end_date, exclude_booking_id=booking.pk if booking else None
    )


def _save(booking: Booking) -> None:
    """Insert/update, translating the apartment exclusion constraint into the friendly error."""
    refuse_null_characters(booking)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc):
            raise field_error("start_date", APARTMENT_OVERLAP_MESSAGE, BookingErrorCode.BOOKING_OVERLAP) from exc
        raise


def _clean_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip():
        raise field_error("idempotency_key", "The idempotency key cannot be blank.", CommonErrorCode.BLANK)
    refuse_null_in(field="idempotency_key", value=key)
    limit = Booking._meta.get_field("idempotency_key").max_length
    if len(key) > limit:
        raise field_error(
            "idempotency_key", f"The idempotency key is too long ({limit} characters at most).", CommonErrorCode.MAX_LENGTH
        )
    return key


def _request_fingerprint(**fields: object) -> str:
    """A digest of what was asked, so a replay can tell "the same request" from "another one"."""
    canonical = json.dumps({name: str(value) for name, value in sorted(fields.items())}, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> Booking | None:
    """The booking an earlier request with this key made, if any (the same fields are required)."""
    earlier = Booking.objects.filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint != fingerprint:
        raise field_error(
            "idempotency_key",
            "This idempotency key was already used for a booking with other details; use a new key.",
            BookingErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    logger.info("booking.replayed", extra={"booking_id": earlier.pk, "accommodation_id": earlier.accommodation_id})
    earlier.replayed = True  # not a new booking: callers that count bookings made skip it
    return earlier


class PriceChanged(ValidationError):
    """The total the client expected is not the price now: the refusal carries the current quote,
    so a checkout page can show it and ask again (Expedia Rapid's price check)."""

    def __init__(self, *, expected: Decimal, total: Decimal, nightly_prices: list[selectors.NightPrice]) -> None:
        super().__init__({
            "expected_total_price": ValidationError(
                f"The price changed: the stay now costs {total} (expected {expected}).", code=BookingErrorCode.PRICE_CHANGED
            )
        })
        self.expected, self.total, self.nightly_prices = expected, total, nightly_prices


def _check_expected_price(expected: Decimal | None, *, total: Decimal, nightly_prices: list[selectors.NightPrice]) -> None:
    if expected is None:
        return
    if not expected.is_finite():
        raise field_error("expected_total_price", "expectedTotalPrice must be a finite number.", CommonErrorCode.INVALID)
    if expected != total:
        raise PriceChanged(expected=expected, total=total, nightly_prices=nightly_prices)


_email_validator = EmailValidator()


def _clean_email(email: str | None, *, required: bool = False) -> str:
    email = (email or "").strip()
    if not email:
        if required:
            raise field_error(
                "guest_email", "A hold needs the guest's e-mail: confirming it asks for it.", BookingErrorCode.EMAIL_REQUIRED
            )
        return ""
    refuse_null_in(field="guest_email", value=email)
    if len(email) > Booking._meta.get_field("guest_email").max_length:
        raise field_error("guest_email", "The e-mail address is too long.", CommonErrorCode.MAX_LENGTH)
    try:
        _email_validator(email)
    except ValidationError:
        raise field_error("guest_email", "Enter a valid e-mail address.", CommonErrorCode.INVALID) from None
    return email


def _expire(booking: Booking, *, at: datetime.datetime) -> None:
    before = revisions.snapshot(booking)
    booking.status = BookingStatus.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
    revisions.record(booking, actor=revisions.SYSTEM, action=revisions.Action.EXPIRED, before=before, at=at)
    logger.info("booking.hold_expired", extra={"booking_id": booking.pk, "reference": booking.masked_reference})


def expire_lapsed_holds(*, accommodation_id: int, at: datetime.datetime) -> int:
    """Mark this place's holds past their expiry EXPIRED. Runs under the accommodation's lock before
    anything is written there, so a new booking never meets a lapsed hold in the exclusion constraint."""
    lapsed = list(
        Booking.objects.select_for_update().filter(
            accommodation_id=accommodation_id, status=BookingStatus.HELD, expires_at__lte=at
        )
    )
    for booking in lapsed:
        _expire(booking, at=at)
    return len(lapsed)


def expire_holds(*, limit: int = 500) -> int:
    """The periodic sweep's part: holds past their expiry become EXPIRED (capacity never waited for
    this: lapsed holds block nobody). Rows another transaction holds are left for the next run."""
    at = selectors.now()
    expired = 0
    with transaction.atomic():
        for booking in Booking.objects.select_for_update(skip_locked=True).filter(
            status=BookingStatus.HELD, expires_at__lte=at
        )[:limit]:
            _expire(booking, at=at)
            expired += 1
    return expired


@transaction.atomic
def create_booking(
    *,
    accommodation_id: object,
    start_date: datetime.date,
    end_date: datetime.date,
    guest_name: str,
    guests: int = 1,
    idempotency_key: str | None = None,
    rate_plan_id: object | None = None,
    guest_email: str | None = None,
    hold: bool = False,
    expected_total_price: Decimal | None = None,
    actor: str = revisions.SYSTEM,
) -> Booking:
    """Book a stay, or hold it (HELD until BOOKING_HOLD_MINUTES from now, taking capacity like a
    confirmed booking) for confirm_booking. With an idempotency key, repeating the same request
    returns the first booking (even one made in parallel); the key with other fields is refused.
    With expected_total_price, a different current quote is refused (PriceChanged)."""
    key = _clean_idempotency_key(idempotency_key)
    fingerprint = ""
    if key is not None:
        fingerprint = _request_fingerprint(
            accommodation=accommodation_id, start_date=start_date, end_date=end_date,
            guest_name=guest_name.strip(), guests=guests,
            # Only when given: keys made before these fields existed keep their fingerprint.
            **({"rate_plan": rate_plan_id} if rate_plan_id is not None else {}),
            **({"guest_email": (guest_email or "").strip()} if guest_email else {}),
            **({"hold": True} if hold else {}),
        )
        # Before the rules: a retry after midnight must still get its booking, not date_in_past.
        if (earlier := _replay(key, fingerprint)) is not None:
            return earlier
    guest_name = _clean_guest_name(guest_name)
    guest_email = _clean_email(guest_email, required=hold)
    validate_stay(start=start_date, end=end_date)
    validate_guests(guests)
    at = selectors.now()
    accommodation = _lock_accommodation(accommodation_id)
    # A twin request for the same place held the lock before us and may have committed the key.
    if key is not None and (earlier := _replay(key, fingerprint)) is not None:
        return earlier
    refuse_past_start(accommodation, start_date, at=at)
    _ensure_guests_fit(accommodation, guests)
    plan = _sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    expire_lapsed_holds(accommodation_id=accommodation.pk, at=at)
    quote = _quote_bookable(accommodation, plan, start=start_date, end=end_date)
    _check_expected_price(expected_total_price, total=quote.total_price, nightly_prices=quote.nightly_prices)
    booking = Booking(
        accommodation=accommodation,
        start_date=start_date,
        end_date=end_date,
        guest_name=guest_name,
        guest_email=guest_email,
        guests=guests,
        exclusive=booking_is_exclusive(accommodation),
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
    )
    if hold:
        booking.status = BookingStatus.HELD
        booking.expires_at = at + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    else:
        booking.confirmed_at = at
    _apply_snapshot(booking, plan, quote, accommodation)
    try:
        _save(booking)
    except IntegrityError as exc:
        # The unique key, not the lookup, is the guarantee: a twin for another place got it first.
        if key is None or IDEMPOTENCY_CONSTRAINT not in str(exc):
            raise
        earlier = _replay(key, fingerprint)
        if earlier is None:  # pragma: no cover - the violation means a committed row holds the key
            raise
        return earlier
    revisions.record(booking, actor=actor, action=revisions.Action.HELD if hold else revisions.Action.CREATED, before={}, at=at)
    logger.info(
        "booking.held" if hold else "booking.created",
        extra={
            "booking_id": booking.pk,
            "reference": booking.masked_reference,
            "accommodation_id": accommodation.pk,
            "start": start_date,
            "end": end_date,
            "guests": guests,
            "total_price": str(booking.total_price),
            "rate_plan_id": plan.pk,
            "idempotent": key is not None,
            "actor": actor,
        },
    )
    return booking


def _get_booking_for_update(booking_id: object) -> tuple[Booking, Accommodation]:
    """The booking, locked, and its concrete Hotel/Apartment (read under the lock)."""
    booking = get_or_not_found(Booking.objects.all(), booking_id)
    # Same lock order as create: the accommodation first, then the booking row.
    accommodation = _lock_accommodation(booking.accommodation_id)
    return get_or_not_found(Booking.objects.select_for_update(), booking.pk), accommodation


GUEST_NOT_FOUND_MESSAGE = "No booking matches this reference and e-mail."


def _guest_booking_id(reference: str, email: str) -> int:
    """The booking a reference and e-mail name together; a wrong reference and a wrong e-mail give
    the same error (code, field, message) after the same work."""
    booking = selectors.guest_booking(reference=reference, email=email)
    if booking is None:
        raise field_error("reference", GUEST_NOT_FOUND_MESSAGE, CommonErrorCode.NOT_FOUND)
    return booking.pk


def _lapse_if_due(booking: Booking, *, at: datetime.datetime) -> bool:
    """A hold past its expiry is marked EXPIRED now (committed even though the caller then refuses)."""
    if not booking.hold_lapsed(at):
        return False
    _expire(booking, at=at)
    return True


def _refuse_expired_hold() -> ValidationError:
    return ValidationError("The hold expired before it was confirmed; book again.", code=BookingErrorCode.HOLD_EXPIRED)


def confirm_booking(
    *, reference: str, email: str, expected_total_price: Decimal | None = None, actor: str = revisions.GUEST
) -> Booking:
    """Turn a live hold into a confirmed booking at the held price. A lapsed hold becomes EXPIRED
    and is refused (hold_expired); confirming a confirmed booking again answers it unchanged."""
    booking_id = _guest_booking_id(reference, email)
    at = selectors.now()
    with transaction.atomic():
        booking, _ = _get_booking_for_update(booking_id)
        lapsed = _lapse_if_due(booking, at=at)
        if not lapsed:
            return _confirm_held(booking, expected_total_price=expected_total_price, actor=actor, at=at)
    raise _refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _confirm_held(booking: Booking, *, expected_total_price: Decimal | None, actor: str, at: datetime.datetime) -> Booking:
    if booking.is_confirmed:
        return booking  # a retried confirmation
    if booking.status == BookingStatus.EXPIRED:
        raise _refuse_expired_hold()
    if not booking.is_held:
        raise ValidationError("Only a held booking can be confirmed.", code=BookingErrorCode.NOT_CHANGEABLE)
    _check_expected_price(expected_total_price, total=booking.total_price, nightly_prices=agreed_nights(booking))
    before = revisions.snapshot(booking)
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = at
    booking.expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "expires_at", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.CONFIRMED, before=before, at=at)
    logger.info("booking.confirmed", extra={"booking_id": booking.pk, "reference": booking.masked_reference, "actor": actor})
    return booking


def agreed_nights(booking: Booking) -> list[selectors.NightPrice]:
    return [
        selectors.NightPrice(datetime.date.fromisoformat(night["date"]), Decimal(night["price"]))
        for night in booking.nightly_prices
    ]


class BookingChange(NamedTuple):
    booking: Booking
    previous_total_price: Decimal

    @property
    def difference(self) -> Decimal:
        return self.booking.total_price - self.previous_total_price


def _kept_night_prices(booking: Booking, quote: selectors.StayQuote) -> list[selectors.NightPrice]:
    """The new stay's nights: those the old stay had keep their agreed price (the guest already
    agreed to them); new nights take today's rate."""
    agreed = {night.date: night.price for night in agreed_nights(booking)}
    return [selectors.NightPrice(night.date, agreed.get(night.date, night.price)) for night in quote.nightly_prices]


def change_booking(
    *,
    booking_id: object | None = None,
    reference: str | None = None,
    email: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    guests: int | None = None,
    rate_plan_id: object | None = None,
    expected_total_price: Decimal | None = None,
    actor: str = revisions.GUEST,
) -> BookingChange:
    """Move the dates, change the guests or the plan of a held or confirmed booking, re-quoted for
    the new stay under today's rules; atomic under the accommodation's lock, so the old nights stay
    taken until the new ones are. Pricing: nights kept from the old stay keep their agreed price
    unless the plan changes (then every night takes the new plan's current price); new nights take
    today's price. A change of guests only keeps the agreed price."""
    if booking_id is None:
        booking_id = _guest_booking_id(reference or "", email or "")
    at = selectors.now()
    with transaction.atomic():
        booking, accommodation = _get_booking_for_update(booking_id)
        if not _lapse_if_due(booking, at=at):
            return _change(
                booking, accommodation, at=at, start_date=start_date, end_date=end_date, guests=guests,
                rate_plan_id=rate_plan_id, expected_total_price=expected_total_price, actor=actor,
            )
    raise _refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _refuse_unchangeable(booking: Booking) -> None:
    """Only a held or confirmed booking changes (a lapsed hold was marked EXPIRED by the caller)."""
    if booking.status == BookingStatus.EXPIRED:
        raise _refuse_expired_hold()
    if booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise ValidationError("A cancelled booking cannot be changed.", code=BookingErrorCode.ALREADY_CANCELLED)


def _quote_new_stay(
    booking: Booking, accommodation: Accommodation, *, at: datetime.datetime, start: datetime.date,
    end: datetime.date, rate_plan_id: object | None,
) -> tuple[RatePlan, selectors.StayQuote]:
    """The moved (or re-planned) stay judged and priced under today's rules, its own nights excluded;
    the booking's plan unless another one is named."""
    validate_stay(start=start, end=end)
    if start != booking.start_date:  # a stay already under way keeps its past check-in day
        refuse_past_start(accommodation, start, at=at)
    plan = booking.rate_plan if rate_plan_id is None else _sellable_plan(accommodation=accommodation, rate_plan_id=rate_plan_id)
    expire_lapsed_holds(accommodation_id=accommodation.pk, at=at)
    return plan, _quote_bookable(accommodation, plan, start=start, end=end, exclude_booking_id=booking.pk)


def _change(
    booking: Booking,
    accommodation: Accommodation,
    *,
    at: datetime.datetime,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    guests: int | None,
    rate_plan_id: object | None,
    expected_total_price: Decimal | None,
    actor: str,
) -> BookingChange:
    _refuse_unchangeable(booking)
    before = revisions.snapshot(booking)
    previous_total = booking.total_price
    new_start, new_end = start_date or booking.start_date, end_date or booking.end_date
    moved = (new_start, new_end) != (booking.start_date, booking.end_date)
    replanned = rate_plan_id is not None and str(rate_plan_id) != str(booking.rate_plan_id)
    if guests is not None:
        _ensure_guests_fit(accommodation, guests)
        booking.guests = guests
    if moved or replanned:
        plan, quote = _quote_new_stay(
            booking, accommodation, at=at, start=new_start, end=new_end, rate_plan_id=rate_plan_id if replanned else None
        )
        nights = quote.nightly_prices if replanned else _kept_night_prices(booking, quote)
        total = sum((night.price for night in nights), Decimal("0.00"))
        _check_expected_price(expected_total_price, total=total, nightly_prices=nights)
        booking.start_date, booking.end_date = new_start, new_end
        _apply_snapshot(booking, plan, dataclasses.replace(quote, nightly_prices=nights), accommodation)
    else:
        _check_expected_price(expected_total_price, total=booking.total_price, nightly_prices=agreed_nights(booking))
    _save(booking)
    revisions.record(booking, actor=actor, action=revisions.Action.CHANGED, before=before, at=at)
    logger.info(
        "booking.changed",
        extra={"booking_id": booking.pk, "reference": booking.masked_reference, "start": new_start, "end": new_end,
               "guests": booking.guests, "total_price": str(booking.total_price), "actor": actor},
    )
    return BookingChange(booking, previous_total)


def update_booking(
    *,
    booking_id: object,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    guest_name: str | None = None,
    guests: int | None = None,
    rate_plan_id: object | None = None,
    actor: str = revisions.SYSTEM,
) -> Booking:
    """Staff's edit of a held or confirmed booking. Moving its dates or changing its plan re-quotes
    the whole stay under today's rates, rules and the plan's current terms; a change of name or
    guests keeps what was agreed."""
    at = selectors.now()
    with transaction.atomic():
        booking, accommodation = _get_booking_for_update(booking_id)
        if not _lapse_if_due(booking, at=at):
            return _update(
                booking, accommodation, at=at, start_date=start_date, end_date=end_date, guest_name=guest_name,
                guests=guests, rate_plan_id=rate_plan_id, actor=actor,
            )
    raise _refuse_expired_hold()  # after the commit: the EXPIRED mark stays


def _update(
    booking: Booking,
    accommodation: Accommodation,
    *,
    at: datetime.datetime,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    guest_name: str | None,
    guests: int | None,
    rate_plan_id: object | None,
    actor: str,
) -> Booking:
    _refuse_unchangeable(booking)
    before = revisions.snapshot(booking)
    if guest_name is not None:
        booking.guest_name = _clean_guest_name(guest_name)
    new_start = start_date or booking.start_date
    new_end = end_date or booking.end_date
    moved = (new_start, new_end) != (booking.start_date, booking.end_date)
    if guests is not None:
        _ensure_guests_fit(accommodation, guests)
        booking.guests = guests
    replanned = rate_plan_id is not None and str(rate_plan_id) != str(booking.rate_plan_id)
    if moved or replanned:
        plan, quote = _quote_new_stay(
            booking, accommodation, at=at, start=new_start, end=new_end, rate_plan_id=rate_plan_id if replanned else None
        )
        booking.start_date, booking.end_date = new_start, new_end
        _apply_snapshot(booking, plan, quote, accommodation)
    _save(booking)
    revisions.record(booking, actor=actor, action=revisions.Action.CHANGED, before=before, at=at)
    logger.info(
        "booking.updated",
        extra={
            "booking_id": booking.pk,
            "start": new_start,
            "end": new_end,
            "guests": booking.guests,
            "total_price": str(booking.total_price),
            "actor": actor,
        },
    )
    return booking


def _cancel(booking: Booking, *, actor: str, at: datetime.datetime) -> Booking:
    """Cancel under the booking's own terms; a hold was never paid for and costs nothing."""
    if booking.status == BookingStatus.EXPIRED:
        raise _refuse_expired_hold()
    if booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
        raise ValidationError("This booking is already cancelled.", code=BookingErrorCode.ALREADY_CANCELLED)
    before = revisions.snapshot(booking)
    fee = Decimal("0.00") if booking.is_held else selectors.cancellation_fee_at(
        total=booking.total_price, terms=booking_terms(booking), moment=at
    )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = at
    booking.cancellation_fee = fee
    booking.expires_at = None
    booking.save(update_fields=["status", "cancelled_at", "cancellation_fee", "expires_at", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.CANCELLED, before=before, at=at)
    logger.info(
        "booking.cancelled",
        extra={"booking_id": booking.pk, "accommodation_id": booking.accommodation_id, "fee": str(fee), "actor": actor,
               "reference": booking.masked_reference},
    )
    return booking


def cancel_booking(*, booking_id: object, actor: str = revisions.SYSTEM) -> Booking:
    at = selectors.now()
    with transaction.atomic():
        booking, _ = _get_booking_for_update(booking_id)
        if not _lapse_if_due(booking, at=at):
            return _cancel(booking, actor=actor, at=at)
    raise _refuse_expired_hold()


def cancel_guest_booking(*, reference: str, email: str, actor: str = revisions.GUEST) -> Booking:
    """The guest cancels their own booking under its terms (the answer carries the fee)."""
    return cancel_booking(booking_id=_guest_booking_id(reference, email), actor=actor)


def booking_terms(booking: Booking) -> selectors.CancellationTerms:
    """The cancellation terms kept on the booking when it was made (or re-quoted)."""
    return selectors.CancellationTerms(booking.refundable, booking.free_cancellation_until, booking.cancellation_fee_percent)


@transaction.atomic
def record_voice_note_added(*, booking_id: int, voice_note_id: int, actor: str) -> None:
    """A note attached to the booking is part of its history (voice calls this on upload)."""
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    revisions.record(
        booking, actor=actor, action=revisions.Action.VOICE_NOTE_ADDED, before=revisions.snapshot(booking),
        extra={"voice_note": [None, voice_note_id]},
    )


# What an erased booking shows instead of the guest's name (the row keeps blocking its nights).
ERASED_GUEST_NAME = "[erased]"


@transaction.atomic
def anonymise_guest(*, booking_id: object, actor: str = revisions.SYSTEM) -> Booking:
    """The booking half of an erasure (voice.erasure deletes the notes): the guest's name and e-mail
    go (revisions never held them); idempotent."""
    booking = get_or_not_found(Booking.objects.select_for_update(), booking_id)
    if booking.guest_name == ERASED_GUEST_NAME and not booking.guest_email:
        return booking
    before = revisions.snapshot(booking)
    booking.guest_name = ERASED_GUEST_NAME
    booking.guest_email = ""
    booking.save(update_fields=["guest_name", "guest_email", "updated_at"])
    revisions.record(booking, actor=actor, action=revisions.Action.GUEST_DATA_ERASED, before=before)
    return booking
