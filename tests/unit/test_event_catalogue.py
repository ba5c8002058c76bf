"""One list of events: every event of every aggregate is presented (or said to be outside a
dossier's history), handled or ignored by each projection, and still stored and read as the
previous release stored it."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

import faps.domain
from faps.application import event_catalogue as catalogue
from faps.application.app import FapsApplication
from faps.domain.communes import CommuneDirectory
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState as S
from faps.domain.dossier_content import Outcome
from faps.domain.events import events_of
from faps.infrastructure.readmodels.base import Projection, path_of
from faps.infrastructure.readmodels.wiring import all_projections
from faps.infrastructure.transcodings import faps_transcodings
from faps.infrastructure.webhooks import EVENT_TYPES

FIXTURE = Path(__file__).parent.parent / "fixtures" / "stored_events_45df273.json"


def aggregates() -> list[type[Aggregate]]:
    """Return every aggregate class of the domain."""
    for module in pkgutil.iter_modules(faps.domain.__path__):
        importlib.import_module(f"faps.domain.{module.name}")
    found, todo = [], list(Aggregate.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("faps.domain."):
            found.append(cls)
    return sorted(found, key=lambda c: c.__qualname__)


def every_event() -> list[tuple[type[Aggregate], type[Any]]]:
    return [(a, e) for a in aggregates() for e in events_of(a)]


def test_the_domain_has_the_aggregates_the_catalogue_knows() -> None:
    names = {a.__name__ for a in aggregates()}
    assert {"Dossier", "CouncilSession", "YearlyBudget", "Account", "ReglementBook",
            "DossierNumbering"} <= names
    assert len(events_of(Dossier)) >= 34


@pytest.mark.parametrize("aggregate,event", every_event(), ids=lambda x: x.__qualname__)
def test_every_event_has_a_row_in_the_catalogue_or_is_outside_dossiers(
        aggregate: type[Aggregate], event: type[Any]) -> None:
    presented = event in catalogue.CATALOGUE
    outside = aggregate in catalogue.OUTSIDE_DOSSIERS
    assert presented != outside, (
        f"{event.__qualname__}: give it a row of CATALOGUE (faps/application/event_catalogue.py) "
        "or list its aggregate in OUTSIDE_DOSSIERS" if not presented else
        f"{event.__qualname__} is both presented and outside dossiers")
    if presented:
        assert catalogue.CATALOGUE[event].label


def _ignored(projection: Projection, aggregate: type[Aggregate], event: type[Any]) -> bool:
    return event in projection.ignores or aggregate in projection.ignores


@pytest.mark.parametrize("projection", all_projections(CommuneDirectory([])),
                         ids=lambda p: p.name)
def test_every_projection_handles_or_ignores_every_event(projection: Projection) -> None:
    undecided, both = [], []
    for aggregate, event in every_event():
        handled = path_of(event) in projection.handles
        ignored = _ignored(projection, aggregate, event)
        if not handled and not ignored:
            undecided.append(event.__qualname__)
        if handled and ignored:
            both.append(event.__qualname__)
    assert not undecided, f"projection {projection.name!r} neither handles nor ignores " \
        f"{undecided}: register a handler (@on) or add it to `ignores`"
    assert not both, f"projection {projection.name!r} both handles and ignores {both}"
    assert all(h in {path_of(e) for _, e in every_event()} for h in projection.handles)


def test_a_registered_handler_is_found_by_the_event_class() -> None:
    (dossiers,) = [p for p in all_projections(CommuneDirectory([])) if p.name == "dossiers"]
    assert "Dossier.PaymentMade" in dossiers.handles
    assert dossiers.handlers[Dossier.PaymentMade].__name__ == "_payment_made"
    assert Dossier.NoteAdded not in dossiers.handlers  # a timeline line, nothing else


def test_an_old_style_projection_still_declares_its_events_by_qualname() -> None:
    class Old(Projection):
        name, version, tables = "old", 1, ()
        handles = frozenset({"Dossier.Submitted"})

    assert Old().wants("faps.domain.dossier:Dossier.Submitted")
    assert not Old().wants("faps.domain.dossier:Dossier.Voted")
    assert Old().handler(object()) is None


def test_the_stored_topics_are_those_of_the_previous_release() -> None:
    stored = {e["topic"] for e in json.loads(FIXTURE.read_text())["events"]}
    for _, event in every_event():
        topic = get_topic(event)
        assert topic == f"{event.__module__}:{event.__qualname__}"
    dossier_topics = {t for t in stored if ":Dossier." in t}
    assert len(dossier_topics) >= 29
    for topic in stored:
        assert get_topic(resolve_topic(topic)) == topic
    assert {get_topic(e) for e in events_of(Dossier)} >= dossier_topics


def test_events_stored_by_the_previous_release_decode_and_read_as_then() -> None:
    app = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                          transcodings=faps_transcodings())
    for row in json.loads(FIXTURE.read_text())["events"]:
        event = app.mapper.to_domain_event(StoredEvent(
            originator_id=UUID(row["originator_id"]),
            originator_version=row["originator_version"], topic=row["topic"],
            state=row["state"].encode()))
        assert get_topic(type(event)) == row["topic"]
        if isinstance(event, Dossier.Event):
            assert catalogue.label(event) == catalogue.CATALOGUE[type(event)].label
            catalogue.summary(event)  # every summary reads an old event's fields


def test_the_state_an_event_leads_to_is_said_once() -> None:
    assert Dossier.Submitted.leads_to is S.SUBMITTED
    assert Dossier.Closed.leads_to is S.CLOSED
    assert Dossier.Edited.leads_to is None and not Dossier.Edited.moves_state()
    assert Dossier.Voted.moves_state()
    assert [o.state for o in Outcome] == [S.AWARDED, S.REJECTED, S.POSTPONED]


def test_outcomes_are_the_stored_strings() -> None:
    assert [o.value for o in Outcome] == ["adoptee", "rejetee", "ajournee"]
    assert Outcome.ADOPTED == "adoptee" and {"adoptee": 1}[Outcome.ADOPTED] == 1


def test_webhook_types_are_those_the_readme_lists() -> None:
    assert EVENT_TYPES == {
        "Drafted": "dossier.drafted", "Edited": "dossier.edited",
        "DocumentAttached": "dossier.document_attached",
        "DocumentRemoved": "dossier.document_removed", "Submitted": "dossier.submitted",
        "InformationRequested": "dossier.information_requested",
        "InformationProvided": "dossier.information_provided",
        "DeclaredComplete": "dossier.declared_complete",
        "EligibilityAssessed": "dossier.assessed", "Proposed": "dossier.proposed",
        "PlacedOnAgenda": "dossier.placed_on_agenda",
        "RemovedFromAgenda": "dossier.removed_from_agenda", "Voted": "dossier.voted",
        "Withdrawn": "dossier.withdrawn", "ClosedIneligible": "dossier.closed_ineligible",
        "OfficerAssigned": "dossier.assigned",
        "MunicipalDeliberationRecorded": "dossier.municipal_deliberation_recorded",
        "Notified": "dossier.notified", "AgreementSigned": "dossier.agreement_signed",
        "PaymentRequested": "payment.requested", "PaymentMade": "payment.made",
        "PaymentRequestRefused": "payment.refused", "GrantReduced": "grant.reduced",
        "ClawbackRecovered": "grant.clawback_recovered", "Lapsed": "grant.lapsed",
        "Closed": "dossier.closed"}
    assert not catalogue.CATALOGUE[Dossier.NoteAdded].webhook  # private notes never leave


def test_the_mailed_events_are_those_of_before() -> None:
    mailed = {cls.__name__ for cls, e in catalogue.CATALOGUE.items() if e.mail}
    assert mailed == {"Submitted", "InformationRequested", "Voted", "PaymentMade", "Lapsed",
                      "VoteRectified", "InformationProvided", "MessagePosted",
                      "PaymentRequested", "OpinionRequested", "OpinionGiven"}
    assert {get_topic(getattr(Dossier, n)) for n in mailed} == catalogue.MAIL_TOPICS
    private = [cls.__name__ for cls, e in catalogue.CATALOGUE.items() if e.private]
    assert private == ["NoteAdded"]


def test_the_audit_log_names_an_event_by_its_whole_path_not_its_short_name():
    from types import SimpleNamespace

    from faps.application.audit import describe_event

    class NoRepository:
        def get(self, *args, **kwargs):
            raise KeyError

    app = SimpleNamespace(repository=NoRepository())
    dossier = describe_event(app, "00000000-0000-0000-0000-000000000001", 3,
                             "faps.domain.dossier:Dossier.Closed")
    session = describe_event(app, "00000000-0000-0000-0000-000000000002", 3,
                             "faps.domain.council:CouncilSession.Closed")
    assert dossier.startswith("Closed (Dossier soldé)")
    assert session.startswith("Closed,") and "soldé" not in session  # a session is not soldé
