"""Sign-in, sign-out, throttling of repeated failures and the forgotten-password link."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import fields, validate
from werkzeug.wrappers import Response

from faps.application.accounts import SignIn
from faps.domain.accounts import normalize_email
from faps.domain.actors import Actor
from faps.domain.errors import InvalidInputError
from faps.infrastructure.throttle import Throttle
from faps.web.common import (
    current_actor,
    form_view,
    home_url,
    parse,
    services,
    web_sessions,
)
from faps.web.schemas import FrenchSchema

bp = Blueprint("auth", __name__)
DEVICE_COOKIE = "faps_device"
DEVICE_DAYS = 180


class LoginSchema(FrenchSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    next = fields.String(load_default="", validate=validate.Length(max=2000))


class ForgotSchema(FrenchSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class ResetSchema(FrenchSchema):
    new = fields.String(required=True, validate=validate.Length(min=1, max=200))
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=200))


def throttle() -> Throttle:
    """Return the application's throttle (built with faps: every request's thread shares it)."""
    return services().web.throttle


def safe_next(target: str) -> str | None:
    """Return a same-site path to go to after sign-in, or None.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    "/\\t/evil.example" is "//evil.example": a path with any of them is refused outright.
    """
    if not target.startswith("/") or target.startswith("//") or len(target) > 2000:
        return None
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def wait_fr(wait: timedelta) -> str:
    """Return a wait in French words, rounded up: « 1 seconde », « 3 minutes »."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 60:
        return f"{seconds}\u00a0seconde{'s' if seconds > 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes}\u00a0minute{'s' if minutes > 1 else ''}"


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="faps-device")


def _device_of(email: str) -> str | None:
    """Return the id of this browser's device cookie if it signed in to `email` before."""
    try:
        value: Any = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if isinstance(value, list) and len(value) == 2 and value[0] == email:
        return str(value[1])
    return None


def throttle_keys(email: str) -> tuple[list[str], list[str], list[str]]:
    """Return (keys to reserve, keys cleared on success, keys given a try back on success).

    A browser that signed in to this account before is counted on its own: failures of
    others against the account never delay its owner's known browser.
    """
    device = _device_of(email)
    if device is not None:
        key = f"device:{device}"
        return [key], [key], []
    address = f"address:{request.remote_addr or '?'}"
    account = f"account:{email}"
    return [address, account], [account], [address]


def _login_page(message: str, status: int, **extra: Any) -> tuple[str, int]:
    form = {"email": request.form.get("email", "")[:254],
            "next": request.form.get("next", "")[:2000]}
    return render_template("login.html", form=form, errors={}, error_message=message,
                           **extra), status


def start_session(found: Actor, must_change: bool) -> None:
    """Open a server-side session for the actor and put its id in the signed cookie."""
    agent = request.headers.get("User-Agent", "")
    session.clear()
    session["account_id"] = str(found.account_id)
    session["sid"] = web_sessions().open(found.account_id, datetime.now(tz=UTC),
                                         request.remote_addr or "", agent,
                                         idle=current_app.permanent_session_lifetime)
    if must_change:
        session["must_change"] = True
    session.permanent = True


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Sign in with e-mail and password."""
    if request.method == "GET":
        return _login_form()
    data = parse(LoginSchema(), request.form)
    email = normalize_email(data["email"])
    now = services().clock.now()
    reserve, cleared, given_back = throttle_keys(email)
    until = throttle().reserve(reserve, now)
    if until is not None:
        return _login_page("Trop de tentatives infructueuses : réessayez dans "
                           f"{wait_fr(until - now)}.", 429)
    result = services().accounts.sign_in(email, data["password"])
    if result.outcome is SignIn.DEACTIVATED or result.actor is not None:
        throttle().succeeded(cleared, given_back)
    if result.outcome is SignIn.DEACTIVATED:
        return _login_page("Ce compte est désactivé : adressez-vous à l’administrateur de "
                           "FAPS pour le rétablir.", 403)
    if result.actor is None:
        return _login_page("Adresse ou mot de passe incorrect.", 401)
    return _signed_in(result.actor, result.must_change, data.get("next") or "", email)


def _login_form():  # type: ignore[no-untyped-def]
    if current_actor() is not None:
        return redirect(home_url(current_actor()))  # type: ignore[arg-type]
    expired = session.pop("expired", False)
    return render_template("login.html", form={"next": request.args.get("next", "")[:2000]},
                           errors={}, expired=expired)


def _signed_in(who: Actor, must_change: bool, next_page: str, email: str) -> Response:
    """Open the session, then go where asked (or home), by a new password if one is due."""
    start_session(who, must_change)
    target = safe_next(next_page) or home_url(who)
    if must_change:
        session["after_change"] = target
        flash("Votre mot de passe a été fixé par un administrateur : choisissez-en un "
              "nouveau avant de continuer.", "info")
        target = url_for("account.password")
    else:
        flash(f"Bienvenue, {who.display}.", "success")
    response = redirect(target)
    _remember_device(response, email)
    return response


def _remember_device(response: Response, email: str) -> None:
    device = _device_of(email) or secrets.token_urlsafe(16)
    settings = services().settings
    response.set_cookie(DEVICE_COOKIE, _devices().dumps([email, device]),
                        max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=settings.resolved_cookie_secure())


def end_session() -> None:
    """End this browser's server-side session and clear the cookie."""
    sid = session.get("sid")
    if sid:
        web_sessions().revoke(str(sid))
    session.clear()


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    """Sign out: the session ends on the server too (a copied cookie no longer works)."""
    end_session()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@form_view("forgot.html", lambda **_: {})
def forgot():  # type: ignore[no-untyped-def]
    """Send a single-use reset link by mail; the answer never says whether the address exists."""
    if request.method == "GET":
        return render_template("forgot.html", form={}, errors={})
    data = parse(ForgotSchema(), request.form)
    email = normalize_email(data["email"])
    now = services().clock.now()
    until = throttle().reserve([f"reset:{request.remote_addr or '?'}", f"reset:{email}"], now)
    if until is None:
        started = services().accounts.start_reset(email)
        if started is not None:
            account, token = started
            link = services().settings.public_url.rstrip("/") + url_for(
                "auth.reset", token=token)
            services().mailer.send_to(account.email, "FAPS — réinitialisation de votre mot "
                                      "de passe", reset_body(account.name, link))
    flash("Si un compte actif correspond à cette adresse, un courriel vient de lui être "
          "envoyé avec un lien valable une heure. Pensez à regarder dans les indésirables.",
          "info")
    return redirect(url_for("auth.login"))


def reset_body(name: str, link: str) -> str:
    """Return the text of the reset mail."""
    return (f"Bonjour {name},\n\nQuelqu’un (vous, sans doute) a demandé à réinitialiser le mot "
            f"de passe de votre compte FAPS. Pour en choisir un nouveau, ouvrez ce lien dans "
            f"l’heure qui vient ; il ne sert qu’une fois :\n\n{link}\n\nSi vous n’êtes pas à "
            "l’origine de cette demande, ignorez ce message : votre mot de passe reste "
            "inchangé.\n")


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@form_view("reset.html", lambda token, **_: {"token": token, "valid": True})
def reset(token: str):  # type: ignore[no-untyped-def]
    """Choose a new password with a reset link (once, before it expires)."""
    if request.method == "GET":
        valid = services().accounts.reset_is_valid(token)
        return render_template("reset.html", token=token, valid=valid, form={},
                               errors={}), 200 if valid else 410
    data = parse(ResetSchema(), request.form)
    try:
        services().accounts.reset_password(token, data["new"], data["confirm"])
    except InvalidInputError as exc:
        if "_" in exc.errors:
            return render_template("reset.html", token=token, valid=False, form={},
                                   errors={}), 410
        raise
    end_session()
    flash("Mot de passe enregistré : connectez-vous avec le nouveau. Toutes les sessions "
          "ouvertes avec l’ancien sont fermées.", "success")
    return redirect(url_for("auth.login"))
