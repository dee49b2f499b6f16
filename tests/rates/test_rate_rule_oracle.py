"""The rule oracle (issue 17): on random small calendars and bookings, every path that says
"bookable" (create_booking / quote_stay, next_available_date, search_stays, availability)
agrees with a brute-force, day-by-day Python reference written from the issue's definition:

- effective values of a (plan, day): the plan's own row, else (derived plan) its parent's row,
  else the defaults (price = the accommodation's price, minStay 1, no maxStay, no flag);
- a derived plan's price = round(parent's effective price x (100 + adjustment) / 100, 2), half up;
- bookable: every night has a free unit and is not stop-sell; the arrival day is not closed to
  arrival and its minStay / maxStay admit the nights; the departure day is not closed to departure.

The reference knows nothing of the SQL: it walks the days. Each Hypothesis example builds its
world inside a savepoint and rolls it back, so examples never see each other's rows.
"""
from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings, strategies as st

from bookings import selectors, services
from bookings.models import Booking, BookingStatus
from catalog import services as catalog_services
from catalog.models import Apartment, Hotel, RateDay

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
RULE_DAYS = 22  # rate rows are drawn on days 0..21 from today
LOCATION = "Oracleville"
ORACLE_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def on(offset: int) -> datetime.date:
    return selectors.today() + datetime.timedelta(days=offset)


# --- The random world -------------------------------------------------------------------------

@dataclass(frozen=True)
class RowSpec:
    price: Decimal | None
    min_stay: int | None
    max_stay: int | None
    closed_to_arrival: bool | None
    closed_to_departure: bool | None
    stop_sell: bool | None


# Mostly "not set", sometimes an explicit False (which must win over a parent's True), sometimes True.
flags = st.sampled_from([None, None, None, False, True])
prices = st.integers(0, 40_000).map(lambda cents: (Decimal(cents) / 100).quantize(CENT))


@st.composite
def rows(draw, *, own_priced: bool) -> RowSpec:
    min_stay = draw(st.one_of(st.none(), st.integers(1, 5)))
    max_stay = draw(st.one_of(st.none(), st.none(), st.integers(1, 5)))
    if min_stay is not None and max_stay is not None and min_stay > max_stay:
        max_stay = min_stay  # the services refuse a row whose own minimum exceeds its own maximum
    return RowSpec(
        price=draw(st.one_of(st.none(), prices)) if own_priced else None,  # derived plans take no price
        min_stay=min_stay,
        max_stay=max_stay,
        closed_to_arrival=draw(flags),
        closed_to_departure=draw(flags),
        stop_sell=draw(flags),
    )


def calendars(*, own_priced: bool):
    # A derived plan often has no row of its own: it then follows its parent on every day.
    return st.dictionaries(
        st.integers(0, RULE_DAYS - 1), rows(own_priced=own_priced), min_size=1 if own_priced else 0, max_size=16
    )


@dataclass(frozen=True)
class PlaceSpec:
    kind: str  # "hotel" | "apartment"
    units: int
    max_guests: int
    price: Decimal
    default_rows: dict
    derived: tuple | None  # (adjustment, active, rows) or None


@st.composite
def places(draw, kind: str) -> PlaceSpec:
    derived = None
    if draw(st.booleans()):
        adjustment = Decimal(draw(st.integers(-9_999, 20_000))) / 100
        derived = (adjustment, draw(st.booleans() | st.just(True)), draw(calendars(own_priced=False)))
    return PlaceSpec(
        kind=kind,
        units=draw(st.integers(1, 3)) if kind == "hotel" else 1,
        max_guests=draw(st.integers(1, 3)),
        price=draw(prices),
        default_rows=draw(calendars(own_priced=True)),
        derived=derived,
    )


@st.composite
def worlds(draw) -> tuple[list[PlaceSpec], list[tuple]]:
    kinds = draw(st.sampled_from([["apartment"], ["hotel"], ["apartment", "hotel"]]))
    specs = [draw(places(kind)) for kind in kinds]
    bookings = draw(
        st.lists(
            st.tuples(st.integers(0, len(specs) - 1), st.integers(-3, RULE_DAYS - 1), st.integers(1, 5), st.booleans()),
            max_size=7,
        )
    )
    return specs, bookings


# --- The reference: plain Python, day by day -------------------------------------------------------

@dataclass(eq=False)
class RefPlan:
    pk: int
    place: RefPlace
    parent: RefPlan | None
    adjustment: Decimal | None
    active: bool
    rows: dict[datetime.date, RowSpec]


@dataclass(eq=False)
class RefPlace:
    pk: int
    kind: str
    units: int
    max_guests: int
    price: Decimal
    model: object = None
    plans: list[RefPlan] = field(default_factory=list)
    stays: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)  # confirmed only

    def booked_on(self, night: datetime.date) -> int:
        return sum(1 for start, end in self.stays if start <= night < end)

    def free_units(self, night: datetime.date) -> int:
        return self.units - self.booked_on(night)


@dataclass(frozen=True)
class RefDay:
    price: Decimal
    min_stay: int
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool
    stop_sell: bool


def effective(plan: RefPlan, date: datetime.date) -> RefDay:
    own = plan.rows.get(date)
    inherited = plan.parent.rows.get(date) if plan.parent is not None else None

    def value(name: str, default):
        for row in (own, inherited):
            if row is not None and getattr(row, name) is not None:
                return getattr(row, name)
        return default

    if plan.parent is None:
        price = own.price if own is not None and own.price is not None else plan.place.price
    else:
        parent_price = inherited.price if inherited is not None and inherited.price is not None else plan.place.price
        price = (parent_price * (100 + plan.adjustment) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return RefDay(
        price=price,
        min_stay=value("min_stay", 1),
        max_stay=value("max_stay", None),
        closed_to_arrival=value("closed_to_arrival", False),
        closed_to_departure=value("closed_to_departure", False),
        stop_sell=value("stop_sell", False),
    )


def nights_of(start: datetime.date, nights: int) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range(nights)]


def first_broken_rule(plan: RefPlan, start: datetime.date, nights: int) -> str | None:
    """None when the stay is bookable, else the code the services name (rules before capacity)."""
    arrival = effective(plan, start)
    end = start + datetime.timedelta(days=nights)
    if arrival.closed_to_arrival:
        return "closed_to_arrival"
    if nights < arrival.min_stay:
        return "min_stay_not_met"
    if arrival.max_stay is not None and nights > arrival.max_stay:
        return "max_stay_exceeded"
    if effective(plan, end).closed_to_departure:
        return "closed_to_departure"
    if any(effective(plan, night).stop_sell for night in nights_of(start, nights)):
        return "stop_sell"
    if any(plan.place.free_units(night) <= 0 for night in nights_of(start, nights)):
        return "booking_overlap" if plan.place.kind == "apartment" else "no_rooms_available"
    return None


def nightly_prices(plan: RefPlan, start: datetime.date, nights: int) -> list[tuple[datetime.date, Decimal]]:
    return [(night, effective(plan, night).price) for night in nights_of(start, nights)]


def reference_next_date(plan: RefPlan, date: datetime.date, nights: int) -> datetime.date:
    arrival = max(date, selectors.today())
    while first_broken_rule(plan, arrival, nights) is not None:
        arrival += datetime.timedelta(days=1)
        assert arrival < selectors.today() + datetime.timedelta(days=400), "the reference found no day"
    return arrival


# --- Building the world in the database --------------------------------------------------------------

@contextmanager
def rolled_back():
    """Whatever happens inside is undone (a savepoint in the test's transaction)."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def write_rows(plan_pk: int, rows_by_offset: dict[int, RowSpec]) -> dict[datetime.date, RowSpec]:
    by_date = {on(offset): row for offset, row in rows_by_offset.items()}
    RateDay.objects.bulk_create(
        [RateDay(rate_plan_id=plan_pk, date=date, **vars(row)) for date, row in by_date.items()]
    )
    return by_date


def build(world) -> list[RefPlace]:
    specs, bookings = world
    built = []
    for n, spec in enumerate(specs):
        if spec.kind == "hotel":
            model = Hotel.objects.create(
                name=f"Oracle hotel {n}", location=LOCATION, price=spec.price, rooms=spec.units,
                max_guests_per_room=spec.max_guests,
            )
        else:
            model = Apartment.objects.create(
                name=f"Oracle flat {n}", location=LOCATION, price=spec.price, bedrooms=1, max_guests=spec.max_guests
            )
        place = RefPlace(pk=model.pk, kind=spec.kind, units=spec.units, max_guests=spec.max_guests, price=spec.price, model=model)
        default = model.rate_plans.get(is_default=True)
        default_ref = RefPlan(default.pk, place, None, None, True, write_rows(default.pk, spec.default_rows))
        place.plans.append(default_ref)
        if spec.derived is not None:
            adjustment, active, derived_rows = spec.derived
            derived = catalog_services.create_rate_plan(
                accommodation_id=model.pk, code="DERIVED", name="Derived", parent_id=default.pk,
                adjustment_percent=adjustment, active=active,
            )
            place.plans.append(RefPlan(derived.pk, place, default_ref, adjustment, active, write_rows(derived.pk, derived_rows)))
        built.append(place)

    # Existing bookings: confirmed ones only where capacity allows (the invariant), cancelled ones anywhere.
    for index, start_offset, nights, cancelled in bookings:
        place = built[index]
        start, end = on(start_offset), on(start_offset + nights)
        fits = all(place.free_units(night) > 0 for night in nights_of(start, nights))
        if not cancelled and not fits:
            continue
        Booking.objects.create(
            accommodation_id=place.pk, start_date=start, end_date=end, guest_name="Earlier guest", total_price=0,
            exclusive=place.kind == "apartment", status=BookingStatus.CANCELLED if cancelled else BookingStatus.CONFIRMED,
        )
        if not cancelled:
            place.stays.append((start, end))
    return built


def all_plans(world: list[RefPlace]) -> list[RefPlan]:
    return [plan for place in world for plan in place.plans]


def refusal_code(exc: ValidationError) -> str:
    return next(iter(exc.error_dict.values()))[0].code


# --- The four paths against the reference ---------------------------------------------------------

@st.composite
def worlds_and_stays(draw):
    """A world, and stays that often arrive or leave on a day that carries a rule."""
    world = draw(worlds())
    rule_days = sorted({offset for spec in world[0] for offset in spec.default_rows if offset <= RULE_DAYS - 3})
    arrivals = st.integers(0, RULE_DAYS - 3) | st.sampled_from(rule_days) if rule_days else st.integers(0, RULE_DAYS - 3)
    asked = draw(st.lists(st.tuples(arrivals, st.integers(1, 6)), min_size=1, max_size=3))
    return world, asked


@ORACLE_SETTINGS
@given(world_and_stays=worlds_and_stays())
def test_create_booking_and_quote_stay_agree_with_the_reference(db, world_and_stays):
    world, asked = world_and_stays
    with rolled_back():
        places_ = build(world)
        for plan in all_plans(places_):
            for start_offset, nights in asked:
                start = on(start_offset)
                end = start + datetime.timedelta(days=nights)
                expected = first_broken_rule(plan, start, nights)
                expected_prices = nightly_prices(plan, start, nights)

                quote = selectors.quote_stay(rate_plan=plan.place.model.rate_plans.get(pk=plan.pk), start=start, end=end)
                assert [(night.date, night.price) for night in quote.nightly_prices] == expected_prices

                with rolled_back():
                    try:
                        booking = services.create_booking(
                            accommodation_id=plan.place.pk, start_date=start, end_date=end, guest_name="Oracle",
                            rate_plan_id=plan.pk,
                        )
                    except ValidationError as exc:
                        outcome = refusal_code(exc)
                    else:
                        outcome = None
                        assert booking.rate_plan_id == plan.pk
                        assert booking.total_price == sum(price for _, price in expected_prices)
                        assert booking.nightly_prices == [
                            {"date": night.isoformat(), "price": str(price)} for night, price in expected_prices
                        ]
                wanted = expected if plan.active else "rate_plan_not_available"
                event(f"booking: {wanted or 'booked'}")
                assert outcome == wanted, (plan.pk, start_offset, nights, [effective(plan, on(d)) for d in range(start_offset, start_offset + nights + 1)])


@ORACLE_SETTINGS
@given(
    world=worlds(),
    asked=st.lists(st.tuples(st.integers(-2, RULE_DAYS), st.integers(1, 5)), min_size=1, max_size=3),
    horizon=st.sampled_from([0, 2, 7, selectors.NEXT_AVAILABLE_HORIZON_DAYS]),
)
def test_next_available_date_agrees_with_the_reference(db, monkeypatch, world, asked, horizon):
    # The selector looks within a horizon first, then (second statement) up to the last constrained
    # day; a short horizon sends most answers through the second statement.
    monkeypatch.setattr(selectors, "NEXT_AVAILABLE_HORIZON_DAYS", horizon)
    with rolled_back():
        places_ = build(world)
        models = [place.model for place in places_]
        for date_offset, nights in asked:
            date = on(date_offset)
            # Each place under its default plan, all at once (what a list of places asks) ...
            answers = selectors.next_available_dates(accommodations=models, date=date, nights=nights)
            assert answers == {place.pk: reference_next_date(place.plans[0], date, nights) for place in places_}
            # ... and under a named plan, one at a time (the default named explicitly, and a derived one).
            for plan in all_plans(places_):
                if not plan.active:
                    with pytest.raises(ValidationError) as refused:
                        services.next_available_date(
                            accommodation=plan.place.model, date=date, nights=nights, rate_plan_id=plan.pk
                        )
                    assert refusal_code(refused.value) == "rate_plan_not_available"
                    continue
                found = services.next_available_date(
                    accommodation=plan.place.model, date=date, nights=nights, rate_plan_id=plan.pk
                )
                assert found == reference_next_date(plan, date, nights), (plan.pk, date_offset, nights)


@ORACLE_SETTINGS
@given(world=worlds(), check_in=st.integers(0, RULE_DAYS - 2), nights=st.integers(1, 6), guests=st.integers(1, 3))
def test_search_stays_offers_exactly_the_bookable_plans(db, world, check_in, nights, guests):
    with rolled_back():
        places_ = build(world)
        start = on(check_in)
        expected = sorted(
            (
                (sum(price for _, price in nightly_prices(plan, start, nights)), place.pk, plan.pk,
                 nightly_prices(plan, start, nights))
                for place in places_ if guests <= place.max_guests
                for plan in place.plans if plan.active and first_broken_rule(plan, start, nights) is None
            ),
            key=lambda offer: offer[:3],
        )

        event(f"search: {min(len(expected), 3)} offers")
        offers = services.search_stays(
            check_in=start, check_out=start + datetime.timedelta(days=nights), guests=guests, location=LOCATION, limit=100
        )

        assert [
            (offer.total_price, offer.accommodation.pk, offer.rate_plan.pk,
             [(night.date, night.price) for night in offer.nightly_prices])
            for offer in offers
        ] == expected
        for offer in offers:
            assert offer.rate_plan.accommodation_id == offer.accommodation.pk
            assert offer.nightly_price == (offer.total_price / nights).quantize(CENT, rounding=ROUND_HALF_UP)
            place = next(place for place in places_ if place.pk == offer.accommodation.pk)
            assert offer.free_units == min(place.free_units(night) for night in nights_of(start, nights))


@ORACLE_SETTINGS
@given(world=worlds(), first=st.integers(-2, RULE_DAYS - 1), length=st.integers(1, 14))
def test_availability_gives_each_days_effective_values(db, world, first, length):
    with rolled_back():
        places_ = build(world)
        start, end = on(first), on(first + length)
        days = nights_of(start, length)
        for plan in all_plans(places_):
            calendar = services.availability(
                accommodation=plan.place.model, start=start, end=end, rate_plan_id=plan.pk, include_inactive=True
            )
            expected = []
            for date in days:
                rules = effective(plan, date)
                free = max(plan.place.free_units(date), 0)
                expected.append((
                    date, free, free > 0 and not rules.stop_sell, rules.price, rules.min_stay, rules.max_stay,
                    rules.closed_to_arrival, rules.closed_to_departure, rules.stop_sell,
                ))
            assert [
                (d.date, d.free_units, d.available, d.price, d.min_stay, d.max_stay, d.closed_to_arrival,
                 d.closed_to_departure, d.stop_sell)
                for d in calendar
            ] == expected
        # Without a plan: each place's default plan, for all places in one call.
        together = selectors.availabilities(accommodations=[place.model for place in places_], start=start, end=end)
        for place in places_:
            assert [(d.date, d.free_units, d.price, d.min_stay) for d in together[place.pk]] == [
                (date, max(place.free_units(date), 0), effective(place.plans[0], date).price,
                 effective(place.plans[0], date).min_stay)
                for date in days
            ]


# --- Anchors: hand-made cases the random search reaches only rarely -----------------------------------

def test_a_derived_price_rounds_half_up_to_the_cent(make_apartment, day):
    flat = make_apartment(price=Decimal("100.05"))
    default = flat.rate_plans.get(is_default=True)
    half = catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="HALF", name="Half", parent_id=default.pk, adjustment_percent=Decimal("-50")
    )

    quote = selectors.quote_stay(rate_plan=half, start=day(3), end=day(4))

    assert [night.price for night in quote.nightly_prices] == [Decimal("50.03")]  # 50.025, half up (not to even)


def test_next_date_past_the_horizon_reads_the_parents_rows_too(make_apartment, day, monkeypatch):
    """A derived plan with no row of its own, whose parent stops sales on the first days: the
    second statement (past the horizon) must look as far as the parent's last row."""
    monkeypatch.setattr(selectors, "NEXT_AVAILABLE_HORIZON_DAYS", 0)
    flat = make_apartment()
    default = flat.rate_plans.get(is_default=True)
    derived = catalog_services.create_rate_plan(
        accommodation_id=flat.pk, code="DERIVED", name="Derived", parent_id=default.pk, adjustment_percent=Decimal("-10")
    )
    catalog_services.set_rates(rate_plan_id=default.pk, start=day(0), end=day(6), stop_sell=True)

    assert services.next_available_date(accommodation=flat, date=day(0), nights=2, rate_plan_id=derived.pk) == day(6)
    assert services.next_available_date(accommodation=flat, date=day(0), nights=2) == day(6)
