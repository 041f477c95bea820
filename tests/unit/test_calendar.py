"""The student's calendar: local dates in their time zone, business days in their country."""

from datetime import UTC, date, datetime, timedelta

import pytest

from backend import calendar
from backend.calendar import StudentCalendar, is_country, is_time_zone

pytestmark = pytest.mark.unit

US = StudentCalendar(time_zone="America/New_York", country="US")
JP = StudentCalendar(time_zone="Asia/Tokyo", country="JP")
NZ = StudentCalendar(time_zone="Pacific/Auckland", country="NZ")


def test_weekends_are_not_business_days() -> None:
    assert US.is_business_day(date(2026, 3, 6))  # Friday
    assert not US.is_business_day(date(2026, 3, 7))  # Saturday
    assert not US.is_business_day(date(2026, 3, 8))  # Sunday
    assert US.is_business_day(date(2026, 3, 9))  # Monday


def test_adding_business_days_skips_the_weekend_and_not_the_start() -> None:
    friday = date(2026, 3, 6)
    assert US.add_business_days(friday, 0) == friday
    assert US.add_business_days(friday, 1) == date(2026, 3, 9)
    assert US.add_business_days(friday, 7) == date(2026, 3, 17)
    # From a Saturday, the first business day is Monday.
    assert US.add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_adding_negative_business_days_counts_backwards() -> None:
    assert US.add_business_days(date(2026, 3, 9), -1) == date(2026, 3, 6)


def test_us_public_holidays_are_skipped() -> None:
    thanksgiving = date(2026, 11, 26)
    assert not US.is_business_day(thanksgiving)
    assert US.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)
    # Independence Day 2026 is a Saturday, observed on Friday 3 July.
    assert not US.is_business_day(date(2026, 7, 3))
    assert US.add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)


def test_observed_holiday_in_the_previous_year_is_skipped() -> None:
    # New Year's Day 2022 was a Saturday, observed on Friday 31 December 2021.
    assert not US.is_business_day(date(2021, 12, 31))
    assert US.add_business_days(date(2021, 12, 30), 1) == date(2022, 1, 3)


def test_each_country_has_its_own_holidays() -> None:
    waitangi_day = date(2026, 2, 6)  # a Friday
    assert not NZ.is_business_day(waitangi_day)
    assert US.is_business_day(waitangi_day)
    assert NZ.add_business_days(date(2026, 2, 5), 1) == date(2026, 2, 9)
    assert US.add_business_days(date(2026, 2, 5), 1) == waitangi_day
    # Japan's Golden Week: Showa Day (Wed 29 April), then 4-6 May.
    assert JP.add_business_days(date(2026, 4, 28), 1) == date(2026, 4, 30)
    assert JP.add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 7)
    assert US.add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 4)


def test_an_unknown_country_has_weekends_only() -> None:
    nowhere = StudentCalendar(time_zone="UTC", country="XX")
    assert nowhere.is_business_day(date(2026, 12, 25))
    assert not nowhere.is_business_day(date(2026, 12, 26))


def test_business_days_between_counts_after_the_first_up_to_the_second() -> None:
    thursday = date(2026, 3, 5)
    assert US.business_days_between(thursday, thursday) == 0
    assert US.business_days_between(thursday, date(2026, 3, 6)) == 1
    assert US.business_days_between(thursday, date(2026, 3, 8)) == 1  # the weekend adds nothing
    assert US.business_days_between(thursday, date(2026, 3, 9)) == 2
    assert US.business_days_between(date(2026, 3, 9), thursday) == -2
    # Across Thanksgiving: Wednesday to Monday is Friday and Monday.
    assert US.business_days_between(date(2026, 11, 25), date(2026, 11, 30)) == 2


def test_business_days_between_agrees_with_adding_them_over_a_year() -> None:
    start = date(2025, 12, 20)
    for days in range(0, 400, 13):
        end = US.add_business_days(start, days)
        assert US.business_days_between(start, end) == days
        assert NZ.business_days_between(start, NZ.add_business_days(start, days)) == days
    # And day by day, against the definition.
    day = date(2026, 1, 1)
    for offset in range(1, 40):
        later = day + timedelta(days=offset)
        expected = sum(1 for k in range(1, offset + 1) if US.is_business_day(day + timedelta(days=k)))
        assert US.business_days_between(day, later) == expected


def test_local_date_far_east_of_utc() -> None:
    # 11:00 UTC on Monday 2 March is 01:00 on Tuesday 3 March in Kiritimati (UTC+14).
    at = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert StudentCalendar(time_zone="Pacific/Kiritimati", country="KI").local_date(at) == date(2026, 3, 3)
    # Auckland is UTC+13 in (southern) summer: 12:00 UTC is already the next day.
    assert NZ.local_date(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)) == date(2026, 3, 3)
    assert NZ.local_date(datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert StudentCalendar(time_zone="UTC", country="US").local_date(at) == date(2026, 3, 2)


def test_local_date_west_of_utc() -> None:
    # 03:00 UTC on 3 March is still the evening of 2 March in New York.
    assert US.local_date(datetime(2026, 3, 3, 3, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="time zone"):
        US.local_date(datetime(2026, 3, 3, 3, 0))  # naive on purpose


def test_local_day_start_is_local_midnight() -> None:
    start = NZ.local_day_start(date(2026, 3, 3))
    assert start == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert NZ.local_date(start) == date(2026, 3, 3)
    assert NZ.local_date(start - timedelta(microseconds=1)) == date(2026, 3, 2)


def test_is_time_zone() -> None:
    assert is_time_zone("Pacific/Auckland")
    assert is_time_zone("UTC")
    assert not is_time_zone("Mars/Olympus_Mons")
    assert not is_time_zone("pacific/auckland")
    assert not is_time_zone("")
    # Files of the system's zoneinfo folder that are not IANA zones: PostgreSQL knows none of them.
    for name in ("localtime", "posixrules", "posix/UTC", "right/UTC"):
        assert not is_time_zone(name), name


def test_a_time_zone_the_database_does_not_know_is_not_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar, "_database_zones", None)  # put back as it was after the test
    calendar.database_knows(["UTC", "Asia/Tokyo"])
    assert is_time_zone("Asia/Tokyo")
    assert not is_time_zone("Pacific/Auckland")


def test_is_country() -> None:
    assert is_country("US")
    assert is_country("JP")
    assert is_country("NZ")
    assert not is_country("us")
    assert not is_country("USA")
    assert not is_country("XX")
    assert not is_country("")
