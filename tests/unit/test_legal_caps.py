"""The legal caps, written once, bind the assessment and the reduction alike."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from faps.domain.assessment import ProjectFacts, assess
from faps.domain.communes import Commune
from faps.domain.grant import reduced_grant
from faps.domain.legal import half_share_cap, legal_max, min_participation_cap
from faps.domain.money import round_down
from faps.domain.reglement import Reglement
from tests.examples import EXAMPLE_REGLEMENT, EXAMPLE_REQUEST


def euros(at_least: int) -> st.SearchStrategy[Decimal]:
    """Amounts in euros and cents from `at_least` euros to 20,000 (drawn in range: a filter
    discarding the small amounts Hypothesis favours failed its health check now and then)."""
    return st.integers(min_value=at_least * 100, max_value=2_000_000).map(
        lambda c: Decimal(c) / 100)


def test_half_share_and_twenty_percent_caps_on_a_plain_case():
    # 100,000 € cost, 20,000 € from the ARS: half of the 80,000 € left; 80 % of 100,000 − 20,000.
    total, public, private = Decimal(100000), Decimal(20000), Decimal(0)
    assert half_share_cap(total, public, private) == Decimal(40000)
    assert min_participation_cap(total, public, private) == Decimal(60000)
    assert legal_max(total, public, private) == Decimal(40000)


def facts(cost: Decimal, public: Decimal) -> ProjectFacts:
    return ProjectFacts.model_validate(EXAMPLE_REQUEST | {
        "expenses": [{"label": "Travaux", "category": "travaux_amenagement",
                      "amount_ht": str(cost), "vat": "0.00"}],
        "public_funding": [{"funder": "ARS", "amount": str(public)}] if public else [],
        "private_funding": [], "requested_amount": "1000000.00"})


@given(cost=euros(at_least=6000), share=st.integers(0, 90), real=st.integers(1, 100))
def test_a_reduction_never_exceeds_the_caps_the_assessment_computes_on_real_figures(
        cost: Decimal, share: int, real: int):
    public = round_down(cost * share / 100)
    reglement = Reglement.model_validate(EXAMPLE_REGLEMENT)
    planned = assess(facts(cost, public), reglement, Commune(insee="77258", name="Lognes"))
    real_cost = round_down(cost * real / 100)
    on_real = assess(facts(real_cost, public), reglement, None).figures.caps
    reduced = reduced_grant(planned, planned.grant, real_cost)
    assert reduced <= max(round_down(min(on_real["cap_half_share"],
                                         on_real["cap_min_participation"])), Decimal(0))
    assert reduced <= planned.grant
