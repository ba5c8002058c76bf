"""Schemathesis over every operation of the published document, as three roles, on seeded data.

Each generated call runs as a commune agent, a finance officer, the secretariat, an auditor
and an administrator (with their tokens); path ids point at seeded dossiers and sessions (the
caller's commune's, another commune's, an awarded one, one with a reply waiting, one with a
balance requested, one on an agenda), at a seeded document, payment request, agenda item and
budget year every other call, so calls reach the services rather than stopping at 404. Every
answer must not be a server error and must conform to the document: status, content type,
headers and body schema.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
import schemathesis.specs.openapi.schemas
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import World, pdf
from tests.web.api_support import token_of

# Schemathesis imports most of itself lazily, on the first `from_wsgi`; pytest rewrites those
# modules' asserts as it imports them. In a worker where an earlier test's deep JSON met a
# RecursionError, CPython 3.11's parser then fails ("AST constructor recursion depth
# mismatch"): importing them here, at collection, keeps the run independent of test order.
from tests.web.test_api_operations import on_agenda, with_balance_request

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
ROLES = ("agent", "officer", "secretariat", "auditor", "admin")


@pytest.fixture
def seeded(app: Flask, web_world: World) -> dict[str, Any]:
    """Dossiers in several states, a session, and a token per role."""
    w = web_world
    draft = w.drafted()
    document = w.faps.dossiers.attach(w.agent, draft, "devis", "devis.pdf", pdf())
    asked = w.submitted()  # a reply waiting for the officer
    w.faps.dossiers.request_information(w.officer, asked, "Le bail ?", fields=("title",))
    w.faps.exchanges.reply(w.agent, asked, "Voici.")
    paying, request_id = with_balance_request(w)
    proposed, session = on_agenda(w)
    return {
        "dossiers": [draft, w.submitted(), w.awarded(), asked, paying, proposed,
                     w.faps.dossiers.draft(w.other_agent, "77108", {"title": "Chelles"})],
        "session": session, "sessions": [session, w.session()],
        "document": document, "request": request_id,
        "tokens": {role: token_of(w, getattr(w, role)) for role in ROLES},
        "turn": itertools.count(),
    }


def test_every_operation_answers_within_its_document(app: Flask, seeded: dict[str, Any]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 46
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            call_as_each_role(case, seeded)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)


def call_as_each_role(case: Any, seeded: dict[str, Any]) -> None:
    """Point the ids at seeded data; call as each role; validate against the document."""
    parameters = case.path_parameters or {}
    pick = next(seeded["turn"])  # each call targets the next seeded dossier in turn
    if "dossier_id" in parameters:
        parameters["dossier_id"] = str(seeded["dossiers"][pick % len(seeded["dossiers"])])
    if "session_id" in parameters:
        parameters["session_id"] = str(seeded["session"])
    if "document_id" in parameters and pick % 2:
        parameters["document_id"] = str(seeded["document"])
    if "request_id" in parameters and pick % 2:
        parameters["request_id"] = str(seeded["request"])
    if "number" in parameters and pick % 2:
        parameters["number"] = 1
    if "year" in parameters and pick % 2:
        parameters["year"] = 2024
    if isinstance(case.body, dict) and "to_session_id" in case.body and pick % 2:
        case.body["to_session_id"] = str(seeded["sessions"][1])
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Bearer {seeded['tokens'][role]}"},
                               checks=CHECKS)
