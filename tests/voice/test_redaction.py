"""voice.redaction: what is replaced, per pattern and per language, and what is left alone.

Pure string tests (no database). The pipeline tests (test_multilingual_pipeline.py) check that
the redacted text is what the API, the live update, the logs and the database get."""
from __future__ import annotations

import pytest

from voice.redaction import luhn_valid, redact, redact_segments, spoken_digits_to_numbers


def check(text: str, language: str, expected: str, counts: dict) -> None:
    result = redact(text, language)
    assert (result.text, result.counts) == (expected, counts)


# --- card numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spoken",
    [
        "4242 4242 4242 4242",  # Luhn-valid, grouped
        "4242424242424242",  # one run
        "4242-4242-4242-4242",
        "4242 4242 4242 4243",  # one digit misheard: Luhn fails, still a card
        "3782 822463 10005",  # Amex, 15 digits
        "4000 0566 5566 5556 123",  # 19 digits
    ],
)
def test_card_numbers_with_or_without_spaces_luhn_or_not(spoken):
    check(f"Card number {spoken}, declined.", "en", "Card number [card], declined.", {"card": 1})


def test_luhn_helper():
    assert luhn_valid("4242424242424242") and not luhn_valid("4242424242424243")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "The guest's card ending 4242 was declined.", "The guest's card ending [card] was declined."),
        ("en", "CVV 123 and the card expires soon.", "CVV [card] and the card expires soon."),
        ("es", "Su tarjeta que termina en 4242 fue rechazada.", "Su tarjeta que termina en [card] fue rechazada."),
        ("es", "Visa con código de seguridad 737.", "Visa con código de seguridad [card]."),
        ("pt", "O cartão terminado em 4242 foi recusado.", "O cartão terminado em [card] foi recusado."),
        ("de", "Die Karte endet auf 4242, Prüfnummer 737.", "Die Karte endet auf [card], Prüfnummer [card]."),
    ],
)
def test_codes_next_to_card_words(language, text, expected):
    assert redact(text, language).text == expected


# --- phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # international, as Whisper writes them
        ("en", "Call him on +351 912 345 678.", "Call him on [phone]."),
        ("de", "Erreichbar unter +49 30 12345678.", "Erreichbar unter [phone]."),
        ("es", "Su número es el 0034 612 34 56 78.", "Su número es el [phone]."),
        # Portuguese: mobile and Lisbon landline
        ("pt", "Ligar para o hóspede no 912 345 678.", "Ligar para o hóspede no [phone]."),
        ("pt", "O número fixo é 213 456 789.", "O número fixo é [phone]."),
        # German: mobile with 0 prefix (12 digits: not a card), Berlin landline
        ("de", "Bitte unter 0151 23456789 anrufen.", "Bitte unter [phone] anrufen."),
        ("de", "Telefon 030 12345678.", "Telefon [phone]."),
        # Spanish: mobile in pairs, Madrid landline
        ("es", "Llamar al 612 34 56 78 mañana.", "Llamar al [phone] mañana."),
        ("es", "El fijo es 91 123 45 67.", "El fijo es [phone]."),
        # British and American
        ("en", "His number is 07700 900123.", "His number is [phone]."),
        ("en", "Call (415) 555-2671 tomorrow.", "Call [phone] tomorrow."),
    ],
)
def test_phone_numbers_per_country(language, text, expected):
    assert redact(text, language).text == expected


# --- e-mail, IBAN ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Write to ana.garcia+hotel@example.co.uk today.", "Write to [email] today."),
        ("en", "Email john at example dot com please.", "Email [email] please."),
        ("es", "Su correo es ana arroba example punto es.", "Su correo es [email]."),
        ("pt", "O email é joao ponto silva arroba mail ponto pt.", "O email é [email]."),
        ("de", "E-Mail max punkt mustermann at example punkt de.", "E-Mail [email]."),
    ],
)
def test_email_addresses_written_or_spoken(language, text, expected):
    assert redact(text, language).text == expected


@pytest.mark.parametrize(
    ("language", "iban"),
    [
        ("es", "ES91 2100 0418 4502 0005 1332"),
        ("de", "DE89 3704 0044 0532 0130 00"),
        ("pt", "PT50 0002 0123 1234 5678 9015 4"),
        ("en", "GB29 NWBK 6016 1331 9268 19"),
    ],
)
def test_ibans(language, iban):
    check(f"IBAN {iban} bitte prüfen.", language, "IBAN [iban] bitte prüfen.", {"iban": 1})


# --- numbers spoken as words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "card number four two four two four two four two four two four two four two four two",
         "card number [card]"),
        ("en", "call him on oh seven seven zero zero nine zero zero one two three", "call him on [phone]"),
        ("pt", "O telefone dele é nove um dois três quatro cinco seis sete oito.", "O telefone dele é [phone]."),
        ("es", "Su móvil es seis uno dos, tres cuatro, cinco seis, siete ocho.", "Su móvil es [phone]."),
        ("de", "Die Karte endet auf vier zwei vier zwei.", "Die Karte endet auf [card]."),
    ],
)
def test_numbers_spoken_as_words(language, text, expected):
    assert redact(text, language).text == expected


def test_short_runs_of_number_words_stay_words():
    assert spoken_digits_to_numbers("two or three towels and one pillow") == "two or three towels and one pillow"


# --- what is left alone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Room 1204 wants breakfast at 7:30 for 2 people on 12 March 2026, total 450 euros."),
        ("en", "Please meet at the lobby at noon."),
        ("es", "La habitación 305 necesita toallas, el huésped llega el 14 de julio a las 18:00."),
        ("pt", "O quarto 12 precisa de um berço até às 15h00, são 120 euros."),
        ("de", "Zimmer 204 braucht bis 14 Uhr ein Kinderbett, 2 Nächte für 300 Euro."),
    ],
)
def test_room_numbers_times_dates_and_prices_stay(language, text):
    assert redact(text, language).text == text


def test_counts_by_kind():
    result = redact("Card 4242 4242 4242 4242, call +351 912 345 678 or +351 213 456 789, ana@example.pt", "pt")
    assert result.counts == {"card": 1, "phone": 2, "email": 1}


# --- segments ----------------------------------------------------------------------------------


def test_segments_are_redacted_one_by_one():
    segments = [{"start": 0.0, "end": 2.0, "text": "Call +351 912 345 678."}, {"start": 2.0, "end": 4.0, "text": "Thanks."}]
    full = redact(" ".join(s["text"] for s in segments), "en")

    assert redact_segments(segments, full, "en") == [
        {"start": 0.0, "end": 2.0, "text": "Call [phone]."}, {"start": 2.0, "end": 4.0, "text": "Thanks."},
    ]


def test_a_number_split_across_segments_leaves_one_redacted_segment():
    segments = [{"start": 0.0, "end": 2.0, "text": "Card 4242 4242"}, {"start": 2.0, "end": 4.0, "text": "4242 4242 declined."}]
    full = redact(" ".join(s["text"] for s in segments), "en")

    assert full.text == "Card [card] declined."
    assert redact_segments(segments, full, "en") == [{"start": 0.0, "end": 4.0, "text": "Card [card] declined."}]
