"""/api/v1/interviews and the calendar feed: meetings as a list, as a calendar file, as a subscription.

The feed is read by calendar apps, which cannot sign in: its URL carries a random token instead (only
its SHA-256 is stored), so the feed route is public and the token is the credential. Creating a new
feed revokes the old one; revoking makes the URL answer 404.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_404_NOT_FOUND

from backend.accounts.middleware import PUBLIC
from backend.eventstore import EventStore
from backend.relationships.ics import feed_ics, interview_ics
from backend.relationships.readmodels import calendar_feeds, interviews
from backend.relationships.readmodels.calendar_feeds import CalendarFeedStatus, CalendarFeedView
from backend.relationships.readmodels.interviews import InterviewPage, When
from backend.relationships.views import InterviewView
from backend.web.cursors import encode_cursor
from backend.web.opts import SECRET_ANSWER
from backend.web.problems import COMMAND_PROBLEMS, READ_PROBLEMS, problem_responses
from backend.web.support import Cursor, Limit, StudentScope, decode_cursor

CALENDAR = "text/calendar"
FEED_ROUTE = "calendar-feed"
FEED_CACHE = "private, max-age=300"
"""Calendar apps poll; five minutes of caching spares the database without leaving a change unseen for long."""


class InterviewController(Controller):
    path = "/interviews"
    tags = ["interviews"]  # noqa: RUF012 - Litestar's own attribute

    @get(operation_id="ListInterviews", responses=READ_PROBLEMS)
    async def list_interviews(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        when: Annotated[
            When,
            QueryParameter(
                description="upcoming: scheduled and not started, soonest first; "
                "past: held, cancelled or already started, latest first."
            ),
        ] = "upcoming",
        cursor: Cursor = None,
        limit: Limit = 25,
    ) -> InterviewPage:
        """Interviews with the person each is with, a page at a time."""
        after = decode_cursor(cursor, tuple[datetime, UUID]) if cursor is not None else None
        async with store.pool.acquire() as conn:
            items, last = await interviews.list_interviews(conn, student.student_id, when, after=after, limit=limit)
        return InterviewPage(items=items, next_cursor=encode_cursor(last) if last else None)

    @get("/{interview_id:uuid}", operation_id="GetInterview", responses=READ_PROBLEMS)
    async def get_interview(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        interview_id: FromPath[UUID],
    ) -> InterviewView:
        """One interview: when, how, with whom, and whether it was held and thanked on time."""
        async with store.pool.acquire() as conn:
            return await interviews.interview(conn, student.student_id, interview_id)

    @get(
        "/{interview_id:uuid}/calendar",
        operation_id="GetInterviewCalendar",
        media_type=CALENDAR,
        responses=READ_PROBLEMS,
    )
    async def get_interview_calendar(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        interview_id: FromPath[UUID],
    ) -> Response[bytes]:
        """The interview as an iCalendar file, to add to any calendar (with a reminder an hour before)."""
        async with store.pool.acquire() as conn:
            interview, contact = await interviews.interview_with_contact(conn, student.student_id, interview_id)
        return Response(
            interview_ics(interview, contact),
            media_type=CALENDAR,
            headers={"Content-Disposition": 'attachment; filename="interview.ics"'},
        )


class CalendarFeedController(Controller):
    path = "/"
    tags = ["interviews"]  # noqa: RUF012 - Litestar's own attribute

    @post(
        "/calendar-feed",
        operation_id="CreateCalendarFeed",
        status_code=HTTP_201_CREATED,
        responses=COMMAND_PROBLEMS,
        opt=SECRET_ANSWER,
    )
    async def create_calendar_feed(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        request: Request[Any, Any, Any],
    ) -> CalendarFeedView:
        """A new private feed URL to subscribe to in a calendar app; any earlier one stops working."""
        async with store.pool.acquire() as conn:
            token, created_at = await calendar_feeds.create_feed(conn, student.student_id)
        return CalendarFeedView(url=request.url_for(FEED_ROUTE, token=f"{token}.ics"), created_at=created_at)

    @get("/calendar-feed", operation_id="GetCalendarFeedStatus", responses=READ_PROBLEMS)
    async def calendar_feed_status(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore]
    ) -> CalendarFeedStatus:
        """Whether you have a live calendar feed, and since when (its address was shown once, when made)."""
        async with store.pool.acquire() as conn:
            return await calendar_feeds.feed_status(conn, student.student_id)

    @delete("/calendar-feed", operation_id="RevokeCalendarFeed", responses=COMMAND_PROBLEMS)
    async def revoke_calendar_feed(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore]
    ) -> None:
        """Stop the feed: its URL answers 404 from now on. Revoking when there is none is not an error."""
        async with store.pool.acquire() as conn:
            await calendar_feeds.revoke_feed(conn, student.student_id)

    @get(
        "/calendar-feeds/{token:str}",
        operation_id="GetCalendarFeed",
        name=FEED_ROUTE,
        media_type=CALENDAR,
        opt=PUBLIC,
        responses=problem_responses(HTTP_404_NOT_FOUND),
    )
    async def get_calendar_feed(self, *, store: NamedDependency[EventStore], token: FromPath[str]) -> Response[bytes]:
        """The student's interviews as a subscribable calendar. No sign-in: the token in the URL is the key."""
        async with store.pool.acquire() as conn:
            student_id = await calendar_feeds.feed_owner(conn, token.removesuffix(".ics"))
            items = await interviews.feed_interviews(conn, student_id)
        return Response(feed_ics(items), media_type=CALENDAR, headers={"Cache-Control": FEED_CACHE})
