"""Invalid input is refused with an error naming the field, in French; nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from tests.support import World, content


def recorded(world: World) -> int:
    """Return the id of the last event recorded."""
    return world.faps.app.recorder.max_notification_id() or 0


def refused(world: World, action: Callable[[], Any], error: type[Exception] = InvalidInputError):
    """Run an action that must be refused; check nothing was recorded; return the error."""
    before = recorded(world)
    with pytest.raises(error) as caught:
        action()
    assert recorded(world) == before
    return caught.value


def expense(**overrides: Any) -> dict[str, Any]:
    line = {"label": "Cloisons", "category": "travaux_amenagement", "amount_ht": "80000.00",
            "vat": "16000.00"}
    return {**line, **overrides}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"expenses": [expense(amount_ht="-10.00")]}, "expenses[0].amount_ht"),
    ({"expenses": [expense(amount_ht="douze mille")]}, "expenses[0].amount_ht"),
    ({"expenses": [expense(category="piscine")]}, "expenses[0].category"),
    ({"expenses": [{"category": "travaux_amenagement", "amount_ht": "10.00"}]},
     "expenses[0].label"),
    ({"requested_amount": "-1"}, "requested_amount"),
    ({"title": "x" * 201}, "title"),
    ({"premises_tenure": "squat"}, "premises_tenure"),
])
def test_a_draft_with_invalid_content_names_the_field_and_records_nothing(
        memory_world: World, overrides: dict[str, Any], field: str):
    world = memory_world
    error = refused(world, lambda: world.faps.dossiers.draft(world.agent, "77258",
                                                              content(**overrides)))
    assert field in error.errors
    assert all(message and "should" not in message and "Input" not in message
               for message in error.errors[field])


def test_a_draft_for_an_unknown_commune_is_refused(memory_world: World):
    world = memory_world
    error = refused(world, lambda: world.faps.dossiers.draft(SYSTEM_ACTOR, "99999", content()))
    assert error.errors == {"commune": ["99999 n'est pas une commune membre"]}


def test_an_edit_with_a_text_too_long_is_refused(memory_world: World):
    world = memory_world
    dossier_id = world.drafted()
    error = refused(world, lambda: world.faps.dossiers.edit(
        world.agent, dossier_id, {"description": "é" * 4001}))
    assert "description" in error.errors
    assert "trop long" in error.errors["description"][0]


def test_an_incomplete_draft_cannot_be_submitted(memory_world: World):
    world = memory_world
    dossier_id = world.faps.dossiers.draft(world.agent, "77258", {"title": "MSP"})
    error = refused(world, lambda: world.faps.dossiers.submit(world.agent, dossier_id))
    assert "dossier" in error.errors
    assert "renseignez" in error.errors["dossier"][0]


def test_a_proposal_above_the_assessment_names_the_amount(memory_world: World):
    world = memory_world
    dossier_id = world.assessed()
    error = refused(world, lambda: world.faps.dossiers.propose(
        world.officer, dossier_id, Decimal("999999.00"), "Trop"))
    assert "amount" in error.errors


def test_a_payment_request_of_an_unknown_kind_is_refused(memory_world: World):
    world = memory_world
    dossier_id = world.awarded()
    error = refused(world, lambda: world.faps.grants.request_payment(
        world.agent, dossier_id, "bonus", Decimal("10.00"), Decimal("0.00"), ()))  # type: ignore[arg-type]
    assert "kind" in error.errors


@pytest.mark.parametrize("step", ["declare_complete", "propose", "withdraw_twice", "submit_twice",
                                  "pay_before_award", "close_a_withdrawn"])
def test_a_transition_not_allowed_is_refused_in_french_and_records_nothing(
        memory_world: World, step: str):
    world = memory_world
    faps, officer, agent = world.faps, world.officer, world.agent
    dossier_id = world.submitted()  # a draft is not even visible to officers
    if step in ("withdraw_twice", "declare_complete", "close_a_withdrawn"):
        faps.dossiers.withdraw(agent, dossier_id, "Abandon")
    actions: dict[str, Callable[[], Any]] = {
        "declare_complete": lambda: faps.dossiers.declare_complete(officer, dossier_id),
        "propose": lambda: faps.dossiers.propose(officer, dossier_id, Decimal("10.00"), "Vu"),
        "withdraw_twice": lambda: faps.dossiers.withdraw(agent, dossier_id, "Encore"),
        "submit_twice": lambda: faps.dossiers.submit(agent, dossier_id),
        "pay_before_award": lambda: faps.grants.request_payment(
            agent, dossier_id, "acompte", Decimal("10.00"), Decimal("10.00"), ()),
        "close_a_withdrawn": lambda: faps.dossiers.close_ineligible(officer, dossier_id, "Non"),
    }
    error = refused(world, actions[step], TransitionNotAllowedError)
    assert error.message.startswith("Impossible de ")
    assert "le dossier est «" in error.message
