"""The ReglementBook aggregate: every version of the règlement the council adopted."""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor
from faps.domain.errors import InvalidInputError
from faps.domain.events import ActedEvent
from faps.domain.reglement import Reglement, in_force

BOOK_ID: UUID = uuid5(NAMESPACE_URL, "faps:reglement-book")


class ReglementBook(Aggregate):
    """The adopted versions of the règlement, each with its date of effect."""

    class Event(ActedEvent):
        """Base of the book's events."""

    class Opened(Event, Aggregate.Created):
        pass

    def __init__(self, actor: Actor) -> None:
        self.versions: list[Reglement] = []

    @classmethod
    def open(cls, actor: Actor, at: datetime) -> ReglementBook:
        """Open the (single) book of règlement versions."""
        return cls._create(cls.Opened, id=BOOK_ID, actor=actor, timestamp=at)

    class Adopted(Event):
        reglement: Reglement

        def apply(self, book: ReglementBook) -> None:
            book.versions.append(self.reglement)

    def adopt(self, actor: Actor, reglement: Reglement, at: datetime) -> None:
        """Record a version adopted by deliberation; a version name is never reused."""
        if any(v.version == reglement.version for v in self.versions):
            raise InvalidInputError({"version": [f"la version {reglement.version} existe déjà"]})
        self.trigger_event(self.Adopted, actor=actor, reglement=reglement, timestamp=at)

    def in_force(self, on: date) -> Reglement | None:
        """Return the version in force on a date."""
        return in_force(self.versions, on)

    def get(self, version: str) -> Reglement | None:
        """Return a version by its name."""
        return next((v for v in self.versions if v.version == version), None)
