"""Working days: weekends and public holidays (from the maintained holidays library, never
a hand-made list) are not working days. Which country, region and weekend is the rules'
calendar (rules.values.Calendar), passed in by the caller."""

from datetime import date, timedelta
from functools import cache
from typing import Protocol

import holidays


class WorkingCalendar(Protocol):
    country: str
    subdivision: str
    weekend: tuple[int, ...]


@cache
def _holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def is_working_day(day: date, calendar: WorkingCalendar) -> bool:
    return day.isoweekday() not in calendar.weekend and day not in _holidays(
        calendar.country, calendar.subdivision, day.year
    )


def previous_working_day(day: date, calendar: WorkingCalendar, count: int = 1) -> date:
    """The `count`th working day strictly before `day`."""
    for _ in range(count):
        day -= timedelta(days=1)
        while not is_working_day(day, calendar):
            day -= timedelta(days=1)
    return day
