"""Finances pages: the budget dashboard with its charts and table, the ledger, the deadlines."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from faps.web.charts import commune_bars, cumulative_payments
from tests.payments_support import pay
from tests.support import World
from tests.web.conftest import csrf_of


def test_charts_have_a_title_a_description_patterns_and_printed_values() -> None:
    from datetime import date

    bars = commune_bars([("Lognes", Decimal("30000.00"), Decimal("9000.00"))], 2024)
    assert "<title" in bars and "<desc" in bars and "url(#p-committed)" in bars
    assert "Lognes : engagé 30" in bars and "9\u202f000,00" in bars
    line = cumulative_payments([(date(2024, 3, 1), Decimal("9000.00")),
                                (date(2024, 5, 1), Decimal("1000.00"))], 2024)
    assert "10\u202f000,00" in line and "01/05/2024" in line


def test_the_dashboard_shows_the_figures_and_charts_after_a_payment(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    w.faps.projections.catch_up()
    page = signed_in("officer").get("/finances/budget?annee=2024")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1\u202f000\u202f000,00" in html and "<svg" in html and "Lognes" in html
    assert "9\u202f000,00" in html
    ledger = signed_in("officer").get("/finances/versements").get_data(as_text=True)
    assert "9\u202f000,00" in ledger


def test_the_deadlines_page_lists_an_overdue_works_start(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id = w.awarded()
    w.clock.advance(days=400)
    html = signed_in("officer").get("/finances/echeances").get_data(as_text=True)
    assert "Commencement des travaux" in html
    assert re.search(r"<strong>En retard de \d+ jours</strong></td>", html)
    assert f'href="/instruction/dossiers/{dossier_id}"' in html  # the officer goes to decide
    auditor = signed_in("auditor").get("/finances/echeances").get_data(as_text=True)
    assert "Commencement des travaux" in auditor and "/instruction/dossiers/" not in auditor


def _post_budget(client: FlaskClient, **data: str):  # type: ignore[no-untyped-def]
    url = "/finances/budget?annee=2024"
    return client.post("/finances/budget", data={"csrf_token": csrf_of(client, url), **data})


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"year": "abc", "amount": "1000", "deliberation_reference": "DEL-1"}, "year",
     "année invalide"),
    ({"year": "1850", "amount": "1000", "deliberation_reference": "DEL-1"}, "year",
     "doit être entre 2000 et 2100"),
    ({"year": "2025", "amount": "mille", "deliberation_reference": "DEL-1"}, "amount",
     "pas un montant valide"),
    ({"year": "2025", "amount": "1000", "deliberation_reference": ""}, "deliberation_reference",
     "indiquez le numéro de la délibération"),
    ({"year": "2025", "amount": "1000", "deliberation_reference": "   "},
     "deliberation_reference", "indiquez le numéro de la délibération"),
])
def test_a_bad_budget_form_comes_back_with_its_field_errors(
        signed_in: Callable[[str], FlaskClient], data: dict[str, str], field: str,
        message: str) -> None:
    response = _post_budget(signed_in("secretariat"), **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="f-{field}"' in html and 'aria-invalid="true"' in html
    assert message in html
    assert "Voter ou modifier l’enveloppe annuelle" in html  # the form, not a bare error page
    assert f'value="{data["amount"]}"' in html  # the input is kept


def test_the_dashboard_shows_the_reference_of_the_amendment(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    secretariat = signed_in("secretariat")
    response = _post_budget(secretariat, year="2024", amount="1 200 000,00",
                            deliberation_reference="DEL-2024-DM2")
    assert response.status_code == 302, response.get_data(as_text=True)
    html = secretariat.get("/finances/budget?annee=2024").get_data(as_text=True)
    assert "délibération DEL-2024-DM2" in html and "1\u202f200\u202f000,00" in html
    assert web_world.faps.budgets.get(web_world.officer, 2024).deliberation_reference == (
        "DEL-2024-DM2")


def test_the_deadlines_page_pages_whole_dossiers_earliest_first_and_counts_them(
        web_world: World, signed_in: Callable[[str], FlaskClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from faps.domain.deadlines import add_months

    w = web_world
    grant = w.awarded()
    decided = w.faps.dossiers.load(w.officer, grant).decision["decided_on"]  # type: ignore[index]
    asked = [w.submitted(), w.submitted()]
    for days, dossier_id in zip((20, 10), asked, strict=True):
        w.faps.dossiers.request_information(w.officer, dossier_id, "Joignez le bail.", (),
                                            decided + timedelta(days=days))
    w.clock.set(datetime.combine(add_months(decided, 36), time(12), UTC))  # all three late
    monkeypatch.setattr("faps.web.finances.PER_PAGE", 2)
    officer = signed_in("officer")
    first = officer.get("/finances/echeances").get_data(as_text=True)
    second = officer.get("/finances/echeances?page=2").get_data(as_text=True)
    assert "3 dossiers avec une échéance dépassée ou proche" in first
    assert "Page 1 sur 2 — 3 résultats" in first and 'href="/finances/echeances?page=2"' in first
    assert "Page 2 sur 2" in second and 'href="/finances/echeances?page=1"' in second
    assert "classés par leur échéance la plus ancienne\u202f;" in first
    assert re.search(r"<strong>En retard de 1\u202f0\d\d jours</strong>", first)
    assert f"/instruction/dossiers/{asked[1]}" in first.split(f"/dossiers/{asked[0]}")[0]
    assert f"/instruction/dossiers/{grant}" in second and f"/dossiers/{grant}" not in first
    # The grant's two deadlines share its line (one dossier cell for both).
    assert 'rowspan="2"' in second and "Commencement des travaux" in second
    assert "Demande de solde" in second and "Échéance aujourd’hui" in second
    past = officer.get("/finances/echeances?page=3").get_data(as_text=True)
    assert "Cette page est au-delà de la dernière" in past and "Aucune échéance" not in past
    assert 'href="/finances/echeances?page=2" rel="prev">← Dernière page' in past
