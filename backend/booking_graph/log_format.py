"""One line per event, ``key=value`` pairs, so logs can be grepped by note id."""
from __future__ import annotations

import logging

# Attributes every LogRecord has; anything else came from ``extra=`` and is context.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
        if context:
            line += " " + " ".join(f"{key}={_quote(value)}" for key, value in sorted(context.items()))
        return line


def _quote(value: object) -> str:
    text = str(value)
    return f'"{text}"' if (" " in text or not text) else text
