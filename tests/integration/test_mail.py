"""Mail through a real SMTP server on 127.0.0.1: recipients, French text, nothing lost when down."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from eventsourcing.utils import get_topic

from faps.application.clock import SettableClock
from faps.bootstrap import Faps, build
from faps.domain.dossier import Dossier
from faps.infrastructure.settings import Settings
from tests.support import FILING_KINDS, World, content, make_world, pdf


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


def test_a_mail_is_dated_when_queued_and_has_its_own_message_id(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    w = make_world(smtp_faps, clock)
    queued_at = clock.now()
    w.submitted()
    w.submitted()
    clock.advance(hours=3)  # sent later (the server was down): still dated when queued
    controller, inbox = start(port)
    try:
        assert w.faps.mailer.send().sent == 2
    finally:
        controller.stop()
    (_, first), (_, second) = inbox.mails
    assert first["Date"].datetime == queued_at
    assert first["Date"] == "Mon, 05 Feb 2024 09:00:00 +0000"
    assert re.fullmatch(r"<[^<>@\s]+@agglo\.test>", first["Message-ID"])
    assert first["Message-ID"] != second["Message-ID"]


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
                        "[FAPS] Demande de versement (avance)",  # to the officers
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


# -- attaching the outbox to a log with history, and its cost when there is nothing new -----
def forget_the_outbox(faps: Faps) -> None:
    """Drop the outbox's tables, as on a store written before the outbox existed."""
    import sqlalchemy as sa

    with faps.engine.begin() as conn:
        for table in ("mail_outbox", "mail_position", "mail_recipients"):
            conn.execute(sa.text(f"DROP TABLE {table}"))


def old_store(tmp_path, clock: SettableClock) -> str:  # type: ignore[no-untyped-def]
    """Write a submitted dossier (its receipt is history) on a store without outbox tables."""
    url = f"sqlite:///{tmp_path / 'faps.sqlite3'}"
    faps = build(Settings(database_url=url, instance_path=tmp_path / "instance",
                          secret_key="test-secret"), clock, fast_hashing=True)
    try:
        make_world(faps, clock).submitted()
        forget_the_outbox(faps)
    finally:
        faps.close()
    return url


def test_an_outbox_attached_to_a_log_with_history_mails_only_what_follows(
        tmp_path, clock: SettableClock) -> None:  # type: ignore[no-untyped-def]
    url = old_store(tmp_path, clock)
    faps = build(Settings(database_url=url, instance_path=tmp_path / "instance",
                          secret_key="test-secret"), clock, fast_hashing=True)
    try:
        outbox = faps.mailer.outbox
        assert outbox.catch_up(clock.now()) == 0 and outbox.pending() == outbox.sent() == []
        officer = faps.accounts.by_email("instructeur@agglo.test")
        assert officer is not None
        (drafted,) = faps.app.recorder.select_notifications(
            None, 10, topics=[get_topic(Dossier.Drafted)])
        faps.dossiers.request_information(officer.as_actor(), drafted.originator_id, "Le bail ?",
                                          (), clock.now().date() + timedelta(days=30))
        (mail,) = outbox.sent()  # the directory of recipients was built from the history
        assert mail["recipients"] == "agent@lognes.test"
        assert mail["subject"].startswith("[FAPS] Demande de compléments")
        assert outbox.queue_history(clock.now()) == 1  # the receipt, on explicit demand only
        assert outbox.queue_history(clock.now()) == 0
        assert faps.mailer.send().sent == 1
        assert [m["subject"][:26] for m in outbox.sent()] == [
            "[FAPS] Demande de compléme", "[FAPS] Accusé de réception"]
    finally:
        faps.close()


def test_a_catch_up_with_nothing_new_reads_the_log_head_once_and_writes_nothing(
        smtp_faps: Faps, clock: SettableClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    w = make_world(smtp_faps, clock)
    w.submitted()
    outbox, recorder = w.faps.mailer.outbox, w.faps.app.recorder
    statements: list[str] = []
    reads: list[str] = []
    sa.event.listen(w.faps.engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    for name in ("max_notification_id", "select_notifications"):
        method = getattr(recorder, name)
        monkeypatch.setattr(recorder, name, lambda *a, _m=method, _n=name, **k: (
            reads.append(_n), _m(*a, **k))[1])
    assert outbox.catch_up(clock.now()) == 0
    assert outbox.catch_up(clock.now()) == 0
    assert (statements, reads) == ([], ["max_notification_id"] * 2)
    w.submitted()  # new events: followed as before
    assert [m["subject"][:26] for m in outbox.pending()] == ["[FAPS] Accusé de réception"] * 2


def test_two_processes_following_the_same_log_queue_each_mail_once(
        smtp_faps: Faps, clock: SettableClock) -> None:
    w = make_world(smtp_faps, clock)
    other = build(smtp_faps.settings, clock, fast_hashing=True)  # a second worker
    try:
        w.submitted()  # this process queues the receipt right after its save
        assert other.mailer.outbox.catch_up(clock.now()) == 0
        dossier_id = other.dossiers.draft(w.agent, "77258", content())
        assert other.mailer.outbox.catch_up(clock.now()) == 0  # a draft mails nothing
        for kind in FILING_KINDS:
            other.dossiers.attach(w.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
        other.dossiers.submit(w.agent, dossier_id)
        assert w.faps.mailer.outbox.catch_up(clock.now()) == 0  # the other worker queued it
        keys = [m["key"] for m in w.faps.mailer.outbox.pending()]
        assert len(keys) == len(set(keys)) == 2
    finally:
        other.close()


def test_faps_mail_send_mails_the_past_only_when_asked_from_start(
        tmp_path, clock: SettableClock, port: int) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main

    env = {"FAPS_DATABASE_URL": old_store(tmp_path, clock),
           "FAPS_INSTANCE_PATH": str(tmp_path / "instance"), "FAPS_MAIL_BACKEND": "smtp",
           "FAPS_SMTP_HOST": "127.0.0.1", "FAPS_SMTP_PORT": str(port)}
    controller, inbox = start(port)
    try:
        plain = CliRunner().invoke(main, ["mail", "send"], env=env)
        assert plain.exit_code == 0 and inbox.mails == []
        assert "0 courriel(s) mis en file, 0 envoyé(s)" in plain.output
        history = CliRunner().invoke(main, ["mail", "send", "--from-start"], env=env)
        again = CliRunner().invoke(main, ["mail", "send", "--from-start"], env=env)
    finally:
        controller.stop()
    assert history.exit_code == 0, history.output
    assert "Historique : 1 courriel(s) d'événements passés mis en file." in history.output
    assert "1 courriel(s) mis en file, 1 envoyé(s), 0 reporté(s)" in history.output
    assert "Historique : 0 courriel(s)" in again.output
    ((to, receipt),) = inbox.mails
    assert to == ["agent@lognes.test"] and "Accusé de réception" in receipt["Subject"]


def test_the_demo_mails_land_in_a_file_marked_sent_never_on_the_smtp_server(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    from faps.cli.mail import demo_mails

    controller, inbox = start(port)
    try:
        with demo_mails(smtp_faps) as mails:
            w = make_world(smtp_faps, clock)
            w.submitted()
            w.submitted()
        path = mails.path
        assert mails.written == 2
        assert inbox.mails == [] and smtp_faps.mailer.outbox.pending() == []
        assert len(smtp_faps.mailer.outbox.sent()) == 2
        written = path.read_text(encoding="utf-8")
        assert path.name == "demo-mails.txt"
        assert written.count("--- courriel (démonstration : non envoyé) ---") == 2
        assert "À : agent@lognes.test" in written
        assert "Objet : [FAPS] Accusé de réception" in written
        w.submitted()  # after the demo, mail goes out through the configured server again
        assert smtp_faps.mailer.send().sent == 1 and len(inbox.mails) == 1
    finally:
        controller.stop()


def test_a_long_french_subject_reaches_the_reader_with_every_space(
        smtp_faps: Faps, clock: SettableClock, port: int) -> None:
    w = make_world(smtp_faps, clock)
    w.awarded()
    controller, inbox = start(port)
    try:
        w.faps.mailer.remind(clock.now().date() + timedelta(days=400))
    finally:
        controller.stop()
    assert inbox.mails[-1][1]["Subject"] == ("[FAPS] Rappel : Commencement des travaux (premier "
                                             "versement demandé) — FAPS-2024-001")


def test_faps_demo_writes_its_mails_to_a_file_and_sends_none(tmp_path, port: int) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main

    env = {"FAPS_DATABASE_URL": f"sqlite:///{tmp_path / 'faps.sqlite3'}",
           "FAPS_INSTANCE_PATH": str(tmp_path), "FAPS_MAIL_BACKEND": "smtp",
           "FAPS_SMTP_HOST": "127.0.0.1", "FAPS_SMTP_PORT": str(port),
           "FAPS_MAIL_SEND_ON_SAVE": "true"}
    controller, inbox = start(port)
    try:
        result = CliRunner().invoke(main, ["demo"], env=env)
        after = CliRunner().invoke(main, ["mail", "send"], env=env)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    written = re.search(r"(\d+) courriels de démonstration mis en file et marqués envoyés, "
                        r"sans envoi réel : à lire dans (.+)\.\n", result.output)
    assert written and int(written[1]) > 50 and written[2] == str(tmp_path / "demo-mails.txt")
    text = (tmp_path / "demo-mails.txt").read_text(encoding="utf-8")
    assert text.count("--- courriel (démonstration : non envoyé) ---") == int(written[1])
    assert "0 courriel(s) mis en file, 0 envoyé(s)" in after.output and inbox.mails == []


@pytest.mark.parametrize("command", [["mail", "send"], ["mail", "pending"],
                                     ["reminders", "send"]])
def test_mail_commands_refuse_a_missing_database_and_create_none(tmp_path,  # type: ignore[no-untyped-def]
                                                                 command: list[str]) -> None:
    from click.testing import CliRunner

    from faps.cli import main

    absent = tmp_path / "ailleurs" / "faps.sqlite3"
    env = {"FAPS_DATABASE_URL": f"sqlite:///{absent}",
           "FAPS_INSTANCE_PATH": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1, result.output
    assert "Base de données introuvable" in result.output and "Traceback" not in result.output
    assert not absent.parent.exists()


def test_pending_mails_show_their_next_attempt_and_reminders_refuse_a_future_date(
        tmp_path, clock: SettableClock, port: int) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main

    env = {"FAPS_DATABASE_URL": old_store(tmp_path, clock),
           "FAPS_INSTANCE_PATH": str(tmp_path / "instance"), "FAPS_MAIL_BACKEND": "smtp",
           "FAPS_SMTP_HOST": "127.0.0.1", "FAPS_SMTP_PORT": str(port)}  # no server listens
    postponed = CliRunner().invoke(main, ["mail", "send", "--from-start"], env=env)
    assert postponed.exit_code == 3, postponed.output
    again = CliRunner().invoke(main, ["mail", "send"], env=env)  # the retry is not due yet
    assert again.exit_code == 3, again.output
    assert "0 reporté(s)" in again.output and "1 courriel(s) en attente d'un nouvel essai" in \
        again.output
    listed = CliRunner().invoke(main, ["mail", "pending"], env=env)
    assert listed.exit_code == 0 and "1 courriel(s) en attente." in listed.output
    assert re.search(r"essais : 1, .+ ; prochain essai à partir du \d\d/\d\d/\d{4} \d\d:\d\d",
                     listed.output), listed.output
    future = CliRunner().invoke(main, ["reminders", "send", "--date", "2099-01-01"], env=env)
    assert future.exit_code == 2 and "01/01/2099 est dans le futur" in future.stderr
