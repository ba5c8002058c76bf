"""The table of the council's decisions (one row per voted item)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from faps.infrastructure.exports.tables import Column, Table

COLUMNS = [
    Column("Séance", "date", 12), Column("Instance", "text", 24), Column("Point", "int", 7),
    Column("Dossier", "text", 16), Column("Code INSEE", "text", 11), Column("Commune", "text", 24),
    Column("Objet", "text", 44), Column("Issue", "text", 10),
    Column("Montant attribué", "euros", 16), Column("Délibération", "text", 16),
    Column("Identifiant ACTES", "text", 36), Column("Pour", "int", 7), Column("Contre", "int", 7),
    Column("Abstentions", "int", 11), Column("Présents", "int", 9), Column("Votants", "int", 9),
    Column("Délibération municipale", "text", 20), Column("Date délib. municipale", "date", 14),
    Column("Notifiée le", "date", 12), Column("Convention", "text", 16),
    Column("Signée le", "date", 12),
]


def decision_table(title: str, decisions: list[Any], siren: str, author: str,
                   metadata: list[tuple[str, str]], at: datetime) -> Table:
    """Return the decisions as a typed table."""
    rows = []
    for d in decisions:
        municipal = d.dossier.municipal_deliberation or {}
        agreement = d.dossier.agreement or {}
        rows.append([
            d.session.session_date, d.body_label, d.item["item_number"],
            d.dossier.reference or "", d.dossier.commune, d.commune_name,
            d.dossier.content.title, d.outcome_label, d.amount, d.reference, d.actes_id(siren),
            d.item.get("votes_for"), d.item.get("votes_against"), d.item.get("abstentions"),
            d.item.get("present"), d.item.get("voting"), municipal.get("reference", ""),
            municipal.get("decided_on"), d.dossier.notified_on, agreement.get("reference", ""),
            agreement.get("signed_on"),
        ])
    return Table(title, COLUMNS, rows, metadata, author, at)
