"""The decisions of the council, read from the aggregates (the same on a log replayed in memory).

Exports are regenerated from the log up to a recorded position, so they read the aggregates of
an application rather than the live projections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.domain.communes import CommuneDirectory
from faps.domain.council import BODY_LABELS, CouncilSession, awarded_on
from faps.domain.dossier import OUTCOME_LABELS, Dossier
from faps.domain.dossier_content import Outcome
from faps.domain.errors import NotFoundError
from faps.domain.reglement import Reglement
from faps.domain.reglement_book import BOOK_ID

DEPARTEMENT = "077"
ADOPTED, ADJOURNED = Outcome.ADOPTED, Outcome.POSTPONED
SCHEDULED_TOPIC = get_topic(CouncilSession.Scheduled)


def actes_identifier(siren: str, decided_on: date, reference: str) -> str:
    """Return the ACTES identifier `077-SIREN-YYYYMMDD-NUMBER-DE` of a deliberation."""
    number = re.sub(r"[^A-Z0-9]+", "_", reference.upper()).strip("_")[:15] or "SANS_NUMERO"
    return f"{DEPARTEMENT}-{siren}-{decided_on:%Y%m%d}-{number}-DE"


@dataclass(frozen=True)
class Decision:
    """One voted item of a session, with its dossier's later steps."""

    session: CouncilSession
    item: dict[str, Any]
    dossier: Dossier
    commune_name: str
    reglement: Reglement | None

    @property
    def outcome_label(self) -> str:
        """Return « Adoptée », « Rejetée » or « Ajournée »."""
        return OUTCOME_LABELS.get(self.item["outcome"], "")

    @property
    def adopted(self) -> bool:
        """Tell whether the council adopted the award (the only outcome that awards money)."""
        return bool(self.item["outcome"] == ADOPTED)

    @property
    def deliberated(self) -> bool:
        """Tell whether a deliberation was voted (an adjourned item has none)."""
        return bool(self.item["outcome"] != ADJOURNED)

    @property
    def amount(self) -> Decimal:
        """Return the amount the council awarded on this item: nothing unless adopted.

        The session records the amount put to the vote whatever the outcome, so a rejected or
        adjourned item must not be read as an award.
        """
        return awarded_on(self.item["outcome"], Decimal(self.item.get("amount_awarded") or 0))

    @property
    def proposed_amount(self) -> Decimal:
        """Return the amount proposed to the council."""
        return Decimal(self.item.get("proposed_amount") or 0)

    @property
    def reference(self) -> str:
        """Return the deliberation reference."""
        return str(self.item.get("deliberation_reference") or "")

    @property
    def body_label(self) -> str:
        """Return the council's name."""
        return BODY_LABELS.get(self.session.body, self.session.body)

    def actes_id(self, siren: str) -> str:
        """Return the ACTES identifier of the deliberation ("" for an adjourned item)."""
        if not self.deliberated:
            return ""
        return actes_identifier(siren, self.session.session_date, self.reference)

    @property
    def payments(self) -> list[Any]:
        """Return the payments made, by date."""
        paid = [p for p in self.dossier.payment_requests.values() if p.status == "paye"]
        return sorted(paid, key=lambda p: (p.paid_on, str(p.request_id)))


class DecisionReader:
    """Sessions and their voted items, from an application's aggregates."""

    def __init__(self, app: Any, communes: CommuneDirectory) -> None:
        self.app = app
        self.communes = communes

    def session_ids(self) -> list[UUID]:
        """Return every session's id, in the order they were scheduled."""
        ids: list[UUID] = []
        start = 1
        while True:
            batch = self.app.recorder.select_notifications(start, 1000, topics=[SCHEDULED_TOPIC])
            ids.extend(UUID(str(n.originator_id)) for n in batch)
            if len(batch) < 1000:
                return ids
            start = batch[-1].id + 1

    def session(self, session_id: UUID) -> CouncilSession:
        """Return a session."""
        if not self.app.exists(session_id):
            raise NotFoundError("Séance introuvable.")
        session: CouncilSession = self.app.repository.get(session_id)
        return session

    def sessions_of(self, year: int) -> list[CouncilSession]:
        """Return the sessions held in a year, by date."""
        sessions = [self.app.repository.get(i) for i in self.session_ids()]
        return sorted((s for s in sessions if s.session_date.year == year),
                      key=lambda s: (s.session_date, str(s.id)))

    def decisions(self, sessions: list[CouncilSession], adopted_only: bool = False,
                  deliberated_only: bool = False) -> list[Decision]:
        """Return the voted items of sessions, by session then item number.

        `adopted_only` keeps the awards; `deliberated_only` leaves out adjourned items.
        """
        book = self.app.repository.get(BOOK_ID) if self.app.exists(BOOK_ID) else None
        found = []
        for session in sessions:
            for number in sorted(session.items):
                item = session.items[number]
                if item["withdrawn"] or item["outcome"] is None:
                    continue
                if ((adopted_only and item["outcome"] != ADOPTED)
                        or (deliberated_only and item["outcome"] == ADJOURNED)):
                    continue
                dossier: Dossier = self.app.repository.get(item["dossier_id"])
                reglement = book.get(dossier.reglement_version) if book else None
                found.append(Decision(session, item, dossier, self.communes.name(dossier.commune),
                                      reglement))
        return found
