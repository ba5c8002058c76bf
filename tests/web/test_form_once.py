"""One-time form tokens: a form sent twice (double click, retry) is recorded once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faps.web import create_app
from tests.conftest import build_faps
from tests.support import World, make_world
from tests.web.conftest import sign_in

SignedIn = Callable[[str], FlaskClient]
TEMPLATES = Path(__file__).resolve().parents[2] / "faps" / "web" / "templates"


def hidden_fields(page: str) -> dict[str, str]:
    """Return the hidden inputs of the first form of a page that has a one-time token."""
    return dict(re.findall(r'<input type="hidden" name="(csrf_token|form_once)" value="([^"]+)"',
                           page)[:2])


def events(world: World) -> int:
    """Return how many events the log holds."""
    return int(world.faps.app.recorder.max_notification_id() or 0)


def test_every_post_form_of_the_web_app_carries_the_one_time_token():
    forms = 0
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            if re.search(r'method="post"', form.group(0)[:300], re.I):
                forms += 1
                assert "csrf_field()" in form.group(1), f"{template.name}: {form.group(0)[:120]}"
    assert forms >= 40


def test_a_form_sent_twice_records_once_and_shows_the_first_result(
        signed_in: SignedIn, web_world: World):
    browser = signed_in("agent")
    fields = hidden_fields(browser.get("/commune/dossiers/nouveau").get_data(as_text=True))
    assert set(fields) == {"csrf_token", "form_once"}
    before = events(web_world)
    first = browser.post("/commune/dossiers/nouveau", data={**fields, "title": "Cabinet"})
    recorded = events(web_world)
    second = browser.post("/commune/dossiers/nouveau", data={**fields, "title": "Cabinet"})
    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert recorded > before and events(web_world) == recorded
    page = browser.get(second.headers["Location"]).get_data(as_text=True)
    assert "n’a été enregistré qu’une fois" in page
    fresh = hidden_fields(browser.get("/commune/dossiers/nouveau").get_data(as_text=True))
    assert fresh["form_once"] != fields["form_once"]  # a new form is a new submission


def test_a_refused_form_gives_its_token_back(signed_in: SignedIn, web_world: World):
    browser = signed_in("agent")
    fields = hidden_fields(browser.get("/commune/dossiers/nouveau").get_data(as_text=True))
    refused = browser.post("/commune/dossiers/nouveau", data={**fields, "title": "X"})
    assert refused.status_code == 400
    accepted = browser.post("/commune/dossiers/nouveau", data={**fields, "title": "Cabinet"})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/modifier")


def test_the_token_of_one_session_means_nothing_in_another(signed_in: SignedIn,
                                                           web_world: World):
    first, second = signed_in("agent"), signed_in("agent")
    fields = hidden_fields(first.get("/commune/dossiers/nouveau").get_data(as_text=True))
    first.post("/commune/dossiers/nouveau", data={**fields, "title": "Cabinet"})
    own = hidden_fields(second.get("/commune/dossiers/nouveau").get_data(as_text=True))
    before = events(web_world)
    other = second.post("/commune/dossiers/nouveau", data={
        "csrf_token": own["csrf_token"], "form_once": fields["form_once"], "title": "Autre"})
    assert other.status_code == 302 and events(web_world) > before


@pytest.fixture
def file_world(tmp_path, clock) -> Iterator[tuple[Flask, World]]:  # type: ignore[no-untyped-def]
    """An application on an SQLite file, as several threads of a server use it."""
    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    yield create_app({"TESTING": True}, faps=faps), make_world(faps, clock)
    faps.close()


def test_a_double_click_sent_at_the_same_instant_records_once(file_world):  # type: ignore[no-untyped-def]
    app, world = file_world
    browser = app.test_client()
    assert sign_in(browser, world.agent.email).status_code == 302
    fields = hidden_fields(browser.get("/commune/dossiers/nouveau").get_data(as_text=True))
    cookie = browser.get_cookie("faps_session")
    assert cookie is not None
    clicks = [app.test_client() for _ in range(2)]
    for click in clicks:
        click.set_cookie("faps_session", cookie.value)
    before, start, answers = events(world), threading.Barrier(2), []

    def click(client: FlaskClient) -> None:
        start.wait()
        answers.append(client.post("/commune/dossiers/nouveau",
                                   data={**fields, "title": "Double clic"}))

    threads = [threading.Thread(target=click, args=(c,)) for c in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [302, 303]
    assert len({a.headers["Location"] for a in answers}) == 1
    drafts = world.faps.queries.dossiers(world.agent, _all_of(world.agent.commune))
    assert [d.title for d in drafts.items].count("Double clic") == 1
    assert events(world) > before


def _all_of(commune: str | None):  # type: ignore[no-untyped-def]
    from faps.application.queries import DossierFilter

    return DossierFilter(commune=commune, page=1, per_page=100)
