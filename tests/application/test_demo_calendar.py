"""The demo's calendar follows the day it runs: three years up to now, nothing in the future."""

from __future__ import annotations

from datetime import date

import pytest

from faps.application.demo import demo_clock
from faps.application.demo_data import STORIES, last_year


@pytest.mark.parametrize("today, last", [
    (date(2027, 1, 10), 2026),  # January: this year's stories could not have run yet
    (date(2027, 9, 14), 2026),
    (date(2027, 9, 15), 2027),  # from mid-September, this year is the last one
    (date(2030, 12, 31), 2030),
])
def test_the_last_year_is_this_one_once_its_stories_can_have_run(today: date, last: int):
    assert last_year(today) == last


def test_the_demo_starts_in_january_two_years_before_its_last():
    today = date(2031, 11, 2)
    assert demo_clock(today).now().date() == date(2029, 1, 3)
    assert sorted(STORIES) == [-2, -1, 0]
