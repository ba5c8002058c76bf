"""Clocks: the application asks one for the time, so demos and tests can set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current moment."""


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current moment in UTC."""
        return datetime.now(tz=UTC)


class SettableClock:
    """A clock that stays where it is put (demo data dated in the past, tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        """Return the moment the clock is set to."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to a moment."""
        self._at = at

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward and return the new moment."""
        self._at += timedelta(**delta)
        return self._at
