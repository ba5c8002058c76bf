"""Mon compte › Jetons d'API, and `faps tokens`: a secret shown once, hashed, revocable."""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from eventsourcing.utils import get_topic
from flask.testing import FlaskClient

from faps.domain.accounts import Account
from faps.infrastructure.api_tokens import tokens_table
from faps.infrastructure.credentials import metadata
from tests.support import World
from tests.web.conftest import csrf_of

SignedIn = Callable[[str], FlaskClient]


def _create(browser: FlaskClient, name: str, days: str = "") -> str:
    page = browser.post("/compte/jetons", data={
        "csrf_token": csrf_of(browser, "/compte/jetons"), "name": name,
        "expires_days": days}).get_data(as_text=True)
    match = re.search(r'id="secret"[^>]*value="(faps_[^"]+)"', page)
    assert match, page
    return match.group(1)


def test_an_account_creates_uses_and_revokes_its_own_token(
    signed_in: SignedIn, app, web_world: World  # type: ignore[no-untyped-def]
):
    browser = signed_in("agent")
    assert "Gérer mes jetons d’API" in browser.get("/mon-compte").get_data(as_text=True)
    secret = _create(browser, "Outil de suivi", "30")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/dossiers", headers=auth).status_code == 200
    page = browser.get("/compte/jetons").get_data(as_text=True)
    assert "Outil de suivi" in page and "Actif" in page and secret not in page
    token_id = re.search(r'/compte/jetons/([0-9a-f-]{36})/revocation', page).group(1)  # type: ignore[union-attr]
    browser.post(f"/compte/jetons/{token_id}/revocation",
                 data={"csrf_token": csrf_of(browser, "/compte/jetons")})
    assert "Révoqué" in browser.get("/compte/jetons").get_data(as_text=True)
    assert api.get("/api/v1/dossiers", headers=auth).status_code == 401


def test_only_a_hash_is_stored_and_the_log_holds_no_secret(
    signed_in: SignedIn, web_world: World
):
    secret = _create(signed_in("officer"), "Comptabilité")
    faps = web_world.faps
    engine = getattr(faps.ctx.credentials, "engine", faps.engine)
    assert tokens_table.name in metadata.tables
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tokens_table.c.token_hash)).scalars().all()
    assert stored and secret not in stored and all(len(h) == 64 for h in stored)
    topics = [get_topic(Account.ApiTokenIssued)]
    issued = faps.app.recorder.select_notifications(1, 1000, topics=topics)
    assert len(issued) == 1 and secret.encode() not in issued[0].state
    assert b"Comptabilit" in issued[0].state


def test_a_token_of_another_account_cannot_be_revoked_from_the_page(
    signed_in: SignedIn, web_world: World
):
    _create(signed_in("officer"), "Le mien")
    page = signed_in("officer").get("/compte/jetons").get_data(as_text=True)
    token_id = re.search(r'/compte/jetons/([0-9a-f-]{36})/revocation', page).group(1)  # type: ignore[union-attr]
    other = signed_in("agent")
    response = other.post(f"/compte/jetons/{token_id}/revocation",
                          data={"csrf_token": csrf_of(other, "/compte/jetons")})
    assert response.status_code == 404


def test_a_nameless_token_is_refused_with_the_field_named(signed_in: SignedIn):
    browser = signed_in("agent")
    response = browser.post("/compte/jetons", data={
        "csrf_token": csrf_of(browser, "/compte/jetons"), "name": "", "expires_days": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="e-name"' in page or "champ obligatoire" in page
