"""One way to read numbers, years, dates and identifiers from a request: bounded, never a 500.

Query-string filters ignore a value they cannot use (the page shows everything instead);
forms go through marshmallow, whose fields below refuse it with a French message. Either way,
`²` (a digit to `str.isdigit`, not to `int`), a 5,000-digit page, the year 0 or 9999999999 and
an aggregate id of another kind never reach SQLite, `date()` or a repository.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from faps.domain.dates import FIRST_DAY as FIRST_DAY  # read by the API schemas
from faps.domain.dates import LAST_DAY as LAST_DAY
from faps.domain.dates import parse_day
from faps.infrastructure.bounded import bounded_json

__all__ = ["bounded_json", "page_number", "to_date", "to_int", "to_uuid", "year_of"]

MAX_PAGE = 100_000
YEARS = (2000, 2100)
MAX_VERSION = 1_000_000
_INTEGER = re.compile(r"^[0-9]{1,9}$")


def to_int(text: Any, minimum: int, maximum: int) -> int | None:
    """Return a whole number written in ASCII digits within [minimum, maximum], else None."""
    raw = str(text if text is not None else "").strip()
    if not _INTEGER.match(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def page_number(text: Any) -> int:
    """Return a page number (1 when missing, malformed or past the last possible page)."""
    return to_int(text, 1, MAX_PAGE) or 1


def year_of(text: Any) -> int | None:
    """Return a budget year within the fund's range, else None."""
    return to_int(text, *YEARS)


def to_date(text: Any) -> date | None:
    """Return a date written 2024-03-31 or 31/03/2024 within the fund's range, else None."""
    return parse_day(text)


def to_uuid(text: Any) -> UUID | None:
    """Return an identifier (UUID), else None."""
    raw = str(text if text is not None else "").strip()
    if len(raw) > 45:
        return None
    try:
        return UUID(raw)
    except ValueError:
        return None
