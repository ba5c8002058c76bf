import json
from decimal import Decimal
from typing import Any

import pytest

from faps.application.validation import validate
from faps.domain.assessment import Assessment, ProjectFacts, assess
from faps.domain.communes import Commune
from faps.domain.errors import InvalidInputError
from faps.domain.money import NARROW_NBSP, NBSP
from faps.domain.reglement import Reglement
from tests.examples import (
    CRITERIA_ORDER,
    EXAMPLE_REGLEMENT,
    EXAMPLE_REQUEST,
    EXPECTED_FIGURES,
)

LOGNES = Commune(insee="77258", name="Lognes")
EUR = NBSP + "€"


def line(amount: str, category: str = "travaux_amenagement", vat: str = "0.00") -> dict[str, str]:
    return {"label": "Dépense", "category": category, "amount_ht": amount, "vat": vat}


def funding(amount: str) -> dict[str, str]:
    return {"funder": "Financeur", "amount": amount}


def judge(
    member: Commune | None = LOGNES, reglement: dict[str, Any] | None = None, **facts: Any
) -> Assessment:
    return assess(
        ProjectFacts.model_validate(EXAMPLE_REQUEST | facts),
        Reglement.model_validate(EXAMPLE_REGLEMENT | (reglement or {})),
        member,
    )


def simple(cost: str, **facts: Any) -> Assessment:
    """Judge one eligible line of `cost`, no other funding, a large request."""
    reglement = facts.pop("reglement", None)
    request = {
        "expenses": [line(cost)],
        "public_funding": [],
        "requested_amount": "1000000.00",
    }
    return judge(reglement=reglement, **(request | facts))


def criterion(assessment: Assessment, code: str) -> tuple[bool, str]:
    found = [c for c in assessment.criteria if c.code == code]
    assert len(found) == 1, code
    return found[0].passed, found[0].message


def euros(text: str) -> str:
    return text.replace(" ", NARROW_NBSP) + EUR


# The example of reference/simulation.md


def test_the_example_of_the_contract_gives_exactly_its_result() -> None:
    result = judge().to_json()
    criteria: list[dict[str, Any]] = result.pop("criteria")  # type: ignore[assignment]
    assert result == {
        "reglement_version": "2022-03-31",
        "eligible": True,
        "figures": EXPECTED_FIGURES,
        "max_grant": "30000.00",
        "grant": "30000.00",
        "binding_cap": "cap_rate",
    }
    assert criteria[0] == {
        "code": "commune_membre",
        "passed": True,
        "message": "Lognes est membre de l’agglomération.",
    }
    assert [c["code"] for c in criteria] == CRITERIA_ORDER
    assert all(c["passed"] for c in criteria)


def test_the_result_is_plain_json_with_caps_in_their_order() -> None:
    result = judge().to_json()
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result
    assert list(result["figures"]["caps"]) == [  # type: ignore[index]
        "cap_rate",
        "cap_ceiling",
        "cap_half_share",
        "cap_min_participation",
        "cap_requested",
    ]


# Criteria, each passing and failing with its French reason


def test_a_member_commune_passes_by_its_name() -> None:
    assert criterion(judge(), "commune_membre") == (True, "Lognes est membre de l’agglomération.")


def test_a_non_member_commune_is_not_eligible_but_still_gets_figures() -> None:
    assessment = judge(member=None, commune="75056")
    assert criterion(assessment, "commune_membre") == (
        False,
        "La commune 75056 n’est pas membre de l’agglomération.",
    )
    assert not assessment.eligible
    assert assessment.grant == Decimal("0.00")
    assert assessment.max_grant == Decimal("30000.00")
    assert assessment.binding_cap is None


def test_health_activity_is_required() -> None:
    assert criterion(judge(), "activite_sante") == (
        True,
        "Les locaux accueillent une activité médicale ou paramédicale.",
    )
    assessment = judge(health_activity=False)
    assert criterion(assessment, "activite_sante") == (
        False,
        "Les locaux n’accueillent pas d’activité médicale ou paramédicale : "
        "le FAPS ne finance que l’installation de professionnels de santé.",
    )
    assert not assessment.eligible


@pytest.mark.parametrize(
    ("tenure", "label"), [("proprietaire", "propriétaire"), ("locataire", "locataire")]
)
def test_owned_or_rented_premises_are_accepted(tenure: str, label: str) -> None:
    assert criterion(judge(premises_tenure=tenure), "occupation_locaux") == (
        True,
        f"Occupation des locaux : {label}, admise.",
    )


def test_other_tenures_are_refused_naming_the_accepted_ones() -> None:
    assessment = judge(premises_tenure="autre")
    assert criterion(assessment, "occupation_locaux") == (
        False,
        "Occupation des locaux : autre (mise à disposition…) ; "
        "le règlement n’admet que : propriétaire, locataire.",
    )
    assert not assessment.eligible


def test_a_reglement_may_accept_other_tenures() -> None:
    assessment = judge(premises_tenure="autre", reglement={"accepted_tenures": ["autre"]})
    assert criterion(assessment, "occupation_locaux")[0]
    assert not criterion(judge(reglement={"accepted_tenures": ["autre"]}), "occupation_locaux")[0]


def test_works_must_not_have_started() -> None:
    assert criterion(judge(), "travaux_non_commences") == (
        True,
        "Les travaux n’ont pas commencé avant le dépôt.",
    )
    assessment = judge(works_started=True)
    assert criterion(assessment, "travaux_non_commences") == (
        False,
        "Les travaux ont commencé avant le dépôt du dossier, ce que le règlement n’admet pas.",
    )
    assert not assessment.eligible


def test_started_works_are_not_checked_when_the_reglement_does_not_require_it() -> None:
    assessment = judge(works_started=True, reglement={"works_must_not_have_started": False})
    assert "travaux_non_commences" not in [c.code for c in assessment.criteria]
    assert assessment.eligible


def test_some_expense_must_be_in_an_eligible_category() -> None:
    assert criterion(judge(), "depenses_eligibles") == (
        True,
        f"Dépenses éligibles (HT) : {euros('100 000,00')}.",
    )
    assessment = judge(expenses=[line("50000.00", "autre")])
    assert criterion(assessment, "depenses_eligibles") == (
        False,
        "Aucune dépense ne relève d’une catégorie éligible du règlement.",
    )
    assert not assessment.eligible
    assert assessment.max_grant == Decimal("0.00")


def test_no_expense_at_all_is_not_eligible() -> None:
    assessment = judge(expenses=[], public_funding=[])
    assert not criterion(assessment, "depenses_eligibles")[0]
    assert not assessment.eligible
    assert assessment.grant == assessment.max_grant == Decimal("0.00")


def test_eligible_base_exactly_at_the_floor_passes() -> None:
    assessment = simple("5000.00")
    assert criterion(assessment, "plancher") == (
        True,
        f"Dépenses éligibles de {euros('5 000,00')} au moins égales au plancher de "
        f"{euros('5 000,00')}.",
    )
    assert assessment.eligible
    assert assessment.grant == Decimal("1500.00")


def test_eligible_base_one_cent_below_the_floor_fails() -> None:
    assessment = simple("4999.99")
    assert criterion(assessment, "plancher") == (
        False,
        f"Dépenses éligibles de {euros('4 999,99')} inférieures au plancher de "
        f"{euros('5 000,00')}.",
    )
    assert not assessment.eligible
    assert assessment.grant == Decimal("0.00")
    assert assessment.max_grant == Decimal("1499.99")


def test_ineligible_expenses_do_not_count_towards_the_floor() -> None:
    assessment = judge(expenses=[line("4999.99"), line("100000.00", "autre")])
    assert not criterion(assessment, "plancher")[0]


def test_a_null_floor_always_passes() -> None:
    assessment = simple("0.01", reglement={"floor_eligible_cost": None})
    assert criterion(assessment, "plancher") == (True, "Le règlement ne fixe pas de plancher.")
    assert assessment.eligible
    assert assessment.grant == Decimal("0.00")


def test_the_commune_must_keep_a_net_share_to_cofinance() -> None:
    assert criterion(judge(), "part_communale") == (
        True,
        "Le fonds de concours ne peut dépasser la part nette de la commune : "
        f"au plus {euros('42 500,00')}.",
    )
    assessment = simple("10000.00", private_funding=[funding("10000.00")])
    assert criterion(assessment, "part_communale") == (
        False,
        "Les autres financements couvrent déjà tout le coût : "
        "il ne reste aucune part communale à cofinancer.",
    )
    assert not assessment.eligible


def test_the_commune_must_pay_a_fifth_of_the_public_financing() -> None:
    assert criterion(judge(), "participation_minimale") == (
        True,
        "La commune doit financer au moins 20 % des financements publics : "
        f"fonds de concours au plus {euros('64 000,00')}.",
    )
    assessment = simple("10000.00", public_funding=[funding("8000.00")])
    assert criterion(assessment, "participation_minimale") == (
        False,
        "Les subventions publiques dépassent déjà 80 % du coût : la participation "
        "minimale de 20 % de la commune ne serait pas respectée.",
    )
    assert criterion(assessment, "part_communale")[0]
    assert not assessment.eligible


def test_one_cent_of_room_under_the_public_financing_limit_is_eligible() -> None:
    assessment = simple("10000.00", public_funding=[funding("7999.99")])
    assert assessment.eligible
    assert assessment.grant == Decimal("0.01")
    assert assessment.binding_cap == "cap_min_participation"


def test_every_criterion_failing_is_reported_at_once() -> None:
    assessment = judge(
        member=None,
        health_activity=False,
        premises_tenure="autre",
        works_started=True,
        expenses=[line("100.00", "autre")],
        public_funding=[funding("100.00")],
    )
    assert [c.passed for c in assessment.criteria] == [False] * 8


# Caps at their boundaries


def test_rate_applies_to_the_eligible_base_only() -> None:
    assessment = judge(expenses=[line("10000.00"), line("90000.00", "autre")], public_funding=[])
    assert assessment.figures.caps["cap_rate"] == Decimal("3000.00")
    assert assessment.grant == Decimal("3000.00")
    assert assessment.binding_cap == "cap_rate"


def test_a_sub_cent_rate_cap_is_rounded_down_to_the_cent() -> None:
    assessment = simple("10000.01", reglement={"rate": "0.333"})
    assert assessment.figures.caps["cap_rate"] == Decimal("3330.00333")
    assert assessment.to_json()["figures"]["caps"]["cap_rate"] == "3330.00"  # type: ignore[index]
    assert assessment.max_grant == assessment.grant == Decimal("3330.00")


def test_the_ceiling_per_dossier_limits_large_operations() -> None:
    assessment = simple("500000.00")
    assert assessment.grant == Decimal("100000.00")
    assert assessment.binding_cap == "cap_ceiling"


def test_a_null_ceiling_takes_no_part() -> None:
    assessment = simple("500000.00", reglement={"ceiling_per_dossier": None})
    assert "cap_ceiling" not in assessment.figures.caps
    assert assessment.grant == Decimal("150000.00")
    assert assessment.binding_cap == "cap_rate"


def test_the_half_share_cap_keeps_the_grant_at_most_the_communes_own_share() -> None:
    # C = 100 000, S = 40 000 of private money: F ≤ (C − S) / 2 = 30 000.
    assessment = simple(
        "100000.00", private_funding=[funding("40000.00")], reglement={"rate": "0.80"}
    )
    caps = assessment.figures.caps
    assert caps["cap_half_share"] == Decimal("30000.00")
    assert caps["cap_min_participation"] == Decimal("48000.00")
    assert assessment.grant == Decimal("30000.00")
    assert assessment.binding_cap == "cap_half_share"
    own_share = Decimal("100000.00") - Decimal("40000.00") - assessment.grant
    assert assessment.grant <= own_share


def test_the_half_share_cap_counts_public_and_private_funding() -> None:
    assessment = simple(
        "100000.00",
        public_funding=[funding("10000.00")],
        private_funding=[funding("30000.00")],
        reglement={"rate": "0.80"},
    )
    assert assessment.figures.caps["cap_half_share"] == Decimal("30000.00")
    assert assessment.binding_cap == "cap_half_share"


def test_an_odd_cent_half_share_is_rounded_down() -> None:
    assessment = simple("10000.01", reglement={"rate": "1"})
    assert assessment.figures.caps["cap_half_share"] == Decimal("5000.005")
    assert assessment.grant == Decimal("5000.00")
    assert assessment.binding_cap == "cap_half_share"


def test_zero_half_share_fails_and_half_a_cent_passes_with_a_zero_grant() -> None:
    no_floor = {"floor_eligible_cost": None}
    covered = simple("100.00", private_funding=[funding("100.00")], reglement=no_floor)
    assert covered.figures.caps["cap_half_share"] == Decimal("0.00")
    assert not criterion(covered, "part_communale")[0]
    assessment = simple("100.01", private_funding=[funding("100.00")], reglement=no_floor)
    assert assessment.figures.caps["cap_half_share"] == Decimal("0.005")
    assert assessment.eligible
    assert assessment.grant == Decimal("0.00")


def test_the_min_participation_cap_leaves_the_commune_a_fifth_of_public_money() -> None:
    # C = 100 000, R = 10 000, P = 60 000: F ≤ 0.8 × (C − R) − P = 12 000.
    assessment = simple(
        "100000.00",
        public_funding=[funding("60000.00")],
        private_funding=[funding("10000.00")],
    )
    caps = assessment.figures.caps
    assert caps["cap_min_participation"] == Decimal("12000.00")
    assert caps["cap_half_share"] == Decimal("15000.00")
    assert assessment.grant == Decimal("12000.00")
    assert assessment.binding_cap == "cap_min_participation"
    own_share = Decimal("100000.00") - Decimal("60000.00") - Decimal("10000.00") - assessment.grant
    assert own_share == Decimal("0.2") * (Decimal("100000.00") - Decimal("10000.00"))


def test_private_money_is_left_out_of_the_public_financing() -> None:
    public_only = simple("100000.00", public_funding=[funding("70000.00")])
    assert public_only.figures.caps["cap_min_participation"] == Decimal("10000.00")
    private_only = simple("100000.00", private_funding=[funding("70000.00")])
    assert private_only.figures.caps["cap_min_participation"] == Decimal("24000.00")


def test_the_commune_yearly_ceiling_counts_what_was_already_awarded() -> None:
    assessment = simple(
        "100000.00",
        commune_awarded_this_year="10000.00",
        reglement={"commune_yearly_ceiling": "24000.00"},
    )
    assert assessment.figures.caps["cap_commune_year"] == Decimal("14000.00")
    assert assessment.grant == Decimal("14000.00")
    assert assessment.binding_cap == "cap_commune_year"


def test_an_exhausted_commune_yearly_ceiling_is_floored_at_zero() -> None:
    assessment = simple(
        "100000.00",
        commune_awarded_this_year="30000.00",
        reglement={"commune_yearly_ceiling": "24000.00"},
    )
    assert assessment.figures.caps["cap_commune_year"] == Decimal("0.00")
    assert assessment.eligible
    assert assessment.max_grant == assessment.grant == Decimal("0.00")
    assert assessment.binding_cap == "cap_commune_year"


def test_a_null_commune_yearly_ceiling_takes_no_part() -> None:
    assessment = simple("100000.00", commune_awarded_this_year="999999.00")
    assert "cap_commune_year" not in assessment.figures.caps
    assert assessment.grant == Decimal("30000.00")


def test_commune_awarded_this_year_defaults_to_zero() -> None:
    request = {k: v for k, v in EXAMPLE_REQUEST.items() if k != "commune_awarded_this_year"}
    assert ProjectFacts.model_validate(request).commune_awarded_this_year == Decimal("0.00")


def test_the_grant_never_exceeds_the_requested_amount() -> None:
    assessment = judge(requested_amount="12345.67")
    assert assessment.max_grant == Decimal("30000.00")
    assert assessment.grant == Decimal("12345.67")
    assert assessment.binding_cap == "cap_requested"


def test_max_grant_is_floored_at_zero_when_a_legal_cap_is_negative() -> None:
    assessment = simple("10000.00", public_funding=[funding("9000.00")])
    assert assessment.figures.caps["cap_min_participation"] == Decimal("-1000.00")
    assert assessment.max_grant == Decimal("0.00")
    assert assessment.grant == Decimal("0.00")


# Cost basis


def test_an_ht_reglement_ignores_vat() -> None:
    figures = judge().figures
    assert (figures.total_cost, figures.eligible_base) == (
        Decimal("105000.00"),
        Decimal("100000.00"),
    )


def test_a_ttc_reglement_adds_vat_to_every_figure() -> None:
    assessment = judge(reglement={"basis": "TTC"})
    figures = assessment.figures
    assert figures.basis == "TTC"
    assert figures.total_cost == Decimal("126000.00")
    assert figures.eligible_base == Decimal("120000.00")
    assert figures.caps["cap_rate"] == Decimal("36000.00")
    assert figures.caps["cap_half_share"] == Decimal("53000.00")
    assert figures.caps["cap_min_participation"] == Decimal("80800.00")
    assert assessment.grant == Decimal("36000.00")
    assert criterion(assessment, "depenses_eligibles")[1] == (
        f"Dépenses éligibles (TTC) : {euros('120 000,00')}."
    )


def test_vat_can_lift_a_ttc_base_over_the_floor() -> None:
    ht = simple("4500.00", expenses=[line("4500.00", vat="900.00")])
    ttc = simple("4500.00", expenses=[line("4500.00", vat="900.00")], reglement={"basis": "TTC"})
    assert not ht.eligible
    assert ttc.eligible


# Naming the binding cap


def test_a_tie_names_the_first_cap_in_order() -> None:
    # rate 30 % of 100 000 = 30 000 = the ceiling.
    assessment = simple("100000.00", reglement={"ceiling_per_dossier": "30000.00"})
    assert assessment.binding_cap == "cap_rate"


def test_a_tie_between_the_legal_caps_names_the_half_share() -> None:
    # P = 0.6 C makes (C − P) / 2 = 0.8 C − P = 20 000.
    assessment = simple("100000.00", public_funding=[funding("60000.00")])
    caps = assessment.figures.caps
    assert caps["cap_half_share"] == caps["cap_min_participation"] == Decimal("20000.00")
    assert assessment.binding_cap == "cap_half_share"


def test_a_request_equal_to_the_max_grant_names_the_limiting_cap() -> None:
    assert judge(requested_amount="30000.00").binding_cap == "cap_rate"


def test_a_request_one_cent_below_the_max_grant_names_the_request() -> None:
    assert judge(requested_amount="29999.99").binding_cap == "cap_requested"


def test_a_zero_request_on_an_eligible_dossier_names_the_request() -> None:
    assessment = judge(requested_amount="0.00")
    assert assessment.eligible
    assert assessment.grant == Decimal("0.00")
    assert assessment.binding_cap == "cap_requested"


def test_no_cap_is_named_when_not_eligible() -> None:
    assert judge(health_activity=False).binding_cap is None


# Limits of the request


def test_an_operation_whose_total_exceeds_a_billion_is_refused_naming_the_field() -> None:
    request = EXAMPLE_REQUEST | {"expenses": [line("600000000.00"), line("600000000.00")]}
    with pytest.raises(InvalidInputError) as caught:
        validate(ProjectFacts, request)
    assert caught.value.errors == {"expenses": ["le total dépasse 1 000 000 000,00 €"]}


def test_a_line_at_the_maximum_with_its_vat_is_refused_too() -> None:
    request = EXAMPLE_REQUEST | {"expenses": [line("1000000000.00", vat="1.00")]}
    with pytest.raises(InvalidInputError) as caught:
        validate(ProjectFacts, request)
    assert list(caught.value.errors) == ["expenses"]


def test_fundings_whose_total_exceeds_a_billion_are_refused_naming_the_field() -> None:
    request = EXAMPLE_REQUEST | {"private_funding": [funding("1000000000.00"), funding("0.01")]}
    with pytest.raises(InvalidInputError) as caught:
        validate(ProjectFacts, request)
    assert list(caught.value.errors) == ["private_funding"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"requested_amount": "-1"}, "requested_amount", "négatif"),
        ({"requested_amount": 12.5}, "requested_amount", "sous forme de texte"),
        ({"premises_tenure": "bail"}, "premises_tenure", "valeur inconnue"),
        ({"expenses": [line("1", "mobilier")]}, "expenses[0].category", "valeur inconnue"),
        ({"expenses": [line("abc")]}, "expenses[0].amount_ht", "pas un montant valide"),
        ({"commune": "1" * 11}, "commune", "texte trop long"),
        ({"health_activity": "peut-être"}, "health_activity", "oui ou non attendu"),
        ({"surprise": 1}, "surprise", "champ inconnu"),
    ],
)
def test_invalid_requests_name_the_field_in_french(
    change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate(ProjectFacts, EXAMPLE_REQUEST | change)
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors


def test_a_missing_field_is_named() -> None:
    request = {k: v for k, v in EXAMPLE_REQUEST.items() if k != "works_started"}
    with pytest.raises(InvalidInputError) as caught:
        validate(ProjectFacts, request)
    assert caught.value.errors == {"works_started": ["champ obligatoire"]}
