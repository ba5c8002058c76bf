"""Properties of the grant computation that reference/simulation.md and law.md imply."""

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from faps.domain.assessment import (
    CAP_ORDER,
    Assessment,
    ExpenseLine,
    Funding,
    ProjectFacts,
    assess,
)
from faps.domain.communes import Commune
from faps.domain.money import CENT, ZERO, round_down
from faps.domain.reglement import ExpenseCategory, Reglement, Tenure
from tests.examples import CRITERIA_ORDER

LOGNES = Commune(insee="77258", name="Lognes")


DEFAULT_CATEGORIES = Reglement.model_fields["eligible_categories"].default
DEFAULT_TENURES = Reglement.model_fields["accepted_tenures"].default


def _subsets(kind: type[ExpenseCategory] | type[Tenure]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.sets(st.sampled_from(kind), min_size=1).map(tuple)


def mostly(value: bool) -> st.SearchStrategy[bool]:
    """Draw `value` three times out of four, so that many drawn dossiers are eligible."""
    return st.sampled_from([value, value, value, not value])


def _euros(max_euros: int) -> st.SearchStrategy[Decimal]:
    with_cents = st.integers(0, max_euros * 100).map(lambda c: Decimal(c).scaleb(-2))
    round_euros = st.integers(0, max_euros).map(lambda e: Decimal(e * 100).scaleb(-2))
    return st.one_of(round_euros, with_cents)


amounts = _euros(10_000_000)
small_amounts = _euros(200_000)
rates = st.one_of(
    st.integers(1, 10_000).map(lambda n: Decimal(n) / 10_000),
    st.sampled_from([Decimal("1") / 3, Decimal("0.3"), Decimal("1")]),
)
expenses = st.builds(
    ExpenseLine,
    label=st.just("Dépense"),
    category=st.sampled_from(ExpenseCategory),
    amount_ht=amounts,
    vat=st.one_of(st.just(ZERO), small_amounts),
)
fundings = st.lists(
    st.builds(Funding, funder=st.just("Financeur"), amount=_euros(1_000_000)), max_size=2
)


@st.composite
def reglements(draw: st.DrawFn) -> Reglement:
    return Reglement(
        version="v",
        adopted_by="Délibération",
        effective_from=date(2022, 4, 1),
        basis=draw(st.sampled_from(["HT", "TTC"])),
        rate=draw(rates),
        ceiling_per_dossier=draw(st.none() | small_amounts),
        floor_eligible_cost=draw(st.none() | small_amounts),
        commune_yearly_ceiling=draw(st.none() | small_amounts),
        eligible_categories=draw(st.just(DEFAULT_CATEGORIES) | _subsets(ExpenseCategory)),
        accepted_tenures=draw(st.just(DEFAULT_TENURES) | _subsets(Tenure)),
        works_must_not_have_started=draw(st.booleans()),
    )


@st.composite
def facts(draw: st.DrawFn) -> ProjectFacts:
    return ProjectFacts(
        commune="77258",
        premises_tenure=draw(st.sampled_from([*DEFAULT_TENURES, *DEFAULT_TENURES, Tenure.AUTRE])),
        health_activity=draw(mostly(True)),
        works_started=draw(mostly(False)),
        expenses=tuple(draw(st.lists(expenses, min_size=1, max_size=6))),
        public_funding=tuple(draw(fundings)),
        private_funding=tuple(draw(fundings)),
        requested_amount=draw(amounts),
        commune_awarded_this_year=draw(st.just(ZERO) | small_amounts),
    )


communes = st.sampled_from([LOGNES, LOGNES, LOGNES, None])


def _legal_figures(f: ProjectFacts, r: Reglement) -> tuple[Decimal, Decimal, Decimal]:
    """Return C, P and R computed straight from the facts."""
    cost = sum((e.amount_ttc if r.basis == "TTC" else e.amount_ht for e in f.expenses), ZERO)
    public = sum((x.amount for x in f.public_funding), ZERO)
    private = sum((x.amount for x in f.private_funding), ZERO)
    return cost, public, private


def _with(f: ProjectFacts, **changes: object) -> ProjectFacts:
    return ProjectFacts.model_validate(f.model_dump() | changes)


@given(facts(), reglements(), communes)
def test_the_assessment_is_deterministic(f: ProjectFacts, r: Reglement, c: Commune | None) -> None:
    first, second = assess(f, r, c), assess(f, r, c)
    assert first == second
    assert first.to_json() == second.to_json()


@given(facts(), reglements(), communes)
def test_the_grant_is_between_zero_and_the_request_and_the_max_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    a = assess(f, r, c)
    assert ZERO <= a.grant <= a.max_grant
    assert a.grant <= f.requested_amount


@given(facts(), reglements(), communes)
def test_the_grant_is_never_above_a_cap(f: ProjectFacts, r: Reglement, c: Commune | None) -> None:
    a = assess(f, r, c)
    for cap in a.figures.caps.values():
        assert a.grant <= max(cap, ZERO)
    if r.ceiling_per_dossier is not None:
        assert a.grant <= r.ceiling_per_dossier
    if r.commune_yearly_ceiling is not None:
        assert a.grant <= max(r.commune_yearly_ceiling - f.commune_awarded_this_year, ZERO)
    assert a.grant <= r.rate * a.figures.eligible_base


@given(facts(), reglements(), communes)
def test_the_grant_respects_both_legal_caps(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    grant = assess(f, r, c).grant
    cost, public, private = _legal_figures(f, r)
    assert grant <= max((cost - public - private) / 2, ZERO)  # L5216-5 VI
    assert grant <= max(Decimal("0.8") * (cost - private) - public, ZERO)  # L1111-10 III
    if grant > 0:
        own_share = cost - public - private - grant
        assert grant <= own_share
        assert own_share >= Decimal("0.2") * (cost - private)


@given(facts(), reglements(), communes)
def test_max_grant_is_the_largest_cent_amount_within_every_cap(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    a = assess(f, r, c)
    limits = [v for k, v in a.figures.caps.items() if k != "cap_requested"]
    assert all(a.max_grant <= max(v, ZERO) for v in limits)
    assert a.max_grant == ZERO or any(a.max_grant + CENT > v for v in limits)


@given(facts(), reglements(), communes)
def test_amounts_have_exactly_two_decimals(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    a = assess(f, r, c)
    assert a.grant.as_tuple().exponent == -2
    assert a.max_grant.as_tuple().exponent == -2
    for text in a.to_json()["figures"]["caps"].values():  # type: ignore[index]
        assert Decimal(text).as_tuple().exponent == -2


@given(facts(), reglements(), communes)
def test_eligibility_is_every_criterion_and_only_then_is_a_cap_named(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    a = assess(f, r, c)
    codes = [x.code for x in a.criteria]
    assert codes == [x for x in CRITERIA_ORDER if x in codes]
    assert a.eligible == all(x.passed for x in a.criteria)
    assert ("travaux_non_commences" in codes) == r.works_must_not_have_started
    if not a.eligible:
        assert a.grant == ZERO
        assert a.binding_cap is None
    else:
        assert a.grant == min(a.max_grant, f.requested_amount)
        assert a.binding_cap in a.figures.caps


@given(facts(), reglements())
def test_the_binding_cap_is_the_first_cap_that_gives_the_grant(
    f: ProjectFacts, r: Reglement
) -> None:
    a = assess(f, r, LOGNES)
    if a.binding_cap is None:
        return
    caps = a.figures.caps
    ordered = [k for k in CAP_ORDER if k in caps]
    assert list(caps) == ordered
    given_grant = [k for k in ordered if round_down(max(caps[k], ZERO)) == a.grant]
    assert a.binding_cap == given_grant[0]


@given(facts(), reglements(), communes, amounts, amounts)
def test_raising_the_request_never_lowers_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, one: Decimal, other: Decimal
) -> None:
    low, high = sorted([one, other])
    lower = assess(_with(f, requested_amount=low), r, c)
    higher = assess(_with(f, requested_amount=high), r, c)
    assert lower.grant <= higher.grant
    assert lower.max_grant == higher.max_grant
    assert lower.eligible == higher.eligible


@given(facts(), reglements(), communes, expenses)
def test_adding_an_expense_never_lowers_the_max_grant_nor_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, extra: ExpenseLine
) -> None:
    # Every cap grows with the cost and every criterion only gets easier to meet.
    before = assess(f, r, c)
    after = assess(_with(f, expenses=(*f.expenses, extra)), r, c)
    assert after.max_grant >= before.max_grant
    assert after.grant >= before.grant
    assert after.eligible or not before.eligible


@given(facts(), reglements(), communes, amounts)
def test_more_public_funding_never_raises_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, amount: Decimal
) -> None:
    more = (*f.public_funding, Funding(funder="Région", amount=amount))
    assert assess(_with(f, public_funding=more), r, c).grant <= assess(f, r, c).grant


@given(facts(), reglements(), communes, amounts)
def test_more_private_funding_never_raises_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, amount: Decimal
) -> None:
    more = (*f.private_funding, Funding(funder="Mécène", amount=amount))
    assert assess(_with(f, private_funding=more), r, c).grant <= assess(f, r, c).grant


@given(facts(), reglements(), communes, small_amounts)
def test_grants_already_awarded_this_year_never_raise_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, awarded: Decimal
) -> None:
    more = f.commune_awarded_this_year + awarded
    assert assess(_with(f, commune_awarded_this_year=more), r, c).grant <= assess(f, r, c).grant


@given(facts(), reglements(), communes, rates)
def test_a_higher_rate_never_lowers_the_grant(
    f: ProjectFacts, r: Reglement, c: Commune | None, rate: Decimal
) -> None:
    low, high = sorted([r.rate, rate])
    lower = assess(f, r.model_copy(update={"rate": low}), c)
    higher = assess(f, r.model_copy(update={"rate": high}), c)
    assert lower.grant <= higher.grant


@given(facts(), reglements(), communes)
def test_an_assessment_survives_the_json_round_trip(
    f: ProjectFacts, r: Reglement, c: Commune | None
) -> None:
    a = assess(f, r, c)
    assert Assessment.model_validate(a.model_dump(mode="json")) == a
