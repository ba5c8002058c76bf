"""The API's pages in a browser: the documentation renders offline; a token is made and revoked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import shot


def test_the_api_documentation_renders_the_openapi_3_1_document_without_outside_requests(
    page: Any,
):
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/api/v1/docs")
    page.locator(".opblock-summary").first.wait_for(timeout=15000)
    assert page.locator(".opblock-summary").count() >= 32
    expect(page.get_by_text("Ouvrir un brouillon de dossier").first).to_be_visible()
    shot(page, "api-01-documentation")
    assert outside == [] and errors == []


def test_an_agent_creates_a_token_sees_it_once_then_revokes_it(
    page: Any, login: Callable[[Any, str], None]
):
    login(page, "agent")
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", name="Jetons d’API")).to_be_visible()
    page.get_by_role("link", name="Gérer mes jetons d’API").click()
    page.get_by_label("Nom du jeton").fill("Outil de suivi des projets")
    page.get_by_label("Durée de validité (jours)").fill("90")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_label("Votre jeton").input_value()
    assert secret.startswith("faps_")
    shot(page, "api-02-jeton-cree")
    page.goto("/compte/jetons")
    assert secret not in page.content()
    page.get_by_role("button", name="Révoquer «\u202fOutil de suivi des projets\u202f»").click()
    expect(page.get_by_text("Jeton révoqué")).to_be_visible()
    shot(page, "api-03-jeton-revoque")


def test_an_administrator_subscribes_a_url_and_reads_its_delivery_log(
    page: Any, login: Callable[[Any, str], None], live_server: Any
):
    from faps.infrastructure.webhooks import WebhookRules

    hooks = live_server.world.faps.webhooks
    hooks.rules = WebhookRules(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}))
    login(page, "admin")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Adresse de réception (https)").fill("http://127.0.0.1:9/faps")
    page.get_by_label("dossier.submitted").check()
    page.get_by_label("payment.made").check()
    page.get_by_role("button", name="S’abonner").click()
    assert page.get_by_label("Secret de signature").input_value().startswith("whsec_")
    shot(page, "api-04-webhooks")
    live_server.world.submitted()
    hooks.enqueue()
    hooks.send_due()
    page.get_by_role("link", name="http://127.0.0.1:9/faps").click()
    expect(page.get_by_text("dossier.submitted").first).to_be_visible()
    shot(page, "api-05-webhook-envois")
