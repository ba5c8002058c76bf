"""Test support: a world of accounts and helpers that drive a dossier through its life."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from faps.application.clock import SettableClock
from faps.bootstrap import Faps
from faps.domain.actors import SYSTEM_ACTOR, Actor, Role

PASSWORD = "motdepasse-de-test"
FILING_KINDS = ("deliberation_municipale", "note_presentation", "devis", "plan_financement",
                "titre_occupation")


def pdf(text: str = "piece") -> bytes:
    """Return the bytes of a minimal (sniffable) PDF."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def content(**overrides: Any) -> dict[str, Any]:
    """Return a valid dossier content: 100,000 € HT eligible, 20,000 € from the ARS."""
    data: dict[str, Any] = {
        "title": "Maison de santé pluriprofessionnelle",
        "description": "Aménagement d'un cabinet pour deux médecins généralistes.",
        "premises_address": "1 rue de la Mairie",
        "premises_tenure": "locataire",
        "health_activity": True,
        "professionals": "2 médecins généralistes, 1 infirmière",
        "works_started": False,
        "expenses": [
            {"label": "Cloisons, plomberie", "category": "travaux_amenagement",
             "amount_ht": "80000.00", "vat": "16000.00"},
            {"label": "Fauteuil dentaire", "category": "equipement_specifique",
             "amount_ht": "20000.00", "vat": "4000.00"},
        ],
        "public_funding": [{"funder": "ARS Île-de-France", "amount": "20000.00"}],
        "private_funding": [],
        "requested_amount": "40000.00",
    }
    data.update(overrides)
    return data


@dataclass
class World:
    """Faps with an account per role."""

    faps: Faps
    clock: SettableClock
    admin: Actor
    agent: Actor  # Lognes, 77258
    other_agent: Actor  # Chelles, 77108
    officer: Actor
    secretariat: Actor
    auditor: Actor

    def actor(self, email: str, role: Role, commune: str | None = None) -> Actor:
        """Open an account and return its actor."""
        account_id = self.faps.accounts.open(self.admin, email, email.split("@")[0], role,
                                             commune, PASSWORD)
        return self.faps.accounts.get(account_id).as_actor()

    # -- driving a dossier ----------------------------------------------------------------
    def drafted(self, **overrides: Any) -> UUID:
        """Return a new draft of Lognes."""
        return self.faps.dossiers.draft(self.agent, "77258", content(**overrides))

    def submitted(self, **overrides: Any) -> UUID:
        """Return a submitted dossier with every filing document attached."""
        dossier_id = self.drafted(**overrides)
        for kind in FILING_KINDS:
            self.faps.dossiers.attach(self.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
        self.faps.dossiers.submit(self.agent, dossier_id)
        return dossier_id

    def assessed(self, **overrides: Any) -> UUID:
        """Return a complete, assessed dossier."""
        dossier_id = self.submitted(**overrides)
        self.faps.dossiers.declare_complete(self.officer, dossier_id)
        self.faps.dossiers.assess(self.officer, dossier_id)
        return dossier_id

    def proposed(self, amount: Decimal | None = None, **overrides: Any) -> UUID:
        """Return a dossier proposed to the council at the assessment's grant."""
        dossier_id = self.assessed(**overrides)
        dossier = self.faps.dossiers.load(self.officer, dossier_id)
        assert dossier.assessment is not None
        self.faps.dossiers.propose(self.officer, dossier_id, amount or dossier.assessment.grant,
                                   "Projet conforme au règlement.")
        return dossier_id

    def session(self, on: date | None = None) -> UUID:
        """Schedule a council session (today unless said): votes are recorded on or after it."""
        on = on or self.clock.now().date()
        return self.faps.council.schedule(self.secretariat, "conseil", on,
                                          "Torcy, hôtel d'agglomération",
                                          on - timedelta(days=6), 65, "Le Président",
                                          "La secrétaire de séance")

    def awarded(self, **overrides: Any) -> UUID:
        """Return a dossier the council adopted, with the municipal deliberation recorded."""
        dossier_id = self.proposed(**overrides)
        session_id = self.session()
        (item,) = self.faps.council.add_to_agenda(self.secretariat, session_id, [dossier_id])
        dossier = self.faps.dossiers.load(self.officer, dossier_id)
        self.faps.council.record_outcome(
            self.secretariat, session_id, item, "adoptee", dossier.proposed_amount or Decimal(0),
            f"DEL-{self.clock.now().year}-{item:03d}", (50, 3, 2), (52, 55))
        self.faps.grants.record_municipal_deliberation(
            self.secretariat, dossier_id, "DCM-2024-12", self.clock.now().date())
        return dossier_id


def make_world(faps: Faps, clock: SettableClock) -> World:
    """Open one account per role and vote a 2024 budget of 1,000,000 €."""
    admin_id = faps.accounts.open(SYSTEM_ACTOR, "admin@agglo.test", "Administratrice",
                                  Role.ADMINISTRATOR, None, PASSWORD)
    admin = faps.accounts.get(admin_id).as_actor()

    def open_(email: str, role: Role, commune: str | None = None) -> Actor:
        account_id = faps.accounts.open(admin, email, email.split("@")[0], role, commune, PASSWORD)
        return faps.accounts.get(account_id).as_actor()

    world = World(
        faps=faps, clock=clock, admin=admin,
        agent=open_("agent@lognes.test", Role.COMMUNE_AGENT, "77258"),
        other_agent=open_("agent@chelles.test", Role.COMMUNE_AGENT, "77108"),
        officer=open_("instructeur@agglo.test", Role.FINANCE_OFFICER),
        secretariat=open_("secretariat@agglo.test", Role.SECRETARIAT),
        auditor=open_("auditeur@agglo.test", Role.AUDITOR),
    )
    faps.budgets.vote(world.secretariat, 2024, Decimal("1000000.00"), "DEL-2023-200")
    return world
