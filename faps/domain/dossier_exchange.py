"""The exchanges around a dossier in instruction: the message thread, the officer's acceptance
of a commune's reply, and the external opinions (avis extérieurs): commands bound as
methods of `Dossier`, where their events are declared.

A correction request is an information request naming the fields to correct
(`Dossier.request_information`); this module holds what talks around it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from faps.domain.actors import Actor, Role
from faps.domain.deadlines import paris_day
from faps.domain.dossier_content import DossierState as S
from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.labels import FIELD_LABELS

if TYPE_CHECKING:
    from faps.domain.dossier import Dossier

# The fields of DossierContent a correction request may name, by their labels on the form.
CONTENT_FIELD_LABELS = {field: FIELD_LABELS[field] for field in (
    "title", "description", "premises_address", "premises_tenure", "health_activity",
    "professionals", "works_started", "works_planned_start", "expenses", "public_funding",
    "private_funding", "requested_amount")}
# Kinds of the files joined to a message or to an opinion (not pieces the règlement lists).
ATTACHMENT_KIND_LABELS = {"message": "Pièce jointe à un message",
                          "avis_exterieur": "Avis extérieur"}
Verdict = Literal["favorable", "reserve", "defavorable"]
VERDICT_LABELS = {"favorable": "favorable", "reserve": "réservé", "defavorable": "défavorable"}
# A body may be consulted while the dossier is instructed, up to its inscription on an agenda.
OPINION_STATES = (S.SUBMITTED, S.INFORMATION_REQUESTED, S.COMPLETE, S.ASSESSED, S.PROPOSED,
                  S.POSTPONED)
MAX_MESSAGE = 4000


def _refuse(field: str, message: str) -> InvalidInputError:
    return InvalidInputError({field: [message]})


def side_of(actor: Actor) -> Literal["commune", "fonds"]:
    """Return which side of the thread an actor writes from."""
    return "commune" if actor.role is Role.COMMUNE_AGENT else "fonds"


class Opinion(BaseModel):
    """An external body's opinion asked for, and its answer once given."""

    model_config = ConfigDict(frozen=True)

    opinion_id: UUID
    body: str
    email: str
    question: str
    due_on: date
    requested_at: Any = None
    verdict: str | None = None
    text: str = ""
    document_id: UUID | None = None
    given_on: date | None = None

    @property
    def verdict_label(self) -> str:
        """Return « favorable », « réservé » or « défavorable » (empty while waiting)."""
        return VERDICT_LABELS.get(self.verdict or "", "")


# -- the message thread -----------------------------------------------------------------


def post_message(dossier: Dossier, actor: Actor, message_id: UUID, text: str,
                 document_ids: tuple[UUID, ...], at: datetime) -> None:
    """Write in the dossier's thread (the other side is mailed), with joined documents."""
    if dossier.state is S.DRAFT or dossier.state.is_final:
        dossier._require("écrire un message")
    if not text.strip() or len(text) > MAX_MESSAGE:
        raise _refuse("text", f"écrivez un message (1 à {MAX_MESSAGE} caractères)")
    if any(d not in dossier.documents for d in document_ids):
        raise _refuse("files", "une pièce jointe au message est inconnue")
    dossier.trigger_event(dossier.MessagePosted, actor=actor, message_id=message_id,
                          text=text.strip(), document_ids=document_ids, timestamp=at)


def fresh_document_kinds(dossier: Dossier) -> set[str]:
    """Return the kinds of the documents joined since the last request (a piece asked
    again must be joined again)."""
    return {d.kind for i, d in dossier.documents.items() if i not in dossier.documents_at_request}


# -- the officer's answer to a reply ----------------------------------------------------


def reply_waiting(dossier: Dossier) -> Any:
    """Return the answered request the officer has not accepted nor followed, if any."""
    if dossier.state is not S.SUBMITTED or not dossier.information_requests:
        return None
    last = dossier.information_requests[-1]
    return last if last.answer is not None and last.accepted_at is None else None


def accept_reply(dossier: Dossier, actor: Actor, at: datetime) -> None:
    """Accept the commune's reply: the instruction goes on (completeness, assessment)."""
    request = dossier.reply_waiting
    if request is None:
        raise TransitionNotAllowedError("Aucune réponse de la commune n’attend votre accord.")
    dossier.trigger_event(dossier.ReplyAccepted, actor=actor, request_id=request.request_id,
                          timestamp=at)


# -- external opinions ------------------------------------------------------------------


def request_opinion(dossier: Dossier, actor: Actor, opinion_id: UUID, body: str, email: str,
                    question: str, due_on: date, at: datetime) -> None:
    """Ask a named body for its opinion on the dossier, by a due date."""
    dossier._require("demander un avis extérieur", *OPINION_STATES)
    if not body.strip():
        raise _refuse("body", "nommez l’organisme consulté")
    if due_on <= paris_day(at):
        raise _refuse("due_on", "l’échéance doit être postérieure à aujourd’hui")
    dossier.trigger_event(dossier.OpinionRequested, actor=actor, opinion_id=opinion_id,
                          body=body.strip(), email=email.strip(), question=question.strip(),
                          due_on=due_on, timestamp=at)


def open_opinion(dossier: Dossier, opinion_id: UUID, today: date) -> Opinion:
    """Return an opinion that may still be given (refused: unknown, given, or late)."""
    opinion = dossier.opinions.get(opinion_id)
    if opinion is None:
        raise TransitionNotAllowedError("Cette demande d’avis est inconnue.")
    if opinion.verdict is not None:
        raise TransitionNotAllowedError(
            f"L’avis a déjà été rendu le {opinion.given_on:%d/%m/%Y} : ce lien ne sert "
            "qu’une fois.")
    if today > opinion.due_on:
        raise TransitionNotAllowedError(
            f"Le délai de réponse a expiré le {opinion.due_on:%d/%m/%Y}.")
    if dossier.state.is_final:
        raise TransitionNotAllowedError("Le dossier est clos : l’avis n’est plus attendu.")
    return opinion


def give_opinion(dossier: Dossier, actor: Actor, opinion_id: UUID, verdict: str, text: str,
                 document_id: UUID | None, at: datetime) -> None:
    """Record the consulted body's answer (once, before its due date)."""
    dossier.open_opinion(opinion_id, paris_day(at))
    if verdict not in VERDICT_LABELS:
        raise _refuse("verdict", "choisissez : favorable, réservé ou défavorable")
    if len(text) > MAX_MESSAGE:
        raise _refuse("text", f"l’avis tient en {MAX_MESSAGE} caractères au plus")
    if document_id is not None and document_id not in dossier.documents:
        raise _refuse("file", "la pièce jointe à l’avis est inconnue")
    dossier.trigger_event(dossier.OpinionGiven, actor=actor, opinion_id=opinion_id,
                          verdict=verdict, text=text.strip(), document_id=document_id,
                          given_on=paris_day(at), timestamp=at)


def check_correction_fields(fields: tuple[str, ...]) -> None:
    """Refuse a correction request naming a field the commune does not fill."""
    unknown = [f for f in fields if f not in CONTENT_FIELD_LABELS]
    if unknown:
        raise _refuse("fields", "rubrique inconnue : " + ", ".join(unknown))


def check_edit_allowed(named: tuple[str, ...] | None, changed: list[str]) -> None:
    """Refuse changes outside the fields a correction request named (None: all, as of old)."""
    if named is None:
        return
    outside = [f for f in changed if f not in named]
    if outside:
        labels = ", ".join(CONTENT_FIELD_LABELS.get(f, f) for f in outside)
        raise _refuse("dossier", "le service instructeur n’a pas demandé de corriger : "
                      + labels)
