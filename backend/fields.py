"""Field types with their limits, in one place: every request body and command uses these.

Text never contains NUL (PostgreSQL's jsonb cannot store \\u0000), is bounded, and names are not blank.
"""

from datetime import date, datetime
from typing import Annotated

import msgspec

MAX_BODY_BYTES = 1_048_576
"""The largest request body the API reads (1 MiB): far more than any command needs."""

NO_NUL = r"^[^\x00]*$"
NON_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
"""Some character that is neither whitespace nor NUL, and no NUL anywhere."""

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NON_BLANK)]
ShortText = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)]
NonBlankText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000, pattern=NON_BLANK)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000, pattern=NO_NUL)]
EMAIL = r"[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+"
PHONE = r"[0-9+()./ -]{3,40}"
URL = r"https?://[^\s\x00]+"
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=f"^{EMAIL}$")]
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=f"^{PHONE}$")]
Url = Annotated[str, msgspec.Meta(max_length=500, pattern=f"^{URL}$")]
# In an edit, an empty string clears the field, so it is valid there too.
EmailOrEmpty = Annotated[str, msgspec.Meta(max_length=254, pattern=f"^(?:{EMAIL})?$")]
PhoneOrEmpty = Annotated[str, msgspec.Meta(max_length=40, pattern=f"^(?:{PHONE})?$")]
UrlOrEmpty = Annotated[str, msgspec.Meta(max_length=500, pattern=f"^(?:{URL})?$")]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[^\x00,]+$")]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=20)]
ShortList = Annotated[list[ShortText], msgspec.Meta(max_length=50)]
Minutes = Annotated[int, msgspec.Meta(ge=5, le=480)]
FitSignal = Annotated[int, msgspec.Meta(ge=-2, le=2)]
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
"""A moment, with its offset: a time without a zone is refused rather than guessed."""
Day = date


EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""The dates and moments a body may name: far from the ends of the calendar, where moving a moment into
a student's time zone or adding business days would overflow."""


def in_range(name: str, value: date) -> None:
    """Refuse (ValueError) a date or moment outside EARLIEST_DAY..LATEST_DAY, naming the field."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"`{name}` must be between {EARLIEST_DAY.year} and {LATEST_DAY.year}")


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A request body (and the command it is): camelCase JSON whose every field is known, so a misspelt or
    unknown field is a 400 that names it, never silently ignored; and whose dates and moments are within
    EARLIEST_DAY..LATEST_DAY (also a 400 that names the field)."""

    def __post_init__(self) -> None:
        for name, shown in zip(self.__struct_fields__, self.__struct_encode_fields__, strict=True):
            value = getattr(self, name)
            if isinstance(value, date):
                in_range(shown, value)
