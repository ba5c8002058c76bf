"""How an event reads in a dossier's audit timeline: what, and why in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faps.application.timetravel import EVENT_LABELS, PRIVATE_EVENTS
from faps.domain.council import BODY_LABELS
from faps.domain.dossier import OUTCOME_LABELS
from faps.domain.dossier_content import PAYMENT_KIND_LABELS
from faps.domain.money import format_euros


def _edited(e: Any) -> str:
    return "Champs modifiés : " + ", ".join(c.field for c in e.changes)


def _voted(e: Any) -> str:
    body = BODY_LABELS.get(getattr(e, "body", None) or "conseil", "Conseil communautaire")
    text = f"{body} : {OUTCOME_LABELS.get(e.outcome, e.outcome).lower()} ({e.votes_for} pour, " \
           f"{e.votes_against} contre, {e.abstentions} abstentions)"
    if e.outcome == "adoptee":
        text += f" : {format_euros(e.amount_awarded)}"
    return text + (f" — délibération {e.deliberation_reference}" if e.deliberation_reference
                   else "")


def _assessed(e: Any) -> str:
    a = e.assessment
    verdict = "éligible" if a.eligible else "inéligible"
    return f"Règlement {a.reglement_version} : {verdict}, subvention possible " \
           f"{format_euros(a.grant)} (plafond {format_euros(a.max_grant)})"


SUMMARIES: dict[str, Callable[[Any], str]] = {
    "Drafted": lambda e: e.content.title,
    "Edited": _edited,
    "DocumentAttached": lambda e: f"{e.document.name} ({e.document.kind})",
    "DocumentRemoved": lambda e: f"Pièce {e.document_id}",
    "Submitted": lambda e: f"Référence {e.reference}, règlement {e.reglement_version}",
    "InformationRequested": lambda e: f"{e.message} — réponse attendue le "
                                      f"{e.due_on:%d/%m/%Y}",
    "InformationProvided": lambda e: e.message,
    "EligibilityAssessed": _assessed,
    "Proposed": lambda e: f"{format_euros(e.amount)} — {e.motive}",
    "PlacedOnAgenda": lambda e: f"Point n° {e.item_number}",
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
    "DraftDeleted": lambda e: "",
    "VoteRectified": lambda e: f"délibération {e.deliberation_reference}, "
                               f"{format_euros(e.amount_awarded)} ({e.votes_for} pour, "
                               f"{e.votes_against} contre, {e.abstentions} abstentions) — "
                               f"{e.motive}",
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
