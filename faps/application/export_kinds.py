"""What each kind of export reads and which builder writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from faps.application.decisions import DecisionReader
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.infrastructure.audit_chain import Seal
from faps.infrastructure.exports import scdl, tables
from faps.infrastructure.exports.decision_table import decision_table
from faps.infrastructure.exports.scdl import Publisher


def seal_rows(seal: Seal, at: datetime) -> list[tuple[str, str]]:
    """Return the metadata rows every table carries."""
    return [("Sceau d'audit — empreinte SHA-256", seal.head),
            ("Sceau d'audit — position", str(seal.position)),
            ("Exporté le", at.isoformat())]


def _sessions(reader: DecisionReader, params: dict[str, Any]) -> tuple[list[Any], str, str]:
    if params.get("session_id"):
        try:
            session_id = UUID(str(params["session_id"]))
        except ValueError:
            raise NotFoundError("Séance introuvable : identifiant invalide.") from None
        session = reader.session(session_id)
        day = session.session_date
        return [session], f"Décisions de la séance du {day:%d/%m/%Y}", f"seance-{day:%Y-%m-%d}"
    if params.get("year"):
        year = int(params["year"])
        return reader.sessions_of(year), f"Décisions de l'année {year}", f"annee-{year}"
    raise InvalidInputError({"session": ["indiquez une séance ou une année"]})


def decisions(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
              params: dict[str, Any]) -> tuple[str, bytes]:
    """Build the decision table in the requested format."""
    sessions, title, slug = _sessions(reader, params)
    table = decision_table(f"{publisher.fund_name} — {title}", reader.decisions(sessions),
                           publisher.siren, publisher.fund_name, seal_rows(seal, at), at)
    fmt = params.get("format", "csv")
    if fmt == "csv":
        data = tables.to_csv(table, params.get("separator", ";"))
    elif fmt == "xlsx":
        data = tables.to_xlsx(table)
    elif fmt == "ods":
        data = tables.to_ods(table)
    else:
        raise InvalidInputError({"format": ["format csv, xlsx ou ods"]})
    return f"decisions-{slug}.{fmt}", data


def _year_decisions(reader: DecisionReader, params: dict[str, Any], adopted: bool) -> list[Any]:
    year = int(params["year"])
    found = reader.decisions(reader.sessions_of(year), adopted_only=adopted)
    if not found:
        raise NotFoundError(f"Aucune décision votée en {year} : rien à publier.")
    return found


def scdl_subventions(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
                     params: dict[str, Any]) -> tuple[str, bytes]:
    """Build the SCDL « subventions » file of a year's awards."""
    data = scdl.subventions_csv(_year_decisions(reader, params, True), publisher)
    return f"scdl-subventions-{params['year']}.csv", data


def scdl_deliberations(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
                       params: dict[str, Any]) -> tuple[str, bytes]:
    """Build the SCDL « délibérations » file of a year's votes."""
    found = _year_decisions(reader, params, False)
    data = scdl.deliberations_csv(found, publisher, int(params["year"]))
    return f"scdl-deliberations-{params['year']}.csv", data


BUILDERS: dict[str, Any] = {
    "decisions": decisions,
    "scdl-subventions": scdl_subventions,
    "scdl-deliberations": scdl_deliberations,
}
