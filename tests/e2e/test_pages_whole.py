"""Every page of every role, at 320 px and 1,280 px: no sideways scroll, no axe-core violation.

One browser, one context per role reused page after page; screenshots of each page at both
widths go to artifacts/screenshots/pages-<role>-<page>-<width>.png.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from faps.application.reproduction import recorded_exports
from tests.e2e.conftest import LiveServer, shot
from tests.support import World, pdf

WIDTHS = (320, 1280)
AXE = Axe()
# The rules axe-core runs: WCAG 2.1 A and AA, and its best practices, at the widest width; at
# the other widths, only the rules a layout can change (what is shown, its contrast, what
# scrolls), which keeps the run short.
AXE_ALL = {"runOnly": {"type": "tag",
                       "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
AXE_LAYOUT = {"runOnly": {"type": "rule",
                          "values": ["color-contrast", "scrollable-region-focusable",
                                     "landmark-unique", "region"]}}


def fill(world: World) -> dict[str, UUID]:
    """Give each page something to show: a draft, a filed dossier, an award paid then reduced."""
    faps, officer = world.faps, world.officer
    draft = world.drafted(title="Cabinet médical du centre — extension")
    filed = world.submitted(title="Maison de santé des Mandinet")
    awarded = world.awarded(title="Centre de santé de Lognes, quartier du Segrais")
    dossier = faps.dossiers.load(officer, awarded)
    faps.grants.notify(world.secretariat, awarded)
    faps.grants.sign_agreement(officer, awarded, "CONV-FAPS-2024-01", world.clock.now().date())
    reglement = faps.reglements.get(dossier.reglement_version or "")
    docs = tuple(faps.dossiers.attach(world.agent, awarded, k.code, f"{k.code}.pdf", pdf(k.code))
                 for k in reglement.documents_at_advance)
    advance = (dossier.awarded_amount * reglement.advance_rate).quantize(Decimal("1"))
    request = faps.grants.request_payment(world.agent, awarded, "avance", advance,
                                          Decimal("1000.00"), docs)
    world.clock.advance(days=3)
    faps.grants.make_payment(officer, awarded, request, advance, world.clock.now().date(),
                             "MANDAT-2024-001")
    assert dossier.assessment is not None
    real = (dossier.assessment.figures.eligible_base * Decimal("0.8")).quantize(Decimal("1"))
    faps.grants.reduce(officer, awarded, real, "Dépenses réalisées inférieures au prévisionnel.")
    world.clock.advance(days=1)
    return {"draft": draft, "filed": filed, "awarded": awarded,
            "session": dossier.session_id or UUID(int=0)}


def pages_of(ids: dict[str, UUID], session: UUID) -> dict[str, list[tuple[str, str]]]:
    """Return each role's main pages (name, path)."""
    awarded, filed = ids["awarded"], ids["filed"]
    public = [("mentions-legales", "/mentions-legales"), ("accessibilite", "/accessibilite"),
              ("donnees-personnelles", "/donnees-personnelles"), ("aide", "/aide")]
    return {
        "anonyme": [("connexion", "/connexion"), *public],
        "agent": [("mes-dossiers", "/commune/dossiers"),
                  ("dossier-attribue", f"/commune/dossiers/{awarded}"),
                  ("dossier-depose", f"/commune/dossiers/{filed}"),
                  ("brouillon", f"/commune/dossiers/{ids['draft']}"),
                  ("brouillon-modifier", f"/commune/dossiers/{ids['draft']}/modifier"),
                  ("accuse", f"/commune/dossiers/{filed}/accuse-de-reception"),
                  ("nouveau", "/commune/dossiers/nouveau"),
                  ("simulateur", "/commune/simulateur"), ("reglement", "/reglement/")],
        "officer": [("instruction", "/instruction/"),
                    ("dossier", f"/instruction/dossiers/{awarded}"),
                    ("dossier-depose", f"/instruction/dossiers/{filed}"),
                    ("echeances", "/finances/echeances"), ("budget", "/finances/budget"),
                    ("versements", "/finances/versements"),
                    ("versements-dossier", f"/finances/dossiers/{awarded}/versements")],
        "secretariat": [("seances", "/assemblees/"), ("seance", f"/assemblees/seances/{session}"),
                        ("deliberations-municipales", "/assemblees/deliberations-municipales"),
                        ("exports", "/exports/"),
                        ("exports-seance", f"/exports/seances/{session}")],
        "auditor": [("audit", "/audit/"), ("audit-dossier", f"/audit/dossiers/{awarded}"),
                    ("fonds", "/audit/fonds"), ("ecarts", "/audit/ecarts"),
                    ("exports-enregistres", "/exports/enregistres")],
        "admin": [("comptes", "/admin/comptes"), ("nouveau-compte", "/admin/comptes/nouveau")],
    }


@pytest.fixture(scope="module")
def role_pages(live_server: LiveServer) -> dict[str, list[tuple[str, str]]]:
    """Fill the live server once and return every role's pages."""
    ids = fill(live_server.world)
    return pages_of(ids, ids["session"])


def overflow(page: Any) -> int:
    """Return by how many pixels the page scrolls sideways (0: it does not)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


WIDEST = """() => {
  const out = e => e.getBoundingClientRect().right > window.innerWidth + 1;
  const scrolled = e => e.parentElement && e.parentElement.closest('.table-scroll');
  return [...document.querySelectorAll('body *')]
    .filter(e => !scrolled(e) && out(e) && ![...e.children].some(out))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (typeof e.className === 'string' && e.className ? '.' + e.className : ''));
}"""


def widest(page: Any) -> str:
    """Return the elements that stick out of the screen (the innermost ones), to fix them."""
    return ", ".join(page.evaluate(WIDEST))


def violations(page: Any, options: dict[str, Any]) -> list[str]:
    """Return axe-core's violations on the page, one line each (rule, impact, nodes)."""
    found = AXE.run(page, options=options).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + " | ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                         for n in v["nodes"][:3]) for v in found]


@pytest.mark.parametrize("role", ["anonyme", "agent", "officer", "secretariat", "auditor",
                                  "admin"])
def test_every_page_of_a_role_fits_320_and_1280_px_without_an_axe_violation(
    role: str, role_pages: dict[str, list[tuple[str, str]]],
    new_page: Callable[[], Any], login: Callable[[Any, str], None],
):
    page = new_page()
    if role != "anonyme":
        login(page, role)
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in role_pages[role]:
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response}"
            shot(page, f"pages-{role}-{name}-{width}")
            extra = overflow(page)
            if extra > 0:
                problems.append(f"{width} px, {path}: the page scrolls {extra} px sideways "
                                f"({widest(page)})")
            rules = AXE_ALL if width == max(WIDTHS) else AXE_LAYOUT
            problems += [f"{width} px, {path}: {v}" for v in violations(page, rules)]
    assert not problems, "\n".join(problems)


def test_the_header_leaves_a_phone_most_of_its_height(
    role_pages: dict[str, list[tuple[str, str]]], new_page: Callable[[], Any],
    login: Callable[[Any, str], None],
):
    page = new_page()
    login(page, "officer")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/instruction/")
    height = page.evaluate("document.querySelector('.site-header').offsetHeight")
    assert height <= 640 / 4, f"the header takes {height} px of 640"


def test_the_officer_list_shows_its_instructeur_column_at_1280_px(
    role_pages: dict[str, list[tuple[str, str]]], new_page: Callable[[], Any],
    login: Callable[[Any, str], None],
):
    page = new_page()
    login(page, "officer")
    page.goto("/instruction/")
    header = page.get_by_role("columnheader", name="Instructeur").bounding_box()
    assert header is not None and header["x"] + header["width"] <= 1280


def test_a_saved_view_keeps_its_checked_states(
    role_pages: dict[str, list[tuple[str, str]]], new_page: Callable[[], Any],
    login: Callable[[Any, str], None],
):
    page = new_page()
    login(page, "officer")
    page.goto("/instruction/")
    page.get_by_role("checkbox", name="Déposé").check()
    page.get_by_role("checkbox", name="Attribué").check()
    page.get_by_label("Enregistrer les filtres actuels sous le nom").fill("Déposés et attribués")
    page.get_by_role("button", name="Enregistrer la vue").click()
    page.get_by_role("link", name="Déposés et attribués").click()
    assert page.get_by_role("checkbox", name="Déposé").is_checked()
    assert page.get_by_role("checkbox", name="Attribué").is_checked()
    assert not page.get_by_role("checkbox", name="Instruit", exact=True).is_checked()
    # Drafts are hidden from officers: the État filter does not offer them.
    expect(page.get_by_role("checkbox", name="Brouillon")).to_have_count(0)


def test_a_commune_downloads_its_receipt_and_decision_documents_as_pdf(
    role_pages: dict[str, list[tuple[str, str]]], new_page: Callable[[], Any],
    login: Callable[[Any, str], None], live_server: LiveServer,
):
    page = new_page()
    login(page, "agent")
    awarded = role_pages["agent"][1][1]
    page.goto(awarded)
    before = len(recorded_exports(live_server.world.faps.app))
    names = []
    for label in ("Accusé de réception", "Lettre de notification", "Convention de financement",
                  "Extrait de délibération"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        names.append(download.value.suggested_filename)
        assert download.value.path().read_bytes().startswith(b"%PDF")
    assert names[0].startswith("accuse-reception-FAPS-") and names[0].endswith(".pdf")
    recorded = recorded_exports(live_server.world.faps.app)  # each download, like every export
    assert len(recorded) == before + 4 and recorded[0].file_name == names[-1]
