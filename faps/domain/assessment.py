"""Eligibility and grant computation: pure functions of (facts, règlement version).

The same computation answers the commune's simulation, the officer's instruction and the
dossier's EligibilityAssessed event (reference/simulation.md; legal caps of reference/law.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from faps.domain.communes import Commune
from faps.domain.legal import half_share_cap, min_participation_cap
from faps.domain.money import MAX_AMOUNT, ZERO, Euros, cents, format_euros, round_down
from faps.domain.reglement import ExpenseCategory, Reglement, Tenure
from faps.domain.text import Line

CAP_ORDER = (
    "cap_rate",
    "cap_ceiling",
    "cap_commune_year",
    "cap_half_share",
    "cap_min_participation",
    "cap_requested",
)


class ExpenseLine(BaseModel):
    """One line of the operation's cost, before tax (HT) and its VAT."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: Line = Field(min_length=1, max_length=200)
    category: ExpenseCategory
    amount_ht: Euros
    vat: Euros = ZERO

    @property
    def amount_ttc(self) -> Decimal:
        """Return the amount with tax."""
        return self.amount_ht + self.vat

    def on_basis(self, basis: str) -> Decimal:
        """Return the amount on the règlement's basis (HT or TTC)."""
        return self.amount_ttc if basis == "TTC" else self.amount_ht


class Funding(BaseModel):
    """One funding of the operation other than the FAPS grant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    funder: Line = Field(min_length=1, max_length=200)
    amount: Euros


class ProjectFacts(BaseModel):
    """What the règlement judges: the simulation request of reference/simulation.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commune: str = Field(min_length=1, max_length=10)
    premises_tenure: Tenure
    health_activity: bool
    works_started: bool
    expenses: tuple[ExpenseLine, ...] = Field(default=(), max_length=200)
    public_funding: tuple[Funding, ...] = Field(default=(), max_length=50)
    private_funding: tuple[Funding, ...] = Field(default=(), max_length=50)
    requested_amount: Euros
    commune_awarded_this_year: Euros = ZERO

    @field_validator("health_activity", "works_started", mode="before")
    @classmethod
    def _french_yes_no(cls, value: object) -> object:
        """Accept "oui" and "non", as the French error message invites."""
        if isinstance(value, str):
            return {"oui": True, "non": False}.get(value.strip().lower(), value)
        return value

    # Sums must fit the Euros figures of the assessment (each line alone may reach MAX_AMOUNT).
    @field_validator("expenses", "public_funding", "private_funding")
    @classmethod
    def _total_is_bounded(
        cls, lines: tuple[ExpenseLine, ...] | tuple[Funding, ...]
    ) -> tuple[ExpenseLine, ...] | tuple[Funding, ...]:
        total = sum(
            (x.amount_ttc if isinstance(x, ExpenseLine) else x.amount for x in lines), ZERO
        )
        if total > MAX_AMOUNT:
            raise ValueError("le total dépasse 1 000 000 000,00 €")
        return lines


class Criterion(BaseModel):
    """One condition checked, with the reason in French."""

    model_config = ConfigDict(frozen=True)

    code: str
    passed: bool
    message: str


class Figures(BaseModel):
    """Every intermediate figure of the computation."""

    model_config = ConfigDict(frozen=True)

    basis: Literal["HT", "TTC"]
    total_cost: Euros
    eligible_base: Euros
    public_funding: Euros
    private_funding: Euros
    caps: dict[str, Decimal]


class Assessment(BaseModel):
    """The explained outcome of judging facts against one règlement version."""

    model_config = ConfigDict(frozen=True)

    reglement_version: str
    eligible: bool
    criteria: tuple[Criterion, ...]
    figures: Figures
    max_grant: Euros
    grant: Euros
    binding_cap: str | None

    def to_json(self) -> dict[str, object]:
        """Return the JSON shape of reference/simulation.md."""
        data = self.model_dump(mode="json")
        data["figures"]["caps"] = {k: _money_text(v) for k, v in self.figures.caps.items()}
        return data


def _money_text(value: Decimal) -> str:
    return f"{round_down(value):.2f}"


def compute_figures(facts: ProjectFacts, reglement: Reglement) -> Figures:
    """Compute the cost, the eligible base, the fundings and every cap."""
    basis = reglement.basis
    total = sum((e.on_basis(basis) for e in facts.expenses), ZERO)
    eligible = sum(
        (e.on_basis(basis) for e in facts.expenses if reglement.is_eligible(e.category)), ZERO
    )
    public = sum((f.amount for f in facts.public_funding), ZERO)
    private = sum((f.amount for f in facts.private_funding), ZERO)
    caps: dict[str, Decimal] = {"cap_rate": reglement.rate * eligible}
    if reglement.ceiling_per_dossier is not None:
        caps["cap_ceiling"] = reglement.ceiling_per_dossier
    if reglement.commune_yearly_ceiling is not None:
        left = reglement.commune_yearly_ceiling - facts.commune_awarded_this_year
        caps["cap_commune_year"] = max(left, ZERO)
    caps["cap_half_share"] = half_share_cap(total, public, private)
    caps["cap_min_participation"] = min_participation_cap(total, public, private)
    caps["cap_requested"] = facts.requested_amount
    caps = {k: cents(v) if v == round_down(v) else v for k, v in caps.items()}
    return Figures(
        basis=basis,
        total_cost=total,
        eligible_base=eligible,
        public_funding=public,
        private_funding=private,
        caps=caps,
    )


def assess(facts: ProjectFacts, reglement: Reglement, commune: Commune | None) -> Assessment:
    """Judge the facts against the règlement version; `commune` is None for a non-member."""
    figures = compute_figures(facts, reglement)
    criteria = _criteria(facts, reglement, commune, figures)
    eligible = all(c.passed for c in criteria)
    limiting = {k: v for k, v in figures.caps.items() if k != "cap_requested"}
    max_grant = round_down(max(min(limiting.values()), ZERO))
    grant = min(max_grant, facts.requested_amount) if eligible else ZERO
    return Assessment(
        reglement_version=reglement.version,
        eligible=eligible,
        criteria=tuple(criteria),
        figures=figures,
        max_grant=max_grant,
        grant=round_down(grant),
        binding_cap=_binding_cap(figures.caps, round_down(grant)) if eligible else None,
    )


def _binding_cap(caps: dict[str, Decimal], grant: Decimal) -> str:
    """Name the cap that set the grant: the first, in CAP_ORDER, equal to it."""
    for name in CAP_ORDER:
        if name in caps and round_down(max(caps[name], ZERO)) == grant:
            return name
    return "cap_requested"


def _criteria(
    facts: ProjectFacts, reglement: Reglement, commune: Commune | None, figures: Figures
) -> list[Criterion]:
    found = [
        _commune_membre(facts, commune),
        Criterion(
            code="activite_sante",
            passed=facts.health_activity,
            message="Les locaux accueillent une activité médicale ou paramédicale."
            if facts.health_activity
            else "Les locaux n’accueillent pas d’activité médicale ou paramédicale : "
            "le FAPS ne finance que l’installation de professionnels de santé.",
        ),
        _occupation(facts, reglement),
    ]
    if reglement.works_must_not_have_started:
        found.append(
            Criterion(
                code="travaux_non_commences",
                passed=not facts.works_started,
                message="Les travaux n’ont pas commencé avant le dépôt."
                if not facts.works_started
                else "Les travaux ont commencé avant le dépôt du dossier, "
                "ce que le règlement n’admet pas.",
            )
        )
    found += [
        Criterion(
            code="depenses_eligibles",
            passed=figures.eligible_base > 0,
            message=f"Dépenses éligibles ({reglement.basis}) : "
            f"{format_euros(figures.eligible_base)}."
            if figures.eligible_base > 0
            else "Aucune dépense ne relève d’une catégorie éligible du règlement.",
        ),
        _plancher(reglement, figures),
        _part_communale(figures),
        _participation_minimale(figures),
    ]
    return found


def _commune_membre(facts: ProjectFacts, commune: Commune | None) -> Criterion:
    """CGCT L5216-5 VI: a fonds de concours goes only to a member commune."""
    if commune is None:
        return Criterion(
            code="commune_membre",
            passed=False,
            message=f"La commune {facts.commune} n’est pas membre de l’agglomération.",
        )
    return Criterion(
        code="commune_membre", passed=True, message=f"{commune.name} est membre de l’agglomération."
    )


def _occupation(facts: ProjectFacts, reglement: Reglement) -> Criterion:
    """Règlement: premises owned or rented by the commune."""
    accepted = facts.premises_tenure in reglement.accepted_tenures
    labels = ", ".join(t.label.lower() for t in reglement.accepted_tenures)
    return Criterion(
        code="occupation_locaux",
        passed=accepted,
        message=f"Occupation des locaux : {facts.premises_tenure.label.lower()}, admise."
        if accepted
        else f"Occupation des locaux : {facts.premises_tenure.label.lower()} ; "
        f"le règlement n’admet que : {labels}.",
    )


def _plancher(reglement: Reglement, figures: Figures) -> Criterion:
    """Règlement: a floor of eligible cost below which no dossier is funded."""
    floor = reglement.floor_eligible_cost
    if floor is None:
        return Criterion(code="plancher", passed=True,
                         message="Le règlement ne fixe pas de plancher.")
    passed = figures.eligible_base >= floor
    return Criterion(
        code="plancher",
        passed=passed,
        message=f"Dépenses éligibles de {format_euros(figures.eligible_base)} "
        + ("au moins égales" if passed else "inférieures")
        + f" au plancher de {format_euros(floor)}.",
    )


def _part_communale(figures: Figures) -> Criterion:
    """CGCT L5216-5 VI: the grant may not exceed the commune's own net share."""
    cap = figures.caps["cap_half_share"]
    passed = cap > 0
    return Criterion(
        code="part_communale",
        passed=passed,
        message=f"Le fonds de concours ne peut dépasser la part nette de la commune : "
        f"au plus {format_euros(max(cap, ZERO))}."
        if passed
        else "Les autres financements couvrent déjà tout le coût : "
        "il ne reste aucune part communale à cofinancer.",
    )


def _participation_minimale(figures: Figures) -> Criterion:
    """CGCT L1111-10 III: the commune pays at least 20 % of the public financing."""
    cap = figures.caps["cap_min_participation"]
    passed = cap > 0
    return Criterion(
        code="participation_minimale",
        passed=passed,
        message=f"La commune doit financer au moins 20 % des financements publics : "
        f"fonds de concours au plus {format_euros(max(cap, ZERO))}."
        if passed
        else "Les subventions publiques dépassent déjà 80 % du coût : la participation "
        "minimale de 20 % de la commune ne serait pas respectée.",
    )
