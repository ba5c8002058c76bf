"""Conflicts told in words: what changed since the person read the record, by whom, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from faps.application import policy
from faps.application.event_catalogue import is_private, label
from faps.domain.actors import Actor
from faps.domain.budget import YearlyBudget
from faps.domain.dates import PARIS
from faps.domain.errors import ConflictError
from faps.domain.money import format_euros

SHOWN = 3  # changes named one by one; the rest are counted


def when(moment: datetime) -> str:
    """Return « le 05/02/2024 à 10 h 05 » in Paris time."""
    local = moment.astimezone(PARIS)
    return f"le {local:%d/%m/%Y} à {local.hour} h {local:%M}"


def by(actor: Actor) -> str:
    """Return who acted, as people read it."""
    return actor.name or actor.email


def dossier_changed(app: Any, reader: Actor, dossier_id: UUID, seen: int) -> ConflictError:
    """Return the conflict of a dossier changed since version `seen`, naming each change."""
    events = [e for e in app.events.get(dossier_id, gt=seen)
              if policy.allowed(reader, "dossier.read_notes")
              or not is_private(e)]
    lines = [f"{label(e)} par {by(e.actor)} "
             f"{when(e.timestamp)}" for e in events[:SHOWN]]
    rest = len(events) - SHOWN
    if rest > 0:
        lines.append(f"et {rest} autre{'s' if rest > 1 else ''} "
                     f"modification{'s' if rest > 1 else ''}")
    what = " ; ".join(lines) if lines else "une modification"
    current = events[-1].originator_version if events else None
    return ConflictError(f"Ce dossier a changé depuis que vous l'avez ouvert\u202f: {what}. "
                         "Rien n'a été enregistré\u202f; rechargez la page pour voir la "
                         "nouvelle version.", current_version=current)


def budget_changed(app: Any, budget: YearlyBudget) -> ConflictError:
    """Return the conflict of a yearly budget voted or amended since the person read it."""
    votes = [e for e in app.events.get(budget.id)
             if isinstance(e, YearlyBudget.Voted | YearlyBudget.Amended)]
    who = f" par {by(votes[-1].actor)} {when(votes[-1].timestamp)}" if votes else ""
    return ConflictError(
        f"Le budget {budget.year} a été voté ou modifié entre-temps{who}\u202f: "
        f"{format_euros(budget.voted)} (délibération n° {budget.deliberation_reference}). "
        "Rien n'a été enregistré\u202f; vérifiez ce montant, puis enregistrez de nouveau "
        "votre délibération si elle le modifie.")
