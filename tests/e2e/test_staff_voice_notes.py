"""The staff voice-notes page in headless Chromium: the microphone is a WAV of speech fed through
Chromium's fake capture device; record, send, and the transcript arrives on the page over the
subscription, without a reload. Plus the page's access rules and assets."""
from __future__ import annotations

import re
import time
from pathlib import Path

import dramatiq
import pytest
from asgi_server import AsgiServer, session_cookie
from chromium import Browser, chromium_binary
from django.test import Client
from dramatiq import Worker

from bookings import services as booking_services
from voice import tasks  # noqa: F401  (declares the `voice` queue before the worker starts)
from voice.models import TranscriptionStatus, VoiceNote

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tests" / "fixtures" / "audio" / "baby_cot_rms.wav"  # "please prepare a baby cot for the family arriving on friday"
ARTIFACTS = ROOT / "var" / "test-artifacts"
PAGE = "/staff/voice-notes/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def booking(make_apartment, day):
    apartment = make_apartment(name="Loft Chromium")
    return booking_services.create_booking(
        accommodation_id=apartment.pk, start_date=day(1), end_date=day(4), guest_name="Ada Lovelace"
    )


@pytest.mark.django_db
def test_page_needs_a_staff_login(client, plain_user, staff_user):
    assert client.get(PAGE).status_code == 302 and "/admin/login/" in client.get(PAGE)["Location"]
    client.force_login(plain_user)
    assert client.get(PAGE).status_code == 302
    client.force_login(staff_user)
    page = client.get(PAGE)
    assert page.status_code == 200 and "csrftoken" in page.cookies
    assert client.post(PAGE).status_code == 405


@pytest.mark.django_db
def test_page_uses_only_its_own_assets_and_knows_the_limits(staff_user, settings):
    settings.VOICE_MAX_DURATION_SECONDS = 42
    client = Client()
    client.force_login(staff_user)
    html = client.get(PAGE).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert sorted(assets) == [
        "/static/graphiql/graphql-ws.min.js", "/static/voice/staff_voice_notes.css", "/static/voice/staff_voice_notes.js",
    ]
    assert "http://" not in html.replace('href="/', "") and "https://" not in html
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
    assert '"maxSeconds": 42' in html
    assert '<meta name="viewport"' in html  # laid out for phones


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(chromium_binary() is None, reason="Debian's chromium is not installed (scripts/install_chromium.sh)")
@pytest.mark.django_db(transaction=True)
def test_record_send_and_read_the_transcript_live(staff_user, booking, media, tmp_path, settings):
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    server = AsgiServer()
    browser = Browser(extra_flags=(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={SPEECH}%noloop",
    ))
    text_of = lambda selector: browser.evaluate(f"document.querySelector({selector!r}).textContent")  # noqa: E731
    try:
        browser.call("Network.enable")
        name, value = session_cookie(staff_user).split("=", 1)
        browser.call("Network.setCookie", name=name, value=value, url=server.url, httpOnly=True)
        browser.call("Page.enable")
        browser.call("Page.navigate", url=server.url + PAGE)
        browser.wait_for(f"document.querySelector('[data-booking-id=\"{booking.pk}\"]') !== null")
        browser.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
        browser.evaluate(f"document.querySelector('[data-booking-id=\"{booking.pk}\"]').click()")
        browser.wait_for("document.querySelector('#live-state').textContent.includes('live')")
        # The booking's reference, status and history sit next to its notes.
        assert text_of("#booking-reference") == booking.reference
        assert text_of("#booking-status") == "confirmed"
        assert browser.evaluate("document.querySelector('#history li').dataset.action") == "created"

        browser.evaluate("document.querySelector('#record').click()")
        browser.wait_for("document.querySelector('#recorder-status').textContent === 'Recording…'")
        time.sleep(5)  # the WAV lasts 3.8 s: let all of it play into the recorder
        browser.evaluate("document.querySelector('#stop').click()")
        browser.wait_for("!document.querySelector('#send').disabled")
        assert browser.evaluate("document.querySelector('#preview').src.startsWith('blob:')")  # listen back

        # The server's limit dropped after the page loaded: its refusal reads as a sentence.
        settings.VOICE_MAX_DURATION_SECONDS = 2
        browser.evaluate("document.querySelector('#send').click()")
        browser.wait_for("document.querySelector('#recorder-status').textContent.includes('longer than allowed')")
        refusal = text_of("#recorder-status")
        settings.VOICE_MAX_DURATION_SECONDS = 300
        browser.evaluate("document.querySelector('#send').click()")

        browser.wait_for("document.querySelector('#notes .note') !== null")
        browser.wait_for("document.querySelector('#notes .note').dataset.status === 'COMPLETED'", timeout=180)
        transcript = text_of("#notes .note .transcript")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.screenshot(str(tmp_path / "staff_voice_notes.png"))
        browser.screenshot(str(ARTIFACTS / "staff_voice_notes.png"))

        # A correction, typed like a person would; the machine text stays visible beside it.
        browser.evaluate("document.querySelector('#notes .note [data-action=\"edit\"]').click()")
        browser.evaluate("document.querySelector('#notes .note textarea').value = 'Baby cot for the family, Friday'")
        browser.evaluate("document.querySelector('#notes .note [data-action=\"save\"]').click()")
        browser.wait_for("document.querySelector('#notes .note .edited').textContent.includes('Corrected by staff')")
        corrected = text_of("#notes .note .transcript")
        machine = text_of("#notes .note .machine")
        language_badge = text_of("#notes .note [data-field='language']")
        picker_hidden = browser.evaluate("document.querySelector('#language-choice').hidden")

        # Staff search: a word of the note finds it, highlighted, with its booking.
        browser.evaluate("document.querySelector('#said').value = 'Friday'")
        browser.evaluate("document.querySelector('#transcript-search button[type=submit]').click()")
        browser.wait_for("document.querySelector('#transcript-hits mark') !== null")
        marked = text_of("#transcript-hits mark")
        hit = text_of("#transcript-hits .hit strong")
        same_document = browser.evaluate("window.__sameDocument === true")

        # Phone-sized screen: nothing wider than the viewport.
        browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
        browser.wait_for("document.documentElement.scrollWidth <= window.innerWidth")
        browser.screenshot(str(ARTIFACTS / "staff_voice_notes_phone.png"))
    finally:
        browser.close()
        server.stop()
        worker.stop()
        broker.flush_all()

    note = VoiceNote.objects.get(booking=booking)  # the refused upload left nothing behind
    assert note.status == TranscriptionStatus.COMPLETED and note.content_type == "audio/webm"
    assert same_document, "the page reloaded"
    assert refusal.startswith("The recording is longer than allowed.") and "the limit is 2 s" in refusal
    words = transcript.lower()
    assert "family" in words and "friday" in words, transcript
    assert corrected == "Baby cot for the family, Friday" and machine == f"Machine transcript: {note.transcript}"
    assert note.edited_by == staff_user and note.edited_transcript == corrected
    assert (tmp_path / "staff_voice_notes.png").stat().st_size > 0
    # One language (the default, English): no picker; the note says which and why.
    assert picker_hidden and language_badge == "English · the place's language"
    assert marked.lower() == "friday" and hit.startswith("Ada Lovelace · Loft Chromium")


@pytest.mark.browser
@pytest.mark.skipif(chromium_binary() is None, reason="Debian's chromium is not installed (scripts/install_chromium.sh)")
@pytest.mark.django_db(transaction=True)
def test_a_place_with_several_languages_offers_a_choice(staff_user, make_apartment, day):
    place = make_apartment(name="Gràcia Studio", location="Barcelona")
    place.voice_languages = ["es", "en"]
    place.save(update_fields=["voice_languages"])
    booking = booking_services.create_booking(
        accommodation_id=place.pk, start_date=day(1), end_date=day(2), guest_name="Lola Flores"
    )
    server = AsgiServer()
    browser = Browser()
    try:
        name, value = session_cookie(staff_user).split("=", 1)
        browser.call("Network.enable")
        browser.call("Network.setCookie", name=name, value=value, url=server.url, httpOnly=True)
        browser.call("Page.navigate", url=server.url + PAGE)
        browser.wait_for(f"document.querySelector('[data-booking-id=\"{booking.pk}\"]') !== null")
        browser.evaluate(f"document.querySelector('[data-booking-id=\"{booking.pk}\"]').click()")
        browser.wait_for("!document.querySelector('#language-choice').hidden")
        options = browser.evaluate(
            "[...document.querySelectorAll('#note-language option')].map(o => [o.value, o.textContent])"
        )
    finally:
        browser.close()
        server.stop()

    assert options == [["", "Detect (Spanish or English)"], ["es", "Spanish"], ["en", "English"]]


def press(browser: Browser, key: str, code: int, text: str = "") -> None:
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                     **({"text": text} if text and kind == "keyDown" else {}))


def tab_to(browser: Browser, condition: str, limit: int = 25) -> None:
    """Press Tab until `condition` (on document.activeElement) holds: the control is reachable by keyboard."""
    for _ in range(limit):
        if browser.evaluate(f"(el => !!el && ({condition}))(document.activeElement)"):
            return
        press(browser, "Tab", 9)
    raise AssertionError(f"never reached by Tab: {condition}")


@pytest.mark.browser
@pytest.mark.skipif(chromium_binary() is None, reason="Debian's chromium is not installed (scripts/install_chromium.sh)")
@pytest.mark.django_db(transaction=True)
def test_the_page_works_with_the_keyboard_alone(staff_user, booking, make_hotel, day):
    other = booking_services.create_booking(
        accommodation_id=make_hotel(name="Hotel Keyboard").pk, start_date=day(2), end_date=day(3),
        guest_name="Grace Hopper",
    )
    server = AsgiServer()
    browser = Browser()
    try:
        name, value = session_cookie(staff_user).split("=", 1)
        browser.call("Network.enable")
        browser.call("Network.setCookie", name=name, value=value, url=server.url, httpOnly=True)
        browser.call("Page.navigate", url=server.url + PAGE)
        browser.wait_for("document.querySelectorAll('[data-booking-id]').length === 2")

        tab_to(browser, "el.id === 'guest'")
        browser.call("Input.insertText", text="hopper")
        press(browser, "Enter", 13, "\r")  # submits the search form
        browser.wait_for("document.querySelectorAll('[data-booking-id]').length === 1")
        tab_to(browser, f"el.dataset.bookingId === '{other.pk}'")
        press(browser, "Enter", 13, "\r")
        browser.wait_for("document.activeElement.id === 'booking-title'")  # focus follows the choice
        title = browser.evaluate("document.activeElement.textContent")
        tab_to(browser, "el.id === 'record'")
        focus_visible = browser.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    finally:
        browser.close()
        server.stop()

    assert title == "Grace Hopper at Hotel Keyboard"
    assert focus_visible == "solid"  # the focused control is outlined
