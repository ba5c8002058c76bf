"""The deadlines page's query: a page of dossiers by their earliest deadline, counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from faps.domain.deadlines import add_months
from tests.support import World


def _three(w: World) -> tuple[UUID, UUID, UUID, date]:
    """Return a grant (works start, then balance) and two dossiers asked for pieces, and the
    day the grant's works start is one day late."""
    grant = w.awarded()
    decided = w.faps.dossiers.load(w.officer, grant).decision["decided_on"]  # type: ignore[index]
    late, early = w.submitted(), w.submitted()
    w.faps.dossiers.request_information(w.officer, late, "Joignez le bail.", (),
                                        add_months(decided, 12) + timedelta(days=3))
    w.faps.dossiers.request_information(w.officer, early, "Joignez le plan.", (),
                                        decided + timedelta(days=30))
    return grant, late, early, add_months(decided, 12) + timedelta(days=1)


def test_the_pages_hold_whole_dossiers_by_earliest_deadline_and_count_them(world: World) -> None:
    w = world
    grant, late, early, today = _three(w)
    service = w.faps.deadlines
    first = service.deadlines_page(w.officer, today, page=1, per_page=2, near_days=5000)
    second = service.deadlines_page(w.officer, today, page=2, per_page=2, near_days=5000)
    assert (first.total, first.pages, second.total, second.page) == (3, 2, 3, 2)
    assert [line.dossier_id for line in first.items + second.items] == [early, grant, late]
    # The grant's two deadlines stay together on its line, earliest first.
    assert [d.kind for d in first.items[1].deadlines] == ["works_start", "balance"]
    listed = [d for line in first.items + second.items for d in line.deadlines]
    assert sorted(listed, key=lambda d: (d.due_on, d.reference, d.kind)) == service.deadlines(
        w.officer, today, 5000)


def test_a_page_holds_only_what_is_overdue_or_near_and_only_the_readers_commune(
        world: World) -> None:
    w = world
    grant, late, early, today = _three(w)
    page = w.faps.deadlines.deadlines_page(w.officer, today)  # 15 days ahead: not the balance
    assert [(line.dossier_id, [d.kind for d in line.deadlines]) for line in page.items] == [
        (early, ["information"]), (grant, ["works_start"]), (late, ["information"])]
    assert [d.status_label for line in page.items for d in line.deadlines][1:] == [
        "En retard de 1 jour", "Dans 2 jours"]
    assert w.faps.deadlines.deadlines_page(w.agent, today).total == 3
    nothing = w.faps.deadlines.deadlines_page(w.other_agent, today)
    assert (nothing.total, nothing.items, nothing.pages) == (0, [], 1)
    assert w.faps.deadlines.deadlines_page(w.officer, today - timedelta(days=400)).total == 0
