"""A student's calendar: their time zone, and business days that skip weekends and public holidays.

The projection builds the agenda of every touched contact on every event, so everything that costs
more than arithmetic (time zones, holiday tables) is cached per process, keyed by plain values.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import msgspec

_SATURDAY = 5


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    # The IANA names the tzdata package ships (not whatever the system's zoneinfo folder holds, such as
    # `localtime`, which PostgreSQL does not know).
    return frozenset(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


_database_zones: frozenset[str] | None = None


def database_zones_known() -> bool:
    """Whether `database_knows` has been told this process's database's zones."""
    return _database_zones is not None


def database_knows(names: Iterable[str]) -> None:
    """Keep only the zones the database also knows (`pg_timezone_names`, read at start-up): a zone it
    cannot convert would fail every query that turns a moment into the student's date."""
    global _database_zones  # noqa: PLW0603 - set once per process, at start-up
    _database_zones = frozenset(names)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    # The package also accepts three-letter codes; the product speaks ISO 3166-1 alpha-2.
    return frozenset(c for c in holidays.list_supported_countries() if len(c) == 2 and c.isupper())


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this server and its database know (e.g. "Europe/Paris")."""
    return name in _iana_zones() and (_database_zones is None or name in _database_zones)


def is_country(code: str) -> bool:
    """Whether `code` is a two-letter, upper-case country code with a known holiday calendar."""
    return code in _countries()


@lru_cache(maxsize=512)
def zone_of(name: str) -> ZoneInfo:
    """The zone of this name; an unknown one reads as UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # Names are validated when a student sets them; a replay must not crash if tzdata later
        # drops one, so an unknown zone reads as UTC rather than stopping the projection.
        return ZoneInfo("UTC")


@lru_cache(maxsize=1024)
def _holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays (observed days included) of `country` that fall in `year`."""
    try:
        table = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        # Same reasoning as for zones: an unknown country means weekends only, not a crash.
        return frozenset()
    return frozenset(d for d in table if d.year == year)


def _weekdays_after(a: date, b: date) -> int:
    """Mondays to Fridays in (a, b], for a <= b, by arithmetic rather than a day-by-day walk."""
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = a.weekday()
    for _ in range(rest):
        weekday = (weekday + 1) % 7
        if weekday < _SATURDAY:
            count += 1
    return count


class StudentCalendar(msgspec.Struct, frozen=True, kw_only=True):
    """Where a student lives, as far as dates are concerned: an IANA time zone and a country code."""

    time_zone: str
    country: str

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.time_zone)

    def local_date(self, at: datetime) -> date:
        """The date on the student's wall calendar at the moment `at` (which must carry its offset)."""
        if at.tzinfo is None:
            raise ValueError("a moment without a time zone has no local date")
        return at.astimezone(self.zone).date()

    def local_day_start(self, day: date) -> datetime:
        """Midnight at the start of `day` in the student's time zone."""
        return datetime.combine(day, time(), tzinfo=self.zone)

    def is_holiday(self, day: date) -> bool:
        return day in _holidays(self.country, day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def add_business_days(self, start: date, days: int) -> date:
        """The day that is `days` business days after `start` (start itself does not count; 0 → start).

        A negative `days` counts backwards the same way.
        """
        step = timedelta(days=1 if days >= 0 else -1)
        remaining = abs(days)
        day = start
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, a: date, b: date) -> int:
        """Business days after `a` up to and including `b` (negative when `b` is before `a`).

        So a thank-you on the interview's own day is 0, on the next business day 1.
        """
        if b < a:
            return -self.business_days_between(b, a)
        count = _weekdays_after(a, b)
        for year in range(a.year, b.year + 1):
            count -= sum(1 for d in _holidays(self.country, year) if a < d <= b and d.weekday() < _SATURDAY)
        return count
