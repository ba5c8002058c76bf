"""Pure figures of a grant after its award: advance limit, pro-rata reduction."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from faps.domain.assessment import Assessment
from faps.domain.legal import legal_max
from faps.domain.money import ZERO, format_euros, round_down


def advance_limit(awarded: Decimal, advance_rate: Decimal) -> Decimal:
    """Return the largest advance the règlement allows on an award."""
    return round_down(awarded * advance_rate)


def interim_limit(awarded: Decimal, justified: Decimal, planned_base: Decimal,
                  net_paid: Decimal) -> Decimal:
    """Return the largest acompte: award × eligible expenses justified ÷ planned eligible base,
    less what was already paid (règlement, rule `interim_pro_rata`); never above the award."""
    if planned_base <= 0:
        return ZERO
    share = awarded * min(justified / planned_base, Decimal(1))
    return max(round_down(share) - net_paid, ZERO)


INTERIM_RULE = ("Un acompte est au plus égal au montant attribué × dépenses éligibles "
                "justifiées ÷ dépense éligible prévue, moins les sommes déjà versées.")


def pro_rata_grant(awarded: Decimal, planned_base: Decimal, real_base: Decimal,
                   legal_max: Decimal) -> Decimal:
    """Reduce the grant in proportion to the eligible cost actually paid, within the legal caps.

    Règlement: the grant is reduced pro rata when the real eligible cost is lower than planned;
    CGCT L5216-5 VI and L1111-10 are checked again on the real figures (`legal_max`).
    """
    if planned_base <= 0:
        return ZERO
    ratio = min(real_base / planned_base, Decimal(1))
    return round_down(max(min(awarded * ratio, legal_max, awarded), ZERO))


def reduced_grant(assessment: Assessment, awarded: Decimal, real_eligible: Decimal) -> Decimal:
    """Return the grant for the eligible cost actually paid, legal caps checked again.

    The non-eligible part of the cost and the other fundings are taken as planned.
    """
    figures = assessment.figures
    real_total = figures.total_cost - figures.eligible_base + real_eligible
    public, private = figures.public_funding, figures.private_funding
    return pro_rata_grant(awarded, figures.eligible_base, real_eligible,
                          legal_max(real_total, public, private))


class BalanceSettlement(BaseModel):
    """The balance computed on the expenses actually paid, every figure kept to explain it."""

    model_config = ConfigDict(frozen=True)

    planned_base: Decimal
    real_base: Decimal
    awarded: Decimal
    pro_rata: Decimal
    reduced_award: Decimal
    net_paid: Decimal
    balance_due: Decimal
    clawback: Decimal

    @property
    def capped(self) -> bool:
        """Tell whether the legal caps, checked on the real figures, lower the pro-rata grant."""
        return self.reduced_award < self.pro_rata

    @property
    def reduced(self) -> bool:
        """Tell whether the real cost lowers the grant."""
        return self.reduced_award < self.awarded

    @property
    def motive(self) -> str:
        """Return the French motive of the reduction made at the balance."""
        return (f"Réduction au prorata au solde : dépense éligible retenue "
                f"{format_euros(self.real_base)} pour {format_euros(self.planned_base)} prévus ; "
                f"plafonds légaux vérifiés sur les montants réels.")


def balance_settlement(assessment: Assessment, awarded: Decimal, net_paid: Decimal,
                       real_base: Decimal) -> BalanceSettlement:
    """Return what the balance pays, or what is to be paid back, on the real eligible cost.

    Règlement: pro-rata reduction when the real eligible cost is lower than planned, legal caps
    checked again (`reduced_grant`); the balance is the reduced award less the net sums already
    paid, and what was paid above the reduced award is a clawback (reversement).
    """
    planned = assessment.figures.eligible_base
    new_award, pro_rata = awarded, awarded
    if real_base < planned:
        new_award = min(reduced_grant(assessment, awarded, real_base), awarded)
        pro_rata = round_down(awarded * real_base / planned)
    return BalanceSettlement(
        planned_base=planned, real_base=real_base, awarded=awarded, pro_rata=pro_rata,
        reduced_award=new_award,
        net_paid=net_paid, balance_due=max(new_award - net_paid, ZERO),
        clawback=max(net_paid - new_award, ZERO))
