"""Word error rate after Whisper's English normaliser (case, punctuation, numbers, spellings).

jiwer counts substitutions + deletions + insertions over the reference words; over a list of
pairs it is the corpus rate (all errors / all reference words), not a mean of per-file rates,
so a short file does not weigh like a long one.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import jiwer
from whisper_normalizer.english import EnglishTextNormalizer

_english = EnglishTextNormalizer()
# Spellings the normaliser leaves apart that mean the same word in a hotel note.
_COMPOUNDS = {r"\bcheck out\b": "checkout", r"\bcheck in\b": "checkin"}


def normalise(text: str) -> str:
    text = _english(text)
    for pattern, replacement in _COMPOUNDS.items():
        text = re.sub(pattern, replacement, text)
    return " ".join(word for word in text.split() if any(ch.isalnum() for ch in word))


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    refs = [normalise(text) for text in references]
    hyps = [normalise(text) for text in hypotheses]
    if not any(refs):
        return float(any(hyps))
    kept = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return jiwer.wer([r for r, _ in kept], [h for _, h in kept])


def wer(reference: str, hypothesis: str) -> float:
    return corpus_wer([reference], [hypothesis])
