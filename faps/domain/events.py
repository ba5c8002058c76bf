"""The common shape of faps events: every event says who acted."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor


class ActedEvent(Aggregate.Event):
    """An event caused by an account (the store records when, in `timestamp`)."""

    actor: Actor
