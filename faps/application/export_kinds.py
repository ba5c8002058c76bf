"""What each kind of export reads and which builder writes it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from uuid import UUID

from faps.application.decisions import DecisionReader
from faps.application.grant_history import as_filed
from faps.application.ports import FileFormats, TemplateStore
from faps.domain.council import BODY_LABELS
from faps.domain.dates import paris_moment
from faps.domain.errors import InvalidInputError, NotFoundError, TransitionNotAllowedError
from faps.domain.hash_chain import Seal
from faps.domain.publisher import Publisher
from faps.domain.reglement_book import BOOK_ID

Builder = Callable[[DecisionReader, Publisher, Seal, datetime, dict[str, Any]], tuple[str, bytes]]
RECORDED_ONLY = frozenset({"publisher", "templates", "faps_version"})
# The wording an export is built with, recorded among its parameters so that a file published
# with an older wording regenerates byte for byte. 1 (no parameter): PDF names in English
# (agreement-…), moments in UTC, the règlement's adopting act as stored. 2: French file names,
# Paris time, no placeholder of the adopting act. 3: typographic apostrophes (« d’Émerainville »,
# the templates of faps/infrastructure/templates/exports; those of 2 stay in previous/).
WORDING = 3
FILE_STEMS = {1: {"deliberation": "deliberation", "notification": "notification",
                  "agreement": "agreement"},
              2: {"deliberation": "deliberation", "notification": "notification",
                  "agreement": "convention"}}
FILE_STEMS[3] = FILE_STEMS[2]


def faps_version() -> str:
    """Return the installed faps version (recorded with every export)."""
    try:
        return version("faps")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "inconnue"


def template_of(kind: str) -> str | None:
    """Return the template file name an export kind is built from (« pdf-deliberation »)."""
    return f"{kind.removeprefix('pdf-')}.txt" if kind.startswith("pdf-") else None


def wording(params: dict[str, Any]) -> int:
    """Return the wording a recorded export was built with (1 before it was recorded)."""
    return int(params.get("wording") or 1)


def stamp(at: datetime, params: dict[str, Any]) -> str:
    """Return the moment printed on a file: Paris time in French (ISO in UTC before)."""
    if wording(params) < 2:
        return at.isoformat()
    return paris_moment(at)


def apostrophe(params: dict[str, Any]) -> str:
    """Return the apostrophe a file's wording prints: straight before wording 3."""
    return "’" if wording(params) >= 3 else "'"


def seal_label(seal: Seal, params: dict[str, Any]) -> str:
    """Return the seal as a document prints it."""
    return seal.label().replace("Sceau d'audit", f"Sceau d{apostrophe(params)}audit", 1)


def seal_rows(seal: Seal, at: datetime,
              params: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """Return the metadata rows every table carries."""
    seal_name = f"Sceau d{apostrophe(params or {})}audit"
    return [(f"{seal_name} — empreinte SHA-256", seal.head),
            (f"{seal_name} — position", str(seal.position)),
            ("Exporté le", stamp(at, params or {}))]


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
        sessions = reader.sessions_of(year)
        if not sessions:
            raise NotFoundError(f"Aucune séance en {year} : pas de tableau des décisions.")
        return sessions, f"Décisions de l'année {year}", f"annee-{year}"
    raise InvalidInputError({"session": ["indiquez une séance ou une année"]})


def decisions(formats: FileFormats) -> Builder:
    """Return the builder of the decision table in the requested format."""

    def build(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
              params: dict[str, Any]) -> tuple[str, bytes]:
        sessions, title, slug = _sessions(reader, params)
        found = reader.decisions(sessions)
        if not found:
            raise NotFoundError(f"Aucun point voté : pas de tableau des "
                                f"{title[0].lower()}{title[1:]}.")
        fmt = params.get("format", "csv")
        if fmt not in ("csv", "xlsx", "ods"):
            raise InvalidInputError({"format": ["format csv, xlsx ou ods"]})
        table = formats.decision_table(f"{publisher.fund_name} — {title}", found,
                                       publisher.siren, publisher.fund_name,
                                       seal_rows(seal, at, params), at)
        return f"decisions-{slug}.{fmt}", formats.table_file(table, fmt,
                                                             params.get("separator", ";"))

    return build


def sealed_name(stem: str, seal: Seal) -> str:
    """Return an SCDL file name carrying the seal (the schema forbids an extra column)."""
    return f"{stem}-sceau-{seal.position}-{seal.head[:16]}.csv"


def _year_decisions(reader: DecisionReader, params: dict[str, Any], **only: bool) -> list[Any]:
    year = int(params["year"])
    found = reader.decisions(reader.sessions_of(year), **only)
    if not found:
        raise NotFoundError(f"Aucune décision votée en {year} : rien à publier.")
    return found


def scdl_subventions(formats: FileFormats) -> Builder:
    """Return the builder of the SCDL « subventions » file of a year's awards."""

    def build(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
              params: dict[str, Any]) -> tuple[str, bytes]:
        found = _year_decisions(reader, params, adopted_only=True)
        data = formats.scdl_subventions(found, publisher)
        return sealed_name(f"scdl-subventions-{params['year']}", seal), data

    return build


def scdl_deliberations(formats: FileFormats) -> Builder:
    """Return the builder of the SCDL « délibérations » file of a year (adjourned items are no
    deliberation)."""

    def build(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
              params: dict[str, Any]) -> tuple[str, bytes]:
        found = _year_decisions(reader, params, deliberated_only=True)
        data = formats.scdl_deliberations(found, publisher, int(params["year"]))
        return sealed_name(f"scdl-deliberations-{params['year']}", seal), data

    return build


DOCUMENT_NAMES = {"deliberation": "d'extrait de délibération",
                  "notification": "de lettre de notification",
                  "agreement": "de convention de financement"}
NOT_ADOPTED = {"rejetee": "la proposition a été rejetée, aucun fonds de concours n'est attribué",
               "ajournee": "le point a été ajourné, aucune délibération n'a été prise"}


def _item(reader: DecisionReader, params: dict[str, Any], kind: str) -> Any:
    """Return the voted item a document is about, refusing a document its outcome rules out.

    An adjourned item has no deliberation; only an adopted award is notified and gets a
    funding agreement.
    """
    sessions, _title, _slug = _sessions(reader, {"session_id": params.get("session_id")})
    number = int(params.get("item", 0))
    found = [d for d in reader.decisions(sessions) if d.item["item_number"] == number]
    if not found:
        raise NotFoundError(f"Pas de point n° {number} voté lors de cette séance.")
    d = found[0]
    if not d.adopted and (kind != "deliberation" or not d.deliberated):
        raise TransitionNotAllowedError(f"Pas {DOCUMENT_NAMES[kind]} pour le point n° {number} : "
                                        f"{NOT_ADOPTED[d.item['outcome']]}.")
    return d


def _filed(reader: DecisionReader, params: dict[str, Any]) -> tuple[Any, Any]:
    """Return a dossier as filed and the règlement version that judges it (its receipt's data)."""
    try:
        dossier_id = UUID(str(params.get("dossier_id")))
    except ValueError:
        raise NotFoundError("Dossier introuvable : identifiant invalide.") from None
    if not reader.app.exists(dossier_id):
        raise NotFoundError("Dossier introuvable.")
    dossier = as_filed(reader.app, dossier_id)
    if dossier is None:
        raise TransitionNotAllowedError("Pas d'accusé de réception : le dossier n'est pas déposé.")
    book = reader.app.repository.get(BOOK_ID) if reader.app.exists(BOOK_ID) else None
    return dossier, book.get(dossier.reglement_version) if book else None


def pdf_document(kind: str, formats: FileFormats, templates: TemplateStore) -> Builder:
    """Return the builder of one kind of PDF document, reading its template from `templates`."""

    def build(reader: DecisionReader, publisher: Publisher, seal: Seal, at: datetime,
              params: dict[str, Any]) -> tuple[str, bytes]:
        context: dict[str, Any] = {"publisher": publisher}
        if kind == "session-list":
            sessions, _title, slug = _sessions(reader, {"session_id": params.get("session_id")})
            decisions_ = reader.decisions(sessions, deliberated_only=True)
            session = sessions[0]
            context.update(decisions=decisions_, session={
                "body_label": BODY_LABELS.get(session.body, session.body),
                "date": session.session_date, "place": session.place})
            name = f"liste-deliberations-{slug}.pdf"
        elif kind == "receipt":
            dossier, reglement = _filed(reader, params)
            context.update(dossier=dossier, reglement=reglement,
                           commune_name=reader.communes.name(dossier.commune),
                           kind_labels=reglement.document_kinds() if reglement else {})
            name = f"accuse-reception-{dossier.reference}.pdf"
        else:
            d = _item(reader, params, kind)
            if wording(params) >= 2 and d.reglement is not None:  # no placeholder is printed
                d = dataclasses.replace(d, reglement=d.reglement.model_copy(
                    update={"adopted_by": d.reglement.adopting_act}))
            rate = d.reglement.advance_rate if d.reglement else Decimal("0")
            context.update(d=d, actes_id=d.actes_id(publisher.siren),
                           advance_rate=f"{rate * 100:.0f}\u202f%",
                           advance=(d.amount * rate).quantize(Decimal("0.01"), ROUND_DOWN),
                           municipal=d.dossier.municipal_deliberation,
                           start_months=d.reglement.works_start_delay_months if d.reglement else 12,
                           balance_months=d.reglement.balance_delay_months if d.reglement else 36)
            name = f"{FILE_STEMS[min(wording(params), WORDING)][kind]}-{d.dossier.reference}.pdf"
        text = formats.render_text(kind, context, templates, apostrophe(params))
        footer = (f"{seal_label(seal, params)} — exporté le {stamp(at, params)}"
                  if wording(params) >= 2
                  else f"{seal.label()} — exporté le {at:%d/%m/%Y à %H:%M} UTC")
        return name, formats.render_pdf(text, name, footer,
                                        f"{publisher.name} — {publisher.fund_name}")

    return build


KIND_LABELS = {
    "decisions": "Tableau des décisions", "scdl-subventions": "SCDL « subventions »",
    "scdl-deliberations": "SCDL « délibérations »",
    "pdf-deliberation": "Extrait de délibération (PDF)",
    "pdf-session-list": "Liste des délibérations d'une séance (PDF)",
    "pdf-notification": "Lettre de notification (PDF)",
    "pdf-agreement": "Convention de financement (PDF)",
    "pdf-receipt": "Accusé de réception d'un dossier (PDF)",
}
TABLES = {"decisions": decisions, "scdl-subventions": scdl_subventions,
          "scdl-deliberations": scdl_deliberations}


def builder(kind: str, formats: FileFormats, templates: TemplateStore) -> Builder:
    """Return the builder of an export kind (PDF documents read `templates`)."""
    if kind not in KIND_LABELS:
        raise InvalidInputError({"kind": [f"type d'export inconnu : {kind}"]})
    if template_of(kind):
        return pdf_document(kind.removeprefix("pdf-"), formats, templates)
    return TABLES[kind](formats)


# The documents a commune downloads for its own dossier (recorded like every export).
DOSSIER_DOCUMENTS = {"receipt": "pdf-receipt", "notification": "pdf-notification",
                     "agreement": "pdf-agreement", "deliberation": "pdf-deliberation"}
PARAMETER_LABELS = {"year": "année", "session_id": "séance", "item": "point",
                    "reference": "dossier", "dossier_id": "dossier", "format": "format",
                    "separator": "séparateur"}


def describe_parameters(parameters: dict[str, Any],
                        session_name: Callable[[str], str] | None = None) -> str:
    """Return a recorded export's parameters in French (« année 2024, format xlsx »).

    `session_name` names a session (« du conseil communautaire du 31/03/2026 ») instead of its
    identifier.
    """
    order = list(PARAMETER_LABELS)
    hidden = RECORDED_ONLY | {"wording"} | ({"dossier_id"} if "reference" in parameters else set())
    keys = sorted((k for k in parameters if k not in hidden),
                  key=lambda k: (order.index(k) if k in order else len(order), k))
    shown = [f"séance {session_name(parameters[k])}" if k == "session_id" and session_name
             else f"{PARAMETER_LABELS.get(k, k)} {parameters[k]}" for k in keys]
    publisher = parameters.get("publisher") or {}
    if publisher.get("siret"):
        shown.append(f"SIRET de l'agglomération {publisher['siret']}")
    return ", ".join(shown) or "aucun"
