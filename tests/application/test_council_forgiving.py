"""Issue 12, point 4: items moved before their session; votes rectified after it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from faps.domain.errors import FapsError, InvalidInputError
from tests.payments_support import pay
from tests.support import World


def test_an_item_moves_to_another_session_before_its_vote(memory_world: World) -> None:
    w = memory_world
    dossier_id = w.proposed()
    march, april = w.session(date(2024, 3, 1)), w.session(date(2024, 4, 5))
    (item,) = w.faps.council.add_to_agenda(w.secretariat, march, [dossier_id])
    with pytest.raises(InvalidInputError):
        w.faps.council.move_item(w.secretariat, march, item, april, "  ")
    number = w.faps.council.move_item(w.secretariat, march, item, april, "Avis ARS attendu.")
    first, second = (w.faps.council.load(w.auditor, s) for s in (march, april))
    assert first.items[item]["withdrawn"] and first.items[item]["moved_to"] == april
    assert first.waiting_items == [] and second.items[number]["dossier_id"] == dossier_id
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    assert (dossier.session_id, dossier.agenda_item) == (april, number)


def test_a_rectified_vote_changes_the_award_the_commitment_and_the_session(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    assert dossier.decision is not None
    session_id, item = dossier.decision["session_id"], dossier.agenda_item
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    council = w.faps.council
    with pytest.raises(InvalidInputError, match="motive"):
        council.rectify_outcome(w.secretariat, session_id, item, Decimal("29000.00"), "DEL-R",
                                (50, 3, 2), (52, 55), "")
    with pytest.raises(FapsError):  # below what was already paid
        council.rectify_outcome(w.secretariat, session_id, item, Decimal("8000.00"), "DEL-R",
                                (50, 3, 2), (52, 55), "Erreur de saisie.")
    council.rectify_outcome(w.secretariat, session_id, item, Decimal("29000.00"),
                            "DEL-2024-017", (50, 4, 1), (52, 55), "Erreur de saisie du montant.")
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    assert dossier.awarded_amount == Decimal("29000.00")
    assert dossier.decision is not None and dossier.decision["reference"] == "DEL-2024-017"
    assert dossier.decision["rectified"] == "Erreur de saisie du montant."
    assert dossier.decision["outcome"] == "adoptee" and dossier.remaining_to_pay == 20000
    budget = w.faps.budgets.get(w.auditor, 2024)
    assert budget.commitments[dossier_id]["amount"] == Decimal("29000.00")
    session = council.load(w.auditor, session_id)
    assert session.items[item]["amount_awarded"] == Decimal("29000.00")
    assert session.items[item]["votes_against"] == 4
    w.faps.projections.catch_up()
    row = w.faps.queries.dossier(w.officer, dossier_id)
    assert row.awarded == Decimal("29000.00")
    labels = [r.label for r in w.faps.queries.timeline(w.officer, dossier_id)]
    assert "Délibération rectifiée (erreur matérielle)" in labels
