"""What a projection is: a name, a version, its tables, and how a batch of events is applied.

A projection says which events it reads in `handles` (qualnames, as in stored topics) and which
it leaves on purpose in `ignores` (event or aggregate classes); a test checks that every event
of every aggregate is one or the other. A projection may register its handlers per event class
with `@on(Dossier.Submitted, …)` (as eventsourcing's policies do): `handles` is then derived from
them, and `handler(event)` finds the one of an event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import sqlalchemy as sa
from eventsourcing.utils import get_topic

Handler = Callable[..., None]


def qualname(event: Any) -> str:
    """Return an event's class path inside its module ("Dossier.Submitted")."""
    return type(event).__qualname__


def path_of(event_class: type[Any]) -> str:
    """Return an event class's path in its stored topic ("Dossier.Submitted")."""
    return get_topic(event_class).rpartition(":")[2]


def on(*event_classes: type[Any]) -> Callable[[Handler], Handler]:
    """Register the decorated method of a projection as the handler of these event classes."""
    def register(method: Handler) -> Handler:
        method.__dict__.setdefault("handled_events", []).extend(event_classes)
        return method
    return register


class Projection:
    """Turns events into rows; `apply` runs inside the transaction that moves its position."""

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[sa.Table, ...]]
    handles: ClassVar[frozenset[str]]  # event qualnames, as in stored topics after ':'
    # Event classes, or aggregate classes (all their events), this projection leaves on purpose.
    ignores: ClassVar[tuple[type[Any], ...]] = ()
    # Handled events whose rows the projection reads when applying other aggregates' events
    # (a règlement's delays, for every dossier's deadline): a rebuild split over processes
    # applies them first, so that every partition finds them.
    shared: ClassVar[frozenset[str]] = frozenset()
    # Whether a runner may lend its batches the rows its previous batches left (`batch.Rows`
    # reads them from there): the handlers replace a row's values, never change them in place.
    cache_rows: ClassVar[bool] = False
    # Event class → method, from the methods decorated with `@on` (empty for the others).
    handlers: ClassVar[dict[type[Any], Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = {event_class: method for klass in reversed(cls.__mro__)
                 for method in vars(klass).values()
                 for event_class in getattr(method, "handled_events", ())}
        if found:
            cls.handlers = found
            cls.handles = frozenset(path_of(c) for c in found) | frozenset(
                vars(cls).get("handles", ()))

    def handler(self, event: Any) -> Handler | None:
        """Return the registered handler of an event (None: the class has none)."""
        return self.handlers.get(type(event))

    def wants(self, topic: str) -> bool:
        """Tell whether a stored event's topic concerns this projection."""
        return topic.rpartition(":")[2] in self.handles

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of events (oldest first) to the projection's tables."""
        raise NotImplementedError
