"""Time travel: a dossier's events, and its state at any version or as of any moment."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from faps.application import policy
from faps.application.context import Context
from faps.application.event_catalogue import CATALOGUE, LABELS_BY_NAME, is_private, label
from faps.domain.actors import Actor
from faps.domain.dossier import Dossier
from faps.domain.errors import NotFoundError

# By class name, for the readers that have only a topic (the audit log, the webhooks' page).
EVENT_LABELS = LABELS_BY_NAME
PRIVATE_EVENTS = frozenset(cls.__name__ for cls, entry in CATALOGUE.items() if entry.private)
_BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "actor",
                          "originator_topic"})


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a dossier as people read it."""

    version: int
    timestamp: datetime
    kind: str
    label: str
    actor: Actor
    details: dict[str, Any]


@dataclass(frozen=True)
class DossierHistory:
    """A dossier's events up to a moment, and its state then (None: it did not exist yet)."""

    dossier_id: UUID
    entries: list[HistoryEntry]
    state: Dossier | None
    as_of: datetime | None


def end_of(day: date | datetime) -> datetime:
    """Return the last moment of a day (a date means 'as of the end of that day', UTC)."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1)


def entry_of(event: Any) -> HistoryEntry:
    """Describe a stored event."""
    kind = type(event).__name__
    details = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)
               if f.name not in _BASE_FIELDS}
    return HistoryEntry(version=event.originator_version, timestamp=event.timestamp, kind=kind,
                        label=label(event), actor=event.actor, details=details)


class TimeTravel:
    """Replays a dossier from the log."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def history(self, actor: Actor, dossier_id: UUID,
                as_of: date | datetime | None = None) -> DossierHistory:
        """Return the events up to `as_of` (all if None) and the state they make."""
        current: Dossier = self.ctx.app.load(dossier_id)
        policy.require(actor, "dossier.read", current.commune)
        limit = end_of(as_of) if as_of is not None else None
        stored: list[Any] = list(self.ctx.app.events.get(dossier_id))
        events = [e for e in stored if limit is None or e.timestamp <= limit]
        if not policy.allowed(actor, "dossier.read_notes"):
            visible = [e for e in events if not is_private(e)]
        else:
            visible = events
        state = None
        if events:
            state = self.ctx.app.load(dossier_id, version=events[-1].originator_version)
        return DossierHistory(dossier_id=dossier_id, entries=[entry_of(e) for e in visible],
                              state=state, as_of=limit)

    def at_version(self, actor: Actor, dossier_id: UUID, version: int) -> Dossier:
        """Return the dossier as it was at a version."""
        current: Dossier = self.ctx.app.load(dossier_id)
        policy.require(actor, "dossier.read", current.commune)
        if not 1 <= version <= current.version:
            raise NotFoundError(f"Version {version} inconnue (1 à {current.version}).")
        state: Dossier = self.ctx.app.load(dossier_id, version=version)
        return state
