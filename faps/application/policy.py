"""Who may do what: enforced by the application services, never only by the pages."""

from __future__ import annotations

from faps.domain.actors import Actor, Role
from faps.domain.dossier_content import UNFILED_STATES, DossierState
from faps.domain.errors import NotFoundError, PermissionDeniedError

R = Role
_COMMUNE = frozenset({R.COMMUNE_AGENT})
_OFFICER = frozenset({R.FINANCE_OFFICER})
_SECRETARIAT = frozenset({R.SECRETARIAT})
_READERS = frozenset({R.FINANCE_OFFICER, R.SECRETARIAT, R.AUDITOR, R.ADMINISTRATOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "dossier.read": _READERS | _COMMUNE,
    "dossier.read_notes": _READERS,
    "dossier.draft": _COMMUNE,
    "dossier.edit": _COMMUNE,
    "dossier.attach": _COMMUNE | _OFFICER,
    "dossier.remove_document": _COMMUNE,
    "dossier.submit": _COMMUNE,
    "dossier.provide_information": _COMMUNE,
    "dossier.withdraw": _COMMUNE,
    "dossier.delete_draft": _COMMUNE,
    "dossier.request_payment": _COMMUNE,
    "dossier.request_information": _OFFICER,
    "dossier.accept_reply": _OFFICER,
    "dossier.post_message": _OFFICER | _COMMUNE,
    "dossier.request_opinion": _OFFICER,
    "dossier.declare_complete": _OFFICER,
    "dossier.assess": _OFFICER,
    "dossier.propose": _OFFICER,
    "dossier.close_ineligible": _OFFICER,
    "dossier.assign": _OFFICER,
    "dossier.add_note": _OFFICER | _SECRETARIAT,
    "dossier.make_payment": _OFFICER,
    "dossier.refuse_payment": _OFFICER,
    "dossier.reduce_grant": _OFFICER,
    "dossier.record_clawback": _OFFICER,
    "dossier.lapse": _OFFICER,
    "dossier.close": _OFFICER,
    "dossier.sign_agreement": _OFFICER | _SECRETARIAT,
    "dossier.notify": _OFFICER | _SECRETARIAT,
    "dossier.record_municipal_deliberation": _SECRETARIAT | _OFFICER,
    "session.read": _READERS,
    "session.manage": _SECRETARIAT,
    "budget.read": _READERS,
    "budget.vote": _SECRETARIAT | _OFFICER,
    "reglement.adopt": _SECRETARIAT | frozenset({R.ADMINISTRATOR}),
    "accounts.manage": frozenset({R.ADMINISTRATOR}),
    "audit.read": _READERS - _COMMUNE,
    "export.decisions": _SECRETARIAT | frozenset({R.AUDITOR, R.FINANCE_OFFICER}),
    "simulate": _READERS | _COMMUNE,
}


def allowed(actor: Actor, action: str) -> bool:
    """Tell whether the actor's role allows the action."""
    return actor.role is Role.SYSTEM or actor.role in PERMISSIONS[action]


def require(actor: Actor, action: str, commune: str | None = None) -> None:
    """Refuse the action unless the role allows it and, for a commune agent, it is theirs.

    Another commune's dossier is answered as not found: its existence is not disclosed.
    """
    if actor.role is Role.COMMUNE_AGENT and commune is not None and commune != actor.commune:
        raise NotFoundError("Dossier introuvable.")
    if not allowed(actor, action):
        raise PermissionDeniedError("Votre rôle ne permet pas cette action.")


def require_filed(actor: Actor, state: DossierState) -> None:
    """Hide an unfiled draft from all but its commune, and a deleted draft from everyone.

    A draft belongs to the commune until filed: to anyone else it does not exist.
    """
    if state is DossierState.DELETED and actor.role is not Role.SYSTEM:
        raise NotFoundError("Dossier introuvable.")
    if state in UNFILED_STATES and actor.role not in (Role.COMMUNE_AGENT, Role.SYSTEM):
        raise NotFoundError("Dossier introuvable.")
