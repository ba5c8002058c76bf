"""The log's download is a background job: the request returns at once, a page shows the
progress, a mail brings the link, the file is kept for a set time and only for its requester
and the auditors."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from faps.domain.actors import Role
from faps.infrastructure.audit_log import write_log
from faps.infrastructure.jobs import JobQueue
from faps.infrastructure.outbox import outbox
from faps.infrastructure.transcodings import faps_transcodings
from tests.support import World
from tests.web.conftest import csrf_of, sign_in

Signed = Callable[[str], FlaskClient]


def started(browser: FlaskClient) -> str:
    """Ask for the log from the exports page; return the job page's address."""
    response = browser.post("/exports/audit/journal",
                            data={"csrf_token": csrf_of(browser, "/exports/")})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def file_status(browser: FlaskClient, url: str) -> int:
    """Return the status of a file's download (its response closed)."""
    with browser.get(url) as response:
        return response.status_code


def test_the_log_is_prepared_in_the_background_then_offered_and_mailed(
        web_world: World, signed_in: Signed) -> None:
    web_world.awarded()
    queue: JobQueue = web_world.faps.jobs
    browser = signed_in("auditor")

    page_url = started(browser)
    page = browser.get(page_url).get_data(as_text=True)
    assert re.search(r'<progress id="job-progress" max="100" value="0"', page)
    assert 'role="status"' in page and "En attente" in page
    assert "Demandé le 05/02/2024 à 10:00" in page  # 09:00 UTC, read in Paris time
    assert browser.get(f"{page_url}/etat").get_json()["state"] == "queued"
    assert file_status(browser, f"{page_url}/fichier") == 404  # nothing yet

    assert queue.run_one()  # the job thread (or `faps jobs run`) takes it

    status = browser.get(f"{page_url}/etat").get_json()
    assert status["state"] == "done" and status["ready"] and status["percent"] == 100
    with browser.get(f"{page_url}/fichier") as download:
        data, disposition = download.data, download.headers["Content-Disposition"]
        assert download.status_code == 200
    written = io.StringIO()
    position, head, _ = write_log(web_world.faps.app, written,
                                  {t.type: t.name for t in faps_transcodings()})
    assert data.decode("utf-8") == written.getvalue()
    assert f"journal-audit-position-{position}.jsonl" in disposition
    assert json.loads(data.splitlines()[-1])["head"] == head
    with web_world.faps.engine.connect() as conn:
        mail = conn.execute(sa.select(outbox).where(outbox.c.key.like("job:%"))).one()
    assert mail.recipients == web_world.auditor.email and page_url in mail.body
    assert "disponible jusqu'au" in mail.body


def test_only_the_requester_and_the_auditors_see_the_job_and_its_file(
        web_world: World, signed_in: Signed, app) -> None:  # type: ignore[no-untyped-def]
    page_url = started(signed_in("secretariat"))
    web_world.faps.jobs.run_one()
    assert file_status(signed_in("secretariat"), f"{page_url}/fichier") == 200
    assert file_status(signed_in("auditor"), f"{page_url}/fichier") == 200
    assert signed_in("officer").get(page_url).status_code == 404
    assert file_status(signed_in("officer"), f"{page_url}/fichier") == 404
    assert signed_in("agent").get(f"{page_url}/etat").status_code == 404
    other = web_world.actor("auditrice2@agglo.test", Role.AUDITOR)
    browser = app.test_client()
    sign_in(browser, other.email)
    assert file_status(browser, f"{page_url}/fichier") == 200


def test_the_file_is_deleted_after_the_kept_time(web_world: World, signed_in: Signed) -> None:
    queue: JobQueue = web_world.faps.jobs
    browser = signed_in("auditor")
    page_url = started(browser)
    queue.run_one()
    job = queue.get(page_url.rsplit("/", 1)[-1])
    assert job is not None and queue.path(job).exists()

    web_world.clock.advance(hours=web_world.faps.settings.jobs_keep_hours + 1)
    queue.purge()

    assert not queue.path(job).exists()
    assert file_status(browser, f"{page_url}/fichier") == 404
    assert "relancez la demande" in browser.get(page_url).get_data(as_text=True)
