"""The auditor's space: search, timelines, a dossier and the fund as of a date, differences."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from tests.support import World
from tests.web.test_instruction import text_of

SignedIn = Callable[[str], FlaskClient]


def adopted_after_a_month(world: World):  # type: ignore[no-untyped-def]
    """Return a dossier proposed in February and awarded in March, and the two dates."""
    dossier_id = world.proposed()
    before = world.clock.now().date()
    world.clock.advance(days=30)
    session_id = world.session(on=world.clock.now().date())
    (item,) = world.faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    world.faps.council.record_outcome(world.secretariat, session_id, item, "adoptee",
                                      Decimal("30000"), "DEL-2024-040", (50, 2, 1), (53, 55))
    return dossier_id, before, world.clock.now().date()


@pytest.mark.parametrize("path", ["/audit/", "/audit/fonds", "/audit/ecarts"])
def test_only_auditors_reach_the_audit_space(signed_in: SignedIn, path: str):
    assert signed_in("auditor").get(path).status_code == 200
    for who in ("officer", "secretariat", "agent", "admin"):
        assert signed_in(who).get(path).status_code == 403


def test_the_audit_space_has_no_form_that_writes(signed_in: SignedIn, web_world: World):
    dossier_id, _, _ = adopted_after_a_month(web_world)
    auditor = signed_in("auditor")
    for path in ("/audit/", f"/audit/dossiers/{dossier_id}", "/audit/fonds", "/audit/ecarts"):
        page = text_of(auditor.get(path))
        assert page.count('method="post"') == 1  # the sign-out button only
    assert auditor.post("/audit/", data={}).status_code in (400, 405)


def test_a_reference_leads_to_the_dossier(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    reference = web_world.faps.dossiers.load(web_world.auditor, dossier_id).reference
    response = signed_in("auditor").get(f"/audit/?q={reference.lower()}")
    assert response.status_code == 302 and str(dossier_id) in response.headers["Location"]
    assert "Aucun dossier" in text_of(signed_in("auditor").get("/audit/?q=FAPS-1999-999"))


def test_the_timeline_tells_who_when_what_why_and_the_state_before_the_vote(
    signed_in: SignedIn, web_world: World
):
    dossier_id, before, _ = adopted_after_a_month(web_world)
    web_world.faps.dossiers.add_note(web_world.officer, dossier_id, "Note interne visible.")
    auditor = signed_in("auditor")
    page = text_of(auditor.get(f"/audit/dossiers/{dossier_id}"))
    for expected in ("Dossier déposé", "Vote du conseil", "Agent communal", "Lognes",
                     "Note interne visible.", "instructeur"):
        assert expected in page, expected
    assert "interne interne" not in re.sub(r"<[^>]+>", "", page)  # the label says it once
    then = text_of(auditor.get(f"/audit/dossiers/{dossier_id}?as_of={before.isoformat()}"))
    assert "Proposé au conseil" in then.split("Chronologie")[0]
    first = text_of(auditor.get(f"/audit/dossiers/{dossier_id}?version=1"))
    assert "Brouillon" in first.split("Chronologie")[0]
    bad = text_of(auditor.get(f"/audit/dossiers/{dossier_id}?as_of=hier"))
    assert 'id="e-as_of"' in bad
    assert signed_in("auditor").get(f"/audit/dossiers/{dossier_id}?version=999").status_code \
        == 404


def test_the_fund_as_of_a_date_and_the_differences_between_two(
    signed_in: SignedIn, web_world: World
):
    _, before, after = adopted_after_a_month(web_world)
    auditor = signed_in("auditor")
    then = text_of(auditor.get(f"/audit/fonds?as_of={before.isoformat()}"))
    assert "Proposé au conseil" in then and "1 000 000,00 €" in then
    now = text_of(auditor.get(f"/audit/fonds?as_of={after.isoformat()}"))
    assert "Attribué" in now and "30 000,00 €" in now
    diff = text_of(auditor.get(f"/audit/ecarts?from={before.isoformat()}&to={after.isoformat()}"))
    assert "Proposé au conseil → Attribué" in diff and "+30 000,00 €" in diff


def test_the_differences_are_paged_and_counted(signed_in: SignedIn, web_world: World,
                                               monkeypatch: pytest.MonkeyPatch):
    from faps.web import audit

    before = web_world.clock.now().date()
    web_world.clock.advance(days=2)
    references = sorted(web_world.faps.dossiers.load(web_world.officer, web_world.submitted())
                        .reference for _ in range(3))
    after = web_world.clock.now().date()
    monkeypatch.setattr(audit, "CHANGES_PER_PAGE", 2)
    auditor = signed_in("auditor")
    path = f"/audit/ecarts?from={before.isoformat()}&to={after.isoformat()}"
    first, second = text_of(auditor.get(path)), text_of(auditor.get(f"{path}&page=2"))
    assert "Dossiers modifiés (3)" in first and "Page 1 sur 2" in first
    assert [r in first for r in references] == [True, True, False]
    assert [r in second for r in references] == [False, False, True]
    past = text_of(auditor.get(f"{path}&page=3"))  # no changes there, yet 3 in the period
    assert "Cette page est au-delà de la dernière" in past and "Aucun changement" not in past
    fund = text_of(auditor.get(f"/audit/fonds?as_of={after.isoformat()}&page=99"))
    assert "Cette page est au-delà de la dernière" in fund and "Aucun dossier" not in fund
