"""Recorded exports regenerate byte for byte from the log up to their seal, whatever came later."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import openpyxl
import pytest
from odf import teletype
from odf.opendocument import load
from pypdf import PdfReader

from faps.application.exports import ExportFile
from faps.application.reproduction import ReproductionService, rebuild
from faps.domain.errors import ConfigurationError, NotFoundError, PermissionDeniedError
from faps.domain.exports import ExportRecord
from faps.infrastructure.export_templates import PACKAGED, TemplateFolders, faps_version
from faps.infrastructure.exports.formats import FileFormats
from tests.integration.test_exports_tables import service
from tests.support import World

# Every kind and format; `changed` says whether the later events of `published` alter its
# content, so that a regeneration reading the current state would be caught.
KINDS = [
    ("decisions", {"year": 2024, "format": "csv", "separator": ";"}, True),
    ("decisions", {"year": 2024, "format": "csv", "separator": ","}, True),
    ("decisions", {"year": 2024, "format": "xlsx"}, True),
    ("decisions", {"year": 2024, "format": "ods"}, True),
    ("decisions", {"session": True, "format": "xlsx"}, True),
    ("scdl-subventions", {"year": 2024}, True),
    ("scdl-deliberations", {"year": 2024}, True),
    ("pdf-deliberation", {"session": True, "item": 1}, False),
    ("pdf-session-list", {"session": True}, True),
    ("pdf-notification", {"session": True, "item": 1}, False),
    ("pdf-agreement", {"session": True, "item": 1}, True),
]


@dataclass
class Published:
    """A world where item 1 of a session was voted and exported, then the log went on."""

    world: World
    session_id: UUID
    items: list[int]
    dossiers: list[UUID]

    def export(self, kind: str, parameters: dict[str, Any]) -> ExportFile:
        """Export as the secretariat, with the session's id filled in."""
        params = {k: v for k, v in parameters.items() if k != "session"}
        if parameters.get("session"):
            params["session_id"] = str(self.session_id)
        return service(self.world).export(self.world.secretariat, kind, params)

    def go_on(self) -> None:
        """Vote item 2, record item 1's municipal deliberation, award another dossier."""
        faps, world = self.world.faps, self.world
        world.clock.advance(days=3)
        faps.council.record_outcome(world.secretariat, self.session_id, self.items[1], "adoptee",
                                    Decimal("20000.00"), "DEL-2024-002", (40, 10, 5), (50, 55))
        faps.grants.record_municipal_deliberation(world.secretariat, self.dossiers[0],
                                                  "DCM-2024-40", world.clock.now().date())
        world.clock.advance(days=20)
        world.awarded(requested_amount="15000.00")


def two_proposals_one_voted(world: World) -> Published:
    """Two proposals on one session; only the first one voted so far."""
    dossiers = [world.proposed(), world.proposed(requested_amount="30000.00")]
    session_id = world.session()
    items = world.faps.council.add_to_agenda(world.secretariat, session_id, dossiers)
    world.faps.council.record_outcome(world.secretariat, session_id, items[0], "adoptee",
                                      Decimal("28000.00"), "DEL-2024-001", (50, 3, 2), (52, 55))
    return Published(world, session_id, items, dossiers)


@pytest.fixture
def published(memory_world: World) -> Published:
    return two_proposals_one_voted(memory_world)


def reproduction(world: World) -> ReproductionService:
    """Return the auditors' service on the world's log."""
    return ReproductionService(world.faps.app, world.faps.ctx.communes, FileFormats(),
                               TemplateFolders())


@pytest.mark.parametrize(("kind", "parameters", "changed"), KINDS)
def test_a_recorded_export_regenerates_identically_after_later_events(
        published: Published, kind: str, parameters: dict[str, Any], changed: bool) -> None:
    original = published.export(kind, parameters)
    published.go_on()
    world = published.world
    result = reproduction(world).regenerate(world.auditor, str(original.export_id))
    assert result.ok, result.message
    assert result.data == original.data and result.name == original.name
    assert result.sha256 == original.sha256 and result.seal == original.seal
    _, current = rebuild(world.faps.app, world.faps.ctx.communes, result.record, FileFormats(),
                         TemplateFolders())
    assert (current != original.data) is changed


def test_a_file_is_identified_by_its_digest_with_who_when_and_seal(published: Published) -> None:
    first = published.export("decisions", {"year": 2024, "format": "ods"})
    second = published.export("scdl-subventions", {"year": 2024})
    world = published.world
    service_ = reproduction(world)
    record = service_.identify(world.auditor, second.data, "renamed.csv")
    assert record.id == second.export_id and record.actor == world.secretariat
    assert (record.chain_position, record.chain_head) == (second.seal.position, second.seal.head)
    assert record.exported_at == world.clock.now().replace(microsecond=0)
    assert record.parameters["year"] == 2024
    assert [r.id for r in service_.records(world.auditor)] == [second.export_id,
                                                                first.export_id]


def test_a_changed_file_is_named_different_and_an_unknown_one_unknown(
        published: Published) -> None:
    original = published.export("decisions", {"year": 2024, "format": "csv"})
    service_ = reproduction(published.world)
    auditor = published.world.auditor
    forged = original.data.replace(b"Lognes", b"Chelles", 1)
    with pytest.raises(NotFoundError, match=r"Fichier différent .* du 05/02/2024"):
        service_.identify(auditor, forged, original.name)
    with pytest.raises(NotFoundError, match="Fichier inconnu"):
        service_.identify(auditor, forged, "autre.csv")


def test_scdl_file_names_carry_the_seal(published: Published) -> None:
    for kind in ("scdl-subventions", "scdl-deliberations"):
        result = published.export(kind, {"year": 2024})
        assert result.name == (f"{kind}-2024-sceau-{result.seal.position}-"
                               f"{result.seal.head[:16]}.csv")


@pytest.mark.parametrize("export_id", ["pas-un-uuid", "00000000-0000-0000-0000-000000000001"])
def test_an_unknown_export_id_is_refused_in_french(published: Published, export_id: str) -> None:
    with pytest.raises(NotFoundError, match="export"):
        reproduction(published.world).regenerate(published.world.auditor, export_id)


def test_a_commune_agent_may_not_see_recorded_exports(published: Published) -> None:
    with pytest.raises(PermissionDeniedError):
        reproduction(published.world).records(published.world.agent)


def printed_pages(name: str, data: bytes, tmp_path: Path) -> list[str]:
    """Return the text of each page (PDF) or of the whole file (tables), as a reader sees it."""
    if name.endswith(".pdf"):
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return [" ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)]
    if name.endswith(".ods"):
        path = tmp_path / name
        path.write_bytes(data)
        return [teletype.extractText(load(str(path)).spreadsheet)]
    return [data.decode("utf-8-sig")]


@pytest.mark.parametrize(("kind", "parameters"),
                         [(k, p) for k, p, _ in KINDS if not k.startswith("scdl")])
def test_every_table_and_pdf_page_prints_the_seal_head_and_position(
        published: Published, kind: str, parameters: dict[str, Any], tmp_path: Path) -> None:
    result = published.export(kind, parameters)
    pages = printed_pages(result.name, result.data, tmp_path)
    assert pages
    for text in pages:
        flat = re.sub(r"\s", "", text)
        assert result.seal.head in flat
        assert (f"position{result.seal.position}" in flat
                or f"position;{result.seal.position}" in flat
                or f"position,{result.seal.position}" in flat), text


def override(world: World, name: str, text: str) -> Path:
    """Write an instance template that takes precedence over the packaged one."""
    path = world.faps.settings.instance_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def packaged(name: str) -> str:
    """Return the text of a template shipped with faps."""
    return (PACKAGED / name).read_text(encoding="utf-8")


def with_comma(text: str) -> str:
    """Return a template with one comma added to its wording."""
    changed = text.replace("Vu le Code général", "Vu, le Code général", 1)
    assert changed != text
    return changed


def test_an_export_records_its_template_digest_and_the_faps_version(
        published: Published) -> None:
    result = published.export("pdf-deliberation", {"session": True, "item": 1})
    record = reproduction(published.world).find(published.world.auditor, result.export_id)
    digest = hashlib.sha256((PACKAGED / "deliberation.txt").read_bytes()).hexdigest()
    assert record.parameters["templates"] == {"deliberation.txt": digest}
    assert record.parameters["faps_version"] == faps_version()
    table = published.export("decisions", {"year": 2024, "format": "csv"})
    parameters = reproduction(published.world).find(published.world.auditor,
                                                    table.export_id).parameters
    assert "templates" not in parameters and parameters["faps_version"] == faps_version()


def test_a_template_changed_since_the_export_is_named_when_regeneration_differs(
        published: Published) -> None:
    world = published.world
    adjusted = packaged("deliberation.txt").replace("Extrait du registre", "Extrait conforme", 1)
    path = override(world, "deliberation.txt", adjusted)
    original = published.export("pdf-deliberation", {"session": True, "item": 1})
    path.write_text(with_comma(adjusted), encoding="utf-8")  # edited in place since
    result = world.faps.reproduction.regenerate(world.auditor, str(original.export_id))
    assert not result.ok
    assert "Fichier régénéré différent" in result.message
    assert "le modèle « deliberation.txt » a changé depuis l'export" in result.message
    assert str(path) in result.message


def test_an_instance_template_takes_precedence_and_regeneration_finds_the_recorded_one(
        published: Published) -> None:
    world = published.world
    path = override(world, "deliberation.txt", packaged("deliberation.txt").replace(
        "Extrait du registre des délibérations", "Extrait conforme du registre", 1))
    adjusted = published.export("pdf-deliberation", {"session": True, "item": 1})
    assert "Extrait conforme du registre" in printed_pages(adjusted.name, adjusted.data,
                                                           path.parent)[0]
    path.unlink()
    plain = published.export("pdf-deliberation", {"session": True, "item": 1})
    path.write_text(with_comma(packaged("deliberation.txt")), encoding="utf-8")
    service_ = world.faps.reproduction
    again = service_.regenerate(world.auditor, str(plain.export_id))
    assert again.ok, again.message
    assert "modèle livré avec faps" in again.message
    assert "n'est plus celui en usage" in again.message
    lost = service_.regenerate(world.auditor, str(adjusted.export_id))
    assert not lost.ok and "a changé depuis l'export" in lost.message


def test_an_export_recorded_without_template_digests_still_regenerates_or_says_why(
        published: Published) -> None:
    world = published.world
    current = published.export("pdf-deliberation", {"session": True, "item": 1})
    record = reproduction(world).find(world.auditor, current.export_id)
    older = {k: v for k, v in record.parameters.items() if k not in ("templates", "faps_version")}
    old = ExportRecord.record(record.actor, record.kind, older, record.file_name, record.sha256,
                              record.size, record.chain_head, record.chain_position,
                              record.exported_at)
    world.faps.app.save(old)
    service_ = world.faps.reproduction
    assert service_.regenerate(world.auditor, str(old.id)).ok
    override(world, "deliberation.txt", with_comma(packaged("deliberation.txt")))
    result = service_.regenerate(world.auditor, str(old.id))
    assert not result.ok
    assert "ne consigne pas l'empreinte de son modèle « deliberation.txt »" in result.message


def test_a_broken_template_fails_the_export_in_french(published: Published) -> None:
    override(published.world, "deliberation.txt", "# {{ d,.reference }}\n")
    with pytest.raises(ConfigurationError, match=r"Modèle « deliberation.txt » invalide \(ligne 1"):
        published.export("pdf-deliberation", {"session": True, "item": 1})


@pytest.mark.parametrize(("kind", "parameters", "old_stem", "new_stem"), [
    ("pdf-agreement", {"session": True, "item": 1}, "agreement-", "convention-"),
    ("decisions", {"year": 2024, "format": "csv", "separator": ";"}, "decisions-", "decisions-"),
])
def test_an_export_published_before_its_wording_was_recorded_regenerates_byte_for_byte(
        published: Published, kind: str, parameters: dict[str, Any], old_stem: str,
        new_stem: str) -> None:
    world = published.world
    current = published.export(kind, parameters)
    record = reproduction(world).find(world.auditor, current.export_id)
    assert record.parameters["wording"] == 3 and current.name.startswith(new_stem)
    before = {k: v for k, v in record.parameters.items() if k != "wording"}

    def recorded(name: str, data: bytes) -> ExportRecord:
        return ExportRecord.record(record.actor, kind, before, name,
                                   hashlib.sha256(data).hexdigest(), len(data),
                                   record.chain_head, record.chain_position, record.exported_at)

    name, data = rebuild(world.faps.app, world.faps.ctx.communes, recorded("?", b""),
                         FileFormats(), TemplateFolders())
    assert name.startswith(old_stem) and data != current.data  # the first wording: UTC
    text = (pdf_text(data) if name.endswith(".pdf") else data.decode("utf-8"))
    assert ("UTC" in text) if name.endswith(".pdf") else re.search(r"\d{4}-\d\d-\d\dT", text)
    old = recorded(name, data)
    world.faps.app.save(old)
    published.go_on()
    result = world.faps.reproduction.regenerate(world.auditor, str(old.id))
    assert result.ok, result.message
    assert result.data == data and result.name == name


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF's pages."""
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
