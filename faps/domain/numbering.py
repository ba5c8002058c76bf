"""The DossierNumbering aggregate: readable references FAPS-YYYY-NNN, one series a year."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor
from faps.domain.events import ActedEvent


class DossierNumbering(Aggregate):
    """The references given in one year, each to one dossier."""

    class Event(ActedEvent):
        """Base of the numbering's events."""

    class Opened(Event, Aggregate.Created):
        year: int

    @staticmethod
    def create_id(year: int) -> UUID:
        """Return the id of a year's series."""
        return uuid5(NAMESPACE_URL, f"faps:numbering:{year}")

    def __init__(self, actor: Actor, year: int) -> None:
        self.year = year
        self.issued: dict[str, UUID] = {}

    @classmethod
    def open(cls, actor: Actor, year: int, at: datetime) -> DossierNumbering:
        """Open a year's series."""
        return cls._create(cls.Opened, id=cls.create_id(year), actor=actor, year=year,
                           timestamp=at)

    class Issued(Event):
        reference: str
        dossier_id: UUID

        def apply(self, numbering: DossierNumbering) -> None:
            numbering.issued[self.reference] = self.dossier_id

    def issue(self, actor: Actor, dossier_id: UUID, at: datetime) -> str:
        """Give the next reference of the year to a dossier."""
        reference = f"FAPS-{self.year}-{len(self.issued) + 1:03d}"
        self.trigger_event(self.Issued, actor=actor, reference=reference,
                           dossier_id=dossier_id, timestamp=at)
        return reference
