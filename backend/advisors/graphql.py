"""Across an advisor's advisees: the cohort's figures, built from each student's own (students.py loads
them for all advisees in one statement), so they mean exactly what REST's /stats says."""

import statistics
from collections import Counter
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from backend.advisors import access
from backend.relationships.readmodels.stats import MISSED_THANKS_DAYS
from backend.relationships.state import STAGES
from backend.students.graphql import StageCount, Student, WeekActivity, load_figures, student
from backend.web.cursors import Offset, encode_cursor
from backend.web.graphql.context import Context, remember, saw
from backend.web.graphql.described import described
from backend.web.graphql.errors import ForbiddenError, ResolverError
from backend.web.graphql.pagination import DEFAULT_PAGE, Connection, connection, decode_cursor, page_size

MAX_COHORT = 1000
"""The most advisees a cohort covers (a career centre's caseload is far below it)."""


@strawberry.type
class Attention:
    student: Student
    days_inactive: int | None = strawberry.field(description="null: nothing recorded yet.")
    thanks_missed: int = strawberry.field(
        description="Thank-you notes not sent whose 2-business-day window closed in the last"
        f" {MISSED_THANKS_DAYS} days."
    )
    reasons: list[str] = strawberry.field(description="Why the student needs attention, most pressing first.")


@strawberry.type
class StudentReferrals:
    student: Student
    referrals: int


@strawberry.type(description="An advisor's advisees as a group, as of each student's today.")
class Cohort:
    students: int
    funnel: list[StageCount]
    thank_you_on_time_rate: float | None = strawberry.field(
        description="Thanked within 2 business days, among all held interviews thanked or whose window has closed."
    )
    median_days_to_thanks: float | None = strawberry.field(description="Across every thanked interview.")
    referrals_per_student: float | None
    referrals: list[StudentReferrals]
    activity_per_week: list[WeekActivity] = strawberry.field(
        description="Steps recorded by all the advisees, summed by week over each one's last 12 weeks (weeks start"
        " on each student's own Monday, so students in far-apart time zones can add a 13th), oldest first."
    )
    needs_attention_count: int = strawberry.field(description="How many students `needsAttention` lists in all.")
    attention: strawberry.Private[list[Attention]]

    @described(
        "Students with no activity for `inactiveDays` days or more (never active first, then the longest silent),"
        f" then students who did not send a thank-you note in the last {MISSED_THANKS_DAYS} days (most missed"
        " first): a page at a time."
    )
    def needs_attention(self, first: int = DEFAULT_PAGE, after: str | None = None) -> Connection[Attention]:
        limit = page_size(first)
        start = decode_cursor(after, Offset) + 1 if after is not None else 0
        page = self.attention[start : start + limit]
        items = [(encode_cursor(start + n), a) for n, a in enumerate(page)]
        return connection(items, more=start + limit < len(self.attention))


def _reasons(days: int | None, inactive_days: int, thanks_missed: int) -> list[str]:
    reasons = []
    if days is None:
        reasons.append("Has not recorded anyone yet.")
    elif days >= inactive_days:
        reasons.append(f"No activity for {days} days (the limit asked for: {inactive_days}).")
    if thanks_missed:
        notes = "a thank-you note" if thanks_missed == 1 else f"{thanks_missed} thank-you notes"
        reasons.append(f"Did not send {notes} within 2 business days of the interview.")
    return reasons


MAX_INACTIVE_DAYS = 3660
"""Ten years: the longest silence worth asking about."""


async def cohort(info: Info[Context, Any], inactive_days: int = 14) -> Cohort:
    ctx = info.context
    if ctx.principal.role != "advisor":
        raise ForbiddenError("Only advisors have a cohort.")
    if not 1 <= inactive_days <= MAX_INACTIVE_DAYS:
        raise ResolverError(f"`inactiveDays` must be between 1 and {MAX_INACTIVE_DAYS}.", argument="inactiveDays")
    grants = await access.advisees(ctx.store.pool, ctx.principal.account_id, after=None, limit=MAX_COHORT)
    ids = [g.student_id for g in grants]
    for grant in grants:
        remember(ctx, grant, grant.student_id)
        saw(ctx, grant.student_id, "cohort")
    figures = await info.context.loader(load_figures).load_many(ids) if ids else []
    days = [d for f in figures for d in f.days_to_thanks]
    funnel = dict.fromkeys(STAGES, 0)
    for f in figures:
        for count in f.stats.stage_counts:
            funnel[count.stage] += count.contacts
    due = sum(f.thanks_due for f in figures)
    weeks: Counter[date] = Counter()
    for f in figures:
        for w in f.stats.activity_per_week:
            weeks[w.week] += w.events
    referrals = [
        StudentReferrals(student=student(g.student_id, g.scope), referrals=f.stats.referrals_received)
        for g, f in zip(grants, figures, strict=True)
    ]
    attention = [
        Attention(
            student=student(g.student_id, g.scope),
            days_inactive=f.stats.days_since_last_activity,
            thanks_missed=f.thanks_missed,
            reasons=reasons,
        )
        for g, f in zip(grants, figures, strict=True)
        if (reasons := _reasons(f.stats.days_since_last_activity, inactive_days, f.thanks_missed))
    ]

    def urgency(a: Attention) -> tuple[int, int, int]:
        days = a.days_inactive
        idle = days is None or days >= inactive_days
        return (0 if days is None else 1 if idle else 2, -(days or 0) if idle else 0, -a.thanks_missed)

    attention.sort(key=urgency)
    return Cohort(
        students=len(ids),
        funnel=[StageCount(stage=s, contacts=n) for s, n in funnel.items()],
        thank_you_on_time_rate=sum(f.thanked_on_time for f in figures) / due if due else None,
        median_days_to_thanks=round(statistics.median(days), 2) if days else None,
        referrals_per_student=sum(r.referrals for r in referrals) / len(ids) if ids else None,
        referrals=referrals,
        activity_per_week=[WeekActivity(week=w, events=n) for w, n in sorted(weeks.items())],
        needs_attention_count=len(attention),
        attention=attention,
    )
