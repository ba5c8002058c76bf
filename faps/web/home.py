"""The landing page: each role goes to its own space."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from faps.web.common import current_actor, home_url, login_required

bp = Blueprint("home", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    """Send the visitor to their space, or to the sign-in page."""
    found = current_actor()
    if found is None:
        return redirect(url_for("auth.login"))
    return redirect(home_url(found))


@bp.get("/accueil")
@login_required
def welcome():  # type: ignore[no-untyped-def]
    """List the spaces of the signed-in role."""
    return render_template("welcome.html")


@bp.get("/sante")
def health():  # type: ignore[no-untyped-def]
    """Tell a load balancer the process is up."""
    return {"status": "ok"}
