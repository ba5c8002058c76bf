"""Sign-in throttling, the deactivated account, the redirect after sign-in, deployment headers."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faps.web import create_app
from tests.conftest import build_faps
from tests.support import PASSWORD, World, make_world
from tests.web.conftest import csrf_of, sign_in


def attempt(browser: FlaskClient, email: str, password: str, address: str,
            token: str | None = None):  # type: ignore[no-untyped-def]
    """Post the sign-in form from a client address."""
    token = token or csrf_of(browser)
    return browser.post("/connexion", data={"email": email, "password": password,
                                            "csrf_token": token},
                        environ_base={"REMOTE_ADDR": address})


def test_the_owners_known_browser_signs_in_while_an_attacker_hammers_the_account(
        app: Flask, web_world: World):
    owner = app.test_client()
    assert attempt(owner, web_world.admin.email, PASSWORD, "192.0.2.10").status_code == 302
    owner.post("/deconnexion", data={"csrf_token": csrf_of(owner, "/accueil")})
    for n in range(12):  # many addresses, one account: the account is slowed for strangers
        attacker = app.test_client()
        attempt(attacker, web_world.admin.email, "devine", f"203.0.113.{n}")
    stranger = attempt(app.test_client(), web_world.admin.email, PASSWORD, "198.51.100.1")
    assert stranger.status_code == 429
    assert attempt(owner, web_world.admin.email, PASSWORD, "192.0.2.10").status_code == 302


def test_guesses_spread_over_many_accounts_from_one_address_are_slowed(
        app: Flask, web_world: World):
    emails = [f"inconnu{n}@agglo.test" for n in range(17)] + [web_world.officer.email]
    statuses = [attempt(app.test_client(), email, "devine", "203.0.113.50").status_code
                for email in emails]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    other = attempt(app.test_client(), web_world.officer.email, PASSWORD, "192.0.2.77")
    assert other.status_code == 302  # the account itself is not locked by that address


@pytest.fixture
def file_app(tmp_path, clock) -> Iterator[tuple[Flask, World, list[int]]]:  # type: ignore[no-untyped-def]
    """An application on an SQLite file, counting the password checks it makes."""
    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    world = make_world(faps, clock)
    checks: list[int] = []
    real = faps.ctx.hasher

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            checks.append(1)
            return real.verify(password_hash, password)

        def needs_rehash(self, password_hash: str) -> bool:
            return real.needs_rehash(password_hash)

    faps.ctx.hasher = Counting()
    yield create_app({"TESTING": True}, faps=faps), world, checks
    faps.close()


def test_forty_concurrent_wrong_passwords_get_at_most_the_limit_of_checks(file_app):  # type: ignore[no-untyped-def]
    app, world, checks = file_app
    browsers = [app.test_client() for _ in range(40)]
    tokens = [csrf_of(b) for b in browsers]
    start, statuses = threading.Barrier(40), []

    def run(i: int) -> None:
        start.wait()
        statuses.append(attempt(browsers[i], world.officer.email, "devine", "203.0.113.7",
                                tokens[i]).status_code)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) <= 5 and sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == len(checks)


@pytest.mark.parametrize("target", [
    "%2F%09%2Fevil.example%2Fphish", "%2F%2Fevil.example", "%2F%5Cevil.example",
    "https%3A%2F%2Fevil.example", "%2F%0D%0A%2Fevil.example", "%2F%20%2F", "javascript:alert(1)",
])
def test_the_page_after_sign_in_is_never_off_site(client: FlaskClient, web_world: World,
                                                   target: str):
    page = client.get(f"/connexion?next={target}").get_data(as_text=True)
    sent = re.search(r'name="next" value="([^"]*)"', page)
    assert sent is not None
    response = client.post("/connexion", data={
        "email": web_world.officer.email, "password": PASSWORD, "next": sent.group(1),
        "csrf_token": csrf_of(client)})
    location = response.headers["Location"]
    assert response.status_code == 302 and location.startswith("/")
    assert not location.startswith("//") and "evil" not in location


def test_a_same_site_page_is_kept_after_sign_in(client: FlaskClient, web_world: World):
    response = client.post("/connexion", data={
        "email": web_world.officer.email, "password": PASSWORD,
        "next": "/finances/echeances?near=30", "csrf_token": csrf_of(client)})
    assert response.headers["Location"] == "/finances/echeances?near=30"


def test_https_public_address_turns_on_secure_cookies_and_hsts(web_world: World):
    web_world.faps.settings.public_url = "https://fonds.agglo.example"
    secure = create_app({"TESTING": True}, faps=web_world.faps).test_client()
    response = sign_in(secure, web_world.officer.email)
    assert "Secure" in response.headers.get("Set-Cookie", "")
    assert secure.get("/connexion").headers["Strict-Transport-Security"].startswith(
        "max-age=31536000")
    web_world.faps.settings.cookie_secure = False
    web_world.faps.settings.hsts_seconds = 0
    plain = create_app({"TESTING": True}, faps=web_world.faps).test_client()
    response = sign_in(plain, web_world.officer.email)
    assert "Secure" not in response.headers.get("Set-Cookie", "")
    assert "Strict-Transport-Security" not in plain.get("/connexion").headers


def test_http_public_address_sends_no_hsts(client: FlaskClient):
    assert "Strict-Transport-Security" not in client.get("/connexion").headers
