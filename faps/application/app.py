"""The event-sourced application: one store of every aggregate of the fund."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    Repository,
    project_aggregate,
)
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from eventsourcing.utils import EnvType

from faps.domain.accounts import Account
from faps.domain.budget import YearlyBudget
from faps.domain.council import CouncilSession
from faps.domain.dossier import Dossier
from faps.domain.errors import NotFoundError, StaleSaveError
from faps.domain.numbering import DossierNumbering

SaveListener = Callable[[Sequence[Any]], None]
# The aggregate class each `what` of `load` names.
KINDS: dict[str, type] = {"Dossier": Dossier, "Compte": Account, "Séance": CouncilSession,
                          "Budget": YearlyBudget}


# Years whose series and budget may have snapshots. A snapshot is only a shortcut: an
# aggregate read without looking for one is the same aggregate, replayed from all its events.
SNAPSHOT_YEARS = range(1990, 2200)


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply each event to the aggregate, as eventsourcing's `project_aggregate` does, without
    its check of every event against a runtime-checkable Protocol (`isinstance` on a Protocol
    walks its attributes: about 50 µs an event, a tenth of a command's time; every stored
    event of faps is a domain event with `mutate`)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class SnapshotAwareRepository(Repository[UUID]):
    """Looks for a snapshot only for the aggregates that have them (the yearly series and
    budgets): every other load, a dossier's above all, saves that query (a round trip on
    PostgreSQL, which doubled a dossier's load time)."""

    def __init__(self, *args: Any, snapshotted: frozenset[UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.snapshotted = snapshotted

    def _reconstruct_aggregate(self, aggregate_id: UUID, version: int | None,
                               projector_func: Any) -> Any:
        if projector_func is project_aggregate:
            projector_func = replay
        if aggregate_id in self.snapshotted:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        events = self.event_store.get(originator_id=aggregate_id, lte=version)
        aggregate = projector_func(None, events)
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version {version!r} "
                                         "not found.")
        return aggregate


class FapsApplication(Application[UUID]):
    """Stores and replays the fund's aggregates; tells listeners after each save."""

    name = "faps"
    # The two aggregates that grow all year (a reference per filed dossier, a line per award
    # or payment) are snapshotted, so loading them does not replay the whole year. Snapshots
    # are a cache beside the log: not in the notification log, not sealed, not exported.
    snapshotting_intervals = {DossierNumbering: 50, YearlyBudget: 50}

    def __init__(self, env: EnvType | None = None,
                 transcodings: Sequence[Transcoding] = ()) -> None:
        self._transcodings = list(transcodings)
        self._listeners: list[SaveListener] = []
        super().__init__(env)

    def construct_repository(self) -> Repository[UUID]:
        """Return the library's repository, told which aggregates may have snapshots."""
        plain = super().construct_repository()
        repository = SnapshotAwareRepository(
            event_store=plain.event_store, snapshot_store=plain.snapshot_store,
            snapshotted=frozenset(cls.create_id(year) for cls in (DossierNumbering, YearlyBudget)
                                  for year in SNAPSHOT_YEARS))
        vars(repository).update({k: v for k, v in vars(plain).items()  # cache and its settings
                                 if k != "snapshotted"})
        return repository

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Register the library's transcodings and ours (dates, value objects)."""
        super().register_transcodings(transcoder)
        for transcoding in self._transcodings:
            transcoder.register(transcoding)

    def reopen(self) -> FapsApplication:
        """Return a new application on the same store, with connections of its own (what a
        forked process uses: a connection pool must not cross a fork). Its tables exist: it
        does not create them (processes doing so at once conflict on PostgreSQL), and reads
        on one connection."""
        return type(self)(env={**self.env, "CREATE_TABLE": "no", "POSTGRES_POOL_SIZE": "1"},
                          transcodings=self._transcodings)

    def on_saved(self, listener: SaveListener) -> None:
        """Call `listener(recordings)` after every successful save (read-your-writes)."""
        self._listeners.append(listener)

    def save_all(self, *aggregates: Any) -> Sequence[Any]:
        """Save aggregates atomically; a stale version is a StaleSaveError, nothing written."""
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise StaleSaveError() from None
        for listener in self._listeners:
            listener(recordings)
        return recordings

    def load(self, aggregate_id: UUID, version: int | None = None, what: str = "Dossier") -> Any:
        """Return an aggregate (at a version), or NotFoundError in French.

        The identifier of another kind of aggregate (an account's where a dossier's is expected)
        is not found either: nothing past this point has to ask what it was given.
        """
        from eventsourcing.application import AggregateNotFoundError

        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFoundError(f"{what} introuvable.") from None
        kind = KINDS.get(what)
        if kind is not None and not isinstance(aggregate, kind):
            raise NotFoundError(f"{what} introuvable.")
        return aggregate

    def find(self, aggregate_id: UUID) -> Any | None:
        """Return an aggregate, or None if it was never saved (one read)."""
        from eventsourcing.application import AggregateNotFoundError

        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        """Tell whether an aggregate has been saved."""
        return aggregate_id in self.repository
