"""The grant simulation (reference/simulation.md): validate → assess with a règlement version.

The web page, the JSON API and `faps simulate` give the same answer as the dossier's
EligibilityAssessed event, because they all call faps.domain.assessment.assess.
"""

from __future__ import annotations

from typing import Any

from faps.application import policy
from faps.application.context import Context
from faps.application.reglements import ReglementService
from faps.application.validation import validate
from faps.domain.actors import Actor
from faps.domain.assessment import Assessment, ProjectFacts, assess
from faps.domain.errors import InvalidInputError


class SimulationService:
    """What the règlement would grant to a project, and why."""

    def __init__(self, ctx: Context, reglements: ReglementService) -> None:
        self.ctx = ctx
        self.reglements = reglements

    def simulate(self, actor: Actor, request: Any, version: str | None = None) -> Assessment:
        """Judge a simulation request by the version in force today, or by the one named."""
        policy.require(actor, "simulate")
        if not isinstance(request, dict):
            raise InvalidInputError({"requête": ["objet JSON attendu"]})
        facts = validate(ProjectFacts, request)
        reglement = (self.reglements.get(version) if version
                     else self.reglements.current())
        return assess(facts, reglement, self.ctx.communes.get(facts.commune))
