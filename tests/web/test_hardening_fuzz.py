"""Generated forms posted to every form route, as a role allowed there: never a 5xx, never a
page out of proportion to the request.

The routes are discovered from the application's URL map (every POST rule), the field names
from the schemas the pages use and the project form's rows; the values mix ordinary text with
what broke faps before: `²`, huge numbers, the year 0, `9999999999/1/1`, control characters,
formulas, row indices in the millions, file names with CR/LF/NUL.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from faps.web.project_form import ROWS, TEXTS
from faps.web.schemas import FrenchSchema
from tests.support import World, pdf
from tests.web.conftest import csrf_of, sign_in

MAX_BYTES = 1_000_000
ROLES = ("agent", "officer", "secretariat", "auditor", "admin")
SKIPPED = {"auth.logout"}  # signs the client out: every later example would be anonymous
EXAMPLES = 6

NASTY = ["", "0", "-1", "1", "²", "٣", "1e309", "NaN", "99999999999999999999999",
         "9" * 5000, "2024", "0000", "9999-12-31", "9999999999/1/1", "31/02/2024",
         "0000-00-00", "12 345,67", "-0,01", "=1+1", "@SUM(A1)", "+33", "\t=x", "a\x0b\x1b[31mb",
         "x\r\ny", "\x00", "é" * 300, str(uuid.uuid4()), "true", "on", "moi", "conseil",
         "adoptee", "xlsx", ";", "avance", "devis", "FAPS-2024-001", "x" * 20_000]


def _schema_fields() -> list[str]:
    """Return every field name the pages' marshmallow schemas read."""
    names: set[str] = set()
    pending: list[type] = [FrenchSchema]
    while pending:
        schema = pending.pop()
        pending.extend(schema.__subclasses__())
        names.update(getattr(schema, "_declared_fields", {}))
    return sorted(names)


def field_names() -> st.SearchStrategy[str]:
    """Field names: the schemas', the project form's, rows at any index, and random ones."""
    known = _schema_fields() + list(TEXTS) + ["premises_tenure", "health_activity", "commune",
                                              "works_started", "works_planned_start",
                                              "requested_amount", "commune_awarded_this_year",
                                              "action", "expected_version", "documents"]
    row = st.builds(lambda p, i, k: f"{p}[{i}].{k}", st.sampled_from(sorted(ROWS)),
                    st.one_of(st.integers(0, 300), st.integers(0, 40_000)),
                    st.sampled_from(["label", "category", "amount_ht", "vat", "funder",
                                     "amount"]))
    return st.one_of(st.sampled_from(known), row, st.text(min_size=1, max_size=12))


VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                   st.integers(-10**25, 10**25).map(str))
FILES = st.tuples(st.sampled_from([pdf(), b"<html><script>alert(1)</script></html>",
                                   b"\x89PNG\r\n\x1a\n0000", b""]),
                  st.sampled_from(["x.html", "a\r\nb.pdf", "n\x00ul.pdf", "devis.pdf",
                                   "../../etc/passwd", "é.PDF", "reglement.toml", "r.json"]))
FORMS = st.tuples(st.dictionaries(field_names(), VALUES, max_size=12),
                  st.one_of(st.none(), FILES))

JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                        st.sampled_from(NASTY[:30]))
JSON_BODIES = st.one_of(
    st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.sampled_from(["commune", "expenses", "label",
                                                    "requested_amount", "premises_tenure",
                                                    "reglement_version", "x"]), inner,
                                   max_size=4), max_leaves=20),
    st.integers(1, 200_000).map(lambda n: "[" * n + "]" * n))


@pytest.fixture
def ids(web_world: World) -> dict[str, Any]:
    """Return real identifiers for the routes' variables: a draft, a session, an account…"""
    w = web_world
    draft = w.drafted()
    document = w.faps.dossiers.attach(w.agent, draft, "devis", "devis.pdf", pdf("devis"))
    proposed = w.proposed()
    session = w.session()
    w.faps.council.add_to_agenda(w.secretariat, session, [proposed])
    awarded = w.awarded()
    return {"draft": draft, "submitted": w.submitted(), "awarded": awarded,
            "session_id": session, "document_id": document, "item_number": 1,
            "account_id": w.other_agent.account_id, "view_id": "x",
            "dataset": "subventions", "document": "deliberation"}


def dossier_for(endpoint: str, ids: dict[str, Any]) -> Any:
    """Return the dossier a route is tried on: a draft for the commune, else one further on."""
    if endpoint.startswith("commune."):
        return ids["draft"]
    return ids["submitted"] if endpoint.startswith("instruction.") else ids["awarded"]


def post_rules(app: Flask) -> Iterator[Any]:
    """Return every rule that accepts POST (the form routes and the API's)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" in (rule.methods or set()) and rule.endpoint not in SKIPPED:
            yield rule


def client_as(app: Flask, world: World, who: str) -> tuple[FlaskClient, str]:
    """Return a client signed in as a role, with its CSRF token."""
    client = app.test_client()
    assert sign_in(client, getattr(world, who).email).status_code == 302
    return client, csrf_of(client, "/accueil")


def role_for(app: Flask, world: World, path: str, clients: dict[str, Any]) -> str:
    """Return the first role not refused (403) on a route: the one whose form it is."""
    for who in ROLES:
        client, token = clients[who]
        if client.post(path, data={"csrf_token": token}).status_code != 403:
            return who
    return "admin"


def check(response: Any, what: str) -> None:
    """Fail on a server error or on a page out of proportion to a small request."""
    size = len(response.get_data())
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert size <= MAX_BYTES, f"{what}: {size} bytes"


def sample_argument(rule: Any, name: str) -> Any:
    """Return a value for a route argument no fixture names (an unknown id, number or text)."""
    converter = type(rule._converters[name]).__name__
    if converter == "UUIDConverter":
        return uuid.uuid4()
    return 1 if converter == "IntegerConverter" else "x"


def test_every_form_route_answers_generated_forms_without_server_error(
        app: Flask, web_world: World, ids: dict[str, Any]) -> None:
    clients = {who: client_as(app, web_world, who) for who in ROLES}
    rules = list(post_rules(app))
    assert len(rules) > 40  # the discovery found the application's forms
    for rule in rules:
        values = {**ids, "dossier_id": dossier_for(rule.endpoint, ids),
                  "request_id": uuid.uuid4(), "export_id": uuid.uuid4()}
        values.update({a: sample_argument(rule, a) for a in rule.arguments if a not in values})
        path = rule.build(values, append_unknown=False)[1]
        who = role_for(app, web_world, path, clients)
        client, token = clients[who]

        fuzz(client, token, path, f"{rule.endpoint} as {who}", rule.endpoint.startswith("api."))


def fuzz(client: FlaskClient, token: str, path: str, what: str, api: bool) -> None:
    """Post generated forms (and JSON bodies to the API) to one route."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(form=FORMS, body=JSON_BODIES)
    def posts(form: tuple[dict[str, str], Any], body: Any) -> None:
        fields, upload = form
        data: dict[str, Any] = {**fields, "csrf_token": token}
        if upload is not None:
            data["file"] = (io.BytesIO(upload[0]), upload[1])
        note(f"{what}: {path}")
        check(client.post(path, data=data, content_type="multipart/form-data"), what)
        if api:
            raw = body if isinstance(body, str) else json.dumps(body)
            check(client.post(path, data=raw, content_type="application/json",
                              headers={"X-CSRF-Token": token}), f"{what} (JSON)")

    posts()


QUERY_NAMES = ["page", "annee", "year", "as_of", "from", "to", "version", "q", "state", "etat",
               "officer", "commune", "sort", "plus_expenses", "plus_public_funding", "next",
               "reglement", "format", "avant", "apres"]
QUERIES = st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), st.text(min_size=1,
                                                                           max_size=8)),
                          st.one_of(st.sampled_from(NASTY[:-1]), st.text(max_size=20)),
                          max_size=5)


def get_rules(app: Flask) -> Iterator[Any]:
    """Return every page and download served on GET (static files aside)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in (rule.methods or set()) and rule.endpoint != "static":
            yield rule


def test_every_page_answers_generated_query_strings_without_server_error(
        app: Flask, web_world: World, ids: dict[str, Any]) -> None:
    clients = {who: client_as(app, web_world, who) for who in ROLES}
    rules = list(get_rules(app))
    assert len(rules) > 25
    for rule in rules:
        values = {**ids, "dossier_id": dossier_for(rule.endpoint, ids),
                  "request_id": uuid.uuid4(), "export_id": uuid.uuid4()}
        values.update({a: sample_argument(rule, a) for a in rule.arguments if a not in values})
        path = rule.build(values, append_unknown=False)[1]
        who = next((w for w in ROLES if clients[w][0].get(path).status_code != 403), "admin")
        query(clients[who][0], path, f"{rule.endpoint} as {who}")


SWEEP = ["²", "9" * 30, "0", "-1", "9999-12-31", "9999999999/1/1", "\x00\x1b", "=1+1"]


def query(client: FlaskClient, path: str, what: str) -> None:
    """Get one page with each known argument malformed at once, then generated query strings."""
    for value in SWEEP:
        check(client.get(path, query_string={name: value for name in QUERY_NAMES}),
              f"{what} ?…={value!r}")

    @settings(max_examples=5, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(args=QUERIES)
    def gets(args: dict[str, str]) -> None:
        note(f"{what}: {path} {args!r}")
        check(client.get(path, query_string=args), what)

    gets()
