"""The règlement of the FAPS: versioned rules, each version adopted by a deliberation."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from faps.domain.money import Euros

PLACEHOLDER = re.compile(r"\s*\([^)]*à confirmer[^)]*\)", re.IGNORECASE)


class ExpenseCategory(StrEnum):
    """Kinds of expense of an operation (the first three are eligible by default)."""

    TRAVAUX_AMENAGEMENT = "travaux_amenagement"
    EQUIPEMENT_SPECIFIQUE = "equipement_specifique"
    AMENAGEMENTS_TECHNIQUES = "amenagements_techniques"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        """Return the French name of the category."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    ExpenseCategory.TRAVAUX_AMENAGEMENT: "Travaux d’aménagement des locaux",
    ExpenseCategory.EQUIPEMENT_SPECIFIQUE: "Équipement médical ou paramédical spécifique",
    ExpenseCategory.AMENAGEMENTS_TECHNIQUES: "Aménagements techniques liés à l’activité",
    ExpenseCategory.AUTRE: "Autre dépense (non éligible)",
}


class Tenure(StrEnum):
    """How the commune holds the premises."""

    PROPRIETAIRE = "proprietaire"
    LOCATAIRE = "locataire"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        """Return the French name of the tenure."""
        return TENURE_LABELS[self]


TENURE_LABELS = {
    Tenure.PROPRIETAIRE: "Propriétaire",
    Tenure.LOCATAIRE: "Locataire",
    Tenure.AUTRE: "Autre (mise à disposition…)",
}


class DocumentKind(BaseModel):
    """A kind of pièce justificative the règlement asks for."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z_]{2,40}$")
    label: str


class Reglement(BaseModel):
    """One version of the règlement; immutable once adopted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=40)
    adopted_by: str = Field(min_length=1, max_length=200)
    adopted_on: date | None = None
    deliberation_number: str = Field(default="", max_length=40)
    effective_from: date
    basis: Literal["HT", "TTC"] = "HT"
    rate: Decimal = Field(gt=0, le=1)
    ceiling_per_dossier: Euros | None = None
    floor_eligible_cost: Euros | None = None
    commune_yearly_ceiling: Euros | None = None
    eligible_categories: tuple[ExpenseCategory, ...] = (
        ExpenseCategory.TRAVAUX_AMENAGEMENT,
        ExpenseCategory.EQUIPEMENT_SPECIFIQUE,
        ExpenseCategory.AMENAGEMENTS_TECHNIQUES,
    )
    accepted_tenures: tuple[Tenure, ...] = (Tenure.PROPRIETAIRE, Tenure.LOCATAIRE)
    works_must_not_have_started: bool = True
    documents_at_filing: tuple[DocumentKind, ...] = ()
    documents_at_advance: tuple[DocumentKind, ...] = ()
    documents_at_interim: tuple[DocumentKind, ...] = ()
    documents_at_balance: tuple[DocumentKind, ...] = ()
    advance_rate: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    # An acompte is at most award × eligible expenses justified ÷ planned eligible base, less
    # what was already paid (faps.domain.grant.interim_limit). Versions adopted before this
    # field existed read True: an interim payment never outran the expenses it rests on.
    interim_pro_rata: bool = True
    information_delay_days: int = Field(default=30, gt=0)
    works_start_delay_months: int = Field(default=12, gt=0)
    balance_delay_months: int = Field(default=36, gt=0)
    to_be_confirmed: bool = False
    notes: str = ""

    @field_validator("rate", "advance_rate", mode="before")
    @classmethod
    def _no_float(cls, value: object) -> object:
        if isinstance(value, float):
            return str(value)
        return value

    def is_eligible(self, category: ExpenseCategory) -> bool:
        """Tell whether expenses of this category enter the eligible base."""
        return category in self.eligible_categories

    @property
    def adopting_act(self) -> str:
        """Return the act that adopted this version, as printed: number and date, no placeholder.

        Versions adopted before the number was a field of its own may carry a placeholder such
        as « (numéro à confirmer) » in `adopted_by`: it is never printed.
        """
        text = PLACEHOLDER.sub("", self.adopted_by).strip()
        number = self.deliberation_number
        if number and number not in text:
            head, _, rest = text.partition(" ")
            if head.lower() == "délibération":
                return f"{head} n°\u00a0{number} {rest}".strip()
            return f"{text} (n°\u00a0{number})"
        return text

    def document_kinds(self) -> dict[str, str]:
        """Return every document kind this version knows, code → label."""
        kinds = (*self.documents_at_filing, *self.documents_at_advance,
                 *self.documents_at_interim, *self.documents_at_balance)
        return {k.code: k.label for k in kinds}


def in_force(versions: list[Reglement], on: date) -> Reglement | None:
    """Return the version in force on a date: the latest whose effect started by then."""
    applicable = [v for v in versions if v.effective_from <= on]
    if not applicable:
        return None
    return max(applicable, key=lambda v: (v.effective_from, v.version))
