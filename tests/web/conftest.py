"""Web fixtures: the Flask app on a faps world, a client signed in as each role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faps.web import create_app
from tests.support import PASSWORD, World


@pytest.fixture
def web_world(memory_world: World) -> World:
    """The world the web tests use (in-memory store, fast)."""
    return memory_world


@pytest.fixture
def app(web_world: World) -> Iterator[Flask]:
    """The Flask application around the world's faps."""
    flask_app = create_app({"TESTING": True}, faps=web_world.faps)
    yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous browser."""
    return app.test_client()


def csrf_of(client: FlaskClient, path: str = "/connexion") -> str:
    """Return the CSRF token a page of the client's session carries."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign the client in; return the response."""
    token = csrf_of(client)
    return client.post("/connexion", data={"email": email, "password": password,
                                           "csrf_token": token})


@pytest.fixture
def signed_in(app: Flask, web_world: World) -> Callable[[str], FlaskClient]:
    """Return a client signed in as 'agent', 'other_agent', 'officer', 'secretariat', …"""

    def make(who: str) -> FlaskClient:
        browser = app.test_client()
        response = sign_in(browser, getattr(web_world, who).email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return make
