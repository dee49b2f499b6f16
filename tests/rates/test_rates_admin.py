"""Rate plans and their calendars in the admin go through the catalog services: same rules and
messages as the API, shown on the form instead of saved."""
from __future__ import annotations

import pytest

from catalog.models import RateDay, RatePlan


def plan_form(flat, **fields) -> dict:
    return {"accommodation": flat.pk, "active": "on", "fee_percent": "100", **fields}


def test_admin_creates_a_derived_non_refundable_plan(admin_client, make_apartment):
    flat = make_apartment()
    standard = RatePlan.objects.get(accommodation=flat)

    response = admin_client.post("/admin/catalog/rateplan/add/", plan_form(
        flat, code="NONREF", name="Non-refundable", parent=standard.pk, adjustment_percent="-10"))

    assert response.status_code == 302, response.content.decode()[:2000]
    nonref = RatePlan.objects.get(code="NONREF")
    assert (nonref.parent_id, nonref.refundable, nonref.fee_percent, nonref.free_cancellation_days) == (standard.pk, False, 100, None)


def test_admin_refundable_plan_gets_the_default_free_window(admin_client, make_apartment):
    flat = make_apartment()
    response = admin_client.post("/admin/catalog/rateplan/add/", plan_form(flat, code="FLEX", name="Flexible", refundable="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RatePlan.objects.get(code="FLEX").free_cancellation_days == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "STANDARD", "name": "Again", "refundable": "on"}, "already has a plan with code"),
        ({"code": "X", "name": "X", "adjustment_percent": "-10", "refundable": "on"}, "Only a plan derived from a parent"),
        ({"code": "Y", "name": "Y", "free_cancellation_days": "3"}, "non-refundable plan has no free cancellation"),
    ],
)
def test_admin_plan_form_shows_the_service_rules(admin_client, make_apartment, fields, message):
    flat = make_apartment()
    response = admin_client.post("/admin/catalog/rateplan/add/", plan_form(flat, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RatePlan.objects.filter(accommodation=flat).count() == 1


def test_admin_cannot_deactivate_the_default_plan(admin_client, make_apartment):
    flat = make_apartment()
    standard = RatePlan.objects.get(accommodation=flat)
    response = admin_client.post(f"/admin/catalog/rateplan/{standard.pk}/change/", {
        "code": "STANDARD", "name": "Standard rate", "refundable": "on", "free_cancellation_days": "0", "fee_percent": "100"})
    assert response.status_code == 200 and "always on sale" in response.content.decode()
    standard.refresh_from_db()
    assert standard.active


def test_admin_rate_day_rows_follow_the_set_rates_rules(admin_client, make_apartment, day):
    flat = make_apartment()
    standard = RatePlan.objects.get(accommodation=flat)
    nonref = RatePlan.objects.create(
        accommodation=flat, code="NONREF", name="N", parent=standard, adjustment_percent=-10, refundable=False, fee_percent=100)
    unknown = {"closed_to_arrival": "unknown", "closed_to_departure": "unknown"}

    refused = admin_client.post("/admin/catalog/rateday/add/", {"rate_plan": nonref.pk, "date": str(day(3)), "price": "10", **unknown})
    assert refused.status_code == 200 and "follow its parent" in refused.content.decode()
    saved = admin_client.post("/admin/catalog/rateday/add/", {
        "rate_plan": standard.pk, "date": str(day(3)), "price": "10", "min_stay": "2", "stop_sell": "true", **unknown})
    assert saved.status_code == 302, saved.content.decode()[:2000]

    row = RateDay.objects.get()
    assert (row.price, row.min_stay, row.stop_sell, row.closed_to_arrival) == (10, 2, True, None)
    for url in ("/admin/catalog/rateplan/", f"/admin/catalog/rateday/?rate_plan__accommodation__id__exact={flat.pk}",
                f"/admin/catalog/rateplan/{standard.pk}/change/", "/admin/catalog/accommodation/"):
        assert admin_client.get(url).status_code == 200
