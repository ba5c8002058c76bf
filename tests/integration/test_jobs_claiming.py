"""Jobs are claimed atomically: workers of several processes never run one job twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from faps.infrastructure.jobs import DONE, Job, JobQueue
from faps.infrastructure.stores import make_engine, store_config


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_workers_with_their_own_connections_run_each_job_once(
        store: str, request: pytest.FixtureRequest, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if store == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ran: Counter[str] = Counter()
    lock = threading.Lock()

    def work(job: Job, target: Path, progress) -> str:  # type: ignore[no-untyped-def]
        with lock:
            ran[job.id] += 1
        target.write_text(job.id)
        return "f.txt"

    def worker() -> JobQueue:  # one engine each, as in another gunicorn worker
        queue = JobQueue(make_engine(store_config(url)), tmp_path / "jobs", clock,
                         timedelta(hours=1))
        queue.works["test"] = work
        return queue

    workers = [worker() for _ in range(4)]
    ids = [workers[0].submit("test", "a", "a@agglo.test", {}) for _ in range(12)]
    barrier = threading.Barrier(len(workers))

    def drain(queue: JobQueue) -> None:
        barrier.wait()
        while queue.run_one():
            pass

    threads = [threading.Thread(target=drain, args=(q,)) for q in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert ran == dict.fromkeys(ids, 1)
    assert all(getattr(workers[0].get(i), "state", None) == DONE for i in ids)
    for queue in workers:
        queue.engine.dispose()


def test_faps_jobs_run_once_prepares_the_waiting_log(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main
    from tests.conftest import build_faps
    from tests.support import make_world

    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    world = make_world(faps, clock)
    queue: JobQueue = faps.jobs
    job_id = queue.submit("audit-log", str(world.auditor.account_id), world.auditor.email,
                          {"until": faps.app.recorder.max_notification_id()})
    env = {"FAPS_DATABASE_URL": faps.settings.database_url,
           "FAPS_INSTANCE_PATH": str(faps.settings.instance_path)}

    result = CliRunner().invoke(main, ["jobs", "run", "--once"], env=env)

    assert result.exit_code == 0, result.output
    assert "1 travail exécuté." in result.output
    job = queue.get(job_id)
    assert job is not None and job.state == DONE and queue.available(job)
    faps.close()
