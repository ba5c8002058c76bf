"""Pure figures of a grant after its award: advance limit, pro-rata reduction."""

from __future__ import annotations

from decimal import Decimal

from faps.domain.assessment import Assessment
from faps.domain.money import ZERO, round_down


def advance_limit(awarded: Decimal, advance_rate: Decimal) -> Decimal:
    """Return the largest advance the règlement allows on an award."""
    return round_down(awarded * advance_rate)


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
    legal_max = min(
        (real_total - public - private) / 2,  # CGCT L5216-5 VI
        Decimal("0.8") * (real_total - private) - public,  # CGCT L1111-10 III
    )
    return pro_rata_grant(awarded, figures.eligible_base, real_eligible, legal_max)
