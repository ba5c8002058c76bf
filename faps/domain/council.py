"""The CouncilSession aggregate: a séance, its agenda and the outcome of each item."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor
from faps.domain.dates import paris_day
from faps.domain.dossier_content import Outcome
from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.events import ActedEvent
from faps.domain.labels import BODY_LABELS as BODY_LABELS  # one place names every code
from faps.domain.money import ZERO

Body = Literal["conseil", "bureau"]


def awarded_on(outcome: str, amount: Decimal) -> Decimal:
    """Return what an item's vote awards: its amount if adopted, else nothing (events recorded
    before this rule carried the proposal for a rejected or postponed item)."""
    return amount if outcome == Outcome.ADOPTED else ZERO


def _refuse(field: str, message: str) -> InvalidInputError:
    return InvalidInputError({field: [message]})


class CouncilSession(Aggregate):
    """A meeting of the community council (or its bureau) that votes on proposals."""

    class Event(ActedEvent):
        """Base of the session's events."""

    class Scheduled(Event, Aggregate.Created):
        body: str
        session_date: date
        place: str
        convocation_date: date
        councillors_in_office: int
        president: str
        secretary: str

    def __init__(self, actor: Actor, body: str, session_date: date, place: str,
                 convocation_date: date, councillors_in_office: int, president: str,
                 secretary: str) -> None:
        self.body = body
        self.session_date = session_date
        self.place = place
        self.convocation_date = convocation_date
        self.councillors_in_office = councillors_in_office
        self.president = president
        self.secretary = secretary
        self.items: dict[int, dict[str, Any]] = {}
        self.closed = False

    @classmethod
    def schedule(cls, actor: Actor, body: Body, session_date: date, place: str,
                 convocation_date: date, councillors_in_office: int, president: str,
                 secretary: str, at: datetime) -> CouncilSession:
        """Create a session; the convocation precedes it (CGCT: at least 5 clear days)."""
        if convocation_date >= session_date:
            raise _refuse("convocation_date", "la convocation doit précéder la séance")
        if councillors_in_office <= 0:
            raise _refuse("councillors_in_office", "nombre de conseillers en exercice invalide")
        if not place.strip():
            raise _refuse("place", "indiquez le lieu de la séance")
        return cls._create(cls.Scheduled, actor=actor, body=body, session_date=session_date,
                           place=place.strip(), convocation_date=convocation_date,
                           councillors_in_office=councillors_in_office,
                           president=president.strip(), secretary=secretary.strip(),
                           timestamp=at)

    def _open(self, action: str) -> None:
        if self.closed:
            raise TransitionNotAllowedError(f"Impossible de {action} : la séance est close.")

    @property
    def next_item_number(self) -> int:
        """Return the number the next agenda item gets."""
        return max(self.items, default=0) + 1

    class ItemAdded(Event):
        item_number: int
        dossier_id: UUID
        dossier_reference: str
        commune: str
        title: str
        proposed_amount: Decimal

        def apply(self, session: CouncilSession) -> None:
            session.items[self.item_number] = {
                "item_number": self.item_number, "dossier_id": self.dossier_id,
                "dossier_reference": self.dossier_reference, "commune": self.commune,
                "title": self.title, "proposed_amount": self.proposed_amount,
                "outcome": None, "withdrawn": False,
            }

    def add_item(self, actor: Actor, dossier_id: UUID, dossier_reference: str, commune: str,
                 title: str, proposed_amount: Decimal, at: datetime) -> int:
        """Put a proposal on the agenda; return its item number."""
        self._open("compléter l’ordre du jour")
        if any(i["dossier_id"] == dossier_id and not i["withdrawn"] and i["outcome"] is None
               for i in self.items.values()):
            raise _refuse("dossier", "ce dossier est déjà à l’ordre du jour")
        number = self.next_item_number
        self.trigger_event(self.ItemAdded, actor=actor, item_number=number, dossier_id=dossier_id,
                           dossier_reference=dossier_reference, commune=commune, title=title,
                           proposed_amount=proposed_amount, timestamp=at)
        return number

    class ItemWithdrawn(Event):
        item_number: int
        motive: str

        def apply(self, session: CouncilSession) -> None:
            session.items[self.item_number]["withdrawn"] = True

    def withdraw_item(self, actor: Actor, item_number: int, motive: str, at: datetime) -> None:
        """Take an item off the agenda before its vote (even before the session is held)."""
        self._open("modifier l’ordre du jour")
        item = self._pending_item(item_number)
        if not motive.strip():
            raise _refuse("motive", "motivez le retrait du point")
        self.trigger_event(self.ItemWithdrawn, actor=actor, item_number=item["item_number"],
                           motive=motive.strip(), timestamp=at)

    class ItemMoved(Event):
        """An item taken off this agenda to be put on another session's."""

        item_number: int
        motive: str
        to_session_id: UUID
        to_session_date: date

        def apply(self, session: CouncilSession) -> None:
            session.items[self.item_number].update(withdrawn=True,
                                                   moved_to=self.to_session_id)

    def move_item(self, actor: Actor, item_number: int, motive: str, to: CouncilSession,
                  at: datetime) -> None:
        """Move an item not yet voted to another open session, with a motive."""
        self._open("modifier l’ordre du jour")
        item = self._pending_item(item_number)
        if to.id == self.id or to.closed:
            raise _refuse("to_session", "choisissez une autre séance, non close")
        if not motive.strip():
            raise _refuse("motive", "motivez le report du point")
        self.trigger_event(self.ItemMoved, actor=actor, item_number=item["item_number"],
                           motive=motive.strip(), to_session_id=to.id,
                           to_session_date=to.session_date, timestamp=at)

    @property
    def waiting_items(self) -> list[int]:
        """Return the numbers of the items still without an outcome (nor withdrawn)."""
        return [n for n, i in self.items.items() if not i["withdrawn"] and i["outcome"] is None]

    def _pending_item(self, item_number: int) -> dict[str, Any]:
        item = self.items.get(item_number)
        if item is None or item["withdrawn"]:
            raise _refuse("item_number", f"pas de point n° {item_number} à l’ordre du jour")
        if item["outcome"] is not None:
            raise TransitionNotAllowedError(f"Le point n° {item_number} a déjà été voté.")
        return item

    class OutcomeRecorded(Event):
        item_number: int
        outcome: str
        amount_awarded: Decimal
        deliberation_reference: str
        votes_for: int
        votes_against: int
        abstentions: int
        present: int
        voting: int

        def apply(self, session: CouncilSession) -> None:
            session.items[self.item_number].update(
                outcome=self.outcome, amount_awarded=awarded_on(self.outcome, self.amount_awarded),
                deliberation_reference=self.deliberation_reference, votes_for=self.votes_for,
                votes_against=self.votes_against, abstentions=self.abstentions,
                present=self.present, voting=self.voting)

    def record_outcome(self, actor: Actor, item_number: int, outcome: str, amount: Decimal,
                       deliberation_reference: str, votes: tuple[int, int, int],
                       attendance: tuple[int, int], at: datetime) -> UUID:
        """Record an item's vote; return the dossier it concerns."""
        self._open("enregistrer un vote")
        if paris_day(at) < self.session_date:
            raise TransitionNotAllowedError(
                f"Impossible d’enregistrer un vote : la séance du {self.session_date:%d/%m/%Y} "
                "n’a pas encore eu lieu.")
        item = self._pending_item(item_number)
        present, voting = attendance
        if not 0 < present <= self.councillors_in_office:
            raise _refuse("present", f"entre 1 et {self.councillors_in_office} présents")
        if not present <= voting <= self.councillors_in_office:
            raise _refuse("voting", "les votants (présents et représentés) sont au moins les "
                          "présents et au plus les conseillers en exercice")
        if sum(votes) > voting:
            raise _refuse("votes", f"plus de voix ({sum(votes)}) que de votants ({voting})")
        if outcome != Outcome.POSTPONED and votes[0] + votes[1] + votes[2] == 0:
            raise _refuse("votes", "indiquez les voix pour, contre et les abstentions")
        self.trigger_event(self.OutcomeRecorded, actor=actor, item_number=item_number,
                           outcome=outcome,
                           amount_awarded=awarded_on(outcome, amount),
                           deliberation_reference=deliberation_reference.strip(),
                           votes_for=votes[0], votes_against=votes[1], abstentions=votes[2],
                           present=present, voting=voting, timestamp=at)
        dossier_id: UUID = item["dossier_id"]
        return dossier_id

    class Closed(Event):
        def apply(self, session: CouncilSession) -> None:
            session.closed = True

    def close(self, actor: Actor, at: datetime) -> None:
        """Close the session once every item has an outcome."""
        self._open("clore la séance")
        waiting = self.waiting_items
        if waiting:
            raise TransitionNotAllowedError(
                "Points sans issue enregistrée : " + ", ".join(f"n° {n}" for n in waiting))
        self.trigger_event(self.Closed, actor=actor, timestamp=at)

    class OutcomeRectified(Event):
        """A material error of a recorded vote corrected (amount, counts, deliberation number);
        the outcome itself stands."""

        item_number: int
        amount_awarded: Decimal
        deliberation_reference: str
        votes_for: int
        votes_against: int
        abstentions: int
        present: int
        voting: int
        motive: str

        def apply(self, session: CouncilSession) -> None:
            item = session.items[self.item_number]
            item.update(amount_awarded=awarded_on(item["outcome"], self.amount_awarded),
                        deliberation_reference=self.deliberation_reference,
                        votes_for=self.votes_for, votes_against=self.votes_against,
                        abstentions=self.abstentions, present=self.present, voting=self.voting,
                        rectified=self.motive)

    def rectify_outcome(self, actor: Actor, item_number: int, amount: Decimal,
                        deliberation_reference: str, votes: tuple[int, int, int],
                        attendance: tuple[int, int], motive: str, at: datetime) -> UUID:
        """Rectify a recorded vote (closed session or not); return the dossier it concerns."""
        item = self.items.get(item_number)
        if item is None or item["outcome"] is None:
            raise _refuse("item_number", f"le point n° {item_number} n’a pas de vote enregistré")
        present, voting = attendance
        if not 0 < present <= voting <= self.councillors_in_office:
            raise _refuse("voting", "présents et votants incohérents avec les conseillers "
                          f"en exercice ({self.councillors_in_office})")
        if sum(votes) > voting:
            raise _refuse("votes", f"plus de voix ({sum(votes)}) que de votants ({voting})")
        if not motive.strip():
            raise _refuse("motive", "motivez la rectification (erreur matérielle)")
        if not deliberation_reference.strip() and item["outcome"] != Outcome.POSTPONED:
            raise _refuse("deliberation_reference", "indiquez le numéro de la délibération")
        self.trigger_event(self.OutcomeRectified, actor=actor, item_number=item_number,
                           amount_awarded=awarded_on(item["outcome"], amount),
                           deliberation_reference=deliberation_reference.strip(),
                           votes_for=votes[0], votes_against=votes[1], abstentions=votes[2],
                           present=present, voting=voting, motive=motive.strip(), timestamp=at)
        dossier_id: UUID = item["dossier_id"]
        return dossier_id
