"""Use cases of the exchanges around a dossier: correction loop, message thread, opinions.

An external body answers without an account, through a link that carries a signed token
(`opinion_token`): HMAC-SHA256 of the dossier and opinion ids under the application's secret
key. It cannot be forged without the key; it works once (the aggregate refuses a second
answer) and not after the due date (the aggregate refuses a late one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from faps.application import policy
from faps.application.documents import check_upload, document_ref
from faps.application.dossiers import DossierService
from faps.application.opinion_links import opinion_token as opinion_token
from faps.application.opinion_links import read_opinion_token as read_opinion_token
from faps.application.retry import retried
from faps.domain.actors import Actor, Role
from faps.domain.dossier import Dossier
from faps.domain.dossier_exchange import Opinion
from faps.domain.errors import InvalidInputError

MAX_FILES = 5
OPINION_KIND = "avis_exterieur"
MESSAGE_KIND = "message"


@dataclass(frozen=True)
class Upload:
    """A file posted with a form: its kind, name and bytes."""

    kind: str
    name: str
    data: bytes


def body_actor(opinion: Opinion) -> Actor:
    """Return who answers an opinion: the consulted body, without an account."""
    return Actor(account_id=opinion.opinion_id, email=opinion.email or "avis@faps.invalid",
                 role=Role.SYSTEM, name=opinion.body)


class ExchangeService:
    """Correction replies, the message thread and external opinions."""

    def __init__(self, dossiers: DossierService) -> None:
        self.dossiers = dossiers
        self.ctx = dossiers.ctx

    @property
    def _key(self) -> str:
        return str(self.ctx.settings.get("link_key") or "")

    def _store(self, dossier: Dossier, actor: Actor, upload: Upload) -> UUID:
        media_type = check_upload(upload.name, upload.data, self.ctx.max_upload_bytes)
        ref = document_ref(upload.kind, upload.name, upload.data, media_type,
                           self.ctx.documents.put(upload.data))
        dossier.attach_document(actor, ref, self.ctx.clock.now())
        return ref.document_id

    def _attach_all(self, dossier: Dossier, actor: Actor, uploads: list[Upload]) -> list[UUID]:
        if len(uploads) > MAX_FILES:
            raise InvalidInputError({"files": [f"joignez au plus {MAX_FILES} fichiers"]})
        return [self._store(dossier, actor, u) for u in uploads]

    # -- correction loop ------------------------------------------------------------------
    @retried
    def reply(self, actor: Actor, dossier_id: UUID, message: str, missing_reason: str = "",
              uploads: list[Upload] | None = None) -> None:
        """Answer the open request, joining files; one save for the files and the reply."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.provide_information")
        asked = dossier.open_request.document_kinds if dossier.open_request else ()
        if any(u.kind not in asked for u in uploads or []):
            raise InvalidInputError({"documents": ["cette pièce n'a pas été demandée"]})
        self._attach_all(dossier, actor, uploads or [])
        kinds = self.dossiers.reglement_of(dossier).document_kinds()
        dossier.provide_information(actor, message, self.ctx.clock.now(), missing_reason, kinds)
        self.ctx.app.save_all(dossier)

    @retried
    def accept_reply(self, actor: Actor, dossier_id: UUID) -> None:
        """Accept the commune's reply; the instruction goes on."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.accept_reply")
        dossier.accept_reply(actor, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)

    # -- thread ---------------------------------------------------------------------------
    @retried
    def post(self, actor: Actor, dossier_id: UUID, text: str,
             uploads: list[Upload] | None = None) -> UUID:
        """Write in the dossier's thread with files (the other side is mailed)."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.post_message")
        ids = self._attach_all(dossier, actor, uploads or [])
        message_id = uuid4()
        dossier.post_message(actor, message_id, text, tuple(ids), self.ctx.clock.now())
        self.ctx.app.save_all(dossier)
        return message_id

    # -- external opinions ----------------------------------------------------------------
    @retried
    def request_opinion(self, actor: Actor, dossier_id: UUID, body: str, email: str,
                        question: str, due_on: date) -> UUID:
        """Ask a named body for its opinion by a due date; the outbox mails it the link."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.request_opinion")
        opinion_id = uuid4()
        dossier.request_opinion(actor, opinion_id, body, email, question, due_on,
                                self.ctx.clock.now())
        self.ctx.app.save_all(dossier)
        return opinion_id

    def opinion_link(self, dossier_id: UUID, opinion_id: UUID) -> str:
        """Return the path of an opinion's answer page."""
        return f"/avis/{opinion_token(self._key, dossier_id, opinion_id)}"

    def opinion_by_token(self, token: str) -> tuple[Dossier, Opinion]:
        """Return the dossier and the opinion a link is for, if it may still be answered."""
        dossier_id, opinion_id = read_opinion_token(self._key, token)
        dossier: Dossier = self.ctx.app.load(dossier_id)
        return dossier, dossier.open_opinion(opinion_id, self.ctx.clock.now().date())

    @retried
    def give_opinion(self, token: str, verdict: str, text: str,
                     upload: Upload | None = None) -> Any:
        """Record a body's answer given through its link (once, before the due date)."""
        dossier, opinion = self.opinion_by_token(token)
        actor = body_actor(opinion)
        document_id = self._store(dossier, actor, upload) if upload else None
        dossier.give_opinion(actor, opinion.opinion_id, verdict, text, document_id,
                             self.ctx.clock.now())
        self.ctx.app.save_all(dossier)
        return dossier.opinions[opinion.opinion_id]

    def allowed(self, actor: Actor, action: str) -> bool:
        """Tell whether the actor's role allows an action (to offer it on a page)."""
        return policy.allowed(actor, action)
