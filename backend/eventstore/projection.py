"""What a projection is: a named fold of events into tables it owns, inline or async, rebuildable.

Two shapes share one contract:

- `SqlProjection`: one set-based statement over a relation `{batch}` of events in global order. The
  store fuses inline ones into the append's own statement (one round trip), the projector and
  `rebuild` run it over batches selected inside PostgreSQL, so no event travels to Python.
- `PyProjection`: Python code given decoded events and a connection inside the transaction.

Table names are written as `{name}` placeholders, so `rebuild` can aim the same code at fresh tables.
"""

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from backend.eventstore.types import Conn, RecordedEvent


class Mode(enum.Enum):
    INLINE = "inline"
    ASYNC = "async"


# A SqlProjection's `{batch}` offers columns.BATCH_COLUMNS, in the order the store selects them.

Tables = Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class ProjectionBase:
    name: str
    mode: Mode
    tables: tuple[str, ...]
    event_types: frozenset[str] | None = None
    categories: frozenset[str] | None = None

    def identity_tables(self) -> dict[str, str]:
        return {t: t for t in self.tables}

    def wants(self, event_type: str, category: str) -> bool:
        return (self.event_types is None or event_type in self.event_types) and (
            self.categories is None or category in self.categories
        )

    def filter_sql(self, alias: str) -> str:
        """SQL conditions (each starting with AND) selecting this projection's events."""
        parts = []
        if self.event_types is not None:
            names = ", ".join(_literal(t) for t in sorted(self.event_types))
            parts.append(f" AND {alias}.type IN ({names})")
        if self.categories is not None:
            names = ", ".join(_literal(c) for c in sorted(self.categories))
            parts.append(f" AND {alias}.category IN ({names})")
        return "".join(parts)


@dataclass(frozen=True, kw_only=True)
class SqlProjection(ProjectionBase):
    """A projection written as one INSERT/UPDATE/DELETE reading events from `{batch}`."""

    sql: str

    def statement(self, batch: str, tables: Tables | None = None) -> str:
        names = dict(tables or self.identity_tables())
        return self.sql.format(batch=batch, **names)


Apply = Callable[[Conn, Sequence[RecordedEvent], Tables], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class PyProjection(ProjectionBase):
    """A projection written in Python: `apply(conn, events, tables)` inside the transaction."""

    apply: Apply = field(repr=False)


Projection = SqlProjection | PyProjection


def _literal(value: str) -> str:
    # Only for names we declare in code (event types, categories); they are validated identifiers.
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain name: {value!r}")
    return f"'{value}'"
