"""Mon compte: changing one's password, the forced change, the reset link, the accounts list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faps.domain.actors import Role
from tests.support import PASSWORD, World
from tests.web.conftest import csrf_of, sign_in

SignedIn = Callable[[str], FlaskClient]
NEW = "une toute nouvelle phrase"


def change(browser: FlaskClient, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    """Post the password form of Mon compte."""
    return browser.post("/mon-compte/mot-de-passe", data={
        "csrf_token": csrf_of(browser, "/mon-compte/mot-de-passe"), "current": current, "new": new,
        "confirm": new if confirm is None else confirm})


@pytest.mark.parametrize("who", ["agent", "officer", "secretariat", "auditor", "admin"])
def test_every_role_reaches_mon_compte_from_the_header(signed_in: SignedIn, who: str):
    browser = signed_in(who)
    header = browser.get("/accueil").get_data(as_text=True)
    assert 'href="/mon-compte"' in header
    page = browser.get("/mon-compte").get_data(as_text=True)
    assert "Changer le mot de passe" in page and "Se déconnecter partout" in page


def test_changing_ones_password_needs_the_current_one(signed_in: SignedIn, app: Flask,
                                                      web_world: World):
    browser = signed_in("officer")
    wrong = change(browser, "pas-le-bon", NEW)
    assert wrong.status_code == 400 and "mot de passe actuel incorrect" in wrong.get_data(
        as_text=True)
    assert change(browser, PASSWORD, "court").status_code == 400
    assert change(browser, PASSWORD, NEW, "autre chose encore").status_code == 400
    assert change(browser, PASSWORD, "x" * 201).status_code == 400
    assert change(browser, PASSWORD, "avec\x1bun échappement").status_code == 400
    assert sign_in(app.test_client(), web_world.officer.email).status_code == 302  # unchanged
    assert change(browser, PASSWORD, NEW).status_code == 302
    assert sign_in(app.test_client(), web_world.officer.email).status_code == 401
    assert sign_in(app.test_client(), web_world.officer.email, NEW).status_code == 302


def test_no_password_reaches_the_event_log(signed_in: SignedIn, web_world: World):
    change(signed_in("officer"), PASSWORD, NEW)
    recorder = web_world.faps.app.recorder
    stored = recorder.select_notifications(1, 100000)
    assert stored and not any(NEW.encode() in n.state for n in stored)


def test_a_password_set_by_an_administrator_must_be_changed_first(
        signed_in: SignedIn, app: Flask, web_world: World):
    admin = signed_in("admin")
    page = f"/admin/comptes/{web_world.auditor.account_id}"
    admin.post(f"{page}/mot-de-passe", data={"csrf_token": csrf_of(admin, page),
                                             "password": "provisoire-0123"})
    browser = app.test_client()
    response = browser.post("/connexion", data={
        "email": web_world.auditor.email, "password": "provisoire-0123",
        "next": "/audit/", "csrf_token": csrf_of(browser)})
    assert response.headers["Location"] == "/mon-compte/mot-de-passe"
    for path in ("/audit/", "/accueil", "/mon-compte", "/exports/"):
        assert browser.get(path).headers["Location"] == "/mon-compte/mot-de-passe"
    assert "fixé votre mot de passe" in browser.get("/mon-compte/mot-de-passe").get_data(
        as_text=True)
    done = change(browser, "provisoire-0123", NEW)
    assert done.headers["Location"] == "/audit/"  # where they were going
    assert browser.get("/audit/").status_code == 200
    again = app.test_client()
    assert sign_in(again, web_world.auditor.email, NEW).headers["Location"] != \
        "/mon-compte/mot-de-passe"


def test_an_account_opened_by_an_administrator_changes_its_password_at_first_sign_in(
        signed_in: SignedIn, app: Flask):
    admin = signed_in("admin")
    admin.post("/admin/comptes/nouveau", data={
        "csrf_token": csrf_of(admin, "/admin/comptes/nouveau"), "email": "neuf@agglo.test",
        "name": "Nouvelle", "role": Role.AUDITOR.value, "commune": "",
        "password": "initial-0123456"})
    first = sign_in(app.test_client(), "neuf@agglo.test", "initial-0123456")
    assert first.headers["Location"] == "/mon-compte/mot-de-passe"


def reset_links(web_world: World, email: str) -> list[str]:
    """Return the reset links mailed to an address, oldest first."""
    mails = [m for m in web_world.faps.mailer.outbox.sent() + web_world.faps.mailer.outbox
             .pending() if m["recipients"] == email]
    return [re.search(r"https?://\S+(/mot-de-passe/\S+)", m["body"]).group(1)  # type: ignore[union-attr]
            for m in mails]


def ask_reset(client: FlaskClient, email: str):  # type: ignore[no-untyped-def]
    """Post the forgotten-password form."""
    return client.post("/mot-de-passe-oublie", data={
        "csrf_token": csrf_of(client, "/mot-de-passe-oublie"), "email": email})


def test_the_forgotten_password_answer_never_reveals_whether_an_address_exists(
        client: FlaskClient, app: Flask, web_world: World):
    assert 'href="/mot-de-passe-oublie"' in client.get("/connexion").get_data(as_text=True)
    answers = []
    for email in (web_world.officer.email, "personne@agglo.test"):
        browser = app.test_client()
        asked = ask_reset(browser, email)
        assert asked.status_code == 302 and asked.headers["Location"] == "/connexion"
        page = browser.get("/connexion").get_data(as_text=True)
        answers.append(re.findall(r'<p class="flash[^"]*">([^<]+)</p>', page))
    assert answers[0] == answers[1] and "Si un compte actif correspond" in answers[0][0]
    assert len(reset_links(web_world, web_world.officer.email)) == 1
    assert reset_links(web_world, "personne@agglo.test") == []


def test_a_reset_link_works_once_and_ends_every_session(
        client: FlaskClient, app: Flask, signed_in: SignedIn, web_world: World):
    elsewhere = signed_in("officer")
    ask_reset(client, web_world.officer.email)
    (link,) = reset_links(web_world, web_world.officer.email)
    assert client.get(link).status_code == 200
    used = client.post(link, data={"csrf_token": csrf_of(client, link), "new": NEW,
                                   "confirm": NEW})
    assert used.headers["Location"] == "/connexion"
    assert elsewhere.get("/accueil").status_code == 302  # its session ended
    assert sign_in(app.test_client(), web_world.officer.email, NEW).status_code == 302
    assert client.get(link).status_code == 410
    replay = app.test_client()
    again = replay.post(link, data={"csrf_token": csrf_of(replay, "/connexion"),
                                    "new": "encore une autre phrase",
                                    "confirm": "encore une autre phrase"})
    assert again.status_code == 410 and "expiré ou a déjà servi" in again.get_data(as_text=True)


def test_a_reset_link_expires_after_an_hour(client: FlaskClient, web_world: World):
    ask_reset(client, web_world.officer.email)
    (link,) = reset_links(web_world, web_world.officer.email)
    web_world.clock.advance(seconds=timedelta(hours=1, minutes=1).total_seconds())
    assert client.get(link).status_code == 410
    assert client.get("/mot-de-passe/" + "x" * 300).status_code in (404, 410)


def test_the_accounts_list_sorts_names_the_french_way_and_searches(
        signed_in: SignedIn, web_world: World):
    for email, name in [("t@agglo.test", "Thomas"), ("e@agglo.test", "Élodie"),
                        ("z@agglo.test", "zoé"), ("a@agglo.test", "Anaïs")]:
        web_world.faps.accounts.open(web_world.admin, email, name, Role.AUDITOR, None,
                                     PASSWORD)
    admin = signed_in("admin")
    page = admin.get("/admin/comptes").get_data(as_text=True)
    order = [page.index(f">{n}</a>") for n in ("Anaïs", "Élodie", "Thomas", "zoé")]
    assert order == sorted(order)
    found = admin.get("/admin/comptes?q=elodie").get_data(as_text=True)
    assert ">Élodie</a>" in found and ">Thomas</a>" not in found
    assert "Aucun compte ne correspond" in admin.get("/admin/comptes?q=xyzzy").get_data(
        as_text=True)
