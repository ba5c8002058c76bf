"""The API's guards under concurrency, on real databases: an Idempotency-Key never runs twice
at once, and the rate limit is counted by every process together."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from faps.application.clock import SettableClock
from faps.bootstrap import Faps
from faps.web import create_app
from tests.conftest import build_faps
from tests.support import World, content, make_world
from tests.web.api_support import Caller, token_of


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faps.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def durable_world(shared_url: str, tmp_path: Any, clock: SettableClock) -> Iterator[World]:
    faps = build_faps(shared_url, tmp_path, clock)
    yield make_world(faps, clock)
    faps.close()


class HeldDraft:
    """Hold the first draft inside its service call until released; count the calls."""

    def __init__(self, faps: Faps) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.calls = 0
        self.real = faps.dossiers.draft
        faps.dossiers.draft = self  # type: ignore[method-assign]

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(10)
        return self.real(*args)


def post_in_thread(api: Caller, body: dict[str, Any], key: str) -> tuple[threading.Thread,
                                                                          list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(
        api.post("/api/v1/dossiers", body, {"Idempotency-Key": key})))
    thread.start()
    return thread, answers


def test_a_second_request_with_the_same_key_waits_for_the_first_answer(durable_world: World):
    app = create_app({"TESTING": True}, faps=durable_world.faps)
    held = HeldDraft(durable_world.faps)
    token = token_of(durable_world, durable_world.agent)
    body = content(title="Une seule fois")
    first, first_answer = post_in_thread(Caller(app.test_client(), token), body, "cle-1")
    assert held.entered.wait(10)
    second, second_answer = post_in_thread(Caller(app.test_client(), token), body, "cle-1")
    second.join(0.5)
    assert second.is_alive()  # waiting for the first, not running the draft again
    held.release.set()
    first.join(10)
    second.join(10)
    (one,), (two,) = first_answer, second_answer
    assert one.status_code == two.status_code == 201
    assert two.get_json() == one.get_json() and two.headers["Idempotent-Replayed"] == "true"
    assert held.calls == 1


def test_past_the_wait_the_second_request_gets_409_and_a_retry_then_replays(
    durable_world: World,
):
    app: Flask = create_app({"TESTING": True}, faps=durable_world.faps)
    app.config["FAPS_API_IDEMPOTENCY_WAIT"] = 0.2
    held = HeldDraft(durable_world.faps)
    token = token_of(durable_world, durable_world.agent)
    body = content(title="Une seule fois")
    first, first_answer = post_in_thread(Caller(app.test_client(), token), body, "cle-2")
    assert held.entered.wait(10)
    busy = Caller(app.test_client(), token).post("/api/v1/dossiers", body,
                                                 {"Idempotency-Key": "cle-2"})
    assert busy.status_code == 409 and busy.content_type == "application/problem+json"
    assert busy.get_json()["detail"] == (
        "Une requête avec cette clé d'idempotence est en cours : attendez sa réponse, puis "
        "réessayez avec la même clé.")
    held.release.set()
    first.join(10)
    again = Caller(app.test_client(), token).post("/api/v1/dossiers", body,
                                                  {"Idempotency-Key": "cle-2"})
    assert again.status_code == 201 and again.get_json() == first_answer[0].get_json()
    assert held.calls == 1


def test_a_request_that_failed_frees_its_key_for_a_retry(durable_world: World):
    app = create_app({"TESTING": True}, faps=durable_world.faps)
    agent = Caller(app.test_client(), token_of(durable_world, durable_world.agent))
    dossier_id = durable_world.drafted()
    url = f"/api/v1/dossiers/{dossier_id}"
    changed = agent.client.patch(url, json={"title": "Nouveau titre"},
                               headers=agent.headers(**{"If-Match": '"1"',
                                                        "Idempotency-Key": "k"}))
    assert changed.status_code == 200  # version 1 is current
    conflict = agent.client.patch(url, json={"title": "Encore"},
                                  headers=agent.headers(**{"If-Match": '"1"',
                                                           "Idempotency-Key": "k2"}))
    assert conflict.status_code == 412
    retried = agent.client.patch(url, json={"title": "Encore"},
                                 headers=agent.headers(**{"If-Match": '"2"',
                                                          "Idempotency-Key": "k2"}))
    assert retried.status_code == 200  # the 412 was not kept: the key ran again


def test_the_rate_limit_is_counted_by_every_process_together(
    shared_url: str, tmp_path: Any, clock: SettableClock
):
    first = build_faps(shared_url, tmp_path, clock)
    world = make_world(first, clock)
    second = build_faps(shared_url, tmp_path, clock)  # another worker on the same database
    try:
        token = token_of(world, world.agent)
        apps = [create_app({"TESTING": True, "FAPS_API_RATE_LIMIT": 3}, faps=f)
                for f in (first, second)]
        for app in apps:
            app.config["FAPS_API_RATE_LIMIT"] = 3
        one, two = (Caller(app.test_client(), token) for app in apps)
        assert [one.get("/api/v1/reglements").status_code,
                two.get("/api/v1/reglements").status_code,
                one.get("/api/v1/reglements").status_code] == [200, 200, 200]
        limited = two.get("/api/v1/reglements")
        assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 61
        assert limited.get_json()["detail"].startswith("Trop de requêtes : réessayez dans ")
    finally:
        second.close()
        first.close()
