"""Use cases of a dossier from draft to proposal: one method each, load → command → save."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from faps.application import policy
from faps.application.conflicts import dossier_changed
from faps.application.context import Context
from faps.application.documents import check_upload, document_ref
from faps.application.grant_history import Reduction, as_filed, reductions
from faps.application.reglements import ReglementService
from faps.application.retry import retried
from faps.application.validation import validate
from faps.domain.actors import Actor
from faps.domain.assessment import Assessment, assess
from faps.domain.budget import YearlyBudget
from faps.domain.deadlines import paris_day
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierContent
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.domain.money import ZERO
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement import Reglement


class DossierService:
    """Drafting, filing and instruction of dossiers."""

    def __init__(self, ctx: Context, reglements: ReglementService) -> None:
        self.ctx = ctx
        self.reglements = reglements

    # -- loading --------------------------------------------------------------------------
    def load(self, actor: Actor, dossier_id: UUID, action: str = "dossier.read",
             expected_version: int | None = None) -> Dossier:
        """Load a dossier the actor may act on; check the version they saw, if given."""
        dossier: Dossier = self.ctx.app.load(dossier_id)
        policy.require(actor, action, dossier.commune)
        policy.require_filed(actor, dossier.state)
        if expected_version is not None and dossier.version != expected_version:
            raise dossier_changed(self.ctx.app, actor, dossier_id, expected_version)
        return dossier

    def as_filed(self, actor: Actor, dossier_id: UUID) -> Dossier | None:
        """Return the dossier as it stood when filed (its receipt), None if never filed."""
        self.load(actor, dossier_id)  # the right to read it
        return as_filed(self.ctx.app, dossier_id)

    def reductions(self, dossier: Dossier) -> list[Reduction]:
        """Return the reductions of a dossier's grant, oldest first (the dossier as loaded)."""
        return reductions(self.ctx.app, dossier.id)

    def find(self, actor: Actor, reference: str) -> Dossier:
        """Load a dossier by its reference FAPS-YYYY-NNN or its id."""
        return self.load(actor, self.resolve(reference))

    def resolve(self, reference: str) -> UUID:
        """Return the id of a dossier named by reference or id."""
        text = reference.strip()
        try:
            return UUID(text)
        except ValueError:
            pass
        parts = text.upper().split("-")
        if len(parts) == 3 and parts[0] == "FAPS" and parts[1].isdigit():
            numbering = self.ctx.app.find(DossierNumbering.create_id(int(parts[1])))
            if numbering is not None and text.upper() in numbering.issued:
                return UUID(str(numbering.issued[text.upper()]))
        raise NotFoundError(f"Dossier introuvable : {reference}.")

    def _save(self, *aggregates: Any) -> None:
        self.ctx.app.save_all(*aggregates)

    def _now(self):  # type: ignore[no-untyped-def]
        return self.ctx.clock.now()

    # -- the commune ----------------------------------------------------------------------
    @retried
    def draft(self, actor: Actor, commune: str, content: dict[str, Any] | DossierContent) -> UUID:
        """Open a draft for the actor's commune."""
        policy.require(actor, "dossier.draft", commune)
        if commune not in self.ctx.communes:
            raise InvalidInputError({"commune": [f"{commune} n'est pas une commune membre"]})
        if not isinstance(content, DossierContent):
            content = validate(DossierContent, content)
        dossier = Dossier.draft(actor, commune, content, self._now())
        self._save(dossier)
        return dossier.id

    @retried
    def edit(self, actor: Actor, dossier_id: UUID, fields: dict[str, Any],
             expected_version: int | None = None) -> None:
        """Change some fields of the content (validated together)."""
        dossier = self.load(actor, dossier_id, "dossier.edit", expected_version)
        merged = {**dossier.content.model_dump(mode="json"), **fields}
        dossier.edit(actor, validate(DossierContent, merged), self._now())
        self._save(dossier)

    @retried
    def attach(self, actor: Actor, dossier_id: UUID, kind: str, name: str, data: bytes) -> UUID:
        """Store an uploaded file (type checked by content) and attach it to the dossier."""
        dossier = self.load(actor, dossier_id, "dossier.attach")
        if not kind or len(kind) > 40:
            raise InvalidInputError({"kind": ["choisissez le type de pièce"]})
        media_type = check_upload(name, data, self.ctx.max_upload_bytes)
        sha256 = self.ctx.documents.put(data)
        ref = document_ref(kind, name, data, media_type, sha256)
        dossier.attach_document(actor, ref, self._now())
        self._save(dossier)
        return ref.document_id

    def document(self, actor: Actor, dossier_id: UUID, document_id: UUID) -> tuple[Any, bytes]:
        """Return a document's reference and its bytes, checked against the event's hash."""
        dossier = self.load(actor, dossier_id)
        ref = dossier.documents.get(document_id)
        if ref is None:
            raise NotFoundError("Pièce introuvable.")
        return ref, self.ctx.documents.get(ref.sha256)

    @retried
    def remove_document(self, actor: Actor, dossier_id: UUID, document_id: UUID) -> None:
        """Remove a document from a draft."""
        dossier = self.load(actor, dossier_id, "dossier.remove_document")
        dossier.remove_document(actor, document_id, self._now())
        self._save(dossier)

    @retried
    def submit(self, actor: Actor, dossier_id: UUID, expected_version: int | None = None) -> str:
        """File the dossier: it gets its reference and is judged by the version in force."""
        dossier = self.load(actor, dossier_id, "dossier.submit", expected_version)
        now = self._now()
        reglement = self.reglements.in_force(paris_day(now))
        numbering = self._numbering(paris_day(now).year)
        reference = numbering.issue(actor, dossier.id, now)
        dossier.submit(actor, reference, reglement.version, now)
        self._save(dossier, numbering)
        return reference

    def reglement_of(self, dossier: Dossier) -> Reglement:
        """Return the version a dossier is judged by (a draft: the one in force today).

        A command refused for a draft must reach the aggregate's guard, which names the state.
        """
        if dossier.reglement_version is None:
            return self.reglements.in_force(paris_day(self._now()))
        return self.reglements.get(dossier.reglement_version)

    def _numbering(self, year: int) -> DossierNumbering:
        numbering: DossierNumbering | None = self.ctx.app.find(DossierNumbering.create_id(year))
        return numbering or DossierNumbering.open(self._system(), year, self._now())

    def _system(self) -> Actor:
        from faps.domain.actors import SYSTEM_ACTOR

        return SYSTEM_ACTOR

    @retried
    def provide_information(self, actor: Actor, dossier_id: UUID, message: str) -> None:
        """Answer the open information request."""
        dossier = self.load(actor, dossier_id, "dossier.provide_information")
        dossier.provide_information(actor, message, self._now())
        self._save(dossier)

    @retried
    def withdraw(self, actor: Actor, dossier_id: UUID, motive: str) -> None:
        """Give up the request before the council's decision."""
        dossier = self.load(actor, dossier_id, "dossier.withdraw")
        dossier.withdraw(actor, motive, self._now())
        self._save(dossier)

    def delete_draft(self, actor: Actor, dossier_id: UUID) -> None:
        """Delete a draft the commune never filed."""
        dossier = self.load(actor, dossier_id, "dossier.delete_draft")
        dossier.delete_draft(actor, self._now())
        self._save(dossier)

    # -- the finance officer --------------------------------------------------------------
    @retried
    def request_information(self, actor: Actor, dossier_id: UUID, message: str,
                            document_kinds: tuple[str, ...] = (),
                            due_on: date | None = None, fields: tuple[str, ...] = ()) -> UUID:
        """Ask the commune for documents, answers or corrections of the named fields."""
        dossier = self.load(actor, dossier_id, "dossier.request_information")
        now = self._now()
        if due_on is None:
            delay = self.reglement_of(dossier).information_delay_days
            due_on = now.date() + timedelta(days=delay)
        request_id = uuid4()
        dossier.request_information(actor, request_id, message, tuple(document_kinds), due_on, now,
                                    tuple(fields))
        self._save(dossier)
        return request_id

    @retried
    def declare_complete(self, actor: Actor, dossier_id: UUID) -> None:
        """Declare the dossier complete against the règlement's checklist."""
        dossier = self.load(actor, dossier_id, "dossier.declare_complete")
        reglement = self.reglement_of(dossier)
        required = {k.code: k.label for k in reglement.documents_at_filing}
        dossier.declare_complete(actor, required, self._now())
        self._save(dossier)

    def assessment_of(self, dossier: Dossier) -> Assessment:
        """Judge the dossier against the version it was filed under."""
        reglement = self.reglement_of(dossier)
        year = (dossier.submitted_on or paris_day(self._now())).year
        budget: YearlyBudget | None = self.ctx.app.find(YearlyBudget.create_id(year))
        awarded = budget.committed_to(dossier.commune) if budget is not None else ZERO
        facts = dossier.content.facts(dossier.commune, awarded)
        return assess(facts, reglement, self.ctx.communes.get(dossier.commune))

    @retried
    def assess(self, actor: Actor, dossier_id: UUID) -> Assessment:
        """Record the explained assessment of eligibility and of the maximum grant."""
        dossier = self.load(actor, dossier_id, "dossier.assess")
        assessment = self.assessment_of(dossier)
        dossier.assess(actor, assessment, self._now())
        self._save(dossier)
        return assessment

    @retried
    def propose(self, actor: Actor, dossier_id: UUID, amount: Decimal, motive: str,
                expected_version: int | None = None) -> None:
        """Propose a grant to the council."""
        dossier = self.load(actor, dossier_id, "dossier.propose", expected_version)
        dossier.propose(actor, amount, motive, self._now())
        self._save(dossier)

    @retried
    def close_ineligible(self, actor: Actor, dossier_id: UUID, motive: str) -> None:
        """Close the dossier as ineligible."""
        dossier = self.load(actor, dossier_id, "dossier.close_ineligible")
        dossier.close_ineligible(actor, motive, self._now())
        self._save(dossier)

    @retried
    def assign(self, actor: Actor, dossier_id: UUID, officer_id: UUID, officer_name: str) -> None:
        """Give the dossier to a finance officer."""
        dossier = self.load(actor, dossier_id, "dossier.assign")
        dossier.assign(actor, officer_id, officer_name, self._now())
        self._save(dossier)

    @retried
    def add_note(self, actor: Actor, dossier_id: UUID, text: str) -> None:
        """Add a private note (never shown to the commune)."""
        dossier = self.load(actor, dossier_id, "dossier.add_note")
        dossier.add_note(actor, text, self._now())
        self._save(dossier)
