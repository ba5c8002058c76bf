"""Finances pages: the budget dashboard with its charts and table, the ledger, the deadlines."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient

from faps.web.charts import commune_bars, cumulative_payments
from tests.payments_support import pay
from tests.support import World


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
