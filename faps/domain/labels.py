"""The words people read: every field and code value of faps with its French label, in one place.

Forms, histories, error messages and exports take their labels from here; the older maps
(`CATEGORY_LABELS`, `STATE_LABELS`, …) stay where their types live and are gathered below.
A change of a dossier's content reads as sentences: « Montant sollicité : 0,00 € → 32 850,00 € »,
« Dépense ajoutée : Fauteuils, 24 500,00 € HT ».
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from faps.domain.actors import ROLE_LABELS
from faps.domain.dossier_content import PAYMENT_KIND_LABELS, STATE_LABELS, Outcome
from faps.domain.money import NARROW_NBSP, format_euros
from faps.domain.reglement import CATEGORY_LABELS, TENURE_LABELS

OUTCOME_LABELS = {Outcome.ADOPTED: "Adoptée", Outcome.REJECTED: "Rejetée",
                  Outcome.POSTPONED: "Ajournée"}
BODY_LABELS = {"conseil": "Conseil communautaire", "bureau": "Bureau communautaire"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

# The kinds of pièce justificative of the packaged règlement; a version may name others (its
# own labels then win: see `document_kind_label`).
DOCUMENT_KIND_LABELS = {
    "deliberation_municipale": "Délibération du conseil municipal",
    "note_presentation": "Note de présentation du projet",
    "devis": "Devis ou estimation détaillée des dépenses",
    "plan_financement": "Plan de financement prévisionnel",
    "titre_occupation": "Titre de propriété ou bail des locaux",
    "attestation_demarrage": "Attestation de démarrage des travaux",
    "etat_recapitulatif": "État récapitulatif des dépenses",
    "factures": "Factures acquittées",
    "certificat_achevement": "Certificat d’achèvement des travaux",
    "reponse_complements": "Réponse à une demande de compléments",
    "justificatif": "Justificatif",
    "autre": "Autre pièce",
}

FIELD_LABELS = {
    # What the commune writes (DossierContent) and its rows.
    "title": "Objet de l’opération", "description": "Description du projet",
    "premises_address": "Adresse des locaux",
    "premises_tenure": "Occupation des locaux par la commune",
    "health_activity": "Activité de santé", "professionals": "Professionnels de santé concernés",
    "works_started": "Travaux commencés", "works_planned_start": "Début prévu des travaux",
    "expenses": "Dépenses", "public_funding": "Financements publics",
    "private_funding": "Financements privés", "requested_amount": "Montant sollicité",
    "label": "Libellé", "category": "Catégorie", "amount_ht": "Montant HT", "vat": "TVA (€)",
    "funder": "Financeur", "commune_awarded_this_year": "Aides déjà attribuées cette année",
    # Forms and events of instruction, council, payments and accounts.
    "commune": "Commune", "reference": "Référence", "acknowledged_on": "Accusé de réception",
    "reglement_version": "Règlement", "message": "Message", "due_on": "Date limite de réponse",
    "document_kinds": "Pièces demandées", "amount": "Montant", "motive": "Motif",
    "outcome": "Issue du vote", "amount_awarded": "Montant attribué",
    "deliberation_reference": "N° de délibération", "votes_for": "Pour",
    "votes_against": "Contre", "abstentions": "Abstentions", "present": "Présents",
    "voting": "Votants", "decided_on": "Date de la délibération", "notified_on": "Notifiée le",
    "signed_on": "Signée le", "kind": "Type de pièce", "upload_kind": "Type de pièce",
    "file": "Fichier", "expenses_paid": "Dépenses effectivement acquittées",
    "paid_on": "Date du mandat", "mandate_reference": "Référence du mandat",
    "new_amount": "Nouveau montant", "previous_amount": "Montant précédent",
    "real_eligible_cost": "Dépense éligible réelle", "clawback_due": "Reste à reverser",
    "title_reference": "Référence du titre de recette", "released_amount": "Montant libéré",
    "officer_id": "Instructeur", "officer_name": "Instructeur", "text": "Note",
    "item": "Point", "item_number": "Point de l’ordre du jour", "document": "Pièce",
    "documents": "Pièces",
    "content": "Projet", "changes": "Modifications", "assessment": "Instruction",
    "paid_before": "Déjà versé", "awarded": "Montant attribué", "session_date": "Date de la séance",
    "convocation_date": "Date de convocation", "place": "Lieu", "body": "Instance",
    "president": "Président de séance", "secretary": "Secrétaire de séance",
    "councillors_in_office": "Conseillers en exercice", "dossier_ids": "Dossiers",
    "year": "Année", "format": "Format", "separator": "Séparateur", "session_id": "Séance",
    "email": "Adresse électronique", "name": "Nom affiché", "password": "Mot de passe",
    "confirm": "Confirmation", "role": "Rôle", "active": "Compte actif",
    "expected_version": "Version du dossier", "action": "Action", "query": "Recherche",
    "as_of": "Date", "from": "Date de début", "to": "Date de fin", "version": "Version",
    "session": "Séance ou année", "state": "État", "requested": "Montant sollicité",
    "proposed": "Montant proposé", "paid": "Versé",
    "url": "Adresse de réception (https)", "event_types": "Événements",
}
LINE_FIELDS = {"expenses": ("Dépense", "Dépenses"), "public_funding": ("Financement public", ""),
               "private_funding": ("Financement privé", "")}
AMOUNT_FIELDS = frozenset({"requested_amount", "amount_ht", "vat", "amount", "amount_awarded",
                           "expenses_paid", "new_amount", "previous_amount", "real_eligible_cost",
                           "clawback_due", "released_amount", "paid_before", "awarded",
                           "commune_awarded_this_year", "requested", "proposed", "paid"})
CODE_LABELS: dict[str, dict[Any, str]] = {
    "premises_tenure": {k.value: v for k, v in TENURE_LABELS.items()},
    "category": {k.value: v for k, v in CATEGORY_LABELS.items()},
    "state": {k.value: v for k, v in STATE_LABELS.items()},
    "role": {k.value: v for k, v in ROLE_LABELS.items()},
    "outcome": OUTCOME_LABELS, "body": BODY_LABELS,
    "kind": {**DOCUMENT_KIND_LABELS, **PAYMENT_KIND_LABELS},
    "document_kinds": DOCUMENT_KIND_LABELS,
    "payment_kind": {**PAYMENT_KIND_LABELS, "reversement": "Reversement"},
}


def field_label(path: str) -> str:
    """Return a field's label; a row's field reads « Dépenses, ligne 2 — Montant HT »."""
    if path in FIELD_LABELS:
        return FIELD_LABELS[path]
    parts = [p for p in path.replace("]", "").replace("[", ".").split(".") if p]
    words: list[str] = []
    for part in parts:
        if part.isdigit():
            words.append(f"ligne {int(part) + 1}")
        else:
            words.append(FIELD_LABELS.get(part, part.replace("_", " ")))
    if len(words) >= 3 and words[1].startswith("ligne"):
        return f"{words[0]}, {words[1]} — {' — '.join(words[2:])}"
    return ", ".join(words) if words else path


def code_label(field: str, value: Any) -> str:
    """Return the label of a code value of a field (« proprietaire » → « Propriétaire »)."""
    key = getattr(value, "value", value)
    return CODE_LABELS.get(field, {}).get(key, str(key))


def document_kind_label(code: str, known: dict[str, str] | None = None) -> str:
    """Return the label of a kind of pièce (the règlement version's own label first)."""
    return (known or {}).get(code) or DOCUMENT_KIND_LABELS.get(code) or code.replace("_", " ")


def long_date(value: date) -> str:
    """Return « 1er avril 2022 », « 31 mars 2022 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def short_date(value: date | datetime) -> str:
    """Return 31/03/2022."""
    return value.strftime("%d/%m/%Y")


def plural(count: int, singular: str, plural_form: str | None = None,
           none: str | None = None) -> str:
    """Return « 1 point inscrit », « 3 points inscrits » (`none` for zero, if given).

    French keeps the singular below two: « 0 abstention », « 1,5 jour ».
    """
    if count == 0 and none is not None:
        return none
    return f"{count} {singular if abs(count) < 2 else (plural_form or _pluralize(singular))}"


def _pluralize(words: str) -> str:
    return " ".join(w if w.endswith(("s", "x", "z")) else w + "s" for w in words.split(" "))


def value_text(field: str, value: Any) -> str:
    """Return a stored value as people read it: euros, dates, labels, oui/non; « — » if empty."""
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field in AMOUNT_FIELDS or isinstance(value, Decimal):
        try:
            return format_euros(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if isinstance(value, datetime | date):
        return short_date(value)
    if isinstance(value, str) and _iso_day(value) is not None:
        return short_date(_iso_day(value))  # type: ignore[arg-type]
    if isinstance(value, list | tuple):
        return ", ".join(value_text(field, v) for v in value)
    if field in CODE_LABELS:
        return code_label(field, value)
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _iso_day(text: str) -> date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def line_text(field: str, line: Any) -> str:
    """Return one expense or funding line: « Fauteuils, 24 500,00 € HT (Équipement …) »."""
    row = line.model_dump(mode="json") if hasattr(line, "model_dump") else dict(line)
    if field == "expenses":
        text = f"{row.get('label', '')}, {value_text('amount_ht', row.get('amount_ht'))} HT"
        if row.get("vat") not in (None, "", "0", "0.00"):
            text += f", TVA {value_text('vat', row.get('vat'))}"
        return text + f" ({code_label('category', row.get('category'))})"
    return f"{row.get('funder', '')}, {value_text('amount', row.get('amount'))}"


def _name(line: Any) -> str:
    return str(line.get("label") or line.get("funder") or "") if isinstance(line, dict) else ""


def _line_changes(field: str, before: list[Any], after: list[Any]) -> list[str]:
    what = LINE_FIELDS[field][0]
    removed = [b for b in before if b not in after]
    added = [a for a in after if a not in before]
    lines: list[str] = []
    for old in list(removed):
        new = next((a for a in added if _name(a) == _name(old)), None)
        if new is None:
            continue
        removed.remove(old)
        added.remove(new)
        diffs = [f"{_lower(FIELD_LABELS.get(k, k))} {value_text(k, old.get(k))} → "
                 f"{value_text(k, new.get(k))}" for k in new if old.get(k) != new.get(k)]
        lines.append(f"{what} modifiée{NARROW_NBSP}: {_name(new)}, {', '.join(diffs)}"
                     if what == "Dépense" else
                     f"{what} modifié{NARROW_NBSP}: {_name(new)}, {', '.join(diffs)}")
    ending = "e" if what == "Dépense" else ""
    lines += [f"{what} retiré{ending}{NARROW_NBSP}: {line_text(field, b)}" for b in removed]
    lines += [f"{what} ajouté{ending}{NARROW_NBSP}: {line_text(field, a)}" for a in added]
    return lines


def change_lines(field: str, before: Any, after: Any) -> list[str]:
    """Return a field's change as sentences; a list changes line by line."""
    if field in LINE_FIELDS:
        return _line_changes(field, list(before or []), list(after or []))
    return [f"{field_label(field)}{NARROW_NBSP}: {value_text(field, before)} → "
            f"{value_text(field, after)}"]


def changes_text(changes: Any) -> list[str]:
    """Return every line of an edit's changes (FieldChange objects or [field, before, after])."""
    lines: list[str] = []
    for change in changes or ():
        if hasattr(change, "field"):
            lines += change_lines(change.field, change.before, change.after)
        else:
            field, before, after = change
            lines += change_lines(field, before, after)
    return lines


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def reglement_version_text(version: str | None) -> str:
    """Return « version du 31 mars 2022 » for a version named by its date, else « version V »."""
    if not version:
        return "—"
    day = _iso_day(version)
    return f"version du {long_date(day)}" if day else f"version {version}"
