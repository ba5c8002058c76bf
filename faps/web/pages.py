"""The footer pages every French public service publishes; public, no sign-in needed.

Their text comes from the instance's settings (FAPS_LEGAL_*, FAPS_CONTACT_*, FAPS_DPO_CONTACT,
FAPS_DATA_RETENTION, FAPS_ACCESSIBILITY_*), with defaults true of faps as shipped.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


def render(template: str):  # type: ignore[no-untyped-def]
    """Render a footer page with the instance's settings."""
    return render_template(f"pages/{template}.html", s=current_app.config["FAPS_SETTINGS"])


@bp.get("/mentions-legales")
def legal():  # type: ignore[no-untyped-def]
    """Show who publishes and hosts the service."""
    return render("legal")


@bp.get("/accessibilite")
def accessibility():  # type: ignore[no-untyped-def]
    """Show the accessibility statement (RGAA 4.1) with its conformity level."""
    return render("accessibility")


@bp.get("/donnees-personnelles")
def personal_data():  # type: ignore[no-untyped-def]
    """Show what personal data faps keeps, why, for how long, and the rights of each person."""
    return render("personal_data")


@bp.get("/aide")
def help_page():  # type: ignore[no-untyped-def]
    """Show where to find help and whom to contact."""
    return render("help")
