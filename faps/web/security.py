"""CSRF protection and one-time tokens on every form, session expiry, security headers."""

from __future__ import annotations

import hmac
import secrets
import time

from flask import Flask, abort, current_app, flash, g, redirect, request, session
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from faps.infrastructure.submissions import SqlAlchemySubmissions, submission_key
from faps.web.common import services

ONCE_FIELD = "form_once"
ONCE_WAIT_STEPS, ONCE_WAIT_STEP = 40, 0.25  # a repeat waits up to 10 s for the first answer
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
       "base-uri 'none'")


def csrf_token() -> str:
    """Return this session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def csrf_field() -> Markup:
    """Return the hidden inputs every form carries: the CSRF token and a one-time token."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token())}">'
                  f'<input type="hidden" name="{ONCE_FIELD}" '
                  f'value="{secrets.token_urlsafe(18)}">')


def _submissions() -> SqlAlchemySubmissions:
    return services().web.submissions


def _claim_once() -> Response | None:
    """Claim the form's one-time token; a repeated submission goes where the first went."""
    token = request.form.get(ONCE_FIELD, "") if request.method == "POST" else ""
    if not token or len(token) > 64:
        return None
    key = submission_key(str(session.get("csrf") or ""), token)
    store = _submissions()
    claimed = store.claim(key, services().clock.now())
    if claimed is None:
        g.form_once = key
        return None
    location = claimed.location
    for _ in range(ONCE_WAIT_STEPS):  # a double click: the first request is still running
        if location is not None:
            break
        time.sleep(ONCE_WAIT_STEP)
        location = store.location(key)
    if location is None:
        abort(409, description="Votre envoi précédent de ce formulaire est encore en cours : "
                               "patientez quelques secondes puis rechargez la page.")
    flash("Ce formulaire avait déjà été envoyé : il n’a été enregistré qu’une fois.", "info")
    return redirect(location, 303)


def _settle_once(response: Response) -> Response:
    key = g.pop("form_once", None)
    if key is None:
        return response
    if 300 <= response.status_code < 400 and response.location:
        _submissions().done(key, response.location)
    elif response.status_code < 300:  # a file answered the form: a repeat goes back to it
        _submissions().done(key, _same_site_referrer() or "/")
    else:
        _submissions().release(key)
    return response


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer[len(request.host_url):]
    return None


def _release_after_error(_error: BaseException | None) -> None:
    key = g.pop("form_once", None)
    if key is not None:
        _submissions().release(key)


def _check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    if request.path.startswith("/api/") and request.headers.get("Authorization"):
        return  # a token call: no cookie acts for it (a browser never adds this header itself)
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="Jeton de sécurité (CSRF) absent ou périmé : rechargez la page "
                               "et recommencez.")


def _expire_idle_session(app: Flask) -> None:
    if "account_id" not in session:
        return
    now = int(time.time())
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    if now - int(session.get("seen", now)) > lifetime:
        session.clear()
        session["expired"] = True
        return
    session["seen"] = now
    session.permanent = True


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    hsts = int(current_app.config.get("FAPS_HSTS_SECONDS") or 0)
    if hsts:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    """Install CSRF checks, idle-session expiry and headers."""
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _before() -> Response | None:
        _expire_idle_session(app)
        if not app.config.get("CSRF_DISABLED"):
            _check_csrf()
        return _claim_once()

    app.after_request(_settle_once)
    app.after_request(_headers)
    app.teardown_request(_release_after_error)
