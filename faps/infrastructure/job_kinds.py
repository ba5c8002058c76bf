"""What the background jobs do, and the mail that tells the requester the result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from faps.domain.dates import PARIS
from faps.infrastructure.audit_log import log_lines
from faps.infrastructure.jobs import DONE, HEARTBEAT_EVERY, Job, JobQueue, Notify, as_utc
from faps.infrastructure.outbox import outbox
from faps.infrastructure.transcodings import faps_transcodings

AUDIT_LOG = "audit-log"
LABELS = {AUDIT_LOG: "Journal d’audit complet (JSON Lines)"}


def audit_log_work(app: Any) -> Callable[[Job, Path, Callable[[int, int], None]], str]:
    """Return the work writing the log up to the job's position (as `faps audit export`)."""
    names = {t.type: t.name for t in faps_transcodings()}

    def work(job: Job, target: Path, progress: Callable[[int, int], None]) -> str:
        until = int(job.parameters["until"])
        progress(0, until)
        with target.open("w", encoding="utf-8") as out:
            for count, line in enumerate(log_lines(app, names, until)):
                out.write(line)
                if count % HEARTBEAT_EVERY == 0:
                    progress(count, until)
        return f"journal-audit-position-{until}.jsonl"

    return work


def ready_mail(public_url: str) -> Notify:
    """Return the hook queueing the requester's mail when a job ends (in the same transaction)."""

    def notify(conn: sa.Connection, job: Job, now: datetime) -> None:
        link = f"{public_url.rstrip('/')}/exports/travaux/{job.id}"
        what = LABELS.get(job.kind, job.kind)
        if job.state == DONE and job.expires_at is not None:
            until = as_utc(job.expires_at).astimezone(PARIS)
            subject = f"[FAPS] Votre fichier est prêt\u202f: {what}"
            body = (f"Bonjour,\n\nLe fichier que vous avez demandé est prêt\u202f: {what}.\n"
                    f"Téléchargez-le ici (connexion requise) : {link}\n"
                    f"Il reste disponible jusqu'au {until:%d/%m/%Y} à {until.hour} h "
                    f"{until:%M}.\n\nLe service instructeur du FAPS\n")
        else:
            subject = f"[FAPS] Fichier non préparé\u202f: {what}"
            body = (f"Bonjour,\n\nLe fichier que vous avez demandé n'a pas pu être préparé "
                    f"({job.error}).\nRelancez la demande depuis la page des exports : {link}\n"
                    "\nLe service instructeur du FAPS\n")
        conn.execute(outbox.insert().values(
            key=f"job:{job.id}", commune="", recipients=job.requester_email, subject=subject,
            body=body, status="pending", attempts=0, created_at=now, next_attempt_at=now,
            last_error=""))

    return notify


def install_jobs(queue: JobQueue, app: Any, public_url: str) -> JobQueue:
    """Register the kinds of job and the mail on a queue."""
    queue.works[AUDIT_LOG] = audit_log_work(app)
    queue.notify = ready_mail(public_url)
    return queue
