from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from faps.application.validation import validate
from faps.domain.errors import InvalidInputError
from faps.domain.reglement import ExpenseCategory, Reglement, Tenure, in_force
from tests.examples import EXAMPLE_REGLEMENT


def settings(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {**EXAMPLE_REGLEMENT, "adopted_by": "Délibération du 31 mars 2022"}
    return base | overrides


def version(name: str, effective_from: str) -> Reglement:
    return Reglement.model_validate(settings(version=name, effective_from=effective_from))


def test_reads_the_settings_of_the_contract() -> None:
    reglement = Reglement.model_validate(settings())
    assert reglement.rate == Decimal("0.30")
    assert reglement.ceiling_per_dossier == Decimal("100000.00")
    assert reglement.commune_yearly_ceiling is None
    assert reglement.effective_from == date(2022, 4, 1)
    assert reglement.accepted_tenures == (Tenure.PROPRIETAIRE, Tenure.LOCATAIRE)


def test_defaults_to_the_three_eligible_categories_and_an_ht_basis() -> None:
    minimal = {"version": "v1", "adopted_by": "D1", "effective_from": "2024-01-01", "rate": "0.2"}
    reglement = Reglement.model_validate(minimal)
    assert reglement.basis == "HT"
    assert reglement.is_eligible(ExpenseCategory.TRAVAUX_AMENAGEMENT)
    assert reglement.is_eligible(ExpenseCategory.AMENAGEMENTS_TECHNIQUES)
    assert not reglement.is_eligible(ExpenseCategory.AUTRE)
    assert reglement.ceiling_per_dossier is None
    assert reglement.floor_eligible_cost is None


def test_a_float_rate_is_read_as_its_decimal_text() -> None:
    assert Reglement.model_validate(settings(rate=0.3)).rate == Decimal("0.3")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate", "0", "doit être supérieur à 0"),
        ("rate", "1.01", "doit être au plus 1"),
        ("rate", "abc", "nombre décimal attendu"),
        ("basis", "TVA", "valeurs admises\u202f: 'HT' ou 'TTC'"),
        ("ceiling_per_dossier", "-1.00", "négatif"),
        ("floor_eligible_cost", "10.001", "deux décimales"),
        ("eligible_categories", ["travaux"], "valeur inconnue"),
        ("accepted_tenures", ["squat"], "valeur inconnue"),
        ("effective_from", "31/03/2022", "date invalide"),
        ("version", "", "texte trop court"),
        ("unknown_setting", 1, "champ inconnu"),
    ],
)
def test_refuses_an_invalid_setting_naming_it_in_french(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate(Reglement, settings(**{field: value}))
    errors = caught.value.errors
    named = [k for k in errors if k == field or k.startswith(f"{field}[")]
    assert named, errors
    assert any(message in m for k in named for m in errors[k])


def test_requires_version_adoption_and_effect_date_and_rate() -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate(Reglement, {})
    assert set(caught.value.errors) == {"version", "adopted_by", "effective_from", "rate"}
    assert caught.value.errors["rate"] == ["champ obligatoire"]


def test_a_version_is_immutable() -> None:
    reglement = Reglement.model_validate(settings())
    with pytest.raises(ValidationError):
        reglement.rate = Decimal("0.5")  # type: ignore[misc]


def test_in_force_picks_the_latest_version_already_in_effect() -> None:
    first = version("2022-03-31", "2022-04-01")
    second = version("2024-06-20", "2024-07-01")
    versions = [second, first]
    assert in_force(versions, date(2022, 4, 1)) == first
    assert in_force(versions, date(2024, 6, 30)) == first
    assert in_force(versions, date(2024, 7, 1)) == second
    assert in_force(versions, date(2030, 1, 1)) == second


def test_in_force_is_none_before_the_first_version() -> None:
    assert in_force([version("2022-03-31", "2022-04-01")], date(2022, 3, 31)) is None
    assert in_force([], date(2022, 4, 1)) is None


def test_in_force_breaks_a_same_day_tie_by_version_name() -> None:
    early = version("2024-a", "2024-01-01")
    late = version("2024-b", "2024-01-01")
    assert in_force([late, early], date(2024, 1, 1)) == late
