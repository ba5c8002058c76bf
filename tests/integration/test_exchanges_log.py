"""The exchanges' events on a real store: cited in the deliberation extract, sealed by the audit
chain, exported and replayed by `faps audit`, and upcast from their first shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from faps.domain.dossier import Dossier
from tests.conftest import build_faps
from tests.integration.test_audit import cli
from tests.integration.test_exports_pdf import text_of
from tests.integration.test_exports_tables import service
from tests.support import World, make_world


@pytest.fixture
def exchanged(tmp_path: Path, clock: Any) -> Iterator[tuple[World, Any]]:
    """A dossier corrected, discussed, given an opinion, then adopted; on a SQLite file."""
    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    w = make_world(faps, clock)
    dossier_id = w.proposed()
    faps.dossiers.request_information(w.officer, dossier_id, "Corrigez le montant.", (), None,
                                      ("requested_amount",))
    faps.dossiers.edit(w.agent, dossier_id, {"requested_amount": "30000.00"})
    faps.exchanges.reply(w.agent, dossier_id, "Montant corrigé.")
    faps.exchanges.accept_reply(w.officer, dossier_id)
    faps.exchanges.post(w.officer, dossier_id, "Merci.")
    opinion_id = faps.exchanges.request_opinion(w.officer, dossier_id, "ARS Île-de-France",
                                                "avis@ars.test", "Besoin ?",
                                                clock.now().date() + timedelta(days=10))
    token = faps.exchanges.opinion_link(dossier_id, opinion_id).rsplit("/", 1)[1]
    faps.exchanges.give_opinion(token, "reserve", "Sous réserve d'un second médecin.")
    faps.dossiers.declare_complete(w.officer, dossier_id)
    faps.dossiers.assess(w.officer, dossier_id)
    dossier = faps.dossiers.load(w.officer, dossier_id)
    assert dossier.assessment is not None
    faps.dossiers.propose(w.officer, dossier_id, dossier.assessment.grant, "Conforme.")
    session_id = w.session()
    (item,) = faps.council.add_to_agenda(w.secretariat, session_id, [dossier_id])
    faps.council.record_outcome(w.secretariat, session_id, item, "adoptee",
                                dossier.assessment.grant, "DEL-2024-077", (50, 3, 2), (52, 55))
    yield w, (str(session_id), item)
    faps.close()


def test_the_deliberation_extract_cites_the_opinion_given(exchanged) -> None:  # type: ignore[no-untyped-def]
    w, (session_id, item) = exchanged
    text = text_of(service(w).export(w.secretariat, "pdf-deliberation",
                                     {"session_id": session_id, "item": item}).data)
    flat = re.sub(r"\s+", " ", text)
    assert "Vu l’avis réservé émis par ARS Île-de-France le 5 février 2024" in flat.replace(
        "'", "’"), flat[:2000]


def test_the_chain_seals_and_the_replay_reads_the_new_events(exchanged,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    w, _ = exchanged
    assert cli(w, "audit", "verify").exit_code == 0
    out = tmp_path / "journal.jsonl"
    assert cli(w, "audit", "export", "-o", str(out)).exit_code == 0
    journal = out.read_text(encoding="utf-8")
    for kind in ("MessagePosted", "ReplyAccepted", "OpinionRequested", "OpinionGiven"):
        assert f"Dossier.{kind}" in journal, kind
    replayed = cli(w, "audit", "replay", str(out))
    assert replayed.exit_code == 0, replayed.output
    assert "FAPS-2024-001" in replayed.output


def test_first_shape_information_events_are_upcast(memory_world: World) -> None:
    w = memory_world
    dossier_id = w.assessed()
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    old = {"originator_id": dossier_id, "originator_version": dossier.version + 1,
           "timestamp": dossier.modified_on,
           "actor": w.officer, "request_id": uuid4(), "message": "Le bail ?",
           "document_kinds": (), "due_on": w.clock.now().date() + timedelta(days=5)}
    Dossier.InformationRequested.upcast_v1_v2(old)
    assert old["fields"] is None and old["assessment_voided"] is False
    event = Dossier.InformationRequested(**old)
    event.mutate(dossier)  # as the repository replays it: apply, then the state it leads to
    assert dossier.assessment is not None  # a v1 request never voided an assessment
    dossier.edit(w.agent, dossier.content.updated({"title": "Titre libre"}), w.clock.now())
    assert dossier.content.title == "Titre libre"  # v1: any field may be edited
    answered = {"request_id": old["request_id"], "message": "Voici."}
    Dossier.InformationProvided.upcast_v1_v2(answered)
    assert answered["missing_reason"] == ""
