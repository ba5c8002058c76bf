"""Webhooks: real deliveries to a local HTTP server, signatures checked with standardwebhooks,
a sender killed mid-batch delivers everything after restart, failures back off then pause."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from faps.application.clock import SettableClock
from faps.bootstrap import Faps, build
from faps.domain.errors import InvalidInputError
from faps.infrastructure.settings import Settings
from faps.infrastructure.webhooks import WebhookRules, build_webhooks
from tests.support import make_world


class Receiver:
    """A local HTTP server recording what it is sent (answering `status`, after `delay`)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status, self.delay = 200, 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                          body))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


ENV = {"FAPS_SECRET_KEY": "test-secret", "FAPS_AGGLOMERATION_SIRET": "20005795800014",
       "FAPS_WEBHOOKS_ALLOW_HTTP": "true", "FAPS_WEBHOOKS_ALLOWED_HOSTS": "127.0.0.1",
       "FAPS_MAIL_BACKEND": "console"}


@pytest.fixture
def store(tmp_path: Path, clock: SettableClock) -> Iterator[tuple[Faps, dict[str, str]]]:
    env = {**ENV, "FAPS_INSTANCE_PATH": str(tmp_path / "instance"),
           "FAPS_DATABASE_URL": f"sqlite:///{tmp_path / 'faps.sqlite3'}"}
    settings = Settings(database_url=env["FAPS_DATABASE_URL"], instance_path=tmp_path / "instance",
                        secret_key="test-secret", agglomeration_siret="20005795800014",
                        webhooks_allow_http=True, webhooks_allowed_hosts="127.0.0.1")
    faps = build(settings, clock, fast_hashing=True)
    yield faps, env
    faps.close()


def verified(secret: str, received: list[tuple[dict[str, str], bytes]]) -> list[dict[str, Any]]:
    hook = Webhook(secret)
    return [hook.verify(body, headers) for headers, body in received]


def test_deliveries_are_signed_and_a_killed_sender_delivers_everything_after_restart(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    faps, env = store
    world = make_world(faps, clock)
    hooks = faps.webhooks
    _, secret = hooks.subscribe(receiver.url, ["dossier.drafted", "dossier.submitted",
                                               "dossier.edited"])
    dossiers = [world.submitted(title=f"Projet {n}") for n in range(4)]
    for dossier_id in dossiers:
        faps.dossiers.load(world.agent, dossier_id)
    receiver.delay = 0.4
    sender = subprocess.Popen([sys.executable, "-m", "faps.cli", "webhooks", "deliver"],
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(receiver.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    sender.send_signal(signal.SIGKILL)  # mid-batch: a delivery is in flight
    sender.wait()
    assert 3 <= len(receiver.received) < 8
    receiver.delay = 0.0
    hooks.enqueue()
    while hooks.send_due()[0]:
        pass
    messages = verified(secret, receiver.received)
    expected = {(str(d), t) for d in dossiers for t in ("dossier.drafted", "dossier.submitted")}
    assert {(m["data"]["dossier_id"], m["type"]) for m in messages} == expected
    for dossier_id in map(str, dossiers):
        versions = [m["data"]["version"] for m in messages if m["data"]["dossier_id"] == dossier_id]
        assert versions == sorted(versions)  # in log order per dossier (a resend may repeat)
    submitted = next(m for m in messages if m["type"] == "dossier.submitted")
    assert submitted["data"]["reference"].startswith("FAPS-2024-")
    assert submitted["data"]["link"].endswith(f"/api/v1/dossiers/{submitted['data']['dossier_id']}")
    ids = [h["webhook-id"] for h, _ in receiver.received]
    assert len(set(ids)) == 8  # each event is one message id, resent under the same id


def test_a_failing_endpoint_is_retried_with_backoff_then_paused_after_a_day(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    faps, _ = store
    world = make_world(faps, clock)
    hooks = faps.webhooks
    now = [clock.now()]
    hooks.now = lambda: now[0]
    subscription_id, _ = hooks.subscribe(receiver.url, ["dossier.drafted"])
    first, second = world.drafted(), world.drafted()
    receiver.status = 500
    hooks.enqueue()
    assert hooks.send_due() == (0, 2)
    assert hooks.send_due() == (0, 0)  # backing off
    log = hooks.deliveries(subscription_id)
    assert {row["last_status_code"] for row in log} == {500}
    now[0] += timedelta(hours=25)
    hooks.send_due()
    (row,) = hooks.subscriptions()
    assert row["paused_at"] is not None
    (mail,) = [m for m in faps.mailer.outbox.pending() if "Webhooks en pause" in m["subject"]]
    assert mail["recipients"] == "admin@agglo.test" and receiver.url in mail["body"]
    receiver.status = 200
    assert hooks.send_due() == (0, 0)  # paused: nothing is sent
    hooks.resume(subscription_id)
    assert hooks.send_due() == (2, 0)
    delivered = {r["dossier_id"] for r in hooks.deliveries(subscription_id)
                 if r["status"] == "delivered"}
    assert delivered == {first, second}
    hooks.redeliver(hooks.deliveries(subscription_id)[0]["delivery_id"])
    before = len(receiver.received)
    assert hooks.send_due() == (1, 0) and len(receiver.received) == before + 1


@pytest.mark.parametrize("url, allowed, message", [
    ("http://example.org/hook", WebhookRules(), "https"),
    ("https://127.0.0.1/hook", WebhookRules(), "réseau privé"),
    ("https://10.0.0.8/hook", WebhookRules(), "réseau privé"),
    ("https://169.254.169.254/latest", WebhookRules(), "réseau privé"),
    ("https://[::1]/hook", WebhookRules(allow_http=True), "réseau privé"),
    ("ftp://example.org/", WebhookRules(), "https"),
])
def test_only_https_and_no_private_address_unless_a_setting_allows_it(
    url: str, allowed: WebhookRules, message: str
):
    with pytest.raises(InvalidInputError) as refused:
        allowed.check(url)
    assert message in json.dumps(refused.value.errors, ensure_ascii=False)
    WebhookRules(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"})).check(
        "http://127.0.0.1:8080/hook")


def test_faps_projections_follow_sends_the_webhooks_too(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    faps, env = store
    world = make_world(faps, clock)
    _, secret = faps.webhooks.subscribe(receiver.url, ["dossier.drafted"])
    dossier_id = world.drafted()
    follower = subprocess.Popen([sys.executable, "-m", "faps.cli", "projections", "follow",
                                 "--interval", "0.2"], env={**os.environ, **env},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        follower.terminate()
        follower.wait()
    (message,) = verified(secret, receiver.received)
    assert message["type"] == "dossier.drafted"
    assert message["data"]["dossier_id"] == str(dossier_id)


def test_the_secret_is_sealed_at_rest_and_still_signs(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    import sqlalchemy as sa

    from faps.infrastructure.webhook_tables import subscriptions

    faps, _ = store
    world = make_world(faps, clock)
    hooks = faps.webhooks
    subscription_id, secret = hooks.subscribe(receiver.url, ["dossier.drafted"])
    with faps.engine.connect() as conn:
        stored = conn.execute(sa.select(subscriptions.c.secret)).scalar_one()
    assert secret.startswith("whsec_") and secret not in stored and "whsec_" not in stored
    with faps.engine.begin() as conn:  # a secret an earlier version kept in clear
        conn.execute(subscriptions.update().values(secret=secret))
    hooks = build_webhooks(faps.settings, faps.engine, faps.app)  # sealed on start-up
    with faps.engine.connect() as conn:
        assert conn.execute(sa.select(subscriptions.c.secret)).scalar_one() != secret
    world.drafted()
    hooks.enqueue()
    assert hooks.send_due() == (1, 0)
    (message,) = verified(secret, receiver.received)
    assert message["type"] == "dossier.drafted"
    assert hooks.deliveries(subscription_id)[0]["status"] == "delivered"


def test_sessions_and_budgets_have_their_business_events(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    faps, _ = store
    world = make_world(faps, clock)
    hooks = faps.webhooks
    _, secret = hooks.subscribe(receiver.url, [
        "session.scheduled", "session.outcome_recorded", "session.closed", "budget.voted",
        "budget.amended", "budget.committed"])
    world.awarded()
    (session_id,) = [r.session_id for r in faps.queries.sessions(world.secretariat)]
    faps.council.close(world.secretariat, session_id)
    faps.budgets.vote(world.secretariat, 2025, Decimal("400000.00"), "DEL-2024-300")
    faps.budgets.vote(world.secretariat, 2025, Decimal("450000.00"), "DEL-2025-001")
    hooks.enqueue()
    while hooks.send_due()[0]:
        pass
    messages = verified(secret, receiver.received)
    sessions = [m["type"] for m in messages if m["type"].startswith("session.")]
    assert sessions == ["session.scheduled", "session.outcome_recorded", "session.closed"]
    budget = [m for m in messages if m["type"].startswith("budget.")
              and m["data"]["year"] == 2025]  # in log order per aggregate, not across them
    assert [m["type"] for m in budget] == ["budget.voted", "budget.amended"]
    assert budget[-1]["data"]["voted"] == "450000.00"
    assert budget[-1]["data"]["link"].endswith("/api/v1/budgets/2025")
    closed = next(m for m in messages if m["type"] == "session.closed")
    assert closed["data"]["session_id"] == str(session_id) and closed["data"]["closed"]
    assert {m["type"] for m in messages} >= {"budget.committed", "budget.voted"}


def test_different_dossiers_are_delivered_at_once_each_in_log_order(
    store: tuple[Faps, dict[str, str]], clock: SettableClock, receiver: Receiver
):
    faps, _ = store
    world = make_world(faps, clock)
    hooks = faps.webhooks
    _, secret = hooks.subscribe(receiver.url, ["dossier.drafted", "dossier.submitted"])
    dossiers = [world.submitted(title=f"Projet {n}") for n in range(4)]
    receiver.delay = 0.3
    hooks.enqueue()
    started = time.monotonic()
    assert hooks.send_due() == (8, 0)
    elapsed = time.monotonic() - started
    assert elapsed < 8 * 0.3 * 0.75  # not one after the other (4 workers: about 0.6 s)
    messages = verified(secret, receiver.received)
    for dossier_id in map(str, dossiers):
        kinds = [m["type"] for m in messages if m["data"]["dossier_id"] == dossier_id]
        assert kinds == ["dossier.drafted", "dossier.submitted"]
