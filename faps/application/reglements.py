"""Use cases of the règlement: adopt a version, find the one in force."""

from __future__ import annotations

from datetime import date

from faps.application import policy
from faps.application.context import Context
from faps.application.retry import retried
from faps.domain.actors import SYSTEM_ACTOR, Actor
from faps.domain.errors import ConfigurationError, NotFoundError
from faps.domain.reglement import Reglement
from faps.domain.reglement_book import BOOK_ID, ReglementBook


class ReglementService:
    """The versions of the règlement adopted by the council.

    Dossiers are judged on every instruction step, so the book is kept in memory: an adopted
    version never changes (its name is never reused), and whether another process adopted a
    new one since is one indexed read of the book's later events, not a replay.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._book: ReglementBook | None = None

    def book(self) -> ReglementBook:
        """Return the current book of versions (opened empty if it does not exist yet)."""
        cached = self._book
        if cached is not None and not self.ctx.app.recorder.select_events(
                BOOK_ID, gt=cached.version, limit=1):
            return cached
        book: ReglementBook | None = self.ctx.app.find(BOOK_ID)
        if book is None:
            return ReglementBook.open(SYSTEM_ACTOR, self.ctx.clock.now())
        self._book = book
        return book

    @retried
    def adopt(self, actor: Actor, reglement: Reglement) -> None:
        """Record a version adopted by deliberation, with its date of effect."""
        policy.require(actor, "reglement.adopt")
        book: ReglementBook = (self.ctx.app.find(BOOK_ID)
                               or ReglementBook.open(SYSTEM_ACTOR, self.ctx.clock.now()))
        book.adopt(actor, reglement, self.ctx.clock.now())
        self.ctx.app.save_all(book)

    def versions(self) -> list[Reglement]:
        """Return every adopted version, oldest first."""
        return sorted(self.book().versions, key=lambda v: v.effective_from)

    def in_force(self, on: date) -> Reglement:
        """Return the version in force on a date (the judge of dossiers filed that day)."""
        version = self.book().in_force(on)
        if version is None:
            raise ConfigurationError(f"Aucun règlement n'est en vigueur le {on:%d/%m/%Y}.")
        return version

    def current(self) -> Reglement:
        """Return the version in force today (by the fund's clock)."""
        return self.in_force(self.ctx.clock.now().date())

    def get(self, version: str) -> Reglement:
        """Return a version by its name."""
        found = self.book().get(version)
        if found is None:
            raise NotFoundError(f"Version de règlement inconnue : {version}.")
        return found
