"""The fund's calendar: its days are Paris days, and dates are typed the French way.

One place for the time zone (the council sits in Torcy; a dossier filed at 23:30 there in winter
is filed that day, though it is already the next one in UTC) and for reading a typed date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
_FRENCH_DAY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def paris_day(at: datetime) -> date:
    """Return the French calendar day of a moment (a naive moment is taken as it is)."""
    return at.astimezone(PARIS).date() if at.tzinfo else at.date()


def end_of_paris_day(day: date) -> datetime:
    """Return the last moment of a day in Paris."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS) - timedelta(
        microseconds=1)


def paris_moment(at: datetime) -> str:
    """Return a moment as printed on a document: « 06/12/2026 à 14:05 (heure de Paris) »."""
    return f"{at.astimezone(PARIS):%d/%m/%Y à %H:%M} (heure de Paris)"


def parse_day(text: object) -> date | None:
    """Return a date typed 2024-03-31 (ISO, a date input) or 31/03/2024, between 1900 and
    2199; None for anything else (never an exception: callers say what to type)."""
    raw = str(text if text is not None else "").strip()
    match = _ISO_DAY.match(raw)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (match := _FRENCH_DAY.match(raw)):
        parts = (match.group(3), match.group(2), match.group(1))
    if parts is None:
        return None
    try:
        found = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return found if FIRST_DAY <= found <= LAST_DAY else None
