"""The browser infrastructure itself: the live server answers and a role can sign in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import shot


def test_the_sign_in_page_is_served_in_french_and_an_officer_can_sign_in(
    page: Any, login: Callable[[Any, str], None]
):
    page.goto("/connexion")
    assert page.locator("html").get_attribute("lang") == "fr"
    shot(page, "00-connexion")
    login(page, "officer")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
