"""The ExportRecord aggregate: one published file, so an auditor can prove and regenerate it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor
from faps.domain.events import ActedEvent


class ExportRecord(Aggregate):
    """A file produced by faps: what was asked, by whom, its digest and the log's seal then."""

    class ExportRecorded(ActedEvent, Aggregate.Created):
        kind: str
        parameters: dict[str, Any]
        file_name: str
        sha256: str
        size: int
        chain_head: str
        chain_position: int
        exported_at: datetime

    def __init__(self, actor: Actor, kind: str, parameters: dict[str, Any], file_name: str,
                 sha256: str, size: int, chain_head: str, chain_position: int,
                 exported_at: datetime) -> None:
        self.actor = actor
        self.kind = kind
        self.parameters = parameters
        self.file_name = file_name
        self.sha256 = sha256
        self.size = size
        self.chain_head = chain_head
        self.chain_position = chain_position
        self.exported_at = exported_at

    @classmethod
    def record(cls, actor: Actor, kind: str, parameters: dict[str, Any], file_name: str,
               sha256: str, size: int, chain_head: str, chain_position: int,
               exported_at: datetime) -> ExportRecord:
        """Record a file just produced (the event's timestamp is the export time)."""
        return cls._create(cls.ExportRecorded, actor=actor, kind=kind, parameters=parameters,
                           file_name=file_name, sha256=sha256, size=size, chain_head=chain_head,
                           chain_position=chain_position, exported_at=exported_at,
                           timestamp=exported_at)
