"""How an event reads in a dossier's audit timeline: what, and why in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faps.application.timetravel import EVENT_LABELS, PRIVATE_EVENTS
from faps.domain.dossier_exchange import CONTENT_FIELD_LABELS, VERDICT_LABELS
from faps.domain.labels import (
    BODY_LABELS,
    OUTCOME_LABELS,
    PAYMENT_KIND_LABELS,
    changes_text,
    document_kind_label,
    plural,
    reglement_version_text,
)
from faps.domain.money import NARROW_NBSP, format_euros

C = NARROW_NBSP + ":"  # « : » in French typography


def _edited(e: Any) -> str:
    return plural(len(changes_text(e.changes)), "modification") + " du projet"


def _voted(e: Any) -> str:
    body = BODY_LABELS.get(getattr(e, "body", None) or "conseil", "Conseil communautaire")
    text = f"{body}{C} {OUTCOME_LABELS.get(e.outcome, e.outcome).lower()} ({e.votes_for} pour, " \
           f"{e.votes_against} contre, {plural(e.abstentions, 'abstention')})"
    if e.outcome == "adoptee":
        text += f"{C} {format_euros(e.amount_awarded)}"
    return text + (f" — délibération n° {e.deliberation_reference}"
                   if e.deliberation_reference else "")


def _requested(e: Any) -> str:
    named = (f" — à corriger{C} " + ", ".join(CONTENT_FIELD_LABELS.get(f, f) for f in e.fields)
             if e.fields else "")
    return f"{e.message}{named} — réponse attendue le {e.due_on:%d/%m/%Y}"


def _assessed(e: Any) -> str:
    a = e.assessment
    verdict = "éligible" if a.eligible else "inéligible"
    return f"Règlement {reglement_version_text(a.reglement_version)}{C} {verdict}, subvention " \
           f"possible {format_euros(a.grant)} (plafond {format_euros(a.max_grant)})"


SUMMARIES: dict[str, Callable[[Any], str]] = {
    "Drafted": lambda e: e.content.title,
    "Edited": _edited,
    "DocumentAttached": lambda e: f"{document_kind_label(e.document.kind)}{C} {e.document.name}",
    "DocumentRemoved": lambda e: "",
    "Submitted": lambda e: f"Référence {e.reference}, règlement "
                           f"{reglement_version_text(e.reglement_version)}",
    "InformationRequested": _requested,
    "InformationProvided": lambda e: e.message + (f" — pièces non jointes{C} {e.missing_reason}"
                                                  if e.missing_reason else ""),
    "EligibilityAssessed": _assessed,
    "Proposed": lambda e: f"{format_euros(e.amount)} — {e.motive}",
    "PlacedOnAgenda": lambda e: f"Point n°\u00a0{e.item_number}",
    "RemovedFromAgenda": lambda e: e.motive,
    "Voted": _voted,
    "MunicipalDeliberationRecorded": lambda e: f"{e.reference} du {e.decided_on:%d/%m/%Y}",
    "Notified": lambda e: f"Notifiée le {e.notified_on:%d/%m/%Y}",
    "AgreementSigned": lambda e: f"{e.reference} signée le {e.signed_on:%d/%m/%Y}",
    "PaymentRequested": lambda e: f"{PAYMENT_KIND_LABELS.get(e.kind, e.kind)} de "
                                  f"{format_euros(e.amount)}",
    "PaymentMade": lambda e: f"{format_euros(e.amount)} le {e.paid_on:%d/%m/%Y}, "
                             f"mandat {e.mandate_reference}",
    "PaymentRequestRefused": lambda e: e.motive,
    "GrantReduced": lambda e: f"{format_euros(e.previous_amount)} → "
                              f"{format_euros(e.new_amount)} — {e.motive}",
    "ClawbackRecovered": lambda e: f"{format_euros(e.amount)}, titre {e.title_reference}",
    "Lapsed": lambda e: f"{e.motive} ({format_euros(e.released_amount)} libérés)",
    "Withdrawn": lambda e: e.motive,
    "ClosedIneligible": lambda e: e.motive,
    "OfficerAssigned": lambda e: e.officer_name,
    "NoteAdded": lambda e: e.text,
    "MessagePosted": lambda e: e.text[:300],
    "ReplyAccepted": lambda e: "",
    "OpinionRequested": lambda e: f"{e.body} — avis attendu le {e.due_on:%d/%m/%Y}",
    "OpinionGiven": lambda e: f"Avis {VERDICT_LABELS.get(e.verdict, e.verdict)} du "
                              f"{e.given_on:%d/%m/%Y}" + (f"{C} {e.text[:300]}" if e.text else ""),
    "DraftDeleted": lambda e: "",
    "VoteRectified": lambda e: f"délibération n° {e.deliberation_reference}, "
                               f"{format_euros(e.amount_awarded)} ({e.votes_for} pour, "
                               f"{e.votes_against} contre, {plural(e.abstentions, 'abstention')})"
                               f" — {e.motive}",
    "ExpensesRetained": lambda e: f"{format_euros(e.retained)} retenus sur "
                                  f"{format_euros(e.declared)} déclarés — {e.motive}",
}


def timeline_row(event: Any) -> dict[str, Any]:
    """Return the timeline row of a dossier's event."""
    kind = type(event).__name__
    summary = SUMMARIES.get(kind)
    changes = getattr(event, "changes", None)
    actor = event.actor
    return {
        "dossier_id": event.originator_id, "version": event.originator_version,
        "at": event.timestamp, "kind": kind, "label": EVENT_LABELS.get(kind, kind),
        "actor_name": actor.display, "actor_role": actor.role.value,
        "summary": summary(event) if summary else "",
        "changes": [[c.field, c.before, c.after] for c in changes] if changes else [],
        "private": kind in PRIVATE_EVENTS,
    }
