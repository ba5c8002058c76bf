"""Several processes starting at once on a new store (gunicorn's workers on a first deploy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BOOT = """
import sys
from pathlib import Path
from faps.bootstrap import build
from faps.infrastructure.settings import Settings
faps = build(Settings(database_url=sys.argv[1], instance_path=Path(sys.argv[2]),
                      secret_key="test-secret"), fast_hashing=True)
print(len(faps.reglements.book().versions))
faps.close()
"""


def boot_at_once(url: str, tmp_path: Path, processes: int = 4) -> list[tuple[int, str]]:
    """Start `processes` builds of faps on one store at the same moment; return (code, output)."""
    started = [subprocess.Popen([sys.executable, "-c", BOOT, url, str(tmp_path / f"i{n}")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=Path(__file__).parents[2])
               for n in range(processes)]
    results = []
    for process in started:
        output, _ = process.communicate(timeout=300)
        results.append((process.returncode, output))
    return results


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_workers_booting_at_once_on_a_new_store_all_start(kind: str, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if kind == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    results = boot_at_once(url, tmp_path)
    assert [code for code, _ in results] == [0] * 4, "\n".join(out for _, out in results)
    assert {out.strip().splitlines()[-1] for _, out in results} == {"1"}  # one règlement
