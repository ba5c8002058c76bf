"""Mon compte › Jetons d'API: an account creates, names and revokes its own personal tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, flash, render_template, request
from marshmallow import fields, validate

from faps.domain.errors import NotFoundError
from faps.web.common import actor, form_view, login_required, parse, redirect_to, services
from faps.web.schemas import FrenchSchema

bp = Blueprint("compte", __name__, url_prefix="/compte")


class NewTokenSchema(FrenchSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    expires_days = fields.Integer(load_default=None, allow_none=True,
                                  validate=validate.Range(min=1, max=3650))


def _context() -> dict[str, Any]:
    service = services().tokens
    who = actor()
    return {"tokens": service.list(who, who.account_id), "now": services().clock.now(),
            "created": None}


@bp.get("/jetons")
@login_required
def tokens():  # type: ignore[no-untyped-def]
    """List the account's tokens and offer to create one."""
    return render_template("compte/jetons.html", errors={}, form={}, **_context())


@bp.post("/jetons")
@login_required
@form_view("compte/jetons.html", lambda: _context())
def create_token():  # type: ignore[no-untyped-def]
    """Create a token and show its secret, this once."""
    form = {k: v for k, v in request.form.items() if v != ""}
    data = parse(NewTokenSchema(), form)
    who = actor()
    issued = services().tokens.create(who, who.account_id, data["name"],
                                              data.get("expires_days"))
    context = {**_context(), "created": issued}
    return render_template("compte/jetons.html", errors={}, form={}, **context)


@bp.post("/jetons/<uuid:token_id>/revocation")
@login_required
def revoke_token(token_id: UUID):  # type: ignore[no-untyped-def]
    """Revoke one of the account's tokens."""
    service = services().tokens
    who = actor()
    if all(t.token_id != token_id for t in service.list(who, who.account_id)):
        raise NotFoundError("Jeton introuvable.")
    service.revoke(who, token_id)
    flash("Jeton révoqué : les appels qui l’utilisent sont désormais refusés.", "success")
    return redirect_to("compte.tokens")
