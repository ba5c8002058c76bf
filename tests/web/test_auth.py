"""Sign-in, sign-out, CSRF, throttling, sessions, errors and headers."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support import World
from tests.web.conftest import csrf_of, sign_in


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client: FlaskClient):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")


def test_a_correct_password_signs_in_and_a_wrong_one_does_not(
    client: FlaskClient, web_world: World
):
    bad = sign_in(client, web_world.officer.email, "pas-le-bon-mot-de-passe")
    assert bad.status_code == 401
    assert "Adresse ou mot de passe incorrect" in bad.get_data(as_text=True)
    good = sign_in(client, web_world.officer.email)
    assert good.status_code == 302


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient, web_world: World):
    response = client.post("/connexion", data={"email": web_world.officer.email,
                                                "password": "x"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_repeated_failures_make_a_new_browser_wait(client: FlaskClient, web_world: World):
    for _ in range(5):
        sign_in(client, web_world.auditor.email, "mauvais-mot-de-passe")
    locked = sign_in(client, web_world.auditor.email)
    assert locked.status_code == 429
    assert "Trop de tentatives infructueuses\u202f: réessayez dans 1\u00a0seconde" in \
        locked.get_data(as_text=True)


def test_signing_out_ends_the_session(client: FlaskClient, web_world: World):
    sign_in(client, web_world.officer.email)
    token = csrf_of(client, "/accueil")
    client.post("/deconnexion", data={"csrf_token": token})
    assert client.get("/").headers["Location"].endswith("/connexion")


def test_unknown_pages_get_a_french_404_with_security_headers(client: FlaskClient):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
