"""Use cases of the règlement: adopt a version, find the one in force."""

from __future__ import annotations

from datetime import date

from faps.application import policy
from faps.application.context import Context
from faps.domain.actors import SYSTEM_ACTOR, Actor
from faps.domain.errors import ConfigurationError, NotFoundError
from faps.domain.reglement import Reglement
from faps.domain.reglement_book import BOOK_ID, ReglementBook


class ReglementService:
    """The versions of the règlement adopted by the council."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def book(self) -> ReglementBook:
        """Return the book of versions (opened empty if it does not exist yet)."""
        if not self.ctx.app.exists(BOOK_ID):
            return ReglementBook.open(SYSTEM_ACTOR, self.ctx.clock.now())
        book: ReglementBook = self.ctx.app.load(BOOK_ID, what="Règlement")
        return book

    def adopt(self, actor: Actor, reglement: Reglement) -> None:
        """Record a version adopted by deliberation, with its date of effect."""
        policy.require(actor, "reglement.adopt")
        book = self.book()
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

    def get(self, version: str) -> Reglement:
        """Return a version by its name."""
        found = self.book().get(version)
        if found is None:
            raise NotFoundError(f"Version de règlement inconnue : {version}.")
        return found
