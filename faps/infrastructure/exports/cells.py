"""What a cell of a table or open-data file may carry: no control character, never a formula.

Stored texts may hold characters nobody should print (typed before faps refused them, or
written by a script): they are stripped. A text a spreadsheet would read as a formula (OWASP
« CSV injection »: a leading = + - @, tab or carriage return) is neutralised: in CSV files it
gets a leading apostrophe, in XLSX and ODS it is written as a typed text cell, never a formula.
"""

from __future__ import annotations

import re

from faps.domain.text import printable

__all__ = ["csv_text", "is_formula_like", "printable"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def is_formula_like(text: str) -> bool:
    """Tell whether a spreadsheet would read the text as a formula (a plain number is not)."""
    return text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text)


def csv_text(text: str) -> str:
    """Return a text for a CSV cell: printable, and with a leading ' if it looks like a formula."""
    clean = printable(text)
    return "'" + clean if is_formula_like(clean) else clean
