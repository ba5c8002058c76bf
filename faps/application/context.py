"""What every application service shares: the store, the clock, the communes, ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from faps.application.app import FapsApplication
from faps.application.clock import Clock
from faps.application.ports import Credentials, DocumentStore, PasswordHasher, Sessions
from faps.domain.communes import CommuneDirectory


@dataclass
class Context:
    """The dependencies of the use cases, built once by the composition root."""

    app: FapsApplication
    clock: Clock
    communes: CommuneDirectory
    documents: DocumentStore
    credentials: Credentials
    hasher: PasswordHasher
    sessions: Sessions
    max_upload_bytes: int = 10 * 1024 * 1024
    settings: dict[str, object] = field(default_factory=dict)
