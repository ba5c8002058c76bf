"""The common shape of faps events: every event says who acted."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor


class ActedEvent(Aggregate.Event):
    """An event caused by an account (the store records when, in `timestamp`)."""

    actor: Actor


def events_of(aggregate: type[Aggregate]) -> tuple[type[Any], ...]:
    """Return the event classes declared on an aggregate (its base `Event` and the `Created`
    that eventsourcing defines on every aggregate, never triggered here, left out)."""
    base = aggregate.Event
    return tuple(v for k, v in vars(aggregate).items()
                 if isinstance(v, type) and issubclass(v, base) and k not in vars(Aggregate))
