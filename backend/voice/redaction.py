"""Payment and contact data out of transcripts, before they are stored, logged or published.

``redact(text, language)`` replaces, in this order:

- e-mail addresses, written (``ana@example.com``) or spoken ("ana at example dot com",
  "arroba"/"punto", "arroba"/"ponto", "ät"/"punkt")                           -> ``[email]``
- IBANs (two letters, two check digits, 11-30 letters/digits, spaces allowed) -> ``[iban]``
- international phone numbers (``+351 912 345 678``, ``0049 30 ...``), found by phonenumbers -> ``[phone]``
- card numbers: runs of 12-19 digits with or without spaces or hyphens, Luhn-valid or not
  (one misheard digit breaks Luhn), not starting with 0 (no card does; national phone numbers
  do) nor with + or 00                                                        -> ``[card]``
- national phone numbers valid for the note's country or PT, DE, ES, GB, US (phonenumbers,
  VALID leniency: real number ranges, so "room 1204" is not a phone), and 7-15 digit runs
  right after a phone word ("call", "telefone", "Handy", "móvil"...)          -> ``[phone]``
- 3-4 digit codes a few words after a card word (CVV, "card ending 4242", "tarjeta que
  termina en 4242", "Karte endet auf 4242")                                   -> ``[card]``

Numbers spoken as words ("four two four two ...", "nove um dois ...") are first written as
digits when four or more digit words follow each other, so the rules above see them. What is
not caught is listed in docs/voice-notes.md. The module only reads and writes strings: no
logging, no database.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import phonenumbers

CARD, PHONE, EMAIL, IBAN = "[card]", "[phone]", "[email]", "[iban]"
KINDS = {CARD: "card", PHONE: "phone", EMAIL: "email", IBAN: "iban"}

REGIONS = ("PT", "DE", "ES", "GB", "US")
LANGUAGE_REGION = {"pt": "PT", "de": "DE", "es": "ES", "en": "GB"}

_DIGIT_WORDS = {
    # English
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9",
    # Spanish
    "cero": "0", "uno": "1", "una": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9",
    # Portuguese (accents removed before lookup: tres, dois/duas...)
    "um": "1", "uma": "1", "dois": "2", "duas": "2", "quatro": "4", "sete": "7", "oito": "8", "nove": "9",
    # German (umlauts removed: funf)
    "null": "0", "eins": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4", "funf": "5", "sechs": "6",
    "sieben": "7", "acht": "8", "neun": "9",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_SPOKEN_EMAIL = re.compile(
    r"\b[\w+-]+(?:\s*(?:\.|\bdot\b|\bpunto\b|\bponto\b|\bpunkt\b)\s*[\w+-]+)*"
    r"\s+(?:at|arroba|ät)\s+[\w-]+(?:\s*(?:\.|\bdot\b|\bpunto\b|\bponto\b|\bpunkt\b)\s*[\w-]+)+\b",
    re.IGNORECASE | re.UNICODE,
)
# Letters after the country code only in capitals, so the words after an IBAN are not taken in.
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b")
_INTERNATIONAL = re.compile(r"(?:\+|\b00)\d[\d ().-]{6,20}\d")
_DIGIT_RUN = re.compile(r"(?<![\d+])\d(?:[ -]?\d){6,}(?!\d)")
_CARD_WORDS = (
    r"card|credit card|debit card|visa|mastercard|amex|cvv|cvc|cv2|security code|"
    r"tarjeta|c[oó]digo de seguridad|cart[aã]o|c[oó]digo de seguran[cç]a|"
    r"karte|kreditkarte|prüfnummer|pruefnummer|sicherheitscode"
)
_CARD_CODE = re.compile(
    rf"(?P<lead>\b(?:{_CARD_WORDS})\b(?:\W+\w+){{0,4}}?\W+)(?P<code>\d{{3,4}})\b", re.IGNORECASE | re.UNICODE
)
_PHONE_WORDS = (
    r"call|phone|mobile|cell|number|telephone|tel|"
    r"llamar|ll[aá]male|tel[eé]fono|m[oó]vil|n[uú]mero|"
    r"ligar|liga|telefone|telem[oó]vel|telem[oó]vel|"
    r"anrufen|ruf|telefon|telefonnummer|handy|nummer"
)
_PHONE_CONTEXT = re.compile(
    rf"(?P<lead>\b(?:{_PHONE_WORDS})\b(?:\W+\w+){{0,3}}?\W+)(?P<number>\d(?:[ ./-]?\d){{6,14}})(?!\d)",
    re.IGNORECASE | re.UNICODE,
)


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)  # kind ("card", "phone"...) -> how many


def redact(text: str, language: str = "") -> Redacted:
    if not text:
        return Redacted(text=text)
    text = spoken_digits_to_numbers(text)
    text = _EMAIL.sub(EMAIL, text)
    text = _SPOKEN_EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(_iban, text)
    text = _INTERNATIONAL.sub(lambda m: PHONE if _international_phone(m.group()) else m.group(), text)
    text = _DIGIT_RUN.sub(_card, text)
    text = _national_phones(text, language)
    text = _PHONE_CONTEXT.sub(lambda m: m.group("lead") + PHONE, text)
    text = _CARD_CODE.sub(lambda m: m.group("lead") + CARD, text)
    counts = Counter(KINDS[token] for token in re.findall(r"\[(?:card|phone|email|iban)\]", text))
    return Redacted(text=text, counts=dict(counts))


def redact_segments(segments: list[dict], full: Redacted, language: str = "") -> list[dict]:
    """Each segment redacted alone; when the pieces do not add up to the redacted whole (a number
    split across two segments), one segment spanning them all, with the redacted text, is kept instead."""
    if not segments:
        return []
    redacted = [{**segment, "text": redact(str(segment.get("text", "")), language).text} for segment in segments]
    if " ".join(" ".join(s["text"] for s in redacted).split()) == " ".join(full.text.split()):
        return redacted
    return [{"start": segments[0].get("start", 0.0), "end": segments[-1].get("end", 0.0), "text": full.text}]


def _plain(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(ch))


def spoken_digits_to_numbers(text: str) -> str:
    """Four or more digit words in a row become digits: "four two four two" -> "4242"."""
    runs, run = [], []
    for word in re.finditer(r"[^\W\d_]+", text, re.UNICODE):
        digit = _DIGIT_WORDS.get(_plain(word.group()))
        joined = run and re.fullmatch(r"[\s,.-]*", text[run[-1][1]:word.start()])
        if digit is not None and (not run or joined):
            run.append((word.start(), word.end(), digit))
            continue
        if len(run) >= 4:
            runs.append(run)
        run = [(word.start(), word.end(), digit)] if digit is not None else []
    if len(run) >= 4:
        runs.append(run)
    for run in reversed(runs):
        text = text[:run[0][0]] + "".join(digit for _, _, digit in run) + text[run[-1][1]:]
    return text


def _iban(match: re.Match) -> str:
    compact = re.sub(r"[ -]", "", match.group()).upper()
    digits = sum(ch.isdigit() for ch in compact)
    return IBAN if 15 <= len(compact) <= 34 and digits >= 10 else match.group()


def _international_phone(candidate: str) -> bool:
    number = "+" + candidate[2:] if candidate.startswith("00") else candidate
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    # No card number starts with 0; national phone numbers do (German mobiles have 11-12 digits).
    return CARD if 12 <= len(digits) <= 19 and digits[0] != "0" else match.group()


def _national_phones(text: str, language: str) -> str:
    regions = list(dict.fromkeys([LANGUAGE_REGION.get(language, "")] + list(REGIONS)))
    for region in filter(None, regions):
        spans = [
            (m.start, m.end)
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        ]
        for start, end in reversed(spans):
            text = text[:start] + PHONE + text[end:]
    return text


def luhn_valid(digits: str) -> bool:
    """The card check digit (documented for callers; redaction does not require it)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0 and len(digits) >= 12
