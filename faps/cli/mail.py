"""`faps mail send` and `faps reminders send`: the outbox and the reminders, for a scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import click

from faps.bootstrap import Faps
from faps.cli.support import INPUT_ERROR, fail, opened
from faps.domain.dates import PARIS
from faps.infrastructure.mail_transports import ConsoleTransport
from faps.infrastructure.mailing import MailReport

DEMO_MAILS = "demo-mails.txt"


def _report(report: MailReport, waiting: int = 0) -> None:
    """Print what a run did; exit 3 while any mail waits for a retry after a failure.

    Mails postponed by an earlier run and not yet due count too: a scheduler running the
    command every few minutes during an SMTP outage must see every run fail.
    """
    click.echo(f"{report.queued} courriel(s) mis en file, {report.sent} envoyé(s), "
               f"{report.postponed} reporté(s) (serveur indisponible ou refus).")
    if waiting > report.postponed:
        click.echo(f"{waiting} courriel(s) en attente d'un nouvel essai après un échec.")
    if report.postponed or waiting:
        raise SystemExit(3)


@dataclass
class DemoMails:
    """Where the demo's mails were written, and how many."""

    path: Path
    written: int = 0


@contextmanager
def demo_mails(faps: Faps) -> Iterator[DemoMails]:
    """Write the mails of the saves made inside to <instance>/demo-mails.txt, whatever the backend.

    The demo's mails go to invented addresses about past events: they are queued like any
    other (the outbox shows them sent), but land in a file, never on an SMTP server nor as a
    wall of text on the terminal.
    """
    mailer, now = faps.mailer, faps.clock.now
    found = DemoMails(faps.settings.instance_path / DEMO_MAILS)
    found.path.parent.mkdir(parents=True, exist_ok=True)
    kept = mailer.transport, mailer.send_on_save
    with found.path.open("w", encoding="utf-8") as stream:
        mailer.transport = ConsoleTransport(stream, "démonstration : non envoyé")
        mailer.send_on_save = False
        try:
            yield found
        finally:
            mailer.outbox.catch_up(now())
            while sent := mailer.outbox.flush(mailer.transport, now())[0]:
                found.written += sent
            mailer.transport, mailer.send_on_save = kept


@click.group(help="Courriels : file d'attente (outbox) et envoi par SMTP.")
def mail() -> None:
    """Group the mail commands."""


@mail.command("send", help="Met en file les courriels des derniers événements et envoie "
                           "ceux qui sont dus ; un envoi en échec est retenté plus tard.")
@click.option("--from-start", is_flag=True,
              help="Met aussi en file les courriels des événements antérieurs à la mise en "
                   "service de la file (installation mise à jour), une seule fois chacun, "
                   "aux agents actuels de chaque commune. Sans cette option, le passé n'est "
                   "jamais envoyé.")
def send(from_start: bool) -> None:
    """Flush the outbox (after queueing the history's mails, if asked)."""
    with opened(existing=True) as faps:
        outbox, history = faps.mailer.outbox, 0
        if from_start:
            outbox.catch_up(faps.clock.now())
            history = outbox.queue_history(faps.clock.now())
            click.echo(f"Historique : {history} courriel(s) d'événements passés mis en file.")
        report = faps.mailer.send()
        left = len(outbox.pending()) - report.postponed
        if left > 0:
            click.echo(f"{left} courriel(s) encore en file : envoyés lors d'un prochain passage.")
        _report(MailReport(report.queued + history, report.sent, report.postponed),
                outbox.postponed())


@mail.command("pending", help="Liste les courriels en attente d'envoi.")
def pending() -> None:
    """List the mails not sent yet."""
    with opened(existing=True) as faps:
        faps.mailer.outbox.catch_up(faps.clock.now())
        rows = faps.mailer.outbox.pending()
        for row in rows:
            when = _moment(row["next_attempt_at"])
            click.echo(f"{row['id']:>5}  {row['recipients']}  {row['subject']}  "
                       f"(essais : {row['attempts']}, {row['last_error'] or 'jamais tenté'} ; "
                       f"prochain essai à partir du {when})")
        click.echo(f"{len(rows)} courriel(s) en attente.")


@click.group(help="Relances des dossiers en retard (à lancer chaque jour par un planificateur).")
def reminders() -> None:
    """Group the reminder commands."""


@reminders.command("send", help="Met en file une relance par échéance dépassée (au plus une "
                                "par jour et par échéance), puis envoie la file. Aucun dossier "
                                "n'est déclaré caduc : c'est une décision de l'instructeur.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date du jour à retenir (AAAA-MM-JJ) ; par défaut aujourd'hui.")
def send_reminders(day: object) -> None:
    """Queue reminders of overdue deadlines, then flush the outbox."""
    with opened(existing=True) as faps:
        today: date | None = day.date() if day is not None else None  # type: ignore[attr-defined]
        if today is not None and today > faps.clock.now().date():
            fail(f"Date invalide : {today:%d/%m/%Y} est dans le futur ; une relance ne "
                 "s'envoie que pour une échéance déjà dépassée.", INPUT_ERROR)
        _report(faps.mailer.remind(today), faps.mailer.outbox.postponed())


def _moment(value: datetime) -> str:
    """Return a stored moment as Paris time (SQLite gives it back naive, in UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(PARIS):%d/%m/%Y %H:%M}"
