"""Deadlines: information requests, works start and balance delays, on a settable clock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from faps.application.deadlines import DeadlineService
from faps.domain.deadlines import GrantProgress, add_months, grant_deadlines
from tests.payments_support import request
from tests.support import World


def service(world: World) -> DeadlineService:
    return DeadlineService(world.faps.dossiers, world.faps.queries)


def test_months_are_added_calendar_wise() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)


def test_an_unanswered_information_request_is_listed_once_near_then_overdue(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.submitted()
    due = w.clock.now().date() + timedelta(days=30)
    w.faps.dossiers.request_information(w.officer, dossier_id, "Joignez le bail.", (), due)
    assert service(w).deadlines(w.officer) == []
    w.clock.advance(days=20)
    (near,) = service(w).deadlines(w.officer)
    assert (near.kind, near.overdue, near.status_label) == ("information", False, "Dans 10 jours")
    w.clock.advance(days=12)
    (late,) = service(w).deadlines(w.officer)
    assert late.overdue and late.status_label == "En retard de 2 jours"


def test_a_grant_without_any_payment_request_is_overdue_after_the_works_delay(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    decided = dossier.decision["decided_on"]  # type: ignore[index]
    svc = service(w)
    assert svc.deadlines(w.officer, today=decided) == []
    late = svc.deadlines(w.officer, today=add_months(decided, 12) + timedelta(days=1))
    assert [d.kind for d in late] == ["works_start"]
    assert late[0].reference == dossier.reference
    # Not lapsed by the clock: only an officer's decision lapses a grant.
    assert w.faps.dossiers.load(w.officer, dossier_id).state.value == "attribue"


def test_a_balance_not_requested_in_time_is_listed_and_a_commune_sees_only_its_own(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    request(w, dossier_id, "acompte", Decimal("1000.00"), Decimal("5000.00"))
    decided = w.faps.dossiers.load(w.officer, dossier_id).decision["decided_on"]  # type: ignore[index]
    today = add_months(decided, 36) + timedelta(days=3)
    assert [d.kind for d in service(w).deadlines(w.officer, today=today)] == ["balance"]
    assert [d.kind for d in service(w).deadlines(w.agent, today=today)] == ["balance"]
    assert service(w).deadlines(w.other_agent, today=today) == []


def test_a_reminder_names_the_missed_date_and_warns_of_lapse_only_for_a_grant(
        memory_world: World) -> None:
    from faps.application.notifications import reminder_mail

    w = memory_world
    asked = w.submitted()
    w.faps.dossiers.request_information(w.officer, asked, "Joignez le bail.", (),
                                        date(2024, 3, 6))
    w.awarded()
    w.clock.advance(days=400)  # both deadlines passed
    mails = {d.kind: reminder_mail(d, "https://faps.test")
             for d in service(w).deadlines(w.officer)}
    information, works = mails["information"], mails["works_start"]
    assert information.subject.startswith("[FAPS] Rappel : Réponse à la demande de compléments")
    assert ("votre réponse à la demande de compléments était attendue au plus tard le "
            "06/03/2024") in information.body
    assert "ne peut pas être instruit" in information.body
    assert "caducité" not in information.body
    assert "caducité de la subvention" in works.body and works.commune == "77258"


def _both(w: World, dossier_id: UUID, today: date) -> tuple[list[tuple[str, date]],
                                                         tuple[date | None, str | None]]:
    """Return the deadlines' list (officers, reminders) and the inbox's next deadline."""
    listed = [(d.kind, d.due_on) for d in service(w).deadlines(w.officer, today=today,
                                                                 near_days=5000)]
    row = w.faps.queries.dossier(w.officer, dossier_id)
    return listed, (row.next_deadline, row.next_deadline_label)


def test_a_pending_interim_request_proves_the_works_started_for_every_reader(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    decided = w.faps.dossiers.load(w.officer, dossier_id).decision["decided_on"]  # type: ignore[index]
    request(w, dossier_id, "acompte", Decimal("1000.00"), Decimal("5000.00"))  # not paid
    late = add_months(decided, 12) + timedelta(days=1)
    balance = add_months(decided, 36)
    assert _both(w, dossier_id, late) == ([("balance", balance)], (balance, "Demande de solde"))


def test_a_refused_request_proves_nothing_for_every_reader(memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    decided = w.faps.dossiers.load(w.officer, dossier_id).decision["decided_on"]  # type: ignore[index]
    request_id = request(w, dossier_id, "solde", Decimal("1000.00"), Decimal("5000.00"))
    w.faps.grants.refuse_payment(w.officer, dossier_id, request_id, "Pièces illisibles.")
    works = add_months(decided, 12)
    assert _both(w, dossier_id, works) == (
        [("works_start", works), ("balance", add_months(decided, 36))],
        (works, "Démarrage des travaux"))


def test_the_delays_run_from_the_notification_as_the_funding_agreement_says(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    w.clock.advance(days=40)
    w.faps.grants.notify(w.officer, dossier_id)
    notified = w.clock.now().date()
    works = add_months(notified, 12)
    assert _both(w, dossier_id, works) == (
        [("works_start", works), ("balance", add_months(notified, 36))],
        (works, "Démarrage des travaux"))


def test_the_grant_rule_lists_what_is_still_due_earliest_first() -> None:
    voted, notified = date(2024, 3, 1), date(2024, 3, 20)
    fresh = GrantProgress(voted, None, live_requests=0, balance_requested=False)
    assert grant_deadlines(fresh, 12, 36) == [("works_start", date(2025, 3, 1)),
                                              ("balance", date(2027, 3, 1))]
    started = GrantProgress(voted, notified, live_requests=1, balance_requested=False)
    assert grant_deadlines(started, 12, 36) == [("balance", date(2027, 3, 20))]
    asked = GrantProgress(voted, notified, live_requests=2, balance_requested=True)
    assert grant_deadlines(asked, 12, 36) == []
