"""CSRF protection on every form, session expiry, security headers."""

from __future__ import annotations

import hmac
import secrets
import time

from flask import Flask, abort, request, session
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

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
    """Return the hidden input every form carries."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token())}">')


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
    return response


def init_app(app: Flask) -> None:
    """Install CSRF checks, idle-session expiry and headers."""
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _before() -> None:
        _expire_idle_session(app)
        if not app.config.get("CSRF_DISABLED"):
            _check_csrf()

    app.after_request(_headers)
