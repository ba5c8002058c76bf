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
