"""How long 20 people signing in at once wait for the password check, as 4 gunicorn workers do.

Run: .venv/bin/python bench/sign_in.py [--people 20] [--workers 4]

Each sign-in is one argon2id verification (faps' production parameters, then argon2-cffi's
default ones for comparison), shared among `--workers` processes that all start together; the
figure is the wait of each person, from the start until their check is done.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argon2 import PasswordHasher

from faps.infrastructure.credentials import MEMORY_KIB, PARALLELISM, TIME_COST

PASSWORD = "motdepasse-de-banc"


def check(params: tuple[int, int, int], stored: str, start: float) -> float:
    """Verify a password; return the seconds since `start` when done."""
    memory, passes, lanes = params
    PasswordHasher(time_cost=passes, memory_cost=memory, parallelism=lanes).verify(
        stored, PASSWORD)
    return time.time() - start


def waits(params: tuple[int, int, int], people: int, workers: int) -> list[float]:
    """Return each person's wait when `people` sign in at once on `workers` processes."""
    memory, passes, lanes = params
    stored = PasswordHasher(time_cost=passes, memory_cost=memory, parallelism=lanes).hash(
        PASSWORD)
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(check, [params] * workers, [stored] * workers, [time.time()] * workers))
        start = time.time()
        return sorted(pool.map(check, [params] * people, [stored] * people, [start] * people))


def main() -> None:
    """Print the median and the longest wait for each set of parameters."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(f"{args.people} sign-ins at once on {args.workers} worker processes")
    for label, params in (("faps (OWASP)", (MEMORY_KIB, TIME_COST, PARALLELISM)),
                          ("argon2-cffi default", (65536, 3, 4))):
        got = waits(params, args.people, args.workers)
        print(f"{label:<20} m={params[0] // 1024} MiB t={params[1]} p={params[2]}: "
              f"median wait {statistics.median(got) * 1000:.0f} ms, "
              f"longest {got[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
