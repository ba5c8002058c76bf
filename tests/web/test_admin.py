"""The administrator's space: accounts, roles, activation and passwords, through AccountService."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.support import PASSWORD, World
from tests.web.conftest import csrf_of, sign_in

SignedIn = Callable[[str], FlaskClient]


def test_the_administrator_lists_every_account(signed_in: SignedIn):
    page = signed_in("admin").get("/admin/comptes").get_data(as_text=True)
    assert "agent@lognes.test" in page and "instructeur@agglo.test" in page and "Lognes" in page


@pytest.mark.parametrize("who", ["agent", "officer", "secretariat", "auditor"])
def test_other_roles_are_refused(signed_in: SignedIn, web_world: World, who: str):
    browser = signed_in(who)
    assert browser.get("/admin/comptes").status_code == 403
    assert browser.get(f"/admin/comptes/{web_world.agent.account_id}").status_code == 403
    response = browser.post(f"/admin/comptes/{web_world.agent.account_id}/activation", data={
        "csrf_token": csrf_of(browser, "/accueil"), "active": "false"})
    assert response.status_code == 403


def test_an_account_is_opened_and_can_sign_in(signed_in: SignedIn, app, web_world: World):  # type: ignore[no-untyped-def]
    browser = signed_in("admin")
    response = browser.post("/admin/comptes/nouveau", data={
        "csrf_token": csrf_of(browser, "/admin/comptes/nouveau"), "email": "mairie@torcy.test",
        "name": "Agent de Torcy", "role": "agent_commune", "commune": "77468",
        "password": PASSWORD})
    assert response.status_code == 302
    found = web_world.faps.accounts.by_email("mairie@torcy.test")
    assert found is not None and found.commune == "77468"
    assert sign_in(app.test_client(), "mairie@torcy.test").status_code == 302


def test_a_short_password_comes_back_next_to_its_field_with_input_kept(signed_in: SignedIn):
    browser = signed_in("admin")
    response = browser.post("/admin/comptes/nouveau", data={
        "csrf_token": csrf_of(browser, "/admin/comptes/nouveau"), "email": "x@torcy.test",
        "name": "Nom gardé", "role": "auditeur", "password": "court"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="e-password"' in body and "12 caractères" in body and 'value="Nom gardé"' in body


def test_role_change_deactivation_and_password_reset(signed_in: SignedIn, app,  # type: ignore[no-untyped-def]
                                                     web_world: World):
    browser = signed_in("admin")
    account = f"/admin/comptes/{web_world.auditor.account_id}"
    token = csrf_of(browser, account)
    assert browser.post(f"{account}/role", data={"csrf_token": token, "role": "instructeur",
                                                 "commune": ""}).status_code == 302
    assert web_world.faps.accounts.get(web_world.auditor.account_id).role.value == "instructeur"
    assert browser.post(f"{account}/mot-de-passe", data={
        "csrf_token": token, "password": "un-nouveau-mot-de-passe"}).status_code == 302
    assert sign_in(app.test_client(), web_world.auditor.email,
                   "un-nouveau-mot-de-passe").status_code == 302
    assert browser.post(f"{account}/activation", data={"csrf_token": token,
                                                       "active": "false"}).status_code == 302
    assert not web_world.faps.accounts.get(web_world.auditor.account_id).active
    refused = sign_in(app.test_client(), web_world.auditor.email, "un-nouveau-mot-de-passe")
    assert refused.status_code == 403 and "Ce compte est désactivé" in refused.get_data(
        as_text=True)
    wrong = sign_in(app.test_client(), web_world.auditor.email, "pas-le-bon-mot-de-passe")
    assert wrong.status_code == 401 and "désactivé" not in wrong.get_data(as_text=True)


def test_admin_posts_need_the_csrf_token(signed_in: SignedIn, web_world: World):
    browser = signed_in("admin")
    account = f"/admin/comptes/{web_world.auditor.account_id}"
    for path in ("/admin/comptes/nouveau", f"{account}/role", f"{account}/activation",
                 f"{account}/mot-de-passe"):
        assert browser.post(path, data={"active": "false", "role": "auditeur"}).status_code == 400
