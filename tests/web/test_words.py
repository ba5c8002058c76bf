"""Every word right: no page of any role, no PDF, no history speaks the machine's language.

The demo data (three years of dossiers in every state, sessions, payments) are written into an
in-memory store; a browser signed in as each role follows every link of its space, and the
text a person reads is scanned for field codes, Python literals, ISO dates and placeholders.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID as UUID_OF

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from faps.application.demo import Demo, demo_clock
from faps.bootstrap import Faps
from faps.domain.actors import SYSTEM_ACTOR, Role
from faps.web import create_app
from tests.conftest import build_faps
from tests.support import FILING_KINDS, pdf
from tests.web.conftest import csrf_of

CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # premises_tenure, travaux_amenagement
LITERAL = re.compile(r"\{'|\['|\[\]|Decimal\(|\bNone\b|\bTrue\b|\bFalse\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PLACEHOLDER = re.compile(r"à confirmer|\(s\)", re.IGNORECASE)
SKIPPED = ("/deconnexion", "/api/", "/static/", "/pieces/")
PER_SHAPE = 40  # pages of one shape (same path once identifiers are masked) visited per role
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class VisibleText(HTMLParser):
    """The text of a page a person reads: no scripts, styles or attribute values.

    `<code>` marks an identifier shown on purpose to integrators (a webhook's event type): it is
    left out, the label beside it is read.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def faults(text: str) -> list[str]:
    """Return what a person should never read in this text."""
    found = [f"code « {m} »" for m in CODE.findall(text)]
    found += [f"littéral « {m} »" for m in LITERAL.findall(text)]
    found += [f"date ISO « {m} »" for m in ISO_DAY.findall(text)]
    found += [f"« {m} »" for m in PLACEHOLDER.findall(text)]
    return found


def shape(url: str) -> str:
    """Return a page's shape: its path with identifiers masked, and its query's keys."""
    parts = urlsplit(url)
    keys = sorted(p.split("=")[0] for p in parts.query.split("&") if p)
    path = re.sub(r"/\d+(?=/|$)", "/N", UUID.sub("ID", parts.path))
    return f"{path}?{'&'.join(keys)}"


class Demo_:
    """The demo written into one in-memory faps, with its accounts' passwords."""

    def __init__(self, faps: Faps, accounts: dict[Role, Any]) -> None:
        self.faps = faps
        self.accounts = accounts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo_]:
    """Write the demo once for the module (in memory, fast hashing)."""
    clock = demo_clock(date.today())
    faps = build_faps("memory://", tmp_path_factory.mktemp("words"), clock)
    with faps.unit_of_work():
        result = Demo(faps, clock, date.today()).run()
    commune = edit_a_draft(faps, {a.commune: a.email for a in result.accounts if a.commune})
    accounts: dict[Role, Any] = {}
    for account in result.accounts:
        if account.password and account.role not in accounts and account.commune in (None,
                                                                                     commune):
            accounts[account.role] = account
    yield Demo_(faps, accounts)
    faps.close()


def edit_a_draft(faps: Faps, agents: dict[str, str]) -> str:
    """Let a commune agent change a draft of the demo: an expense line, a funding, the amount."""
    from faps.application.queries import DossierFilter

    draft = faps.queries.dossiers(SYSTEM_ACTOR, DossierFilter(states=("brouillon",))).items[0]
    account = faps.accounts.by_email(agents[draft.commune])
    assert account is not None
    agent = account.as_actor()
    content = faps.dossiers.load(agent, draft.dossier_id).content
    expenses = [e.model_dump(mode="json") for e in content.expenses]
    faps.dossiers.edit(agent, draft.dossier_id, {
        "expenses": [*expenses, {"label": "Fauteuils et tables d'examen",
                                 "category": "equipement_specifique", "amount_ht": "24500.00",
                                 "vat": "4900.00"}],
        "public_funding": [{"funder": "Région Île-de-France", "amount": "12000.00"}],
        "premises_tenure": "locataire", "requested_amount": "32850.00"})
    # Filed, so that the auditor reads it too: a draft belongs to its commune alone.
    attached = faps.dossiers.load(agent, draft.dossier_id).document_kinds
    for kind in FILING_KINDS:
        if kind not in attached:
            faps.dossiers.attach(agent, draft.dossier_id, kind, f"{kind}.pdf", pdf(kind))
    faps.dossiers.submit(agent, draft.dossier_id)
    return str(draft.commune)


@pytest.fixture(scope="module")
def demo_app(demo: Demo_) -> Flask:
    """The web application on the demo."""
    return create_app({"TESTING": True}, faps=demo.faps)


def signed(app: Flask, demo: Demo_, role: Role) -> FlaskClient:
    """Return a browser signed in with the demo account of a role."""
    browser = app.test_client()
    account = demo.accounts[role]
    answer = browser.post("/connexion", data={"email": account.email,
                                              "password": account.password,
                                              "csrf_token": csrf_of(browser)})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return browser


def crawl(browser: FlaskClient, start: str = "/") -> dict[str, str]:
    """Follow every link of a role's space from `start`; return {url: visible text}."""
    seen: dict[str, str] = {}
    shapes: Counter[str] = Counter()
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in seen or any(s in url for s in SKIPPED) or shapes[shape(url)] >= PER_SHAPE:
            continue
        shapes[shape(url)] += 1
        answer = browser.get(url)
        if answer.status_code in (301, 302):
            queue.append(urlsplit(answer.headers["Location"]).path)
            seen[url] = ""
            continue
        assert answer.status_code == 200, (url, answer.status_code)
        if not answer.content_type.startswith("text/html"):
            seen[url] = ""
            continue
        page = VisibleText()
        page.feed(answer.get_data(as_text=True))
        seen[url] = " ".join(page.parts)
        queue += [link for link in page.links if link not in seen]
    return seen


@pytest.mark.parametrize("role", [Role.COMMUNE_AGENT, Role.FINANCE_OFFICER, Role.SECRETARIAT,
                                  Role.AUDITOR, Role.ADMINISTRATOR])
def test_no_page_of_any_role_shows_codes_literals_iso_dates_or_placeholders(
        demo_app: Flask, demo: Demo_, role: Role) -> None:
    pages = crawl(signed(demo_app, demo, role))
    assert len(pages) >= 5, pages.keys()
    found = {url: problems for url, text in pages.items() if (problems := faults(text))}
    assert not found, "\n".join(f"{url}: {', '.join(sorted(set(p))[:8])}"
                                for url, p in sorted(found.items())[:25])


def test_the_auditor_sees_a_dossier_at_a_version_whole_and_its_history_in_french(
        demo_app: Flask, demo: Demo_) -> None:
    browser = signed(demo_app, demo, Role.AUDITOR)
    edited, version = edited_dossier(demo.faps)
    page = VisibleText()
    page.feed(browser.get(f"/audit/dossiers/{edited}?version={version}").get_data(as_text=True))
    text = " ".join(page.parts)
    assert f"Dépenses à la version {version}" in text
    assert "Fauteuils et tables d'examen" in text and "24\u202f500,00\u00a0€" in text
    assert "Région Île-de-France" in text and "12\u202f000,00\u00a0€" in text
    before = VisibleText()
    before.feed(browser.get(f"/audit/dossiers/{edited}?version={version - 1}")
                .get_data(as_text=True))
    was = " ".join(before.parts)
    assert "Fauteuils" not in was[was.index("Dépenses à la version"):was.index("Chronologie")]
    for path in (f"/audit/dossiers/{edited}", f"/commune/dossiers/{edited}"):
        who = Role.AUDITOR if path.startswith("/audit") else Role.COMMUNE_AGENT
        whole = VisibleText()
        whole.feed(signed(demo_app, demo, who).get(path).get_data(as_text=True))
        history = " ".join(whole.parts)
        assert ("Dépense ajoutée\u202f: Fauteuils et tables d'examen, 24\u202f500,00\u00a0€ HT"
                in history), path
        assert "Financement public ajouté\u202f: Région Île-de-France, 12\u202f000,00\u00a0€" \
            in history
        assert re.search(r"Montant sollicité\u202f: [\d\u202f]+,\d\d\u00a0€ → "
                         r"32\u202f850,00\u00a0€", history), path


def edited_dossier(faps: Faps) -> tuple[str, int]:
    """Return the demo dossier whose content was edited, and the version of the edit."""
    for row in faps.queries.dossiers(SYSTEM_ACTOR, _every()).items:
        timeline = faps.queries.timeline(SYSTEM_ACTOR, row.dossier_id)
        for t in timeline:
            if t.kind == "Edited" and "Fauteuils" in str(t.changes):
                return str(row.dossier_id), t.version
    raise AssertionError("the demo has no edited dossier")


def _every() -> Any:
    from faps.application.queries import DossierFilter

    return DossierFilter(per_page=500)


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_no_generated_pdf_shows_codes_iso_dates_or_placeholders(demo: Demo_) -> None:
    faps = demo.faps
    account = faps.accounts.by_email(demo.accounts[Role.SECRETARIAT].email)
    assert account is not None
    secretary = account.as_actor()
    service = faps.exports
    made = []
    for session in faps.queries.sessions(secretary):
        for item in faps.queries.agenda(secretary, session.session_id):
            if item.outcome != "adoptee":
                continue
            for kind in ("pdf-deliberation", "pdf-notification", "pdf-agreement"):
                made.append(service.export(secretary, kind, {
                    "session_id": str(session.session_id), "item": item.item_number}))
            break
        if len(made) >= 6:
            break
    assert made, "the demo has no adopted item"
    names = {m.name.split("-")[0] for m in made}
    assert names == {"deliberation", "notification", "convention"}
    for export in made:
        text = pdf_text(export.data)
        assert not faults(text), (export.name, faults(text))
        assert "(heure de Paris)" in text and "UTC" not in text


def test_faps_history_speaks_french(demo: Demo_) -> None:
    from faps.cli.history import describe, state_lines

    faps = demo.faps
    found = faps.timetravel.history(SYSTEM_ACTOR, UUID_OF(edited_dossier(faps)[0]))
    lines = [describe(e, faps.ctx.communes.name) for e in found.entries]
    lines += state_lines(found, None, faps.ctx.communes.name)
    text = "\n".join(lines)
    assert not faults(text), faults(text)
    assert "Dépense\u00a0: " not in text and "  Dépense\u202f: " in text


def test_the_history_of_a_corrected_dossier_names_the_fields_to_correct(demo: Demo_) -> None:
    from faps.cli.history import describe

    faps = demo.faps
    corrected = [r.dossier_id for r in faps.queries.dossiers(SYSTEM_ACTOR, _every()).items
                 if any(i.fields for i in faps.app.load(r.dossier_id).information_requests)]
    assert corrected  # the demo sends dossiers back for correction
    found = faps.timetravel.history(SYSTEM_ACTOR, corrected[0])
    text = "\n".join(describe(e, faps.ctx.communes.name) for e in found.entries)
    assert not faults(text), faults(text)
    assert "Montant sollicité" in text


def test_an_error_summary_names_each_field_by_its_label_takes_focus_and_links_to_it(
        signed_in: Any, web_world: Any) -> None:
    from tests.web.test_commune import version_on

    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    editor = f"/commune/dossiers/{dossier_id}/modifier"
    page = browser.get(editor).get_data(as_text=True)
    response = browser.post(editor, data={
        "csrf_token": csrf_of(browser, editor), "expected_version": version_on(page),
        "title": "Titre gardé", "premises_tenure": "locataire",
        "expenses[0].label": "Cloisons", "expenses[0].category": "travaux_amenagement",
        "expenses[0].amount_ht": "douze", "requested_amount": "1000"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = body[body.index('id="error-summary"') - 200:body.index("</main>")]
    assert 'tabindex="-1"' in summary and "autofocus" in summary and "erreurs.js" in body
    assert ('<a href="#f-expenses[0].amount_ht" data-field="expenses[0].amount_ht">Dépenses, '
            'ligne 1 — Montant HT</a>\u202f:') in summary
    assert "1 erreur à corriger" in summary
    confirm = browser.post(f"/commune/dossiers/{dossier_id}/depot", data={
        "csrf_token": csrf_of(browser, editor), "expected_version": version_on(page)})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 400 and ">Confirmation</a>\u202f:" in text
    assert not re.search(r">\s*confirm\s*<|confirm :", text)


def test_reversed_or_future_dates_on_the_ecarts_page_are_refused_naming_the_field(
        signed_in: Any) -> None:
    browser = signed_in("auditor")
    reversed_ = browser.get("/audit/ecarts?from=2024-02-01&to=2024-01-01")
    text = reversed_.get_data(as_text=True)
    assert reversed_.status_code == 400
    assert "Date de début</a>\u202f: la date de début doit précéder la date de fin" in text
    assert "Aucun changement" not in text
    future = browser.get("/audit/ecarts?from=2024-01-01&to=2099-01-01")
    assert future.status_code == 400
    assert "Date de fin</a>\u202f: date à venir" in future.get_data(as_text=True)
    both = browser.get("/audit/ecarts?from=abc&to=1999-99-99").get_data(as_text=True)
    # the summary names the fields as their labels say, in the form's order
    assert '<label for="f-from">Date de début</label>' in both
    assert both.index(">Date de début</a>") < both.index(">Date de fin</a>")


def test_a_date_the_auditor_mistyped_shows_no_other_period_beside_the_error(
        signed_in: Any) -> None:
    browser = signed_in("auditor")
    fund = browser.get("/audit/fonds?as_of=31/02/2024")
    text = fund.get_data(as_text=True)
    assert fund.status_code == 400
    assert "<h1>Le fonds à une date</h1>" in text and "<title>Le fonds à une date" in text
    assert ">Date</a>\u202f: date invalide (JJ/MM/AAAA, entre 1900 et 2199)" in text
    assert "Dossiers par état" not in text and "Budgets" not in text  # no fund of today
    assert 'name="as_of" type="date" value="" aria-invalid="true"' in text
    diff = browser.get("/audit/ecarts?from=abc&to=2024-01-31").get_data(as_text=True)
    assert "<h1>Écarts entre deux dates</h1>" in diff and "Dossiers modifiés" not in diff
    assert 'name="from" type="date" value="" aria-invalid="true"' in diff
    assert 'name="to" type="date" value="2024-01-31">' in diff  # what was read is kept
