"""The administrator's space: accounts, roles, communes, activation, passwords (all events)."""

from __future__ import annotations

import unicodedata
from typing import Any
from uuid import UUID

from flask import Blueprint, flash, render_template, request
from marshmallow import fields, validate

from faps.domain.actors import Role
from faps.web.common import actor, form_view, parse, redirect_to, roles_required, services
from faps.web.schemas import FrenchSchema

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMINISTRATOR)
ROLES = [r.value for r in Role if r is not Role.SYSTEM]


class RoleSchema(FrenchSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    commune = fields.String(load_default="")


class PasswordSchema(FrenchSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AccountSchema(RoleSchema, PasswordSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ActivationSchema(FrenchSchema):
    active = fields.Boolean(required=True)


def options() -> dict[str, Any]:
    """Return the choices of the account forms."""
    return {"roles": [("", "— choisir —")] + [(r, Role(r).label) for r in ROLES],
            "commune_options": [("", "— aucune (rôles de l’agglomération) —")] + [
                (c.insee, c.name) for c in services().communes]}


def account_context(account_id: UUID, **_: Any) -> dict[str, Any]:
    """Return what an account's page shows."""
    account = services().accounts.get(account_id)
    saved = {"role": account.role.value, "commune": account.commune or ""}
    return {"account": account, "form": request.form if request.method == "POST" else saved,
            **options()}


def folded(text: str) -> str:
    """Return text without accents nor case, whatever the locale: « Élodie » → « elodie »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def french_order(name: str) -> tuple[str, str]:
    """Sort key of a name the French way (accents and case fold, then the exact text)."""
    return folded(name), name


@bp.get("/comptes")
@admin_only
def accounts():  # type: ignore[no-untyped-def]
    """List the accounts, sorted by name the French way, filtered by the search box."""
    query = request.args.get("q", "")[:100].strip()
    rows = services().queries.accounts(actor())
    if query:
        wanted = folded(query)
        rows = [a for a in rows if wanted in folded(f"{a.name} {a.email}")]
    rows.sort(key=lambda a: (*french_order(a.name), a.email))
    return render_template("admin/accounts.html", accounts=rows, query=query)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@admin_only
@form_view("admin/new_account.html", lambda **_: options())
def new_account():  # type: ignore[no-untyped-def]
    """Open an account with its role (and commune for a commune agent)."""
    if request.method == "GET":
        return render_template("admin/new_account.html", form={}, errors={}, **options())
    data = parse(AccountSchema(), request.form)
    account_id = services().accounts.open(actor(), data["email"].strip(), data["name"].strip(),
                                          Role(data["role"]), data["commune"] or None,
                                          data["password"], temporary=True)
    flash(f"Compte ouvert pour {data['email']}. Transmettez-lui le mot de passe initial "
          "par un canal sûr : il devra en choisir un autre à sa première connexion.", "success")
    return redirect_to("admin.account", account_id=account_id)


@bp.get("/comptes/<uuid:account_id>")
@admin_only
def account(account_id: UUID):  # type: ignore[no-untyped-def]
    """Show an account and the forms that change it."""
    return render_template("admin/account.html", errors={}, **account_context(account_id))


@bp.post("/comptes/<uuid:account_id>/role")
@admin_only
@form_view("admin/account.html", account_context)
def change_role(account_id: UUID):  # type: ignore[no-untyped-def]
    """Give the account another role or commune."""
    data = parse(RoleSchema(), request.form)
    services().accounts.change_role(actor(), account_id, Role(data["role"]),
                                    data["commune"] or None)
    flash("Rôle enregistré.", "success")
    return redirect_to("admin.account", account_id=account_id)


@bp.post("/comptes/<uuid:account_id>/activation")
@admin_only
def set_active(account_id: UUID):  # type: ignore[no-untyped-def]
    """Deactivate or reactivate the account."""
    data = parse(ActivationSchema(), request.form)
    services().accounts.set_active(actor(), account_id, data["active"])
    flash("Compte réactivé." if data["active"] else "Compte désactivé\u202f: il ne peut plus se "
          "connecter.", "success")
    return redirect_to("admin.account", account_id=account_id)


@bp.post("/comptes/<uuid:account_id>/mot-de-passe")
@admin_only
@form_view("admin/account.html", account_context)
def reset_password(account_id: UUID):  # type: ignore[no-untyped-def]
    """Set a new password for the account."""
    data = parse(PasswordSchema(), request.form)
    services().accounts.set_password(actor(), account_id, data["password"])
    flash("Mot de passe réinitialisé : les sessions ouvertes de ce compte sont fermées, et "
          "son titulaire devra en choisir un autre à sa prochaine connexion.", "success")
    return redirect_to("admin.account", account_id=account_id)
