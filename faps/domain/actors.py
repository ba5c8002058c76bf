"""Who acts: accounts, roles and the commune an agent belongs to."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator


class Role(StrEnum):
    """Roles of the people who use faps."""

    COMMUNE_AGENT = "agent_commune"
    FINANCE_OFFICER = "instructeur"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditeur"
    ADMINISTRATOR = "administrateur"
    SYSTEM = "systeme"

    @property
    def label(self) -> str:
        """Return the French name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COMMUNE_AGENT: "Agent communal",
    Role.FINANCE_OFFICER: "Instructeur (finances)",
    Role.SECRETARIAT: "Secrétariat des assemblées",
    Role.AUDITOR: "Auditeur",
    Role.ADMINISTRATOR: "Administrateur",
    Role.SYSTEM: "Système",
}


class Actor(BaseModel):
    """The account behind a command, recorded in every event it causes."""

    model_config = ConfigDict(frozen=True)

    account_id: UUID
    email: str
    role: Role
    commune: str | None = None
    name: str = ""

    @model_validator(mode="after")
    def _commune_agents_have_a_commune(self) -> Actor:
        if self.role is Role.COMMUNE_AGENT and not self.commune:
            raise ValueError("un agent communal est rattaché à une commune")
        return self

    @property
    def display(self) -> str:
        """Return a short human label of the actor."""
        return self.name or self.email


SYSTEM_ACTOR = Actor(
    account_id=UUID("00000000-0000-0000-0000-000000000000"),
    email="systeme@faps.invalid",
    role=Role.SYSTEM,
    name="Système",
)
