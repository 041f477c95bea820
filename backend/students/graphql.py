"""A student as GraphQL shows them: profile, numbers, funnel, weekly activity, what is overdue, contacts
and the referral graph. Resolvers only read: the same queries REST's /me, /stats, /agenda, /contacts
and /referral-graph use, each loaded once per request whatever asks for it."""

import dataclasses
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
import strawberry
from strawberry.types import Info

from backend.relationships.graphql import Contact, contacts_page
from backend.relationships.readmodels import agenda, referral_graph, stats
from backend.relationships.readmodels.agenda import AgendaView
from backend.relationships.readmodels.referral_graph import ReferralGraph
from backend.relationships.readmodels.stats import Stats
from backend.relationships.views import AgendaItemView
from backend.students.state import StudentState
from backend.web.graphql.context import Context, Scope, needs_notes, saw
from backend.web.graphql.described import described
from backend.web.graphql.errors import BAD_INPUT, ResolverError
from backend.web.graphql.pagination import DEFAULT_PAGE, Connection

MAX_OVERDUE = 50

# -- loaders: one call per student, whichever fields ask ------------------------------------------
# Each reads its read model through the function REST reads it with, for all the students a request
# names at once: one statement for a whole dashboard, and figures that mean exactly what REST's say.


class Figures(msgspec.Struct, frozen=True):
    """A student's Stats and what a cohort adds up: the counts behind the thank-you rate (a cohort adds
    counts, not rates) and the days from each thanked interview to its thanks (for the cohort's median)."""

    stats: Stats
    thanks_due: int
    thanked_on_time: int
    days_to_thanks: list[float]
    thanks_missed: int
    """Thank-you notes not sent whose window closed in the last stats.MISSED_THANKS_DAYS days."""


async def load_figures(ctx: Context, keys: list[UUID]) -> list[Figures]:
    """Each student's figures, all in one statement over their summaries (REST's /stats reads the same)."""
    async with ctx.store.pool.acquire() as conn:
        rows = await stats.summaries(conn, keys)
    return [
        Figures(
            stats.stats_of(row),
            row["thanks_due"],
            row["thanked_on_time"],
            list(row["days_to_thanks"]),
            row["thanks_missed"],
        )
        for row in (rows[key] for key in keys)
    ]


RangeKey = tuple[UUID, date, date]
"""(student id, from, to)."""
EARLIEST, LATEST = date(1970, 1, 1), date(9999, 12, 31)


async def load_ranges(ctx: Context, keys: list[RangeKey]) -> list[stats.RangeFigures]:
    """Each (student, from, to)'s figures, all in one statement."""
    async with ctx.store.pool.acquire() as conn:
        return await stats.range_figures(conn, keys)


_PROFILES = "SELECT student_id, profile FROM students WHERE student_id = ANY ($1::uuid[])"


async def load_profiles(ctx: Context, keys: list[UUID]) -> list[StudentState]:
    """As backend.students.service.load_student reads one, for many students in one statement."""
    async with ctx.store.pool.acquire() as conn:
        rows = {r["student_id"]: r["profile"] for r in await conn.fetch(_PROFILES, keys)}
    return [msgspec.convert(rows[key], StudentState) for key in keys]


async def load_agendas(ctx: Context, keys: list[UUID]) -> list[AgendaView]:
    """Each student's overdue items (REST's agenda statement, nothing ahead of today), in one statement."""
    async with ctx.store.pool.acquire() as conn:
        found = await agenda.agendas(conn, keys, days=0, limit=MAX_OVERDUE)
    return [msgspec.json.decode(found[key], type=AgendaView) for key in keys]


async def load_graphs(ctx: Context, keys: list[UUID]) -> list[ReferralGraph]:
    """Each student's referral graph, in one statement, as REST builds it."""
    async with ctx.store.pool.acquire() as conn:
        graphs = await referral_graph.referral_graphs(conn, keys)
    return [graphs[key] for key in keys]


# -- types ----------------------------------------------------------------------------------------


@strawberry.type
class Goals:
    interviews_per_month: int
    requests_per_week: int


@strawberry.type
class Profile:
    display_name: str
    school: str | None
    time_zone: str
    country: str
    goals: Goals
    registered_at: datetime | None
    state: strawberry.Private[StudentState]
    scope: strawberry.Private[Scope]

    @described("The job types the student is exploring, in their words. Needs a `notes` grant.")
    def interests(self) -> list[str] | None:
        needs_notes(self.scope, "interests")
        return list(self.state.interests)

    @staticmethod
    def of(state: StudentState, scope: Scope) -> "Profile":
        return Profile(
            display_name=state.display_name,
            school=state.school,
            time_zone=state.time_zone,
            country=state.country,
            goals=Goals(
                interviews_per_month=state.goals.interviews_per_month,
                requests_per_week=state.goals.requests_per_week,
            ),
            registered_at=state.registered_at,
            state=state,
            scope=scope,
        )


@strawberry.type
class StageCount:
    stage: str
    contacts: int


@strawberry.type
class WeekActivity:
    week: date = strawberry.field(description="The Monday that starts the week, in the student's calendar.")
    events: int


@strawberry.type
class FieldCount:
    career_field: str | None
    contacts: int


@strawberry.type(description="product.md's numbers, as of the student's today.")
class StudentStats:
    date: date
    requests_sent: int
    replies: int
    reply_rate: float | None
    interviews_held: int
    thank_you_on_time_rate: float | None = strawberry.field(
        description="Thanked within 2 business days, among held interviews thanked or whose window has closed."
    )
    median_days_to_thanks: float | None
    referrals_received: int
    network_depth: int = strawberry.field(description="The longest referral chain, in introductions.")
    referrers: int
    contacts_per_field: list[FieldCount]
    days_since_last_activity: int | None

    @staticmethod
    def of(stats: Stats) -> "StudentStats":
        return StudentStats(
            date=stats.date,
            requests_sent=stats.requests_sent,
            replies=stats.replies,
            reply_rate=stats.reply_rate,
            interviews_held=stats.interviews_held,
            thank_you_on_time_rate=stats.thank_you_on_time_rate,
            median_days_to_thanks=stats.median_days_to_thanks,
            referrals_received=stats.referrals_received,
            network_depth=stats.network_depth,
            referrers=stats.referrers,
            contacts_per_field=[
                FieldCount(career_field=f.career_field, contacts=f.contacts) for f in stats.contacts_per_field
            ],
            days_since_last_activity=stats.days_since_last_activity,
        )


@strawberry.type(description="Something the student should have done already.")
class AgendaItem:
    # Plain fields where no scope is checked: graphql-core reads them directly, with no resolver to call
    # (a dashboard lists hundreds of these).
    kind: str
    due: date
    late_after: date = strawberry.field(description="Overdue from the day after this one.")
    contact_id: UUID
    item: strawberry.Private[AgendaItemView]
    scope: strawberry.Private[Scope]

    @described("Why it exists, naming the person. Needs a `notes` grant.")
    def reason(self) -> str | None:
        needs_notes(self.scope, "reason")
        return self.item.reason

    @described("Needs a `notes` grant.")
    def contact_name(self) -> str | None:
        needs_notes(self.scope, "contactName")
        return self.item.contact_name

    @staticmethod
    def of(item: AgendaItemView, scope: Scope) -> "AgendaItem":
        return AgendaItem(
            kind=item.kind, due=item.due, late_after=item.late_after, contact_id=item.contact_id, item=item, scope=scope
        )


@strawberry.type
class GraphNode:
    node: strawberry.Private[referral_graph.GraphNode]
    scope: strawberry.Private[Scope]

    @strawberry.field
    def id(self) -> UUID:
        return self.node.id

    @strawberry.field
    def stage(self) -> str:
        return self.node.stage

    @strawberry.field
    def career_field(self) -> str | None:
        return self.node.career_field

    @described("Introductions between this person and the start of their chain.")
    def depth(self) -> int:
        return self.node.depth

    @strawberry.field
    def erased(self) -> bool:
        return self.node.erased

    @described("Needs a `notes` grant.")
    def name(self) -> str | None:
        needs_notes(self.scope, "name")
        return self.node.name

    @described("Needs a `notes` grant.")
    def organization(self) -> str | None:
        needs_notes(self.scope, "organization")
        return self.node.organization


@strawberry.type(description="Who referred whom.")
class GraphEdge:
    from_: UUID = strawberry.field(name="from")
    to: UUID


@strawberry.type(description="The chains through which the student's network grew.")
class Referrals:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    depth: int


@strawberry.type
class Student:
    id: UUID
    scope: str = strawberry.field(description="What the asker may see: `owner`, `summary` or `notes`.")
    access: strawberry.Private[Scope]

    @strawberry.field
    async def profile(self, info: Info[Context, Any]) -> Profile:
        saw(info.context, self.id, "profile")
        return Profile.of(await info.context.loader(load_profiles).load(self.id), self.access)

    @described(
        "The numbers as of the student's today. With `from` and/or `to` (dates in the student's calendar, "
        "inclusive), the steps taken between them instead: requests sent, replies, interviews held, their "
        "thank-you rate and median days to thanks, referrals received and referrers; the rest (network "
        "depth, contacts per field, days since the last activity) stay as of today."
    )
    async def stats(
        self,
        info: Info[Context, Any],
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> StudentStats:
        saw(info.context, self.id, "stats")
        now = StudentStats.of((await info.context.loader(load_figures).load(self.id)).stats)
        if from_ is None and to is None:
            return now
        since, until = from_ or min(EARLIEST, to or EARLIEST), to or LATEST
        if since > until:
            raise ResolverError("`from` must not be after `to`.", code=BAD_INPUT)
        found = await info.context.loader(load_ranges).load((self.id, since, until))
        return dataclasses.replace(
            now,
            requests_sent=found.requests_sent,
            replies=found.replies,
            reply_rate=found.replies / found.requests_sent if found.requests_sent else None,
            interviews_held=found.interviews_held,
            thank_you_on_time_rate=found.thanked_on_time / found.thanks_due if found.thanks_due else None,
            median_days_to_thanks=found.median_days_to_thanks,
            referrals_received=found.referrals_received,
            referrers=found.referrers,
        )

    @described("Contacts by stage, in lifecycle order, as of the student's today.")
    async def funnel(self, info: Info[Context, Any]) -> list[StageCount]:
        saw(info.context, self.id, "stats")
        stats = (await info.context.loader(load_figures).load(self.id)).stats
        return [StageCount(stage=s.stage, contacts=s.contacts) for s in stats.stage_counts]

    @described("The last 12 weeks, oldest first, this week last.")
    async def activity_per_week(self, info: Info[Context, Any]) -> list[WeekActivity]:
        saw(info.context, self.id, "stats")
        stats = (await info.context.loader(load_figures).load(self.id)).stats
        return [WeekActivity(week=w.week, events=w.events) for w in stats.activity_per_week]

    @described(f"Overdue agenda items, earliest due first (at most {MAX_OVERDUE}).")
    async def overdue(self, info: Info[Context, Any]) -> list[AgendaItem]:
        saw(info.context, self.id, "agenda")
        agenda = await info.context.loader(load_agendas).load(self.id)
        return [AgendaItem.of(item, self.access) for item in agenda.overdue]

    @described("Contacts, most recently active first (archived ones left out). Needs a `notes` grant.")
    async def contacts(
        self, info: Info[Context, Any], first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Contact] | None:
        needs_notes(self.access, "contacts")
        saw(info.context, self.id, "contacts")
        return await contacts_page(info.context, self.id, first=first, after=after)

    @strawberry.field
    async def referral_graph(self, info: Info[Context, Any]) -> Referrals:
        saw(info.context, self.id, "referral_graph")
        graph = await info.context.loader(load_graphs).load(self.id)
        return Referrals(
            nodes=[GraphNode(node=n, scope=self.access) for n in graph.nodes],
            edges=[GraphEdge(from_=e.from_, to=e.to) for e in graph.edges],
            depth=graph.depth,
        )


def student(student_id: UUID, scope: Scope) -> Student:
    return Student(id=student_id, scope=scope, access=scope)
