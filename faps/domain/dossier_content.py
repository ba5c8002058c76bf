"""Value objects of a dossier: its states, what the commune writes, its documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from faps.domain.assessment import ExpenseLine, Funding, ProjectFacts
from faps.domain.money import ZERO, Euros
from faps.domain.reglement import Tenure
from faps.domain.text import Line, Text


class DossierState(StrEnum):
    """Where a dossier stands in its life."""

    DRAFT = "brouillon"
    SUBMITTED = "depose"
    INFORMATION_REQUESTED = "complements_demandes"
    COMPLETE = "complet"
    ASSESSED = "instruit"
    PROPOSED = "propose"
    ON_AGENDA = "inscrit"
    POSTPONED = "ajourne"
    AWARDED = "attribue"
    REJECTED = "rejete"
    LAPSED = "caduc"
    WITHDRAWN = "retire"
    CLOSED_INELIGIBLE = "clos_ineligible"
    CLOSED = "solde"
    DELETED = "brouillon_supprime"

    @property
    def label(self) -> str:
        """Return the French label shown on badges."""
        return STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        """Tell whether nothing more can happen to the dossier."""
        return self in FINAL_STATES



class Outcome(StrEnum):
    """The issue of a council's (or its bureau's) vote on a proposal; the values are the
    strings stored in `Dossier.Voted` and `CouncilSession.OutcomeRecorded`."""

    ADOPTED = "adoptee"
    REJECTED = "rejetee"
    POSTPONED = "ajournee"

    @property
    def state(self) -> DossierState:
        """Return the state the dossier is in after a vote of this issue."""
        return OUTCOME_STATES[self]


OUTCOME_STATES = {Outcome.ADOPTED: DossierState.AWARDED, Outcome.REJECTED: DossierState.REJECTED,
                  Outcome.POSTPONED: DossierState.POSTPONED}

STATE_LABELS = {
    DossierState.DRAFT: "Brouillon",
    DossierState.SUBMITTED: "Déposé",
    DossierState.INFORMATION_REQUESTED: "Compléments demandés",
    DossierState.COMPLETE: "Complet",
    DossierState.ASSESSED: "Instruit",
    DossierState.PROPOSED: "Proposé au conseil",
    DossierState.ON_AGENDA: "Inscrit à l’ordre du jour",
    DossierState.POSTPONED: "Ajourné",
    DossierState.AWARDED: "Attribué",
    DossierState.REJECTED: "Rejeté",
    DossierState.LAPSED: "Caduc",
    DossierState.WITHDRAWN: "Retiré",
    DossierState.CLOSED_INELIGIBLE: "Clos (inéligible)",
    DossierState.CLOSED: "Soldé",
    DossierState.DELETED: "Brouillon supprimé",
}
FINAL_STATES = frozenset(
    {
        DossierState.REJECTED,
        DossierState.LAPSED,
        DossierState.WITHDRAWN,
        DossierState.CLOSED_INELIGIBLE,
        DossierState.CLOSED,
        DossierState.DELETED,
    }
)
# Before filing, a dossier is the commune's own work: nobody else reads it.
UNFILED_STATES = frozenset({DossierState.DRAFT, DossierState.DELETED})


class DossierContent(BaseModel):
    """What the commune writes in its request; edited freely while a draft."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Line = Field(default="", max_length=200)
    description: Text = Field(default="", max_length=4000)
    premises_address: Line = Field(default="", max_length=300)
    premises_tenure: Tenure | None = None
    health_activity: bool = True
    professionals: Text = Field(default="", max_length=1000)
    works_started: bool = False
    works_planned_start: date | None = None
    expenses: tuple[ExpenseLine, ...] = Field(default=(), max_length=200)
    public_funding: tuple[Funding, ...] = Field(default=(), max_length=50)
    private_funding: tuple[Funding, ...] = Field(default=(), max_length=50)
    requested_amount: Euros = ZERO
    # The commune's own share (autofinancement). None: not stated — every content recorded
    # before this field existed reads so, and keeps its meaning (its fundings are unchanged).
    own_share: Euros | None = None

    def facts(self, commune: str, awarded_this_year: Decimal = ZERO) -> ProjectFacts:
        """Return the facts the règlement judges."""
        return ProjectFacts(
            commune=commune,
            premises_tenure=self.premises_tenure or Tenure.AUTRE,
            health_activity=self.health_activity,
            works_started=self.works_started,
            expenses=self.expenses,
            public_funding=self.public_funding,
            private_funding=self.private_funding,
            requested_amount=self.requested_amount,
            commune_awarded_this_year=awarded_this_year,
        )

    def missing_for_submission(self) -> list[str]:
        """Return the French names of what must be filled before submission."""
        missing = []
        if not self.title.strip():
            missing.append("l’objet de l’opération")
        if self.premises_tenure is None:
            missing.append("l’occupation des locaux")
        if not self.expenses:
            missing.append("au moins une ligne de dépense")
        if self.requested_amount <= 0:
            missing.append("le montant sollicité")
        return missing

    def updated(self, fields: dict[str, Any]) -> DossierContent:
        """Return a copy with the given fields replaced and revalidated."""
        return DossierContent.model_validate({**self.model_dump(), **fields})


class FieldChange(BaseModel):
    """One field of an edit, from what to what (JSON forms)."""

    model_config = ConfigDict(frozen=True)

    field: str
    before: Any = None
    after: Any = None


class DocumentRef(BaseModel):
    """An uploaded file as events know it: stored by its SHA-256."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: UUID
    kind: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    media_type: str = Field(min_length=3, max_length=100)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class InformationRequest(BaseModel):
    """A demande de compléments and, once given, the commune's answer."""

    model_config = ConfigDict(frozen=True)

    request_id: UUID
    message: str
    document_kinds: tuple[str, ...] = ()
    due_on: date
    requested_at: Any = None
    answer: str | None = None
    answered_at: Any = None
    fields: tuple[str, ...] | None = None  # a correction's fields (None: any, before v2)
    missing_reason: str = ""
    accepted_at: Any = None


PaymentKind = Literal["avance", "acompte", "solde"]
PAYMENT_KIND_LABELS = {"avance": "Avance", "acompte": "Acompte", "solde": "Solde"}


class PaymentRequest(BaseModel):
    """A demande de versement and what became of it."""

    model_config = ConfigDict(frozen=True)

    request_id: UUID
    kind: PaymentKind
    amount: Euros
    expenses_paid: Euros
    documents: tuple[UUID, ...] = ()
    status: Literal["en_attente", "paye", "refuse"] = "en_attente"
    paid_amount: Euros = ZERO
    paid_on: date | None = None
    mandate_reference: str = ""
    motive: str = ""
    retained_expenses: Euros | None = None  # at the balance: what the officer retained
    retention_motive: str = ""

    @property
    def eligible_expenses(self) -> Decimal:
        """Return the eligible expenses the payment rests on: retained, else declared."""
        return self.expenses_paid if self.retained_expenses is None else self.retained_expenses
