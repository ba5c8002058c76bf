"""Sign-in, sign-out and throttling of repeated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from marshmallow import Schema, fields, validate

from faps.infrastructure.credentials import metadata
from faps.web.common import current_actor, home_url, parse, services
from faps.web.schemas import FrenchSchema

bp = Blueprint("auth", __name__)

attempts_table = sa.Table(
    "faps_login_attempts",
    metadata,
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)


class LoginSchema(FrenchSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    next = fields.String(load_default="")


class Throttle:
    """Counts failed sign-ins per address; locks it for a while after too many."""

    def __init__(self, engine: sa.Engine, max_failures: int, lockout: timedelta) -> None:
        self.engine, self.max_failures, self.lockout = engine, max_failures, lockout
        metadata.create_all(engine, tables=[attempts_table])

    def locked_until(self, email: str) -> datetime | None:
        """Return when the address unlocks, if it is locked now."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(attempts_table.c.locked_until).where(
                attempts_table.c.email == email)).first()
        until = row[0] if row else None
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        return until if until and until > datetime.now(tz=UTC) else None

    def failed(self, email: str) -> None:
        """Record a failure; lock the address at the limit."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(attempts_table.c.failures).where(
                attempts_table.c.email == email)).first()
            failures = (row[0] if row else 0) + 1
            locked = (datetime.now(tz=UTC) + self.lockout
                      if failures >= self.max_failures else None)
            conn.execute(attempts_table.delete().where(attempts_table.c.email == email))
            conn.execute(attempts_table.insert().values(
                email=email, failures=0 if locked else failures, locked_until=locked))

    def succeeded(self, email: str) -> None:
        """Forget the failures of an address."""
        with self.engine.begin() as conn:
            conn.execute(attempts_table.delete().where(attempts_table.c.email == email))


def throttle() -> Throttle:
    """Return the application's throttle (created on first use)."""
    faps = services()
    if "throttle" not in faps.extras:
        settings = faps.settings
        faps.extras["throttle"] = Throttle(faps.engine, settings.login_max_failures,
                                           timedelta(minutes=settings.login_lockout_minutes))
    found: Throttle = faps.extras["throttle"]
    return found


def _safe_next(target: str) -> str | None:
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Sign in with e-mail and password."""
    if request.method == "GET":
        if current_actor() is not None:
            return redirect(home_url(current_actor()))  # type: ignore[arg-type]
        expired = session.pop("expired", False)
        return render_template("login.html", form={"next": request.args.get("next", "")},
                               errors={}, expired=expired)
    data = parse(LoginSchema(), request.form)
    email = data["email"].strip().lower()
    until = throttle().locked_until(email)
    if until is not None:
        message = ("Trop de tentatives infructueuses : ce compte est temporairement bloqué. "
                   "Réessayez dans quelques minutes.")
        return render_template("login.html", form=request.form, errors={},
                               error_message=message), 429
    found = services().accounts.authenticate(email, data["password"])
    if found is None:
        throttle().failed(email)
        return render_template("login.html", form=request.form, errors={},
                               error_message="Adresse ou mot de passe incorrect."), 401
    throttle().succeeded(email)
    session.clear()
    session["account_id"] = str(found.account_id)
    session.permanent = True
    flash(f"Bienvenue, {found.display}.", "success")
    return redirect(_safe_next(data.get("next") or "") or home_url(found))


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    """Sign out."""
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


_ = Schema  # marshmallow's Schema is the base of FrenchSchema
