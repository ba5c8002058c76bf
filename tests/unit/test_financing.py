"""The commune's financing plan: what it warns about, said right and decided in one place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from faps.domain.assessment import ProjectFacts, assess
from faps.domain.communes import Commune
from faps.domain.financing import commune_funders, financing_plan
from faps.domain.reglement import Reglement
from tests.examples import EXAMPLE_REGLEMENT, EXAMPLE_REQUEST

LOGNES = Commune(insee="77258", name="Lognes")


def plan(own_share: Decimal | None, funders: tuple[tuple[str, Decimal], ...] = ()):  # type: ignore[no-untyped-def]
    assessment = assess(ProjectFacts.model_validate(EXAMPLE_REQUEST),
                        Reglement.model_validate(EXAMPLE_REGLEMENT), LOGNES)
    return financing_plan(funders, own_share, Decimal("20000.00"), assessment, "Lognes")


def test_an_own_share_not_indicated_is_said_so_not_called_nil():
    (warning,) = [w for w in plan(None).warnings if "Part communale" in w or "part communale"
                  in w]
    assert "n’est pas indiquée" in warning and "nulle" not in warning


def test_an_own_share_of_zero_is_nil():
    assert any("est nulle\u202f:" in w for w in plan(Decimal(0)).warnings)


def test_warnings_use_french_typography():
    warnings = plan(Decimal(1), (("Ville de Lognes", Decimal(5000)),)).warnings
    assert len(warnings) == 2  # the commune among public funders; the plan not balanced
    assert all("'" not in w and " :" not in w for w in warnings)


@pytest.mark.parametrize("funder, own", [
    ("Ville de Lognes", True), ("lognes", True), ("Mairie", True), ("Part communale", True),
    ("Autofinancement", True), ("Budget communal", True),
    ("Communauté de communes du Val Briard", False),
    ("Communauté d’agglomération Paris - Vallée de la Marne", False),
    ("CPTS de Lognes", False), ("ARS Île-de-France", False), ("Département", False),
])
def test_one_rule_tells_the_commune_among_its_own_funders(funder: str, own: bool):
    assert commune_funders([funder], "Lognes") == ([funder] if own else [])
    flagged = any(funder in w for w in plan(None, ((funder, Decimal(1000)),)).warnings)
    assert flagged is own
