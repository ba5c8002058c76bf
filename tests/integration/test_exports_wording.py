"""What a rectified vote supersedes, and the typographic wording of new documents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from faps.infrastructure.export_templates import PACKAGED, PREVIOUS
from tests.integration.test_exports_reproduction import Published, pdf_text, two_proposals_one_voted
from tests.support import World


@pytest.fixture
def voted(memory_world: World) -> Published:
    return two_proposals_one_voted(memory_world)


def rectify_item_1(published: Published) -> None:
    world = published.world
    world.clock.advance(days=1)
    world.faps.council.rectify_outcome(world.secretariat, published.session_id,
                                       published.items[0], Decimal("27000.00"), "DEL-2024-001",
                                       (50, 3, 2), (52, 55), "Erreur matérielle sur le montant.")


def test_a_rectified_vote_supersedes_only_the_exports_that_show_it(voted: Published):
    world = voted.world
    p = voted
    concerned = [p.export("pdf-deliberation", {"session": True, "item": 1}),
                 p.export("pdf-session-list", {"session": True}),
                 p.export("decisions", {"session": True, "format": "csv"}),
                 p.export("decisions", {"year": 2024, "format": "csv"})]
    world.faps.council.record_outcome(world.secretariat, p.session_id, p.items[1], "adoptee",
                                      Decimal("20000.00"), "DEL-2024-002", (40, 10, 5), (50, 55))
    other = world.session()
    (item,) = world.faps.council.add_to_agenda(world.secretariat, other, [world.proposed()])
    world.faps.council.record_outcome(world.secretariat, other, item, "rejetee", Decimal(0),
                                      "DEL-2024-003", (10, 40, 5), (50, 55))
    unconcerned = [p.export("pdf-deliberation", {"session": True, "item": 2}),
                   p.export("decisions", {"session_id": str(other), "format": "csv"})]
    rectify_item_1(p)
    after = p.export("pdf-deliberation", {"session": True, "item": 1})
    service = world.faps.reproduction
    superseded = service.superseded(world.auditor, service.records(world.auditor))
    assert {f.export_id for f in concerned} <= set(superseded)
    assert not {f.export_id for f in unconcerned} & set(superseded)
    assert after.export_id not in superseded


def test_new_documents_use_typographic_apostrophes_and_keep_the_old_templates(voted: Published):
    text = pdf_text(voted.export("pdf-deliberation", {"session": True, "item": 1}).data)
    assert "s’est réuni" in text and "Délibération n° DEL-2024-001 — Fonds d’aide" in text
    assert "'" not in text.replace("hôtel d'agglomération", "")  # as typed
    for template in PACKAGED.glob("*.txt"):
        assert "'" not in template.read_text(encoding="utf-8"), template.name
        assert (PREVIOUS / template.name).is_file()
