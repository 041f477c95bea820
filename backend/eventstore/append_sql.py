"""The append as one SQL statement, with the inline SQL projections fused in.

One statement, one round trip, one executor run: PostgreSQL runs every data-modifying CTE exactly
once and to completion, and any error (a stale version, a forgotten subject, a unique violation)
aborts all of it, inline projections included. Errors are raised by `rapport_fail()`, which only
runs on the failure path, so the happy path never enters PL/pgSQL.

Concurrency: a stream's head is its last event. Two writers that read the same head both insert its
next version, and UNIQUE (stream_id, version) lets exactly one of them commit; the other fails with
a unique violation, which the store reports as a stale version. No head row is locked or rewritten.

The hash chain (see `backend.eventstore.chain`): Python sends each event's digest; the statement
chains them onto the stream's last hash, because only the database knows it, the version and the time.

Every value sent and every column written is declared once, in `backend.eventstore.columns`; the
parameters below are named, numbered from that declaration, and each statement has a function that
builds its argument tuple from the same declaration. Two shapes share every fragment:
- `append_one_statement` / `append_one_args`, for the common case of one event on one stream: every
  value that is sent is a plain parameter, in the declaration's order.
- `append_statement` / `append_args`, for several events or streams: the per-stream values travel as
  one JSON array of objects, the per-event values as another (asyncpg encodes one JSON document far
  more cheaply than many arrays), and the per-command values as plain parameters. Each event names
  its stream by its 1-based index in the first array (`s`); a stream's events are contiguous and in
  order. bytea travels in JSON as hex.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from backend.eventstore.columns import (
    BATCH_COLUMNS,
    COLUMNS,
    INSERTED,
    RETURNED,
    Assigned,
    Column,
    PerCommand,
    PerEvent,
    PerStream,
    SentCommand,
    SentEvent,
    SentStream,
)
from backend.eventstore.projection import SqlProjection

ZERO_HASH = "'\\x" + "00" * 32 + "'::bytea"

_STREAM_VALUES = tuple(c for c in COLUMNS if isinstance(c.source, PerStream))
_EVENT_VALUES = tuple(c for c in COLUMNS if isinstance(c.source, PerEvent))
_STREAMS, _EVENTS = "streams", "events"  # the many-event statement's two JSON parameters


class Params:
    """A statement's parameters, numbered in the order they are declared, so no `$n` is written by hand.

    Asking for a name that was not declared is a KeyError, and `sql()` refuses a statement that
    leaves a declared parameter unused, so the text and the argument tuple cannot drift apart.
    """

    def __init__(self, declared: Iterable[tuple[str, str]]) -> None:
        pairs = tuple(declared)
        self.names = tuple(name for name, _ in pairs)
        self._ref = {name: f"${n}::{sql_type}" for n, (name, sql_type) in enumerate(pairs, start=1)}
        if len(self._ref) != len(self.names):
            raise ValueError(f"a parameter is declared twice: {self.names}")
        self._used: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self._used.add(name)
        return self._ref[name]

    def sql(self, text: str) -> str:
        unused = [name for name in self.names if name not in self._used]
        if unused:
            raise ValueError(f"parameters declared but not used by the statement: {unused}")
        return text


def one_params() -> Params:
    """The one-event statement's parameters: every value that is sent, in the declaration's order."""
    return Params((c.name, c.sql_type) for c in COLUMNS if not isinstance(c.source, Assigned))


def many_params() -> Params:
    """The many-event statement's: each per-command value, and the two JSON arrays where their values first appear."""
    declared: dict[str, str] = {}
    for c in COLUMNS:
        match c.source:
            case PerCommand():
                declared[c.name] = c.sql_type
            case PerStream():
                declared.setdefault(_STREAMS, "jsonb")
            case PerEvent():
                declared.setdefault(_EVENTS, "jsonb")
            case Assigned():
                pass
    return Params(declared.items())


# -- the argument tuples -----------------------------------------------------------------------------


def _one_take(c: Column) -> tuple[int, Callable[[Any], Any]]:
    """How the one-event statement's argument for `c` is taken: from which of (stream, event, command), by what."""
    match c.source:
        case PerStream(take=of_stream):
            return 0, of_stream
        case PerEvent(take=of_event):
            return 1, of_event
        case PerCommand(take=of_command):
            return 2, of_command
        case Assigned():
            raise ValueError(f"{c.name} is assigned by the database, not sent")


_ONE_TAKES = tuple(_one_take(c) for c in COLUMNS if not isinstance(c.source, Assigned))


def append_one_args(stream: SentStream, event: SentEvent, command: SentCommand) -> tuple[Any, ...]:
    """The arguments of `append_one_statement`, in its parameters' order."""
    sent = (stream, event, command)
    return tuple([take(sent[i]) for i, take in _ONE_TAKES])


_ManyTake = Callable[[Sequence[SentStream], Sequence[SentEvent], SentCommand], Any]


def _json_value(c: Column) -> Callable[[Any], Any]:
    return bytes.hex if c.sql_type == "bytea" else _same


def _same(value: Any) -> Any:
    return value


def _many_take(name: str) -> _ManyTake:
    """How the many-event statement's argument `name` is taken from what the append sends."""
    if name == _STREAMS:
        in_json = [(c.name, c.source.take, _json_value(c)) for c in _STREAM_VALUES if isinstance(c.source, PerStream)]
        return lambda streams, _events, _command: [
            {key: to_json(take(stream)) for key, take, to_json in in_json} for stream in streams
        ]
    if name == _EVENTS:
        of_event = [(c.name, c.source.take, _json_value(c)) for c in _EVENT_VALUES if isinstance(c.source, PerEvent)]
        return lambda _streams, events, _command: [
            {"s": event.stream, **{key: to_json(take(event)) for key, take, to_json in of_event}} for event in events
        ]
    of_command = next(c.source.take for c in COLUMNS if c.name == name and isinstance(c.source, PerCommand))
    return lambda _streams, _events, command: of_command(command)


_MANY_TAKES = tuple(_many_take(name) for name in many_params().names)


def append_args(streams: Sequence[SentStream], events: Sequence[SentEvent], command: SentCommand) -> tuple[Any, ...]:
    """The arguments of `append_statement`, in its parameters' order."""
    return tuple([take(streams, events, command) for take in _MANY_TAKES])


# -- the statements ----------------------------------------------------------------------------------


def _base_version(expected: str, stream_id: str) -> str:
    """The stream's current version (from its last event `l`), or a stale-version error."""
    return f"""CASE
               WHEN ({expected} = -1 AND l.version IS NOT NULL)
                    OR ({expected} >= 0 AND {expected} <> coalesce(l.version, 0))
                   THEN rapport_fail('RP001',
                                     format('stream %s is at version %s', {stream_id}, coalesce(l.version, 0)),
                                     coalesce(l.version, 0)::text, {stream_id})
               ELSE coalesce(l.version, 0)
           END"""


def _last_event(stream_id: str) -> str:
    return f"""LEFT JOIN LATERAL (
        SELECT e.version, e.hash FROM events e WHERE e.stream_id = {stream_id} ORDER BY e.version DESC LIMIT 1
    ) l ON true"""


def _link(previous: str, version: str, at: str, digest: str) -> str:
    return f"sha256({previous} || int8send({version}) || int8send(rapport_micros({at})) || {digest})"


def _subjects_check(personal: bool, subjects: str) -> tuple[str, str]:
    """(CTE, WHERE clause): with personal data, every key it was sealed with must still exist.

    No lock is taken: a forget() that commits after this check but before the append does leaves
    data sealed under a key that no longer exists, which is unreadable, so erased all the same.
    """
    count = f"cardinality({subjects})"
    if not personal:
        return (
            "",
            f"""
    WHERE CASE WHEN {count} = 0 THEN true
               ELSE rapport_fail('XX000', 'sealed personal data needs the statement that checks keys') IS NULL END""",
        )
    cte = f"""
live AS MATERIALIZED (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM subject_keys k WHERE k.subject IN (SELECT unnest({subjects})) AND k.key IS NOT NULL
    ) still_live
),"""
    where = f"""
    WHERE CASE WHEN (SELECT n FROM live) = {count} THEN true
               ELSE rapport_fail('RP003', 'a data subject of this command has been forgotten') IS NULL END"""
    return cte, where


def _insert(value_of: Callable[[Column], str], computed: Mapping[str, str]) -> str:
    """INSERT INTO events: each column sent is `value_of(column)`; `computed` has those the statement works out."""
    wanted = [c.name for c in INSERTED if c.source is Assigned.APPEND]
    if sorted(computed) != sorted(wanted):
        raise ValueError(f"the statement computes {sorted(computed)}, the declaration expects {sorted(wanted)}")
    names = ", ".join(c.name for c in INSERTED)
    values = ", ".join(computed[c.name] if c.source is Assigned.APPEND else value_of(c) for c in INSERTED)
    return f"INSERT INTO events ({names})\n    SELECT {values}"


def _claim(params: Params) -> str:
    # The command id's primary key is the durable idempotency: a second claim fails, for good.
    return f"""
claimed AS (
    INSERT INTO commands (command_id, digest, positions, stream_ids, recorded_at)
    SELECT {params["command_id"]}, {params["command_digest"]}, array_agg(i.position ORDER BY i.position),
           array_agg(i.stream_id ORDER BY i.position), min(i.recorded_at)
    FROM inserted i
)"""


_RETURNING = ", ".join(BATCH_COLUMNS)
_RESULT = f"""
SELECT {", ".join(c.select("i") for c in RETURNED)}
FROM inserted i ORDER BY i.position"""


def _finish(head: str, projections: Sequence[SqlProjection]) -> str:
    parts = [head]
    for i, projection in enumerate(projections):
        parts.append(f"batch_{i} AS (SELECT * FROM inserted b WHERE true{projection.filter_sql('b')})")
        parts.append(f"project_{i} AS ({projection.statement(f'batch_{i}')})")
    return ",\n".join(parts) + _RESULT


def append_one_statement(projections: Sequence[SqlProjection], *, personal: bool) -> str:
    """One event on one stream: no lists, no recursion."""
    p = one_params()
    live, check = _subjects_check(personal, p["subjects"])
    insert = _insert(
        lambda c: p[c.name],
        {
            "version": "h.base_version + 1",
            "recorded_at": "h.at",
            "hash": _link("h.base_hash", "h.base_version + 1", "h.at", p["digest"]),
        },
    )
    head = f"""
WITH{live}
head AS MATERIALIZED (
    SELECT {_base_version(p["expected"], p["stream_id"])} AS base_version,
           coalesce(l.hash, {ZERO_HASH}) AS base_hash,
           clock_timestamp() AS at
    FROM (SELECT 1) one
    {_last_event(p["stream_id"])}{check}
),
inserted AS (
    {insert}
    FROM head h
    RETURNING {_RETURNING}
),{_claim(p)}"""
    return p.sql(_finish(head, projections))


def _recordset(param: str, alias: str, columns: Sequence[Column], *, first: Sequence[tuple[str, str]] = ()) -> str:
    """The rows of one of the JSON parameters, numbered WITH ORDINALITY as `ord`; bytea arrives as hex text."""
    typed = [*first, *((c.name, "text" if c.sql_type == "bytea" else c.sql_type) for c in columns)]
    types = ", ".join(f"{name} {sql_type}" for name, sql_type in typed)
    names = ", ".join(name for name, _ in typed)
    return f"""ROWS FROM (jsonb_to_recordset({param}) AS ({types}))
         WITH ORDINALITY AS {alias}({names}, ord)"""


def _from_json(alias: str, c: Column) -> str:
    return f"decode({alias}.{c.name}, 'hex') AS {c.name}" if c.sql_type == "bytea" else f"{alias}.{c.name}"


def _field(alias: str, name: str, declared: Sequence[Column]) -> str:
    """A value read from one of the JSON parameters' rows; the name must be declared there."""
    if not any(c.name == name for c in declared):
        raise KeyError(name)
    return f"{alias}.{name}"


def append_statement(projections: Sequence[SqlProjection], *, personal: bool) -> str:
    """Any number of events on any number of streams, hashed in turn by a recursive CTE."""
    p = many_params()
    live, check = _subjects_check(personal, p["subjects"])

    def value_of(c: Column) -> str:
        match c.source:
            case PerStream():
                return f"h.{c.name}"
            case PerEvent():
                return f"e.{c.name}"
            case _:
                return p[c.name]

    insert = _insert(value_of, {"version": "c.version", "recorded_at": "c.at", "hash": "c.hash"})
    # `heads` carries each stream's stored values on to the INSERT; `ev` all of each event's.
    stream_columns = ", ".join(f"w.{c.name}" for c in _STREAM_VALUES if c.stored)
    event_columns = ", ".join(_from_json("e", c) for c in _EVENT_VALUES)
    stream_id, expected = _field("w", "stream_id", _STREAM_VALUES), _field("w", "expected", _STREAM_VALUES)
    digest = _field("e", "digest", _EVENT_VALUES)
    head = f"""
WITH RECURSIVE{live}
heads AS MATERIALIZED (
    SELECT w.ord::int AS s, {stream_columns},
           {_base_version(expected, stream_id)} AS base_version,
           coalesce(l.hash, {ZERO_HASH}) AS base_hash,
           clock_timestamp() AS at
    FROM {_recordset(p[_STREAMS], "w", _STREAM_VALUES)}
    {_last_event(stream_id)}{check}
),
ev AS MATERIALIZED (
    SELECT e.ord::int AS i, e.s, {event_columns}
    FROM {_recordset(p[_EVENTS], "e", _EVENT_VALUES, first=[("s", "int")])}
),
chain AS (
    -- Event i's hash covers event i-1's, or its stream's last hash when it is the stream's first here.
    SELECT e.i, e.s, h.base_version + 1 AS version, h.at,
           {_link("h.base_hash", "h.base_version + 1", "h.at", digest)} AS hash
    FROM ev e JOIN heads h ON h.s = e.s WHERE e.i = 1
    UNION ALL
    SELECT e.i, e.s, n.version, h.at, {_link("n.previous", "n.version", "h.at", digest)}
    FROM chain c
    JOIN ev e ON e.i = c.i + 1
    JOIN heads h ON h.s = e.s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN e.s = c.s THEN c.version ELSE h.base_version END + 1 AS version,
               CASE WHEN e.s = c.s THEN c.hash ELSE h.base_hash END AS previous
    ) n
),
inserted AS (
    {insert}
    FROM chain c JOIN ev e ON e.i = c.i JOIN heads h ON h.s = c.s
    ORDER BY c.i
    RETURNING {_RETURNING}
),{_claim(p)}"""
    return p.sql(_finish(head, projections))
