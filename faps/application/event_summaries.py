"""How a dossier's event reads in one line (the timeline's summary, under its label): the longer
summaries that `event_catalogue` gives events (the short ones are written in its table)."""

from __future__ import annotations

from typing import Any

from faps.domain.dossier_content import Outcome
from faps.domain.dossier_exchange import CONTENT_FIELD_LABELS
from faps.domain.labels import (
    BODY_LABELS,
    OUTCOME_LABELS,
    changes_text,
    plural,
    reglement_version_text,
)
from faps.domain.money import NARROW_NBSP, format_euros

C = NARROW_NBSP + ":"  # « : » in French typography


def edited(e: Any) -> str:
    return plural(len(changes_text(e.changes)), "modification") + " du projet"


def voted(e: Any) -> str:
    body = BODY_LABELS.get(getattr(e, "body", None) or "conseil", "Conseil communautaire")
    text = f"{body}{C} {OUTCOME_LABELS.get(e.outcome, e.outcome).lower()} ({e.votes_for} pour, " \
           f"{e.votes_against} contre, {plural(e.abstentions, 'abstention')})"
    if e.outcome == Outcome.ADOPTED:
        text += f"{C} {format_euros(e.amount_awarded)}"
    return text + (f" — délibération n° {e.deliberation_reference}"
                   if e.deliberation_reference else "")


def requested(e: Any) -> str:
    named = (f" — à corriger{C} " + ", ".join(CONTENT_FIELD_LABELS.get(f, f) for f in e.fields)
             if e.fields else "")
    return f"{e.message}{named} — réponse attendue le {e.due_on:%d/%m/%Y}"


def assessed(e: Any) -> str:
    a = e.assessment
    verdict = "éligible" if a.eligible else "inéligible"
    return f"Règlement {reglement_version_text(a.reglement_version)}{C} {verdict}, subvention " \
           f"possible {format_euros(a.grant)} (plafond {format_euros(a.max_grant)})"


def submitted(e: Any) -> str:
    return f"Référence {e.reference}, règlement {reglement_version_text(e.reglement_version)}"


def provided(e: Any) -> str:
    return e.message + (f" — pièces non jointes{C} {e.missing_reason}" if e.missing_reason
                        else "")


def rectified(e: Any) -> str:
    return (f"délibération n° {e.deliberation_reference}, {format_euros(e.amount_awarded)} "
            f"({e.votes_for} pour, {e.votes_against} contre, "
            f"{plural(e.abstentions, 'abstention')}) — {e.motive}")
