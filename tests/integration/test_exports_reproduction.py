"""Recorded exports regenerate byte for byte from the log up to their seal, whatever came later."""

from __future__ import annotations

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
from faps.domain.errors import NotFoundError, PermissionDeniedError
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


@pytest.fixture
def published(memory_world: World) -> Published:
    """Two proposals on one session; only the first one voted so far."""
    world = memory_world
    dossiers = [world.proposed(), world.proposed(requested_amount="30000.00")]
    session_id = world.session()
    items = world.faps.council.add_to_agenda(world.secretariat, session_id, dossiers)
    world.faps.council.record_outcome(world.secretariat, session_id, items[0], "adoptee",
                                      Decimal("28000.00"), "DEL-2024-001", (50, 3, 2), (52, 55))
    return Published(world, session_id, items, dossiers)


def reproduction(world: World) -> ReproductionService:
    """Return the auditors' service on the world's log."""
    return ReproductionService(world.faps.app, world.faps.ctx.communes)


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
    _, current = rebuild(world.faps.app, world.faps.ctx.communes, result.record)
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
