"""The read side as the pages use it: filters, access policy, timeline, money, deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from faps.application.queries import DossierFilter
from faps.domain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.integration.readmodels_history import pay_advance
from tests.support import World, pdf


def test_a_command_is_visible_in_the_list_as_soon_as_it_returns(world: World):
    dossier_id = world.submitted(title="Cabinet de kinésithérapie")
    row = world.faps.queries.dossier(world.officer, dossier_id)
    assert (row.reference, row.state, row.title) == ("FAPS-2024-001", "depose",
                                                      "Cabinet de kinésithérapie")
    assert row.requested == Decimal("40000.00")
    assert row.submitted_on == date(2024, 2, 5)
    assert row.version == world.faps.dossiers.load(world.officer, dossier_id).version


def test_a_commune_agent_sees_only_their_commune(memory_world: World):
    w = memory_world
    ours = w.drafted()
    theirs = w.faps.dossiers.draft(w.other_agent, "77108", {"title": "Centre de Chelles"})
    queries = w.faps.queries
    page = queries.dossiers(w.agent, DossierFilter(commune="77108"))
    assert [r.dossier_id for r in page.items] == [ours]
    with pytest.raises(NotFoundError):
        queries.dossier(w.agent, theirs)
    with pytest.raises(NotFoundError):
        queries.timeline(w.agent, theirs)
    # Drafts belong to their commune until filed: officers list none of them.
    assert queries.dossiers(w.officer, DossierFilter()).total == 0


def test_the_list_filters_sorts_and_pages(memory_world: World):
    w = memory_world
    for i in range(5):
        w.clock.advance(hours=1)
        w.submitted(title=f"Projet {i}", requested_amount=f"{10000 + i * 1000}.00")
    w.drafted(title="Brouillon isolé")
    q = w.faps.queries
    page = q.dossiers(w.officer, DossierFilter(states=("depose",), sort="-requested",
                                               per_page=2, page=2))
    assert (page.total, page.pages) == (5, 3)
    assert [r.title for r in page.items] == ["Projet 2", "Projet 1"]
    assert q.dossiers(w.officer, DossierFilter(text="isolé")).total == 0  # a draft: not theirs
    assert q.dossiers(w.agent, DossierFilter(text="isolé")).total == 1
    assert q.dossiers(w.officer, DossierFilter(text="faps-2024-003")).items[0].title == "Projet 2"
    assert q.dossiers(w.officer, DossierFilter(text="lognes")).total == 5
    assert q.dossiers(w.agent, DossierFilter(text="lognes")).total == 6
    assert q.dossiers(w.officer, DossierFilter(year=2023)).total == 0
    with pytest.raises(InvalidInputError):
        q.dossiers(w.officer, DossierFilter(sort="title"))


def test_the_timeline_says_which_fields_changed_and_hides_notes_from_communes(
        memory_world: World):
    w = memory_world
    dossier_id = w.drafted()
    w.faps.dossiers.edit(w.agent, dossier_id, {"title": "Cabinet dentaire"})
    w.faps.dossiers.attach(w.agent, dossier_id, "devis", "devis.pdf", b"%PDF-1.4 devis")
    edit = w.faps.queries.timeline(w.agent, dossier_id)[1]
    assert (edit.kind, edit.actor_name, edit.actor_role) == ("Edited", "agent", "agent_commune")
    assert edit.changes == [("title", "Maison de santé pluriprofessionnelle", "Cabinet dentaire")]
    for kind in ("devis", "note_presentation", "deliberation_municipale", "plan_financement",
                 "titre_occupation"):
        w.faps.dossiers.attach(w.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
    w.faps.dossiers.submit(w.agent, dossier_id)
    w.faps.dossiers.add_note(w.officer, dossier_id, "Dossier sensible.")
    officer_view = w.faps.queries.timeline(w.officer, dossier_id)
    assert officer_view[-1].private and officer_view[-1].summary == "Dossier sensible."
    assert "NoteAdded" not in [r.kind for r in w.faps.queries.timeline(w.agent, dossier_id)]
    documents = w.faps.queries.documents(w.agent, dossier_id)
    assert len(documents) == 6 and not any(d.removed for d in documents)


def test_next_deadlines_follow_the_dossier(memory_world: World):
    w = memory_world
    waiting = w.submitted()
    w.faps.dossiers.request_information(w.officer, waiting, "Le bail, svp.")
    row = w.faps.queries.dossier(w.officer, waiting)
    assert (row.next_deadline, row.next_deadline_label) == (
        date(2024, 2, 5) + timedelta(days=30), "Réponse attendue")
    awarded = w.awarded()
    row = w.faps.queries.dossier(w.officer, awarded)
    assert (row.next_deadline, row.next_deadline_label) == (date(2025, 2, 5),
                                                            "Démarrage des travaux")
    pay_advance(w, awarded, Decimal("9000.00"))
    row = w.faps.queries.dossier(w.officer, awarded)
    assert (row.next_deadline, row.next_deadline_label, row.paid) == (
        date(2027, 2, 5), "Demande de solde", Decimal("9000.00"))
    assert w.faps.queries.dossiers(w.officer, DossierFilter(sort="next_deadline")).items[0] \
        .dossier_id == waiting


def test_budget_ledger_sessions_and_accounts(world: World):
    awarded = world.awarded()
    pay_advance(world, awarded, Decimal("9000.00"))
    q = world.faps.queries
    budget = q.budget(world.auditor, 2024)
    assert budget is not None
    assert (budget.voted, budget.committed, budget.paid, budget.remaining) == (
        Decimal("1000000.00"), Decimal("30000.00"), Decimal("9000.00"), Decimal("970000.00"))
    assert [(line.commune_name, line.committed) for line in budget.lines] == [
        ("Lognes", Decimal("30000.00"))]
    assert q.budget_years(world.auditor) == [2024] and q.budget(world.auditor, 2023) is None
    (payment,) = q.payments(world.auditor, 2024)
    assert (payment.kind, payment.amount, payment.reference) == (
        "avance", Decimal("9000.00"), "FAPS-2024-001")
    assert q.payments(world.auditor, 2025) == []
    (session,) = q.sessions(world.secretariat)
    (item,) = q.agenda(world.secretariat, session.session_id)
    assert (session.items_count, item.outcome, item.votes_for) == (1, "adoptee", 50)
    assert [a.email for a in q.officers()] == ["instructeur@agglo.test"]
    assert len(q.accounts(world.admin)) == 6
    with pytest.raises(PermissionDeniedError):
        q.accounts(world.officer)
    with pytest.raises(PermissionDeniedError):
        q.sessions(world.agent)


def test_a_list_of_chosen_states_sorted_by_a_nullable_key_puts_its_nulls_last(world: World):
    # On SQLite a chosen state's list puts nulls last with a leading `IS NULL` (so that the
    # states' index finds the rows); every store gives the same order.
    drafts = [world.drafted(title=f"Brouillon {i}") for i in range(2)]
    filed = [world.submitted(title=f"Déposé {i}") for i in range(3)]
    for sort in ("reference", "-reference"):
        page = world.faps.queries.dossiers(world.agent, DossierFilter(
            states=("brouillon", "depose"), sort=sort))
        references = [row.reference for row in page.items]
        shown = sorted(r for r in references if r)
        assert references == [*(shown if sort == "reference" else shown[::-1]), None, None]
        assert {row.dossier_id for row in page.items} == {*drafts, *filed}
