"""The yearly budget's guards: a vote and an amendment cite their deliberation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.budget import YearlyBudget
from faps.domain.errors import InvalidInputError

AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_an_amendment_without_a_deliberation_reference_is_refused() -> None:
    budget = YearlyBudget.vote(SYSTEM_ACTOR, 2024, Decimal("100000.00"), "DEL-2023-200", AT)
    with pytest.raises(InvalidInputError) as refused:
        budget.amend(SYSTEM_ACTOR, Decimal("120000.00"), "  ", AT)
    assert "délibération" in refused.value.errors["deliberation_reference"][0]
    assert (budget.voted, budget.deliberation_reference) == (Decimal("100000.00"),
                                                             "DEL-2023-200")


def test_an_amendment_replaces_the_reference_and_a_vote_needs_one() -> None:
    budget = YearlyBudget.vote(SYSTEM_ACTOR, 2024, Decimal("100000.00"), "DEL-2023-200", AT)
    budget.amend(SYSTEM_ACTOR, Decimal("120000.00"), " DEL-2024-DM1 ", AT)
    assert (budget.voted, budget.deliberation_reference) == (Decimal("120000.00"),
                                                             "DEL-2024-DM1")
    with pytest.raises(InvalidInputError, match="N° de délibération"):
        YearlyBudget.vote(SYSTEM_ACTOR, 2025, Decimal("100000.00"), "", AT)
