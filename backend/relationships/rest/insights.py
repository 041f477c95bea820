"""/api/v1 stats, referral graph, notes by field and search: the student's network seen as a whole."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.eventstore import EventStore
from backend.fields import NO_NUL
from backend.relationships.projection import match_key
from backend.relationships.readmodels import notes, referral_graph, search, stats
from backend.relationships.readmodels.contacts import tsquery
from backend.relationships.readmodels.notes import NotesByField
from backend.relationships.readmodels.referral_graph import ReferralGraph
from backend.relationships.readmodels.search import SearchResults
from backend.relationships.readmodels.stats import Stats
from backend.web.problems import READ_PROBLEMS
from backend.web.support import StudentScope

# A field name goes to PostgreSQL as text, which cannot hold NUL: refused as a 400, not a 500. (Search
# words need no such rule: `tsquery` keeps only word characters.)


class InsightsController(Controller):
    path = "/"
    tags = ["insights"]  # noqa: RUF012 - Litestar's own attribute

    @get("/stats", operation_id="GetStats", responses=READ_PROBLEMS)
    async def get_stats(self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore]) -> Stats:
        """Requests, replies, interviews, thank-yous on time, referrals, network depth, fields and activity."""
        async with store.pool.acquire() as conn:
            return await stats.stats(conn, student.student_id)

    @get("/referral-graph", operation_id="GetReferralGraph", responses=READ_PROBLEMS)
    async def get_referral_graph(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore]
    ) -> ReferralGraph:
        """Who referred you to whom: each chain, and how deep the longest one goes."""
        async with store.pool.acquire() as conn:
            return await referral_graph.referral_graph(conn, student.student_id)

    @get("/notes", operation_id="ListNotesByField", responses=READ_PROBLEMS)
    async def list_notes_by_field(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        field: Annotated[
            str | None,
            QueryParameter(required=False, max_length=200, pattern=NO_NUL, description="Only this career field."),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(required=False, max_length=200, description="Words in the notes."),
        ] = None,
        per_field: Annotated[
            int, QueryParameter(name="perField", ge=1, le=100, description="Notes per field, newest first (1-100).")
        ] = 20,
    ) -> NotesByField:
        """What different people said, grouped by career field, so they can be compared side by side."""
        query = tsquery(q) if q else None
        if q and query is None:
            return NotesByField(fields=[])  # words were asked for, and there are none to match
        async with store.pool.acquire() as conn:
            return await notes.notes_by_field(
                conn, student.student_id, field_key=match_key(field), query=query, per_field=per_field
            )

    @get("/search", operation_id="Search", responses=READ_PROBLEMS)
    async def search(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        q: Annotated[
            str,
            QueryParameter(
                max_length=200,
                description="Words, or the start of words, in names, organizations, fields and notes.",
            ),
        ] = "",
        limit: Annotated[int, QueryParameter(ge=1, le=50, description="At most this many of each (1-50).")] = 10,
    ) -> SearchResults:
        """Contacts and notes that match, best first. No words to search for: empty lists."""
        query = tsquery(q)
        if query is None:
            return SearchResults(contacts=[], notes=[])
        async with store.pool.acquire() as conn:
            return await search.search(conn, student.student_id, query, limit=limit)
