"""A log written by the previous release still decodes and replays with today's code.

`tests/fixtures/previous-log-45df273.jsonl.gz` holds every stored event of a store that faps
45df273 filled (the demo and every other kind of event: see make_previous_log.py), byte for
byte. Every event is decoded by the current mapper and every aggregate replayed from them.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from faps.application.app import FapsApplication
from faps.domain.accounts import Account
from faps.domain.budget import YearlyBudget
from faps.domain.council import CouncilSession
from faps.domain.dossier import Dossier
from faps.domain.exports import ExportRecord
from faps.domain.reglement_book import BOOK_ID, ReglementBook
from faps.infrastructure.transcodings import faps_transcodings

FIXTURE = Path(__file__).parent.parent / "fixtures" / "previous-log-45df273.jsonl.gz"


def stored_events() -> list[StoredEvent]:
    """Return the fixture's events as the store gives them to the mapper."""
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [StoredEvent(originator_id=UUID(r["originator_id"]),
                        originator_version=r["version"], topic=r["topic"],
                        state=base64.b64decode(r["state"])) for r in rows]


@pytest.fixture(scope="module")
def replayed() -> dict[str, Any]:
    """Decode every event and replay every aggregate, on an in-memory store of today's app."""
    events = stored_events()
    app = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                          transcodings=faps_transcodings())
    decoded = [app.mapper.to_domain_event(e) for e in events]
    app.recorder.insert_events(events)
    aggregates = {e.originator_id: app.repository.get(e.originator_id) for e in events}
    return {"events": events, "decoded": decoded, "aggregates": list(aggregates.values()),
            "app": app}


def of(replayed: dict[str, Any], kind: type) -> list[Any]:
    return [a for a in replayed["aggregates"] if isinstance(a, kind)]


def test_every_stored_event_decodes_to_its_class(replayed):
    events, decoded = replayed["events"], replayed["decoded"]
    assert len(decoded) == len(events) > 1000
    assert sum(b'"_type_":"faps_actor"' in e.state for e in events) == len(events)  # version 0
    for stored, event in zip(events, decoded, strict=True):
        assert stored.topic.endswith(type(event).__qualname__)
        assert event.originator_version == stored.originator_version


def test_every_aggregate_replays_to_its_last_version(replayed):
    last = Counter[UUID]()
    for e in replayed["events"]:
        last[e.originator_id] = max(last[e.originator_id], e.originator_version)
    assert {a.id: a.version for a in replayed["aggregates"]} == dict(last)


def test_the_corrected_dossier_keeps_its_exchanges_vote_rectification_and_payments(replayed):
    (dossier,) = [d for d in of(replayed, Dossier)
                  if d.content.title == "Cabinet de kinésithérapie du centre-ville"]
    assert dossier.reference == "FAPS-2026-015"
    assert dossier.content.requested_amount == Decimal("22000.00")
    assert [o.verdict for o in dossier.opinions.values()] == ["favorable"]
    assert dossier.decision["reference"] == "DEL-2026-301"
    assert dossier.awarded_amount == Decimal("19687.50")  # 21,000 rectified, then retained
    assert dossier.net_paid == Decimal("19687.50") and dossier.remaining_to_pay == 0
    assert dossier.assessment is not None and dossier.assessment.grant > 0


def test_states_amounts_and_references_of_the_whole_fund(replayed):
    states = Counter(d.state.value for d in of(replayed, Dossier))
    assert sum(states.values()) == 47
    assert states["solde"] == 8 and states["caduc"] == 2 and states["retire"] == 3
    budgets = {b.year: b for b in of(replayed, YearlyBudget)}
    assert sorted(budgets) == [2024, 2025, 2026]
    assert budgets[2026].deliberation_reference == "DEL-2026-250"
    assert all(b.committed >= b.paid >= 0 for b in budgets.values())
    sessions = of(replayed, CouncilSession)
    items = [i for s in sessions for i in s.items.values()]
    assert len(items) == 33 and sum(i["withdrawn"] for i in items) == 2  # withdrawn, moved
    assert sum(1 for i in items if i.get("moved_to")) == 1
    assert sum(i["outcome"] == "adoptee" for i in items) == 23
    book = replayed["app"].repository.get(BOOK_ID)
    assert isinstance(book, ReglementBook)
    assert [v.version for v in book.versions] == ["2022-03-31"]
    assert book.versions[0].rate == Decimal("0.30")
    assert {e.kind for e in of(replayed, ExportRecord)} == {
        "decisions", "scdl-subventions", "pdf-deliberation"}


def test_accounts_keep_roles_activity_and_revoked_tokens(replayed):
    accounts = {a.email: a for a in of(replayed, Account)}
    trainee = accounts["stagiaire@agglo.test"]
    assert trainee.role.value == "instructeur" and trainee.active
    assert trainee.api_tokens == {}
    assert len(accounts) == 18


def test_the_exports_published_by_the_previous_release_regenerate_byte_for_byte(replayed):
    from faps.application.reproduction import ReproductionService
    from faps.domain.actors import Actor, Role
    from faps.infrastructure.communes_file import load_communes
    from faps.infrastructure.export_templates import TemplateFolders
    from faps.infrastructure.exports.formats import FileFormats

    auditor = Actor(account_id=UUID(int=7), email="auditeur@agglo.test", role=Role.AUDITOR,
                    name="Auditeur")
    service = ReproductionService(replayed["app"], load_communes(), FileFormats(),
                                  TemplateFolders())
    records = service.records(auditor)
    assert len(records) == 3
    for record in records:
        result = service.regenerate(auditor, record.id)
        assert result.ok, result.message
    # The deliberation was exported before its vote was rectified; the tables after it.
    superseded = service.superseded(auditor, records)
    assert [r.kind for r in records if r.id in superseded] == ["pdf-deliberation"]
