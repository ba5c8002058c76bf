"""Mail through a real SMTP server on 127.0.0.1: recipients, French text, nothing lost when down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from faps.application.clock import SettableClock
from faps.bootstrap import Faps, build
from faps.infrastructure.settings import Settings
from tests.support import World, make_world


class Inbox:
    """Collects what the server receives."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        self.mails.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


def start(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_faps(tmp_path, clock: SettableClock, port: int) -> Iterator[Faps]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'faps.sqlite3'}",
                        instance_path=tmp_path / "instance", secret_key="test-secret",
                        mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=port,
                        mail_from="faps@agglo.test", public_url="https://faps.agglo.test")
    instance = build(settings, clock, fast_hashing=True)
    yield instance
    instance.close()


def text(message: EmailMessage) -> str:
    body = message.get_body()
    assert body is not None
    return str(body.get_content())


def test_the_commune_agents_receive_the_receipt_and_the_information_request_in_french(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    controller, inbox = start(port)
    try:
        w = make_world(smtp_faps, clock)
        w.actor("second@lognes.test", w.agent.role, "77258")
        dossier_id = w.submitted()
        w.faps.dossiers.request_information(w.officer, dossier_id, "Joignez le bail signé.", (),
                                            clock.now().date() + timedelta(days=30))
        report = w.faps.mailer.send()
        assert (report.sent, report.postponed) == (2, 0)
    finally:
        controller.stop()
    (to1, receipt), (to2, request) = inbox.mails
    assert to1 == to2 == ["agent@lognes.test", "second@lognes.test"]
    assert receipt["From"] == "faps@agglo.test"
    assert receipt["Subject"].startswith("[FAPS] Accusé de réception — FAPS-2024-")
    assert "Le présent message vaut accusé de réception" in text(receipt)
    assert "Joignez le bail signé." in text(request)
    assert "Merci de répondre avant le 06/03/2024" in text(request)
    assert "agent@chelles.test" not in str(inbox.mails)
    assert w.faps.mailer.send().sent == 0  # exactly once


def test_with_the_server_down_nothing_is_lost_and_mail_goes_out_once_it_is_back(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    w = make_world(smtp_faps, clock)
    w.submitted()
    down = w.faps.mailer.send()
    assert (down.sent, down.postponed) == (0, 1)  # queued right after the save
    (row,) = w.faps.mailer.outbox.pending()
    assert row["attempts"] == 1 and row["last_error"]
    controller, inbox = start(port)
    try:
        assert w.faps.mailer.send().sent == 0  # not due yet: retried after a delay
        clock.advance(minutes=5)
        assert w.faps.mailer.send().sent == 1
        assert w.faps.mailer.send().sent == 0
    finally:
        controller.stop()
    assert len(inbox.mails) == 1 and w.faps.mailer.outbox.pending() == []


def test_a_payment_mail_carries_the_statement_of_sums_already_paid(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    from decimal import Decimal

    from tests.payments_support import pay

    w = make_world(smtp_faps, clock)
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("1000.00"))
    controller, inbox = start(port)
    try:
        w.faps.mailer.send()
    finally:
        controller.stop()
    subjects = [m["Subject"].split(" — ")[0] for _, m in inbox.mails]
    assert subjects == ["[FAPS] Accusé de réception", "[FAPS] Décision du conseil communautaire",
                        "[FAPS] Versement effectué"]
    body = text(inbox.mails[-1][1])
    assert "État des sommes déjà versées" in body and "Reste à verser" in body


def test_reminders_are_queued_once_a_day_per_overdue_item(memory_world: World) -> None:
    w = memory_world
    w.awarded()
    later = w.clock.now().date() + timedelta(days=400)
    assert w.faps.mailer.remind(later).queued == 1
    assert w.faps.mailer.remind(later).queued == 0
    assert w.faps.mailer.remind(later + timedelta(days=1)).queued == 1
    sent = [m for m in w.faps.mailer.outbox.sent() if m["subject"].startswith("[FAPS] Rappel")]
    assert len(sent) == 2 and sent[0]["recipients"] == "agent@lognes.test"
