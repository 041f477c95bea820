"""Who referred whom: each contact's depth in its referral chain, for one student or many at once."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from backend.eventstore.types import Conn
from backend.relationships.readmodels.contacts import (
    CONTACTS,
)
from backend.relationships.views import (
    ShownStage,
    View,
)

MAX_GRAPH_NODES = 1000


class GraphNode(View):
    id: UUID
    name: str
    stage: ShownStage
    organization: str | None
    career_field: str | None
    depth: int
    """Introductions between this person and the start of their chain (0: found without a referral)."""
    erased: bool


class GraphEdge(View):
    from_: UUID = msgspec.field(name="from")
    """Who referred..."""
    to: UUID
    """...whom."""


class ReferralGraph(View):
    nodes: list[GraphNode]
    """Everyone who referred someone or was referred."""
    edges: list[GraphEdge]
    depth: int
    """The longest chain, in introductions."""


# Every contact's depth in its referral chain. Each contact has at most one referrer, so walking down
# from the roots visits each contact once and cannot loop.
# For each student of `$1` (REST asks for one, a dashboard for many), at most `$2` contacts.
GRAPHS = f"""
SELECT k.student_id, g.* FROM unnest($1::uuid[]) AS k(student_id) CROSS JOIN LATERAL (
WITH RECURSIVE chain (contact_id, depth) AS (
    SELECT r.contact_id, 0 FROM contacts r
    WHERE r.student_id = k.student_id AND (r.referred_by IS NULL OR NOT EXISTS (
        SELECT 1 FROM contacts p WHERE p.student_id = k.student_id AND p.contact_id = r.referred_by))
    UNION ALL
    SELECT c.contact_id, ch.depth + 1 FROM chain ch JOIN contacts c ON c.referred_by = ch.contact_id
    WHERE c.student_id = k.student_id
)
SELECT c.contact_id, c.name, c.organization, c.career_field, c.referred_by, c.erased, st.shown_stage,
       coalesce(ch.depth, 0) AS depth
FROM {CONTACTS} LEFT JOIN chain ch ON ch.contact_id = c.contact_id
WHERE c.student_id = k.student_id AND (c.referred_by IS NOT NULL OR c.referrals > 0)
ORDER BY depth, c.added_at, c.contact_id
LIMIT $2
) g
"""


async def referral_graphs(conn: Conn, student_ids: Sequence[UUID]) -> dict[UUID, ReferralGraph]:
    """Who referred whom, for each student: the chains through which their network grew (one statement)."""
    rows: dict[UUID, list[Any]] = {key: [] for key in student_ids}
    for row in await conn.fetch(GRAPHS, list(student_ids), MAX_GRAPH_NODES):
        rows[row["student_id"]].append(row)
    return {key: graph_of(found) for key, found in rows.items()}


async def referral_graph(conn: Conn, student_id: UUID) -> ReferralGraph:
    """Who referred whom: the chains through which the network grew."""
    return (await referral_graphs(conn, [student_id]))[student_id]


def graph_of(rows: Sequence[Any]) -> ReferralGraph:
    """The graph from one student's rows of GRAPHS, edges only between contacts it shows."""
    nodes = [
        GraphNode(
            id=r["contact_id"],
            name=r["name"],
            stage=r["shown_stage"],
            organization=r["organization"],
            career_field=r["career_field"],
            depth=r["depth"],
            erased=r["erased"],
        )
        for r in rows
    ]
    shown = {n.id for n in nodes}
    edges = [GraphEdge(from_=r["referred_by"], to=r["contact_id"]) for r in rows if r["referred_by"] in shown]
    return ReferralGraph(nodes=nodes, edges=edges, depth=max((n.depth for n in nodes), default=0))
