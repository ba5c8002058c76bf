"""The Dossier aggregate: one commune's request for one operation, from draft to balance.

Every command takes the acting account and the moment (`at`): the domain has no clock.
Rules and look-ups run before an event; an event's `apply` only assigns state.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from faps.domain import dossier_exchange as exchange
from faps.domain import dossier_grant as grant
from faps.domain.actors import Actor
from faps.domain.assessment import Assessment
from faps.domain.council import awarded_on
from faps.domain.deadlines import paris_day
from faps.domain.dossier_content import (
    DocumentRef,
    DossierContent,
    DossierState,
    FieldChange,
    InformationRequest,
    Outcome,
    PaymentRequest,
)
from faps.domain.dossier_exchange import (
    Opinion,
    check_correction_fields,
    check_edit_allowed,
    side_of,
)
from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.events import ActedEvent
from faps.domain.labels import OUTCOME_LABELS  # re-exported: one place names every code
from faps.domain.money import ZERO, format_euros

S = DossierState
BEFORE_AWARD = (S.DRAFT, S.SUBMITTED, S.INFORMATION_REQUESTED, S.COMPLETE, S.ASSESSED,
                S.PROPOSED, S.ON_AGENDA, S.POSTPONED)
IN_INSTRUCTION = (S.SUBMITTED, S.INFORMATION_REQUESTED, S.COMPLETE, S.ASSESSED)
# A correction may be asked at any state before the vote (off the agenda first).
CORRECTABLE = (S.SUBMITTED, S.COMPLETE, S.ASSESSED, S.PROPOSED, S.POSTPONED)


def _refuse(field: str, message: str) -> InvalidInputError:
    return InvalidInputError({field: [message]})


class Dossier(Aggregate):
    """A demande de financement and everything that happens to it.

    Every event of the dossier is declared here, with the state it leads to (`leads_to`,
    also read by the dossiers projection); the commands after the decision and those of the
    exchanges live in `dossier_grant` and `dossier_exchange` and are bound at the end.
    """

    class Event(ActedEvent):
        """Base of the dossier's events: who did it (the store records when)."""

        leads_to: ClassVar[DossierState | None] = None  # the state after the event (None: same)

        def state_after(self) -> DossierState | None:
            """Return the state the dossier is in after this event (None: unchanged)."""
            return self.leads_to

        @classmethod
        def moves_state(cls) -> bool:
            """Tell whether an event of this class may move the dossier to another state."""
            return cls.leads_to is not None or "state_after" in vars(cls)

        def mutate(self, aggregate: Any) -> Any:
            """Apply the event, then move the dossier to the state it leads to."""
            dossier = super().mutate(aggregate)
            state = self.state_after()
            if state is not None and dossier is not None:
                dossier.state = state
            return dossier

    class Drafted(Event, Aggregate.Created):
        commune: str
        content: DossierContent

    def __init__(self, actor: Actor, commune: str, content: DossierContent) -> None:
        self.commune = commune
        self.content = content
        self.drafted_by = actor
        self.state = S.DRAFT
        self.reference: str | None = None
        self.submitted_on: date | None = None
        self.reglement_version: str | None = None
        self.documents: dict[UUID, DocumentRef] = {}
        self.information_requests: list[InformationRequest] = []
        self.assessment: Assessment | None = None
        self.proposed_amount: Decimal | None = None
        self.proposal_motive = ""
        self.session_id: UUID | None = None
        self.agenda_item: int | None = None
        self.awarded_amount = ZERO
        self.decision: dict[str, Any] | None = None
        self.municipal_deliberation: dict[str, Any] | None = None
        self.notified_on: date | None = None
        self.agreement: dict[str, Any] | None = None
        self.payment_requests: dict[UUID, PaymentRequest] = {}
        self.paid = ZERO
        self.clawback_due = ZERO
        self.clawback_recovered = ZERO
        self.officer: dict[str, Any] | None = None
        self.notes: list[dict[str, Any]] = []
        self.closing_motive = ""
        self.messages: list[dict[str, Any]] = []
        self.opinions: dict[UUID, Opinion] = {}
        self.documents_at_request: frozenset[UUID] = frozenset()

    @classmethod
    def draft(cls, actor: Actor, commune: str, content: DossierContent, at: datetime) -> Dossier:
        """Open a new draft for a commune."""
        return cls._create(cls.Drafted, actor=actor, commune=commune, content=content,
                           timestamp=at)

    # -- guards ---------------------------------------------------------------------------
    def _require(self, action: str, *states: DossierState) -> None:
        if self.state not in states:
            raise TransitionNotAllowedError(
                f"Impossible de {action} : le dossier est « {self.state.label} »."
            )

    @property
    def open_request(self) -> InformationRequest | None:
        """Return the information request waiting for an answer, if any."""
        pending = [r for r in self.information_requests if r.answer is None]
        return pending[-1] if pending else None

    @property
    def document_kinds(self) -> set[str]:
        """Return the kinds of the documents currently attached."""
        return {d.kind for d in self.documents.values()}

    @property
    def pending_payment(self) -> PaymentRequest | None:
        """Return the payment request waiting for the officer, if any."""
        waiting = [p for p in self.payment_requests.values() if p.status == "en_attente"]
        return waiting[0] if waiting else None

    @property
    def net_paid(self) -> Decimal:
        """Return what was paid less what is to be paid back."""
        return self.paid - self.clawback_due

    @property
    def remaining_to_pay(self) -> Decimal:
        """Return what may still be paid on the award."""
        return max(self.awarded_amount - self.net_paid, ZERO)

    # -- drafting -------------------------------------------------------------------------
    class Edited(Event):
        changes: tuple[FieldChange, ...]

        def apply(self, dossier: Dossier) -> None:
            dossier.content = dossier.content.updated({c.field: c.after for c in self.changes})

    def edit(self, actor: Actor, content: DossierContent, at: datetime) -> None:
        """Replace the content; records only the fields that changed (none: no event)."""
        self._require("modifier le dossier", S.DRAFT, S.INFORMATION_REQUESTED)
        before, after = self.content.model_dump(mode="json"), content.model_dump(mode="json")
        changes = tuple(
            FieldChange(field=k, before=before[k], after=after[k])
            for k in after
            if before[k] != after[k]
        )
        if self.state is S.INFORMATION_REQUESTED and self.open_request is not None:
            check_edit_allowed(self.open_request.fields, [c.field for c in changes])
        if changes:
            self.trigger_event(self.Edited, actor=actor, changes=changes, timestamp=at)

    class DocumentAttached(Event):
        document: DocumentRef

        def apply(self, dossier: Dossier) -> None:
            dossier.documents[self.document.document_id] = self.document

    def attach_document(self, actor: Actor, document: DocumentRef, at: datetime) -> None:
        """Attach an uploaded file of a given kind."""
        if self.state.is_final:
            self._require("joindre une pièce")
        if document.document_id in self.documents:
            raise _refuse("document", "cette pièce est déjà jointe")
        self.trigger_event(self.DocumentAttached, actor=actor, document=document, timestamp=at)

    class DocumentRemoved(Event):
        document_id: UUID

        def apply(self, dossier: Dossier) -> None:
            del dossier.documents[self.document_id]

    def remove_document(self, actor: Actor, document_id: UUID, at: datetime) -> None:
        """Remove a document while the dossier is a draft."""
        self._require("retirer une pièce", S.DRAFT)
        if document_id not in self.documents:
            raise _refuse("document", "cette pièce n’est pas jointe au dossier")
        self.trigger_event(self.DocumentRemoved, actor=actor, document_id=document_id,
                           timestamp=at)

    class Submitted(Event):
        leads_to = S.SUBMITTED
        reference: str
        acknowledged_on: date
        reglement_version: str

        def apply(self, dossier: Dossier) -> None:
            dossier.reference = self.reference
            dossier.submitted_on = self.acknowledged_on
            dossier.reglement_version = self.reglement_version

    def submit(self, actor: Actor, reference: str, reglement_version: str, at: datetime) -> None:
        """File the dossier; the event is its dated acknowledgement of receipt."""
        self._require("déposer le dossier", S.DRAFT)
        missing = self.content.missing_for_submission()
        if missing:
            raise _refuse("dossier", "avant le dépôt, renseignez " + ", ".join(missing))
        self.trigger_event(self.Submitted, actor=actor, reference=reference,
                           acknowledged_on=paris_day(at), reglement_version=reglement_version,
                           timestamp=at)

    # -- instruction ----------------------------------------------------------------------
    class InformationRequested(Event):
        """A request for documents or answers, or a correction naming the fields to change.

        v2 added `fields` (the content the commune may correct; None: any, as v1 allowed) and
        `assessment_voided` (the assessment and proposal no longer stand; v1: False).
        """

        leads_to = S.INFORMATION_REQUESTED
        class_version = 2
        request_id: UUID
        message: str
        document_kinds: tuple[str, ...]
        due_on: date
        fields: tuple[str, ...] | None
        assessment_voided: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["fields"] = None
            state["assessment_voided"] = False

        def apply(self, dossier: Dossier) -> None:
            dossier.information_requests.append(InformationRequest(
                request_id=self.request_id, message=self.message,
                document_kinds=self.document_kinds, due_on=self.due_on,
                requested_at=self.timestamp, fields=self.fields))
            dossier.documents_at_request = frozenset(dossier.documents)
            if self.assessment_voided:
                dossier.assessment = None
                dossier.proposed_amount = None
                dossier.proposal_motive = ""

    def request_information(self, actor: Actor, request_id: UUID, message: str,
                            document_kinds: tuple[str, ...], due_on: date, at: datetime,
                            fields: tuple[str, ...] = ()) -> None:
        """Ask the commune for documents or answers, or send it back for correction of the
        named fields; any assessment or proposal then no longer stands."""
        self._require("demander des compléments ou une correction", *CORRECTABLE)
        if not message.strip():
            raise _refuse("message", "précisez ce qui est demandé")
        if due_on <= paris_day(at):
            raise _refuse("due_on", "l’échéance doit être postérieure à aujourd’hui")
        check_correction_fields(fields)
        self.trigger_event(self.InformationRequested, actor=actor, request_id=request_id,
                           message=message.strip(), document_kinds=document_kinds,
                           due_on=due_on, fields=tuple(dict.fromkeys(fields)),
                           assessment_voided=self.assessment is not None
                           or self.proposed_amount is not None, timestamp=at)

    class InformationProvided(Event):
        """The commune's reply. v2 added `missing_reason`: why a requested piece is not
        joined (v1: "", every piece was required)."""

        leads_to = S.SUBMITTED
        class_version = 2
        request_id: UUID
        message: str
        missing_reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["missing_reason"] = ""

        def apply(self, dossier: Dossier) -> None:
            dossier.information_requests = [
                r.model_copy(update={"answer": self.message, "answered_at": self.timestamp,
                                     "missing_reason": self.missing_reason})
                if r.request_id == self.request_id else r
                for r in dossier.information_requests
            ]

    def provide_information(self, actor: Actor, message: str, at: datetime,
                            missing_reason: str = "",
                            kind_labels: dict[str, str] | None = None) -> None:
        """Answer the open request; a requested piece not joined needs the commune's reason."""
        self._require("répondre à une demande de compléments", S.INFORMATION_REQUESTED)
        request = self.open_request
        assert request is not None
        missing = [(kind_labels or {}).get(k, k) for k in request.document_kinds
                   if k not in self.fresh_document_kinds]
        if missing and not missing_reason.strip():
            raise _refuse("documents",
                          "joignez les pièces demandées (" + ", ".join(missing) + ") ou "
                          "expliquez pourquoi vous ne pouvez pas les fournir")
        if not message.strip():
            raise _refuse("message", "écrivez une réponse")
        self.trigger_event(self.InformationProvided, actor=actor, request_id=request.request_id,
                           message=message.strip(),
                           missing_reason=missing_reason.strip() if missing else "",
                           timestamp=at)

    class DeclaredComplete(Event):
        leads_to = S.COMPLETE

    def declare_complete(self, actor: Actor, required: dict[str, str], at: datetime) -> None:
        """Declare the dossier complete: every document the règlement requires is attached."""
        self._require("déclarer le dossier complet", S.SUBMITTED)
        missing = [label for code, label in required.items() if code not in self.document_kinds]
        if missing:
            raise _refuse("documents", "pièces manquantes : " + " ; ".join(missing))
        self.trigger_event(self.DeclaredComplete, actor=actor, timestamp=at)

    class EligibilityAssessed(Event):
        leads_to = S.ASSESSED
        assessment: Assessment

        def apply(self, dossier: Dossier) -> None:
            dossier.assessment = self.assessment
            dossier.proposed_amount = None
            dossier.proposal_motive = ""

    def assess(self, actor: Actor, assessment: Assessment, at: datetime) -> None:
        """Record the règlement's judgement of the dossier, with every figure."""
        self._require("instruire l’éligibilité", S.COMPLETE, S.ASSESSED, S.PROPOSED, S.POSTPONED)
        if assessment.reglement_version != self.reglement_version:
            raise _refuse("reglement", f"le dossier relève du règlement {self.reglement_version}")
        self.trigger_event(self.EligibilityAssessed, actor=actor, assessment=assessment,
                           timestamp=at)

    class Proposed(Event):
        leads_to = S.PROPOSED
        amount: Decimal
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.proposed_amount = self.amount
            dossier.proposal_motive = self.motive

    def propose(self, actor: Actor, amount: Decimal, motive: str, at: datetime) -> None:
        """Propose a grant to the council, never above what the assessment allows."""
        self._require("proposer une attribution", S.ASSESSED)
        assert self.assessment is not None
        if not self.assessment.eligible:
            raise TransitionNotAllowedError("Le dossier n’est pas éligible : aucune proposition.")
        if amount <= 0 or amount > self.assessment.grant:
            raise _refuse("amount", "le montant proposé doit être positif et au plus "
                          f"{format_euros(self.assessment.grant)} (maximum de l’instruction)")
        if not motive.strip():
            raise _refuse("motive", "motivez la proposition")
        self.trigger_event(self.Proposed, actor=actor, amount=amount, motive=motive.strip(),
                           timestamp=at)

    class PlacedOnAgenda(Event):
        leads_to = S.ON_AGENDA
        session_id: UUID
        item_number: int

        def apply(self, dossier: Dossier) -> None:
            dossier.session_id = self.session_id
            dossier.agenda_item = self.item_number

    def place_on_agenda(self, actor: Actor, session_id: UUID, item_number: int,
                        at: datetime) -> None:
        """Put the proposal on a council session's agenda."""
        self._require("inscrire le dossier à l’ordre du jour", S.PROPOSED, S.POSTPONED)
        self.trigger_event(self.PlacedOnAgenda, actor=actor, session_id=session_id,
                           item_number=item_number, timestamp=at)

    class RemovedFromAgenda(Event):
        leads_to = S.PROPOSED
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.session_id = None
            dossier.agenda_item = None

    def remove_from_agenda(self, actor: Actor, motive: str, at: datetime) -> None:
        """Take the dossier off the agenda before the vote."""
        self._require("retirer le dossier de l’ordre du jour", S.ON_AGENDA)
        self.trigger_event(self.RemovedFromAgenda, actor=actor, motive=motive, timestamp=at)

    class Voted(Event):
        """The council's (or its bureau's) decision on the dossier's proposal — not a budget's
        adoption (`YearlyBudget.Voted`); the name is the stored topic. v2 names the deciding
        body (v1: None, read as the council)."""

        class_version = 2
        session_id: UUID
        outcome: str
        amount_awarded: Decimal
        deliberation_reference: str
        votes_for: int
        votes_against: int
        abstentions: int
        decided_on: date
        body: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["body"] = None

        def state_after(self) -> DossierState:
            return Outcome(self.outcome).state

        def apply(self, dossier: Dossier) -> None:
            dossier.awarded_amount = self.amount_awarded
            dossier.decision = {
                "session_id": self.session_id, "outcome": self.outcome,
                "amount": self.amount_awarded, "reference": self.deliberation_reference,
                "votes_for": self.votes_for, "votes_against": self.votes_against,
                "abstentions": self.abstentions, "decided_on": self.decided_on,
                "body": self.body or "conseil",
            }
            if self.outcome == Outcome.POSTPONED:
                dossier.session_id = None
                dossier.agenda_item = None

    def record_vote(self, actor: Actor, session_id: UUID, outcome: Outcome, amount: Decimal,
                    deliberation_reference: str, votes: tuple[int, int, int],
                    decided_on: date, at: datetime, body: str = "conseil") -> None:
        """Record the council's (or its bureau's) vote on the dossier's proposal."""
        self._require("enregistrer un vote", S.ON_AGENDA)
        if session_id != self.session_id:
            raise _refuse("session",
                          "le dossier n’est pas inscrit à l’ordre du jour de cette séance")
        check_vote(outcome, votes)
        assert self.assessment is not None
        if outcome == Outcome.ADOPTED and not ZERO < amount <= self.assessment.max_grant:
            raise _refuse("amount", "le montant attribué doit être positif et au plus "
                          f"{format_euros(self.assessment.max_grant)} "
                          "(plafonds légaux et du règlement)")
        amount = awarded_on(outcome, amount)
        if outcome != Outcome.POSTPONED and not deliberation_reference.strip():
            raise _refuse("deliberation_reference", "indiquez le numéro de la délibération")
        self.trigger_event(self.Voted, actor=actor, session_id=session_id,
                           outcome=Outcome(outcome).value,
                           amount_awarded=amount, deliberation_reference=deliberation_reference,
                           votes_for=votes[0], votes_against=votes[1], abstentions=votes[2],
                           decided_on=decided_on, body=body, timestamp=at)

    class Withdrawn(Event):
        leads_to = S.WITHDRAWN
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.closing_motive = self.motive

    def withdraw(self, actor: Actor, motive: str, at: datetime) -> None:
        """The commune gives up its filed request before the council's decision."""
        self._require("retirer le dossier", *BEFORE_AWARD[1:])
        self.trigger_event(self.Withdrawn, actor=actor, motive=motive.strip(), timestamp=at)

    # -- issue 12 (forgiving workflows): a recorded vote rectified (material error) --------
    class VoteRectified(Event):
        amount_awarded: Decimal
        deliberation_reference: str
        votes_for: int
        votes_against: int
        abstentions: int
        motive: str

        def apply(self, dossier: Dossier) -> None:
            assert dossier.decision is not None
            dossier.awarded_amount = self.amount_awarded
            dossier.decision = {
                **dossier.decision, "amount": self.amount_awarded,
                "reference": self.deliberation_reference, "votes_for": self.votes_for,
                "votes_against": self.votes_against, "abstentions": self.abstentions,
                "rectified": self.motive}

    def rectify_vote(self, actor: Actor, amount: Decimal, deliberation_reference: str,
                     votes: tuple[int, int, int], motive: str, at: datetime) -> None:
        """Correct a material error of the recorded vote; the outcome stands."""
        if self.decision is None or self.state not in (S.AWARDED, S.REJECTED, S.POSTPONED):
            self._require("rectifier la délibération", S.AWARDED, S.REJECTED, S.POSTPONED)
        assert self.decision is not None and self.assessment is not None
        outcome = self.decision["outcome"]
        check_vote(outcome, votes)
        amount = awarded_on(outcome, amount)
        paid, most = max(ZERO, self.net_paid), self.assessment.max_grant
        if outcome == Outcome.ADOPTED and not paid < amount <= most:
            raise _refuse("amount", "le montant rectifié doit dépasser ce qui est déjà versé "
                          f"({format_euros(self.net_paid)}) et rester au plus "
                          f"{format_euros(self.assessment.max_grant)}")
        self.trigger_event(self.VoteRectified, actor=actor, amount_awarded=amount,
                           deliberation_reference=deliberation_reference.strip(),
                           votes_for=votes[0], votes_against=votes[1], abstentions=votes[2],
                           motive=motive.strip(), timestamp=at)

    # -- issue 12 (forgiving workflows): a draft belongs to the commune until filed --------
    class DraftDeleted(Event):
        """The commune deleted a draft it never filed (nobody else ever read it)."""

        leads_to = S.DELETED

    def delete_draft(self, actor: Actor, at: datetime) -> None:
        """Delete a draft never filed; a filed dossier is withdrawn instead."""
        self._require("supprimer le brouillon", S.DRAFT)
        self.trigger_event(self.DraftDeleted, actor=actor, timestamp=at)

    class ClosedIneligible(Event):
        leads_to = S.CLOSED_INELIGIBLE
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.closing_motive = self.motive

    def close_ineligible(self, actor: Actor, motive: str, at: datetime) -> None:
        """Close the dossier as ineligible, with the motive sent to the commune."""
        self._require("clore le dossier comme inéligible", *IN_INSTRUCTION)
        if not motive.strip():
            raise _refuse("motive", "motivez la décision")
        self.trigger_event(self.ClosedIneligible, actor=actor, motive=motive.strip(),
                           timestamp=at)

    class OfficerAssigned(Event):
        officer_id: UUID
        officer_name: str

        def apply(self, dossier: Dossier) -> None:
            dossier.officer = {"account_id": self.officer_id, "name": self.officer_name}

    def assign(self, actor: Actor, officer_id: UUID, officer_name: str, at: datetime) -> None:
        """Give the dossier to a finance officer."""
        if self.state is S.DRAFT or self.state.is_final:
            self._require("attribuer le dossier à un instructeur")
        if self.officer and self.officer["account_id"] == officer_id:
            return
        self.trigger_event(self.OfficerAssigned, actor=actor, officer_id=officer_id,
                           officer_name=officer_name, timestamp=at)

    class NoteAdded(Event):
        text: str

        def apply(self, dossier: Dossier) -> None:
            dossier.notes.append({"text": self.text, "by": self.actor.display,
                                  "at": self.timestamp})

    def add_note(self, actor: Actor, text: str, at: datetime) -> None:
        """Add a private note of the fund's officers (never shown to the commune)."""
        if self.state is S.DRAFT:
            self._require("annoter le dossier")
        if not text.strip():
            raise _refuse("text", "la note est vide")
        self.trigger_event(self.NoteAdded, actor=actor, text=text.strip(), timestamp=at)

    # -- after the decision: events of the commands in faps.domain.dossier_grant -------------
    class MunicipalDeliberationRecorded(Event):
        reference: str
        decided_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.municipal_deliberation = {"reference": self.reference,
                                              "decided_on": self.decided_on}

    class Notified(Event):
        notified_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.notified_on = self.notified_on

    class AgreementSigned(Event):
        reference: str
        signed_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.agreement = {"reference": self.reference, "signed_on": self.signed_on}

    class PaymentRequested(Event):
        request_id: UUID
        kind: str
        amount: Decimal
        expenses_paid: Decimal
        documents: tuple[UUID, ...]

        def apply(self, dossier: Dossier) -> None:
            dossier.payment_requests[self.request_id] = PaymentRequest(
                request_id=self.request_id, kind=self.kind, amount=self.amount,  # type: ignore[arg-type]
                expenses_paid=self.expenses_paid, documents=self.documents)

    class PaymentMade(Event):
        """A payment, with the statement of sums already paid it rested on (CGCT D1617-19).

        v2 added `paid_before` (net sums already paid) and `awarded` (the award then);
        v1 events have None: their statement is rebuilt from the dossier's earlier version.
        """

        class_version = 2
        request_id: UUID
        amount: Decimal
        paid_on: date
        mandate_reference: str
        paid_before: Decimal | None
        awarded: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["paid_before"] = None
            state["awarded"] = None

        def apply(self, dossier: Dossier) -> None:
            dossier.paid += self.amount
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"status": "paye", "paid_amount": self.amount, "paid_on": self.paid_on,
                        "mandate_reference": self.mandate_reference})

    class ExpensesRetained(Event):
        """At the balance, the officer retained less than the eligible expenses declared."""

        request_id: UUID
        declared: Decimal
        retained: Decimal
        motive: str

        def apply(self, dossier: Dossier) -> None:
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"retained_expenses": self.retained, "retention_motive": self.motive})

    class PaymentRequestRefused(Event):
        request_id: UUID
        motive: str

        def apply(self, dossier: Dossier) -> None:
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"status": "refuse", "motive": self.motive})

    class GrantReduced(Event):
        previous_amount: Decimal
        new_amount: Decimal
        real_eligible_cost: Decimal
        clawback_due: Decimal
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.awarded_amount = self.new_amount
            dossier.clawback_due += self.clawback_due

    class ClawbackRecovered(Event):
        amount: Decimal
        title_reference: str

        def apply(self, dossier: Dossier) -> None:
            dossier.clawback_recovered += self.amount

    class Lapsed(Event):
        leads_to = S.LAPSED
        motive: str
        released_amount: Decimal

        def apply(self, dossier: Dossier) -> None:
            dossier.awarded_amount -= self.released_amount
            dossier.closing_motive = self.motive

    class Closed(Event):
        """The grant is soldé (settled: paid in full, the rest released); v2 records the unpaid
        remainder released (v1: None, unknown). Not `CouncilSession.Closed` (a séance closed)."""

        class_version = 2
        leads_to = S.CLOSED
        released_amount: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["released_amount"] = None

        def apply(self, dossier: Dossier) -> None:
            dossier.awarded_amount -= self.released_amount or ZERO

    record_municipal_deliberation = grant.record_municipal_deliberation
    notify = grant.notify
    sign_agreement = grant.sign_agreement
    request_payment = grant.request_payment
    balance_settlement = grant.balance_settlement
    make_payment = grant.make_payment
    refuse_payment_request = grant.refuse_payment_request
    reduce_grant = grant.reduce_grant
    record_clawback = grant.record_clawback
    lapse = grant.lapse
    close = grant.close

    # -- exchanges: events of the commands in faps.domain.dossier_exchange -------------------
    class MessagePosted(Event):
        message_id: UUID
        text: str
        document_ids: tuple[UUID, ...]

        def apply(self, dossier: Dossier) -> None:
            dossier.messages.append({
                "message_id": self.message_id, "text": self.text,
                "document_ids": self.document_ids, "side": side_of(self.actor),
                "by": self.actor.display, "at": self.timestamp})

    class ReplyAccepted(Event):
        request_id: UUID

        def apply(self, dossier: Dossier) -> None:
            dossier.information_requests = [
                r.model_copy(update={"accepted_at": self.timestamp})
                if r.request_id == self.request_id else r
                for r in dossier.information_requests]

    class OpinionRequested(Event):
        opinion_id: UUID
        body: str
        email: str
        question: str
        due_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.opinions[self.opinion_id] = Opinion(
                opinion_id=self.opinion_id, body=self.body, email=self.email,
                question=self.question, due_on=self.due_on, requested_at=self.timestamp)

    class OpinionGiven(Event):
        opinion_id: UUID
        verdict: str
        text: str
        document_id: UUID | None
        given_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.opinions[self.opinion_id] = dossier.opinions[self.opinion_id].model_copy(
                update={"verdict": self.verdict, "text": self.text,
                        "document_id": self.document_id, "given_on": self.given_on})

    post_message = exchange.post_message
    fresh_document_kinds = property(exchange.fresh_document_kinds)
    reply_waiting = property(exchange.reply_waiting)
    accept_reply = exchange.accept_reply
    request_opinion = exchange.request_opinion
    open_opinion = exchange.open_opinion
    give_opinion = exchange.give_opinion


def check_vote(outcome: str, votes: tuple[int, int, int]) -> None:
    """Check the vote counts agree with the outcome (simple majority of votes cast)."""
    if outcome not in OUTCOME_LABELS:
        raise _refuse("outcome", "issue inconnue : adoptée, rejetée ou ajournée")
    if any(v < 0 for v in votes):
        raise _refuse("votes", "les nombres de voix ne peuvent pas être négatifs")
    for_, against, _ = votes
    if outcome == Outcome.ADOPTED and for_ <= against:
        raise _refuse("votes", "une délibération adoptée réunit plus de voix pour que contre")
    if outcome == Outcome.REJECTED and for_ > against:
        raise _refuse("votes", "plus de voix pour que contre : la délibération est adoptée")
