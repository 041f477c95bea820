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


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A request body (and the command it is): camelCase JSON whose every field is known, so a misspelt or
    unknown field is a 400 that names it, never silently ignored."""
