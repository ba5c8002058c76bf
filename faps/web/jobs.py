"""Background jobs' pages: the progress of a long export, then its file (requester, auditors)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template, send_file

from faps.domain.actors import Role
from faps.infrastructure.job_kinds import LABELS
from faps.infrastructure.jobs import DONE, FAILED, Job, JobQueue
from faps.web.common import actor, login_required, services

bp = Blueprint("jobs", __name__, url_prefix="/exports/travaux")
STATES = {"queued": "En attente", "running": "En cours", DONE: "Prêt", FAILED: "Échec",
          "expired": "Expiré"}


def queue() -> JobQueue:
    """Return the job queue of this faps."""
    return services().jobs


def visible(job_id: str) -> Job:
    """Return a job its requester or an auditor may see; anyone else gets 404."""
    job = queue().get(job_id)
    me = actor()
    if job is None or (str(me.account_id) != job.requester_id and me.role is not Role.AUDITOR):
        abort(404)
    return job


def status_of(job: Job) -> dict[str, Any]:
    """Return what the page and its polling show of a job."""
    ready = queue().available(job)
    message = {
        "queued": "La préparation va commencer.",
        "running": f"Préparation en cours\u202f: {job.percent}\u00a0%.",
        DONE: "Le fichier est prêt." if ready else "Le fichier n'est plus disponible\u202f: "
              "relancez la demande.",
        FAILED: f"La préparation a échoué\u202f: {job.error}",
        "expired": "Le fichier n'est plus disponible\u202f: relancez la demande.",
    }[job.state]
    return {"state": job.state, "state_label": STATES[job.state], "percent": job.percent,
            "message": message, "ready": ready, "file_name": job.file_name,
            "finished": job.state not in ("queued", "running")}


@bp.get("/<uuid:job_id>")
@login_required
def show(job_id: Any):  # type: ignore[no-untyped-def]
    """Show a job's progress (the page polls its status), then the link to its file."""
    job = visible(str(job_id))
    return render_template("exports/job.html", job=job, label=LABELS.get(job.kind, job.kind),
                           status=status_of(job),
                           keep_hours=services().settings.jobs_keep_hours)


@bp.get("/<uuid:job_id>/etat")
@login_required
def status(job_id: Any):  # type: ignore[no-untyped-def]
    """Return a job's status as JSON (for the progress bar)."""
    response = jsonify(status_of(visible(str(job_id))))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<uuid:job_id>/fichier")
@login_required
def download(job_id: Any):  # type: ignore[no-untyped-def]
    """Send a job's file while it is kept."""
    job = visible(str(job_id))
    if not queue().available(job):
        abort(404)
    response = send_file(queue().path(job), mimetype="application/x-ndjson", as_attachment=True,
                         download_name=job.file_name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
