"""Working days in the Danish calendar: weekends and public holidays (from the maintained
holidays library, never a hand-made list) are not working days."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Denmark(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day
