"""A student's calendar: their time zone, and business days that skip weekends and public holidays."""

from datetime import date, datetime

import msgspec


class StudentCalendar(msgspec.Struct, frozen=True, kw_only=True):
    time_zone: str
    country: str

    def local_date(self, at: datetime) -> date:
        raise NotImplementedError

    def is_business_day(self, day: date) -> bool:
        raise NotImplementedError

    def add_business_days(self, start: date, days: int) -> date:
        raise NotImplementedError
