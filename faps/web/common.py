"""What every view uses: the services, the signed-in actor, role checks, form handling."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError
from werkzeug.wrappers import Response

from faps.bootstrap import Faps
from faps.domain.accounts import Account
from faps.domain.actors import Actor, Role
from faps.domain.errors import ConflictError, FapsError, InvalidInputError, PermissionDeniedError
from faps.infrastructure.sessions import SqlAlchemySessions

F = TypeVar("F", bound=Callable[..., Any])

ROLE_HOMES = {
    Role.COMMUNE_AGENT: "commune.dossiers",
    Role.FINANCE_OFFICER: "instruction.inbox",
    Role.SECRETARIAT: "assemblees.sessions",
    Role.AUDITOR: "audit.index",
    Role.ADMINISTRATOR: "admin.accounts",
}


NAV: dict[Role, list[tuple[str, str]]] = {
    Role.COMMUNE_AGENT: [("commune.dossiers", "Mes dossiers"), ("commune.simulator", "Simulateur"),
                         ("reglement.versions", "Règlement")],
    Role.FINANCE_OFFICER: [("exchanges.work", "À traiter"), ("instruction.inbox", "Instruction"),
                           ("finances.deadlines", "Échéances"), ("finances.dashboard", "Budget"),
                           ("finances.payments", "Versements"),
                           ("commune.simulator", "Simulateur"),
                           ("reglement.versions", "Règlement")],
    Role.SECRETARIAT: [("assemblees.sessions", "Assemblées"), ("exports.index", "Exports"),
                       ("finances.dashboard", "Budget"), ("reglement.versions", "Règlement")],
    Role.AUDITOR: [("audit.index", "Audit"), ("exports.index", "Exports"),
                   ("finances.dashboard", "Budget"), ("finances.payments", "Versements"),
                   ("reglement.versions", "Règlement")],
    Role.ADMINISTRATOR: [("admin.accounts", "Comptes"), ("webhooks.index", "Webhooks"),
                         ("reglement.versions", "Règlement")],
}


def nav_items() -> list[tuple[str, str]]:
    """Return the menu of the signed-in role (only the spaces that are installed)."""
    found = current_actor()
    if found is None:
        return []
    return [(endpoint, label + _count(endpoint)) for endpoint, label in NAV.get(found.role, [])
            if endpoint in current_app.view_functions]


def _count(endpoint: str) -> str:
    """Return the number shown after a menu item (what waits in the work queue)."""
    if endpoint != "exchanges.work":
        return ""
    return f" ({services().web.work_queue.count()})"


def services() -> Faps:
    """Return the faps of this application."""
    faps: Faps = current_app.extensions["faps"]
    return faps


def web_sessions() -> SqlAlchemySessions:
    """Return the server-side sessions (the application sees only their revocation)."""
    return services().sessions


def current_actor() -> Actor | None:
    """Return the signed-in actor (loaded once per request), or None."""
    if "actor" not in g:
        g.actor = None
        account_id = session.get("account_id")
        if account_id:
            account = _living_account(str(account_id), str(session.get("sid") or ""))
            if account is not None and account.active:
                g.actor = account.as_actor()
            else:
                session.clear()
    actor: Actor | None = g.actor
    return actor


def _living_account(account_id: str, sid: str) -> Account | None:
    """Return the account of a session that still lives on the server, else None."""
    faps = services()
    try:
        found = UUID(account_id)
    except ValueError:
        return None
    idle = current_app.permanent_session_lifetime
    # Wall-clock time, not the application's clock: a session's idleness is the person's.
    if not sid or not web_sessions().check(sid, found, datetime.now(tz=UTC), idle):
        return None
    try:
        return faps.accounts.get(found)
    except FapsError:
        return None


def actor() -> Actor:
    """Return the signed-in actor (views behind login_required only)."""
    found = current_actor()
    assert found is not None
    return found


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page, then back."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow a view to the given roles only (403 for the others)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            found = current_actor()
            if found is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if found.role not in roles:
                raise PermissionDeniedError("Cette page est réservée à d'autres rôles.")
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def home_url(found: Actor) -> str:
    """Return the home page of a role."""
    endpoint = ROLE_HOMES.get(found.role, "home.welcome")
    if endpoint not in current_app.view_functions:
        endpoint = "home.welcome"
    return url_for(endpoint)


def parse(schema: Schema, data: Any) -> dict[str, Any]:
    """Load form or JSON data with a marshmallow schema; errors become InvalidInputError."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except MarshmallowError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        # A field is named by a text; what names none (the whole body, or a key that is not a
        # text: `None` or a number in a JSON body) is the input's as a whole, « _ ».
        raise InvalidInputError({k if isinstance(k, str) and k != "_schema" else "_":
                                 v if isinstance(v, list) else [str(v)]
                                 for k, v in messages.items()}) from None
    return loaded


def form_view(template: str, context: Callable[..., dict[str, Any]]) -> Callable[[F], F]:
    """Re-render `template` when a command fails on input or on a concurrent change.

    The user's input is kept (`form`), each error is shown next to its field (`errors`),
    and a conflict shows the new version with a message; nothing was recorded.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except (InvalidInputError, ConflictError) as exc:
                status = 409 if isinstance(exc, ConflictError) else 400
                errors = exc.errors if isinstance(exc, InvalidInputError) else {}
                ctx = context(*args, **kwargs)
                ctx.setdefault("form", request.form)
                return render_template(template, errors=errors, error_message=exc.message,
                                       conflict=status == 409, **ctx), status

        return wrapped  # type: ignore[return-value]

    return decorator


def dossier_actions(blueprint: Blueprint, template: str, context: Callable[..., dict[str, Any]],
                    guard: Callable[[F], F]) -> Callable[[str, str], Callable[[F], F]]:
    """Return `action(rule, name)`: declares a guarded POST on a dossier's page.

    The view is served at /dossiers/<dossier_id>/<rule> under the blueprint, named `name`,
    and the page `template` comes back with the errors and the input kept on bad input.
    """

    def action(rule: str, name: str) -> Callable[[F], F]:
        def decorator(view: F) -> F:
            view.__name__ = name
            wrapped = form_view(template, context)(view)
            return blueprint.post(f"/dossiers/<uuid:dossier_id>/{rule}")(guard(wrapped))

        return decorator

    return action


def redirect_to(endpoint: str, **values: Any) -> Response:
    """Redirect after a successful POST (the projections already include the write)."""
    return redirect(url_for(endpoint, **values))
