"""The financing plan shown while the commune types: totals, own share, estimated grant.

The estimate is the Simulateur's computation (faps.domain.assessment.assess through the
SimulationService) on what the form holds, by the dossier's règlement version.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from faps.application.validation import validate
from faps.domain.assessment import Assessment
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierContent
from faps.domain.errors import InvalidInputError
from faps.domain.financing import FinancingPlan, financing_plan
from faps.web.common import actor, services
from faps.web.project_form import content_fields, facts_request


def plan_context(dossier: Dossier, form: MultiDict[str, str] | dict[str, Any],
                 version: str) -> dict[str, Any]:
    """Return the plan and estimate of `form` (or why they cannot be computed yet)."""
    faps = services()
    data = MultiDict(form) if not isinstance(form, MultiDict) else form
    try:
        content = validate(DossierContent, content_fields(data))
        request = facts_request(data) | {"commune": dossier.commune}
        request.setdefault("premises_tenure", "autre")
        assessment: Assessment = faps.simulation.simulate(
            actor(), request, version)
    except InvalidInputError:
        return {"plan": None, "estimate": None}
    plan: FinancingPlan = financing_plan(
        tuple((f.funder, f.amount) for f in content.public_funding), content.own_share,
        content.requested_amount, assessment, faps.communes.name(dossier.commune))
    return {"plan": plan, "estimate": assessment}
