"""Drafts of the messages a student sends: the request, the follow-up and the thank-you (pure, no I/O).

They follow career-centre advice (product.md): a short request that says who you are, why them, how
you heard of them, that you are not asking for a job, the format and a length of 15-30 minutes; a
polite nudge; and a short thank-you naming the specific thing that helped. The student edits them.
"""

from datetime import datetime
from urllib.parse import quote

import msgspec

from backend.calendar import zone_of
from backend.eventstore.events import REDACTED
from backend.relationships.events import HowFound, MeetingFormat
from backend.relationships.state import ContactState, Interview
from backend.students.state import StudentState

REQUEST_MINUTES = (15, 30)
"""The length a request asks for, per the guidance: anything shorter or longer is clamped."""

HELPFUL_PLACEHOLDER = "[the specific thing that helped]"

# A name that starts with one of these is used whole ("Dear Dr. Lee"), never cut to a first name.
_HONORIFICS = frozenset(
    {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "rev", "sir", "dame", "hon", "judge", "dean"}
)

_FORMAT_PHRASES: dict[MeetingFormat, str] = {
    "phone": "phone call",
    "video": "video call",
    "in_person": "conversation in person",
}
_ALTERNATIVES: dict[MeetingFormat, str] = {
    "phone": "a video call",
    "video": "a phone call",
    "in_person": "a phone or video call",
}

# How the student found them, as the request says it; None leaves the sentence to the caller's words.
_HOW_FOUND: dict[HowFound, str | None] = {
    "professor": "One of my professors pointed me to your work.",
    "alumni": "I found you through {school}alumni network.",
    "career_office": "I found your name through {school}career office.",
    "friend_family": "I heard about your work through a friend.",
    "colloquium": "I learned about your work from your colloquium talk.",
    "linkedin": "I came across your profile on LinkedIn.",
    "conference": "I learned about your work at a recent conference.",
    "referral": "I was referred to you by a mutual contact.",
    "cold": None,
    "other": None,
}


class Draft(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A message ready to edit: `mailto` opens it in the student's mail app (None without an address)."""

    to: str | None
    subject: str
    body: str
    mailto: str | None


def request_draft(
    contact: ContactState,
    student: StudentState,
    *,
    format: MeetingFormat = "video",
    minutes: int = 20,
    how_heard: str | None = None,
    referrer_name: str | None = None,
) -> Draft:
    """A short request for an informational interview.

    `referrer_name` ("Dr. Lee") wins over `how_heard`, a phrase completing "I learned about your work
    through ..."; without either, the sentence comes from how the contact was found.
    """
    minutes = min(max(minutes, REQUEST_MINUTES[0]), REQUEST_MINUTES[1])
    me, school, referrer = _clean(student.display_name), _clean(student.school), _clean(referrer_name)

    intro = _sentence(
        f"My name is {me}, and I am a student" if me else "I am a student",
        f" at {school}" if school else "",
        f", exploring careers in {_and_list(student.interests)}" if _and_list(student.interests) else "",
    )
    paragraphs = [
        _greeting(contact),
        " ".join(s for s in (intro, _how_heard(contact, school, how_heard, referrer), _why_them(contact)) if s),
        "I am not asking for a job or an internship. I am hoping to learn from your experience: how you got "
        "where you are, what your work is like day to day, and what you would advise someone starting out.",
        f"Would you be open to a {minutes}-minute {_FORMAT_PHRASES[format]} in the coming weeks? I am happy to "
        f"fit around your schedule, and {_ALTERNATIVES[format]} works just as well if that is easier for you.",
        "Thank you for considering it.",
        _sign_off(me, school),
    ]
    sender = ", ".join(p for p in (me, school) if p)
    if referrer:
        subject = f"Referred by {referrer}: informational interview request"
    else:
        subject = "Informational interview request" + (f" from {sender}" if sender else "")
    return _draft(contact, subject, paragraphs)


def follow_up_draft(contact: ContactState, student: StudentState) -> Draft:
    """A polite nudge about the earlier request, dated in the student's time zone when known."""
    me, school = _clean(student.display_name), _clean(student.school)
    earlier = "my earlier message"
    if contact.requested_at is not None:
        earlier = f"my message of {_day(contact.requested_at, student.time_zone, with_date=True)},"
    length = f"{contact.request_minutes}-minute " if contact.request_minutes else "short "
    org = _clean(contact.organization)
    paragraphs = [
        _greeting(contact),
        f"I hope you are well. I am following up on {earlier} asking for a {length}conversation to learn "
        f"about your work{f' at {org}' if org else ''}. I know how busy things get, so I completely understand "
        "if now is not a good time.",
        "If you are open to it, I would be glad to fit around your schedule. And if you are not available, "
        "is there someone else you would suggest I speak with?",
        "Thank you again for considering it.",
        _sign_off(me, school),
    ]
    return _draft(contact, "Following up: informational interview request", paragraphs)


def thanks_draft(
    contact: ContactState,
    student: StudentState,
    *,
    interview: Interview | None = None,
    helpful_thing: str | None = None,
) -> Draft:
    """A short, personal thank-you naming what helped (a bracketed placeholder until the student says)."""
    me, school = _clean(student.display_name), _clean(student.school)
    interview = interview or (contact.held[-1] if contact.held else None)
    when = ""
    if interview is not None:
        when = f" on {_day(interview.held_at or interview.starts_at, student.time_zone, with_date=False)}"
    helpful = (_clean(helpful_thing) or HELPFUL_PLACEHOLDER).rstrip(".!")
    field, org = _clean(contact.career_field), _clean(contact.organization)
    picture = f"working in {field}" if field else f"working at {org}" if org else "the work"
    promised = [i.what.strip().rstrip(".") for i in contact.action_items if i.completed_at is None and i.what.strip()]
    next_steps = (
        f"I will follow through on what we discussed ({_and_list(promised)}) and let you know how it goes."
        if promised
        else "I am going to act on your suggestions and will let you know how it goes."
    )
    paragraphs = [
        _greeting(contact),
        f"Thank you for taking the time to talk with me{when}. I especially appreciated {helpful}; it gave me "
        f"a much clearer picture of what {picture} is really like.",
        " ".join(
            s
            for s in (
                "Thank you also for suggesting people I could talk to." if contact.referrals else "",
                next_steps,
                "I would love to stay in touch.",
            )
            if s
        ),
        _sign_off(me, school),
    ]
    return _draft(contact, f"Thank you for the conversation{when}" if when else "Thank you for your time", paragraphs)


def mailto_url(to: str, subject: str, body: str) -> str:
    """An RFC 6068 mailto: URL; line breaks in the body are sent as CRLF, as section 5 requires."""
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"


# -- pieces ---------------------------------------------------------------------------------------


def _draft(contact: ContactState, subject: str, paragraphs: list[str]) -> Draft:
    body = "\n\n".join(p for p in paragraphs if p) + "\n"
    to = None if contact.erased else _clean(contact.email)
    return Draft(to=to, subject=subject, body=body, mailto=mailto_url(to, subject, body) if to else None)


def _clean(text: str | None) -> str | None:
    """Collapsed whitespace, or None for nothing at all (so no "None" or double spaces reach a message)."""
    collapsed = " ".join((text or "").split())
    return collapsed or None


def _greeting(contact: ContactState) -> str:
    name = None if contact.erased else _clean(contact.name)
    if name is None or name == REDACTED:
        return "Hello,"
    first = name.split()[0].rstrip(",")
    if first.rstrip(".").lower() in _HONORIFICS or not first:
        return f"Dear {name},"
    return f"Dear {first},"


def _how_heard(contact: ContactState, school: str | None, how_heard: str | None, referrer: str | None) -> str:
    if referrer:
        return f"{referrer} suggested I reach out to you."
    if phrase := _clean(how_heard):
        return f"I learned about your work through {phrase.rstrip('.')}."
    template = _HOW_FOUND[contact.how_found]
    if template is None:
        return ""
    return template.format(school=f"the {school} " if school else "my school's ")


def _why_them(contact: ContactState) -> str:
    title, org, field = _clean(contact.title), _clean(contact.organization), _clean(contact.career_field)
    role = "".join((f" as {title}" if title else "", f" at {org}" if org else ""))
    if role and field:
        return (
            f"I would value your perspective on {field}, and your experience{role} is exactly the kind of "
            "path I want to understand."
        )
    if role:
        return f"Your experience{role} is exactly the kind of path I want to understand."
    if field:
        return f"I would value your perspective on working in {field}."
    return "I would value your perspective on your career path."


def _sentence(*parts: str) -> str:
    return "".join(parts) + "."


def _and_list(items: tuple[str, ...] | list[str]) -> str:
    cleaned = [c for c in (_clean(i) for i in items) if c]
    if len(cleaned) <= 2:
        return " and ".join(cleaned)
    return f"{', '.join(cleaned[:-1])} and {cleaned[-1]}"


def _sign_off(me: str | None, school: str | None) -> str:
    return "\n".join(line for line in ("Best regards,", me, school) if line)


def _day(at: datetime, time_zone: str, *, with_date: bool) -> str:
    local = at.astimezone(zone_of(time_zone))
    return f"{local:%A}, {local:%B} {local.day}" if with_date else f"{local:%A}"
