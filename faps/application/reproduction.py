"""Reproducible exports: find a published file by its digest, rebuild it from the log at its seal.

A recorded export names the chain position it was sealed at. Regeneration copies the stored
events up to that position (and no further) into an in-memory application, recomputes the
chain over them to prove the log still produces the recorded head, rebuilds the file with the
recorded parameters, publisher and moment, and compares SHA-256 digests. Events recorded after
the export, including later votes, payments and the export's own record, play no part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from faps.application import policy
from faps.application.app import FapsApplication
from faps.application.decisions import DecisionReader
from faps.application.export_kinds import RECORDED_ONLY, builder, faps_version, template_of
from faps.application.ports import FileFormats, TemplateStore
from faps.domain.actors import Actor
from faps.domain.council import CouncilSession
from faps.domain.dates import paris_moment
from faps.domain.errors import FapsError, NotFoundError
from faps.domain.exports import ExportRecord
from faps.domain.hash_chain import BATCH, GENESIS, Seal, next_link, read_log
from faps.domain.publisher import Publisher

RECORDED_TOPIC = get_topic(ExportRecord.ExportRecorded)
RECTIFIED_TOPIC = get_topic(CouncilSession.OutcomeRectified)


paris = paris_moment  # a moment as people read it: « 06/12/2026 à 14:05 (heure de Paris) »


@dataclass(frozen=True)
class Regeneration:
    """A recorded export rebuilt from the log: the file, the recomputed seal, the verdict."""

    record: ExportRecord
    name: str
    data: bytes
    sha256: str
    seal: Seal
    ok: bool
    message: str


@dataclass(frozen=True)
class FileCheck:
    """A file checked against the recorded exports: which one it is, and its regeneration."""

    record: ExportRecord | None
    regeneration: Regeneration | None
    ok: bool
    message: str


def recorded_exports(app: Any) -> list[ExportRecord]:
    """Return every export recorded in the log, latest first (by position in the log)."""
    found: list[ExportRecord] = []
    start = 1
    while True:
        batch = app.recorder.select_notifications(start, BATCH, topics=[RECORDED_TOPIC])
        found.extend(app.repository.get(UUID(str(n.originator_id))) for n in batch)
        if len(batch) < BATCH:
            return found[::-1]  # the log's order: two exports may share their second
        start = batch[-1].id + 1


@dataclass(frozen=True)
class RecordedSeal:
    """The chain's head and position an export was sealed with, as its record keeps them."""

    export_id: UUID
    file_name: str
    exported_at: datetime
    position: int
    head: str


def recorded_seals(app: Any) -> tuple[list[RecordedSeal], list[int]]:
    """Return the seals recorded by exports (log order) and the records that do not decode."""
    seals: list[RecordedSeal] = []
    unreadable: list[int] = []
    start = 1
    while True:
        batch = app.recorder.select_notifications(start, BATCH, topics=[RECORDED_TOPIC])
        for notification in batch:
            try:
                event = app.mapper.to_domain_event(notification)
                seals.append(RecordedSeal(event.originator_id, event.file_name,
                                          event.exported_at, int(event.chain_position),
                                          str(event.chain_head)))
            except Exception:  # a forged record may not decode: it is named instead
                unreadable.append(notification.id)
        if len(batch) < BATCH:
            return seals, unreadable
        start = batch[-1].id + 1


def log_until(app: Any, position: int) -> tuple[FapsApplication, Seal]:
    """Copy the stored events up to `position` into memory; return the copy and their seal."""
    copy = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                           transcodings=app._transcodings)
    head, last, batch = GENESIS, 0, []
    for notification in read_log(app.recorder.select_notifications, 1, position):
        head, last = next_link(head, notification), notification.id
        batch.append(StoredEvent(notification.originator_id, notification.originator_version,
                                 notification.topic, bytes(notification.state)))
        if len(batch) >= BATCH:
            copy.recorder.insert_events(batch)
            batch = []
    if batch:
        copy.recorder.insert_events(batch)
    return copy, Seal(last, head)


@dataclass(frozen=True)
class Rectified:
    """A rectified vote: its session, its item and the year of its session."""

    session_id: UUID
    item_number: int
    year: int

    def shown_by(self, parameters: dict[str, Any]) -> bool:
        """Tell whether an export of these parameters shows this vote: the session's documents
        (the item's own, its list of deliberations, its table) or the year's tables."""
        if parameters.get("session_id") is not None:
            same_item = "item" not in parameters or int(parameters["item"]) == self.item_number
            return UUID(str(parameters["session_id"])) == self.session_id and same_item
        year = parameters.get("year")
        return year is not None and int(year) == self.year


class ReproductionService:
    """What auditors do with recorded exports: list, identify a file, regenerate and compare."""

    def __init__(self, app: Any, communes: Any, formats: FileFormats,
                 templates: TemplateStore) -> None:
        self.app = app
        self.communes = communes
        self.formats, self.templates = formats, templates

    def records(self, actor: Actor) -> list[ExportRecord]:
        """Return every recorded export, latest first."""
        policy.require(actor, "audit.read")
        return recorded_exports(self.app)

    def superseded(self, actor: Actor, records: list[ExportRecord]) -> dict[UUID, datetime]:
        """Return, for each export sealed before the rectification of a vote it shows, that
        rectification's moment: the file no longer shows the figures in force (export it
        again). An export about another session, item or year is not concerned."""
        policy.require(actor, "audit.read")
        rectifications = []
        for n in read_log(lambda start, limit: self.app.recorder.select_notifications(
                start, limit, topics=[RECTIFIED_TOPIC]), 1, None):
            event = self.app.mapper.to_domain_event(n)
            session = self.app.repository.get(event.originator_id, version=event.originator_version)
            rectifications.append((n.id, event.timestamp, Rectified(
                event.originator_id, event.item_number, session.session_date.year)))
        found = {}
        for record in records:
            later = [at for position, at, vote in rectifications
                     if position > record.chain_position and vote.shown_by(record.parameters)]
            if later:
                found[record.id] = later[0]
        return found

    def find(self, actor: Actor, export_id: str | UUID) -> ExportRecord:
        """Return a recorded export by its identifier."""
        policy.require(actor, "audit.read")
        try:
            ident = UUID(str(export_id).strip())
        except ValueError:
            raise NotFoundError(f"Identifiant d'export invalide : {export_id}.") from None
        record = self.app.find(ident)
        if not isinstance(record, ExportRecord):
            raise NotFoundError(f"Aucun export enregistré sous l'identifiant {ident}.")
        return record

    def identify(self, actor: Actor, data: bytes, name: str = "") -> ExportRecord:
        """Return the recorded export whose file has these bytes (by SHA-256)."""
        digest = hashlib.sha256(data).hexdigest()
        records = self.records(actor)
        for record in records:
            if record.sha256 == digest:
                return record
        namesakes = [r for r in records if name and r.file_name == name]
        if namesakes:
            r = namesakes[0]
            raise NotFoundError(
                f"Fichier différent de l'export enregistré « {r.file_name} » du "
                f"{paris(r.exported_at)}\u202f: son empreinte SHA-256 est {digest}, "
                f"celle de l'export publié est {r.sha256}.")
        raise NotFoundError(f"Fichier inconnu : aucun export enregistré n'a l'empreinte SHA-256 "
                            f"{digest}.")

    def check(self, actor: Actor, data: bytes, name: str = "") -> FileCheck:
        """Identify a file by its digest, then regenerate its export and compare."""
        try:
            record = self.identify(actor, data, name)
        except NotFoundError as exc:
            return FileCheck(None, None, False, exc.message)
        result = self.regenerate(actor, record.id)
        return FileCheck(record, result, result.ok, result.message)

    def regenerate(self, actor: Actor, export_id: str | UUID) -> Regeneration:
        """Rebuild a recorded export from the log up to its seal and compare the digests."""
        record = self.find(actor, export_id)
        copy, seal = log_until(self.app, record.chain_position)
        if seal != Seal(record.chain_position, record.chain_head):
            return Regeneration(record, "", b"", "", seal, False, _rewritten(record, seal))
        templates = templates_for(record, self.templates)
        try:
            name, data = rebuild(copy, self.communes, record, self.formats, templates)
        except FapsError as exc:
            return Regeneration(record, "", b"", "", seal, False, f"Régénération impossible : "
                                f"{exc.message}{causes(record, self.templates)}")
        digest = hashlib.sha256(data).hexdigest()
        ok = digest == record.sha256 and name == record.file_name
        return Regeneration(record, name, data, digest, seal, ok,
                            _verdict(record, name, digest) + causes(record, self.templates)
                            if not ok else
                            f"Régénéré à l'identique depuis le journal jusqu'à la position "
                            f"{seal.position} : « {name} », SHA-256 {digest}"
                            f"{_older_template(record, templates, self.templates)}.")


def rebuild(app: Any, communes: Any, record: ExportRecord, formats: FileFormats,
            templates: TemplateStore) -> tuple[str, bytes]:
    """Build a recorded export again from an application holding the log up to its position."""
    parameters = {k: v for k, v in record.parameters.items() if k not in RECORDED_ONLY}
    seal = Seal(record.chain_position, record.chain_head)
    return builder(record.kind, formats, templates)(
        DecisionReader(app, communes), Publisher.from_json(record.parameters["publisher"]),
        seal, record.exported_at, parameters)


def templates_for(record: ExportRecord, templates: TemplateStore) -> TemplateStore:
    """Return the folders to rebuild with: the one still holding the recorded template, if any."""
    for name, digest in (record.parameters.get("templates") or {}).items():
        held = templates.holding(name, digest)
        if held is not None:
            return held
    return templates


def causes(record: ExportRecord, templates: TemplateStore) -> str:
    """Return what may explain a regeneration that differs: a template or faps changed since."""
    found: list[str] = []
    name, recorded = template_of(record.kind), record.parameters.get("templates")
    if name and recorded is None:
        found.append(f"l'export ne consigne pas l'empreinte de son modèle « {name} » (export "
                     "antérieur à cette consignation) : ce modèle a pu être modifié depuis")
    for name, digest in (recorded or {}).items():
        if templates.holding(name, digest) is None:
            found.append(f"le modèle « {name} » a changé depuis l'export : SHA-256 {digest} à "
                         f"l'export, {templates.digest(name) or 'modèle introuvable'} aujourd'hui "
                         f"({templates.origin(name)})")
    version = record.parameters.get("faps_version")
    if version and version != faps_version():
        found.append(f"l'export a été produit par faps {version}, la régénération par faps "
                     f"{faps_version()}")
    return f" Cause probable : {' ; '.join(found)}." if found else ""


def _older_template(record: ExportRecord, used: TemplateStore,
                    templates: TemplateStore) -> str:
    name = template_of(record.kind)
    if name is None or used == templates or used.path(name) == templates.path(name):
        return ""
    return (f", avec le modèle « {name} » enregistré à l'export ({used.origin(name)}), qui "
            f"n'est plus celui en usage ({templates.origin(name)})")


def _rewritten(record: ExportRecord, seal: Seal) -> str:
    if seal.position < record.chain_position:
        return (f"Le journal s'arrête à la position {seal.position} : il ne contient plus "
                f"l'événement n° {record.chain_position} auquel l'export a été scellé.")
    return (f"Le journal jusqu'à la position {record.chain_position} ne produit plus "
            f"l'empreinte enregistrée ({record.chain_head}) mais {seal.head} : il a été "
            "réécrit depuis l'export.")


def _verdict(record: ExportRecord, name: str, digest: str) -> str:
    return (f"Fichier régénéré différent de l'export publié : « {name} », SHA-256 {digest}, "
            f"au lieu de « {record.file_name} », SHA-256 {record.sha256}.")
