"""Sessions live on the server: a copied cookie dies with sign-out and every loss of trust."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.support import PASSWORD, World
from tests.web.conftest import csrf_of

COOKIE = "faps_session"
SignedIn = Callable[[str], FlaskClient]


def copy_of(app: Flask, browser: FlaskClient) -> FlaskClient:
    """Return another browser holding a copy of this one's session cookie."""
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def signed_in_page(browser: FlaskClient) -> bool:
    """Tell whether the browser is still signed in (its home page answers)."""
    return browser.get("/accueil").status_code == 200


def test_a_copied_cookie_works_while_the_session_lives(app: Flask, signed_in: SignedIn):
    thief = copy_of(app, signed_in("officer"))
    assert signed_in_page(thief)


def test_a_copied_cookie_dies_at_sign_out(app: Flask, signed_in: SignedIn):
    browser = signed_in("officer")
    thief = copy_of(app, browser)
    browser.post("/deconnexion", data={"csrf_token": csrf_of(browser, "/accueil")})
    assert not signed_in_page(thief)
    assert thief.get("/instruction/").headers["Location"].startswith("/connexion")


def test_a_copied_cookie_dies_when_its_owner_changes_the_password(
        app: Flask, signed_in: SignedIn):
    browser = signed_in("officer")
    thief = copy_of(app, browser)
    response = browser.post("/mon-compte/mot-de-passe", data={
        "csrf_token": csrf_of(browser, "/mon-compte"), "current": PASSWORD,
        "new": "une phrase de passe neuve", "confirm": "une phrase de passe neuve"})
    assert response.status_code == 302
    assert not signed_in_page(thief)
    assert signed_in_page(browser)  # the browser that changed it got a new session


@pytest.mark.parametrize(("path", "data"), [
    ("mot-de-passe", {"password": "fixé par l'administratrice"}),
    ("activation", {"active": "false"}),
    ("role", {"role": "auditeur", "commune": ""}),
])
def test_a_copied_cookie_dies_when_an_administrator_withdraws_trust(
        app: Flask, signed_in: SignedIn, web_world: World, path: str, data: dict[str, str]):
    victim = signed_in("officer")
    thief = copy_of(app, victim)
    admin = signed_in("admin")
    page = f"/admin/comptes/{web_world.officer.account_id}"
    assert admin.post(f"{page}/{path}", data={"csrf_token": csrf_of(admin, page),
                                              **data}).status_code == 302
    assert not signed_in_page(thief) and not signed_in_page(victim)
    assert signed_in_page(admin)  # other accounts keep theirs


def test_signing_out_everywhere_ends_every_session_of_the_account(
        app: Flask, signed_in: SignedIn, web_world: World):
    first, second, other = signed_in("officer"), signed_in("officer"), signed_in("auditor")
    page = second.get("/mon-compte").get_data(as_text=True)
    assert "2\u00a0sessions sont ouvertes" in page and "(cette session)" in page
    response = second.post("/mon-compte/sessions/fin",
                           data={"csrf_token": csrf_of(second, "/mon-compte")})
    assert response.headers["Location"].endswith("/connexion")
    assert not signed_in_page(first) and not signed_in_page(second)
    assert signed_in_page(other)
    assert web_world.faps.ctx.sessions.of(web_world.officer.account_id) == []


def test_a_forged_or_stale_cookie_without_a_server_session_is_anonymous(
        app: Flask, web_world: World):
    browser = app.test_client()
    with browser.session_transaction() as session:  # signed with the real key, no sid
        session["account_id"] = str(web_world.admin.account_id)
    assert not signed_in_page(browser)
    with browser.session_transaction() as session:
        session["account_id"] = str(web_world.admin.account_id)
        session["sid"] = "un-identifiant-inventé"
    assert not signed_in_page(browser)


def test_a_session_idle_longer_than_its_lifetime_ends_on_the_server(
        app: Flask, signed_in: SignedIn, web_world: World):
    from datetime import UTC, datetime

    from faps.infrastructure.sessions import sessions_table

    thief = copy_of(app, signed_in("officer"))
    long_ago = datetime.now(tz=UTC) - app.permanent_session_lifetime - timedelta(minutes=1)
    with web_world.faps.ctx.credentials.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sessions_table.update().values(seen_at=long_ago))
    assert not signed_in_page(thief)
    assert web_world.faps.ctx.sessions.of(web_world.officer.account_id) == []  # type: ignore[attr-defined]


def test_sessions_left_idle_are_deleted_when_anyone_signs_in(
        app: Flask, signed_in: SignedIn, web_world: World):
    from datetime import UTC, datetime

    from faps.infrastructure.sessions import sessions_table

    signed_in("officer")
    long_ago = datetime.now(tz=UTC) - app.permanent_session_lifetime - timedelta(minutes=1)
    with web_world.faps.ctx.credentials.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sessions_table.update().values(seen_at=long_ago))
    signed_in("auditor")
    with web_world.faps.ctx.credentials.engine.connect() as conn:  # type: ignore[attr-defined]
        accounts = conn.execute(sa.select(sessions_table.c.account_id)).scalars().all()
    assert accounts == [web_world.auditor.account_id]


def test_the_application_clock_moving_on_does_not_end_sessions(
        signed_in: SignedIn, web_world: World):
    browser = signed_in("officer")
    web_world.clock.advance(days=30)  # demo and test clocks jump; people's sessions do not
    assert signed_in_page(browser)


def test_sessions_keep_no_usable_id_in_the_database(signed_in: SignedIn, web_world: World):
    browser = signed_in("officer")
    with browser.session_transaction() as session:
        sid = session["sid"]
    rows = web_world.faps.ctx.sessions.of(web_world.officer.account_id)
    assert len(rows) == 1 and rows[0].id_hash != sid and sid not in rows[0].id_hash
