"""What a projection is: a name, a version, its tables, and how a batch of events is applied."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import sqlalchemy as sa

Handler = Callable[[Any, Any], None]


def qualname(event: Any) -> str:
    """Return an event's class path inside its module ("Dossier.Submitted")."""
    return type(event).__qualname__


class Projection:
    """Turns events into rows; `apply` runs inside the transaction that moves its position."""

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[sa.Table, ...]]
    handles: ClassVar[frozenset[str]]  # event qualnames, as in stored topics after ':'
    # Handled events whose rows the projection reads when applying other aggregates' events
    # (a règlement's delays, for every dossier's deadline): a rebuild split over processes
    # applies them first, so that every partition finds them.
    shared: ClassVar[frozenset[str]] = frozenset()

    def wants(self, topic: str) -> bool:
        """Tell whether a stored event's topic concerns this projection."""
        return topic.rpartition(":")[2] in self.handles

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of events (oldest first) to the projection's tables."""
        raise NotImplementedError
