"""Asking for the whole event log as a file: prepared in the background, mailed when ready."""

from __future__ import annotations

from typing import Any, Protocol

from faps.application import policy
from faps.application.app import FapsApplication
from faps.domain.actors import Actor


class JobSubmitter(Protocol):
    """A queue of background jobs."""

    def submit(self, kind: str, requester_id: str, requester_email: str,
               parameters: dict[str, Any]) -> str:
        """Queue a job; return its id."""


class AuditLogDownloads:
    """The log up to its present head, written as JSON Lines by a job of `kind`.

    A large log takes minutes (longer than a web worker may hold a request): the file is
    prepared by a job, offered on the job's page and mailed to the requester when ready.
    """

    def __init__(self, app: FapsApplication, jobs: JobSubmitter, kind: str) -> None:
        self.app, self.jobs, self.kind = app, jobs, kind

    def request(self, actor: Actor) -> str:
        """Queue the writing of the log as it stands now; return the job's id."""
        policy.require(actor, "audit.read")
        until = self.app.recorder.max_notification_id() or 0
        return self.jobs.submit(self.kind, str(actor.account_id), actor.email, {"until": until})
