"""Word error rate after Whisper's normalisers (case, punctuation, numbers, spellings).

English: Whisper's English normaliser (numbers, spellings, contractions). Other languages:
Whisper's basic normaliser with diacritics removed (the Debian prompt scripts are written
without accents: "contrasena" for "contraseña"), so only the words are compared.

jiwer counts substitutions + deletions + insertions over the reference words; over a list of
pairs it is the corpus rate (all errors / all reference words), not a mean of per-file rates,
so a short file does not weigh like a long one.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import jiwer
from whisper_normalizer.basic import BasicTextNormalizer
from whisper_normalizer.english import EnglishTextNormalizer

_english = EnglishTextNormalizer()
_basic = BasicTextNormalizer(remove_diacritics=True)
# Spellings the normaliser leaves apart that mean the same word in a hotel note.
_COMPOUNDS = {r"\bcheck out\b": "checkout", r"\bcheck in\b": "checkin"}


def normalise(text: str, language: str = "en") -> str:
    if language == "en":
        text = _english(text)
    else:
        text = _basic(text)
    for pattern, replacement in _COMPOUNDS.items():
        text = re.sub(pattern, replacement, text)
    return " ".join(word for word in text.split() if any(ch.isalnum() for ch in word))


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str], language: str = "en") -> float:
    refs = [normalise(text, language) for text in references]
    hyps = [normalise(text, language) for text in hypotheses]
    if not any(refs):
        return float(any(hyps))
    kept = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return jiwer.wer([r for r, _ in kept], [h for _, h in kept])


def wer(reference: str, hypothesis: str, language: str = "en") -> float:
    return corpus_wer([reference], [hypothesis], language)
