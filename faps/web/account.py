"""Mon compte: one's password, sessions and, for every role, what belongs to the account.

The page is a list of sections (`SECTIONS`, one template each): a feature adds its block by
appending its template there.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from marshmallow import fields, validate
from werkzeug.wrappers import Response

from faps.web.auth import end_session, start_session
from faps.web.common import (
    actor,
    form_view,
    login_required,
    parse,
    services,
    web_sessions,
)
from faps.web.schemas import FrenchSchema

bp = Blueprint("account", __name__, url_prefix="/mon-compte")
SECTIONS: list[str] = ["account/_identity.html", "account/_password.html",
                       "account/_sessions.html", "account/_tokens.html"]
# What a person whose password an administrator set may still open before changing it.
ALLOWED_BEFORE_CHANGE = frozenset({"account.password", "auth.logout", "auth.login", "static",
                                   "home.health"})


class ChangePasswordSchema(FrenchSchema):
    current = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new = fields.String(required=True, validate=validate.Length(min=1, max=200))
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=200))


def page_context(**_: Any) -> dict[str, Any]:
    """Return what Mon compte shows."""
    faps = services()
    me = actor()
    current = web_sessions().key(str(session.get("sid") or ""))
    return {"account": faps.accounts.get(me.account_id), "sections": SECTIONS,
            "sessions": web_sessions().of(me.account_id), "current_session": current,
            "forced": bool(session.get("must_change"))}


@bp.before_app_request
def _forced_change() -> Response | None:
    """Lead a person whose password an administrator set to the change form first."""
    if session.get("must_change") and request.endpoint not in ALLOWED_BEFORE_CHANGE:
        return redirect(url_for("account.password"))
    return None


@bp.get("")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Show the account's page."""
    return render_template("account/index.html", form={}, errors={}, **page_context())


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@form_view("account/password.html", page_context)
def password():  # type: ignore[no-untyped-def]
    """Change one's password (the current one required); other sessions end."""
    if request.method == "GET":
        return render_template("account/password.html", form={}, errors={}, **page_context())
    data = parse(ChangePasswordSchema(), request.form)
    me = actor()
    services().accounts.change_own_password(me, data["current"], data["new"], data["confirm"])
    target = session.get("after_change") or url_for("account.index")
    start_session(me, must_change=False)  # every session ended: this browser gets a new one
    flash("Mot de passe modifié. Vos autres sessions sont fermées.", "success")
    return redirect(target)


@bp.post("/sessions/fin")
@login_required
def logout_everywhere():  # type: ignore[no-untyped-def]
    """End every session of the account, this one included."""
    count = web_sessions().revoke_all(actor().account_id)
    end_session()
    flash(f"Vous êtes déconnecté partout ({count}\u00a0session{'s' if count > 1 else ''} "
          "fermée" + ("s" if count > 1 else "") + ").", "info")
    return redirect(url_for("auth.login"))
