"""Rules the fund states once: a second copy would drift from the first (issue 17, point 4)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from faps.domain.dates import end_of_paris_day, paris_day, paris_moment, parse_day

ROOT = Path(__file__).resolve().parents[2] / "faps"
ADOPTED = r'(?:"adoptee"|Outcome\.ADOPTED|ADOPTED)'


def modules_matching(pattern: str) -> list[str]:
    """Return the faps modules whose source matches a pattern (spread over lines)."""
    found = re.compile(pattern, re.MULTILINE)
    return sorted(str(p.relative_to(ROOT.parent)) for p in ROOT.rglob("*.py")
                  if found.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("what, pattern, home", [
    ("the Paris time zone", r'ZoneInfo\(\s*"Europe/Paris"', "faps/domain/dates.py"),
    ("a parser of typed dates", r"strptime\(|\{1,2\}\)/", "faps/domain/dates.py"),
    ("the half-share cap (L5216-5 VI)", r"total\w*\s*-\s*public\s*-\s*private\s*\)\s*(?:\*|/)",
     "faps/domain/legal.py"),
    ("the 20 % own-participation cap (L1111-10)", r'Decimal\("0\.8"\)|1 - MIN_OWNER_SHARE',
     "faps/domain/legal.py"),
    ("the amount awarded only if adopted",
     rf"{ADOPTED} else (?:ZERO|Decimal)|!= {ADOPTED}:\s*\n\s*amount = ZERO|"
     r"if self\.adopted else Decimal", "faps/domain/council.py"),
    ("the budget use cases", r"^class BudgetService\b", "faps/application/budgets.py"),
])
def test_a_rule_lives_in_one_module(what: str, pattern: str, home: str):
    assert modules_matching(pattern) == [home], what


@pytest.mark.parametrize("typed, day", [
    ("2026-12-06", date(2026, 12, 6)), (" 06/12/2026 ", date(2026, 12, 6)),
    ("6/1/2027", date(2027, 1, 6)), ("31/02/2026", None), ("2026-2-1", None), ("hier", None),
    ("01/01/1899", None), ("31/12/2199", date(2199, 12, 31)), ("", None), (None, None),
])
def test_a_typed_date_is_read_the_french_or_the_iso_way(typed: str | None, day: date | None):
    assert parse_day(typed) == day


def test_the_fund_days_and_moments_are_paris_ones():
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 00:30 on the 7th in Torcy
    assert paris_day(late) == date(2026, 12, 7)
    assert paris_moment(late) == "07/12/2026 à 00:30 (heure de Paris)"
    assert end_of_paris_day(date(2026, 12, 7)).astimezone(UTC) == datetime(
        2026, 12, 7, 22, 59, 59, 999999, tzinfo=UTC)
