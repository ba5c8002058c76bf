"""The budget form knows the vote it showed: a vote recorded since is told, never overwritten."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient

from tests.support import World


def opened_form(client: FlaskClient, year: int) -> dict[str, str]:
    """Return the hidden fields of the vote form as the page shows them."""
    page = client.get(f"/finances/budget?annee={year}").get_data(as_text=True)
    form = page[page.index('action="/finances/budget"'):]
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form))


def test_a_vote_recorded_since_the_page_was_opened_is_told_and_not_overwritten(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    secretariat = signed_in("secretariat")
    hidden = opened_form(secretariat, 2025)
    assert hidden["seen_year"] == "2025" and hidden["seen_amount"] == ""
    web_world.faps.budgets.vote(web_world.officer, 2025, Decimal("750000"), "DEL-2024-090")

    response = secretariat.post("/finances/budget", data={
        **hidden, "year": "2025", "amount": "900000", "deliberation_reference": "DEL-2024-091"})

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Le budget 2025 a été voté ou modifié entre-temps par instructeur" in html
    assert "750\u202f000,00\u00a0€" in html and "DEL-2024-090" in html
    assert "quelqu&#39;un d&#39;autre" not in html and "quelqu'un d'autre" not in html
    assert web_world.faps.budgets.get(web_world.officer, 2025).voted == Decimal("750000")
    again = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
                            html[html.index('action="/finances/budget"'):]))
    assert again["seen_reference"] == "DEL-2024-090"  # the page now shows the new vote


def test_an_award_since_the_page_was_opened_does_not_stop_an_amendment(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    secretariat = signed_in("secretariat")
    hidden = opened_form(secretariat, 2024)
    web_world.awarded()  # commits part of the 2024 budget: not a change of the vote

    response = secretariat.post("/finances/budget", data={
        **hidden, "year": "2024", "amount": "1200000", "deliberation_reference": "DEL-2024-200"})

    assert response.status_code == 302
    assert web_world.faps.budgets.get(web_world.officer, 2024).voted == Decimal("1200000")
