"""Relay-style connections: edges with opaque cursors, pageInfo, and `nodes` as a shortcut."""

from typing import Generic, TypeVar

import strawberry

from backend.web import cursors
from backend.web.graphql.described import described
from backend.web.graphql.errors import ResolverError

T = TypeVar("T")
K = TypeVar("K")

MAX_PAGE = 50
"""The most any connection hands out at once (`first`), whatever is asked."""
DEFAULT_PAGE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @described("The edges' nodes, for clients that need no cursors per item.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise ResolverError(f"`first` must be between 1 and {MAX_PAGE}.", argument="first")
    return first


def decode_cursor(cursor: str, kind: type[K]) -> K:
    """The position a cursor names (REST's cursors, checked the same way); a bad one is BAD_INPUT."""
    try:
        return cursors.decode_cursor(cursor, kind)
    except cursors.BadCursorError:
        raise ResolverError("This cursor is not valid: start again from the first page.", argument="after") from None


def connection(items: list[tuple[str, T]], *, more: bool) -> Connection[T]:
    """A connection from (cursor, node) pairs; `more`: items follow the last one."""
    edges = [Edge(cursor=cursor, node=node) for cursor, node in items]
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None)
    )
