"""`faps history`: a dossier's events up to a date, and its state then."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import click
from pydantic import BaseModel

from faps.application.timetravel import DossierHistory, HistoryEntry
from faps.cli.support import INPUT_ERROR, fail, opened, say
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.assessment import Assessment
from faps.domain.dates import PARIS, end_of_paris_day
from faps.domain.dates import parse_day as typed_day
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DocumentRef, DossierContent, FieldChange
from faps.domain.labels import (
    OUTCOME_LABELS,
    changes_text,
    document_kind_label,
    field_label,
    line_text,
    reglement_version_text,
    value_text,
)
from faps.domain.money import format_euros


def parse_day(text: str) -> date:
    """Read a date as AAAA-MM-JJ or JJ/MM/AAAA."""
    found = typed_day(text)
    if found is None:
        fail(f"Date invalide\u202f: « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA attendu).",
             INPUT_ERROR)
        raise AssertionError  # unreachable
    return found


@click.command(help="Affiche l'historique d'un dossier (référence FAPS-AAAA-NNN ou identifiant) "
               "jusqu'à une date, puis son état à cette date. Lecture en tant que système : "
               "l'accès à cette commande suppose l'accès au serveur.")
@click.argument("dossier")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Date (AAAA-MM-JJ) : l'historique s'arrête à la fin de ce jour "
              "(heure de Paris).")
def history(dossier: str, as_of: str | None) -> None:
    """Print a dossier's events and its state at a date."""
    limit = end_of_paris_day(parse_day(as_of)) if as_of else None
    with opened() as faps:
        dossier_id = faps.dossiers.resolve(dossier)
        found = faps.timetravel.history(SYSTEM_ACTOR, dossier_id, limit)
        current: Dossier = faps.dossiers.load(SYSTEM_ACTOR, dossier_id)
        names = faps.communes.name
        say(f"Dossier {current.reference or dossier_id} — {current.content.title} "
                   f"({names(current.commune)})")
        say(_heading(found, as_of))
        for entry in found.entries:
            say(describe(entry, names))
        say("")
        say("\n".join(state_lines(found, as_of, names)))


def _heading(found: DossierHistory, as_of: str | None) -> str:
    if as_of is None:
        return f"\n{len(found.entries)} événements :"
    return f"\n{len(found.entries)} événements jusqu'au {parse_day(as_of):%d/%m/%Y} inclus :"


def describe(entry: HistoryEntry, names: Any) -> str:
    """Return an event as a few lines: when, what, who, then its key details."""
    when = entry.timestamp.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    actor = entry.actor
    who = f"{actor.display} ({actor.role.label}"
    who += f", {names(actor.commune)})" if actor.commune else ")"
    lines = [f"  {when}  v{entry.version:<3} {entry.label} — {who}"]
    details = [f"{_label(entry.kind, k)}\u202f: {shown}" for k, v in entry.details.items()
               if k != "changes" and (shown := names(v) if k == "commune" and v
                                      else _value(k, v)) not in (None, "")]
    if details:
        lines.append("          " + "\u202f; ".join(details))
    lines += [f"          {line}" for line in changes_text(entry.details.get("changes"))]
    return "\n".join(lines)


def _label(kind: str, key: str) -> str:
    """Return a detail's label (a payment's `kind` is its nature, not a kind of pièce)."""
    return "Nature du versement" if key == "kind" and kind.startswith("Payment") \
        else field_label(key)


def _value(key: str, value: Any) -> str | None:
    if isinstance(value, UUID) or key in ("session_id", "documents"):
        return None
    if key == "reglement_version":
        return reglement_version_text(value)
    if key == "fields":  # the fields a correction names, by their labels
        return ", ".join(field_label(f) for f in value or ()) or None
    if isinstance(value, BaseModel | tuple | list) and not (
            isinstance(value, tuple | list) and value and not isinstance(value[0], BaseModel)):
        return _model(value)
    text = value_text(key, value)
    return text if text != "—" else None


def _model(value: Any) -> str | None:
    if isinstance(value, DossierContent):
        return f"« {value.title} », sollicité {format_euros(value.requested_amount)}"
    if isinstance(value, DocumentRef):
        return (f"{document_kind_label(value.kind)} « {value.name} » ({value.size} octets, "
                f"sha256 {value.sha256[:12]}…)")
    if isinstance(value, Assessment):
        verdict = "éligible" if value.eligible else "inéligible"
        return (f"{verdict}, maximum {format_euros(value.max_grant)}, subvention "
                f"{format_euros(value.grant)} (règlement "
                f"{reglement_version_text(value.reglement_version)})")
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], FieldChange):
            return None
        return ", ".join(map(str, value)) or None
    return str(value)


def state_lines(found: DossierHistory, as_of: str | None, names: Any) -> list[str]:
    """Return the dossier's state at the date, in French."""
    when = f"au {parse_day(as_of):%d/%m/%Y}" if as_of else "actuel"
    state = found.state
    if state is None:
        return [f"État {when} : le dossier n'existait pas encore."]
    lines = [f"État {when} : {state.state.label} (version {state.version})",
             f"  Commune : {names(state.commune)}",
             f"  Montant sollicité : {format_euros(state.content.requested_amount)}"]
    content = state.content
    lines += [f"  Dépense : {line_text('expenses', e)}" for e in content.expenses]
    lines += [f"  Financement public : {line_text('public_funding', f)}"
              for f in content.public_funding]
    lines += [f"  Financement privé : {line_text('private_funding', f)}"
              for f in content.private_funding]
    if state.assessment is not None:
        lines.append(f"  Instruction : {_model(state.assessment)}")
    if state.proposed_amount is not None:
        lines.append(f"  Montant proposé : {format_euros(state.proposed_amount)}")
    if state.decision is not None:
        decision = state.decision
        lines.append(f"  Décision : {OUTCOME_LABELS.get(decision['outcome'], '')} le "
                     f"{decision['decided_on']:%d/%m/%Y} ({decision['reference'] or 'sans numéro'})"
                     f", attribué {format_euros(state.awarded_amount)}")
    if state.paid:
        lines.append(f"  Versé : {format_euros(state.paid)} ; reste à verser "
                     f"{format_euros(state.remaining_to_pay)}")
    if state.clawback_due:
        lines.append(f"  Reversement dû : {format_euros(state.clawback_due)} ; encaissé "
                     f"{format_euros(state.clawback_recovered)}")
    if state.closing_motive:
        lines.append(f"  Motif : {state.closing_motive}")
    return lines
