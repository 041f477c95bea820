"""The hash chain, defined once, in terms anyone can recompute from the stored events.

    digest = SHA-256(canonical JSON of [stream id, type, schema version, data, metadata, actor id,
                                        command id, correlation id, causation id])
    hash   = SHA-256(previous hash ‖ int64 big-endian version ‖ int64 big-endian recorded_at in
                     microseconds since the Unix epoch ‖ digest)

The previous hash of a stream's first event is 32 zero bytes. Canonical JSON here is msgspec's
encoding with keys sorted and no spaces; data is stored as JSON (events hold no floats, so the
JSON read back from PostgreSQL re-encodes to the same bytes). Python computes each digest when it
appends; the append statement chains them, since only the database knows the head and the time.

The columns each part covers are also declared in `backend.eventstore.columns` (`Chain.DIGEST`,
`Chain.LINK`); tests/unit/test_columns.py holds this formula, written out here on its own, to them.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from backend.eventstore.codec import canonical_json

GENESIS = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def event_digest(
    *,
    stream_id: str,
    event_type: str,
    schema_version: int,
    data: Any,
    metadata: Any,
    actor_id: str,
    command_id: UUID,
    correlation_id: UUID,
    causation_id: UUID | None,
) -> bytes:
    """What an event says, as 32 bytes; `data` is the stored form (personal fields sealed)."""
    body = [
        stream_id,
        event_type,
        schema_version,
        data,
        metadata,
        actor_id,
        str(command_id),
        str(correlation_id),
        None if causation_id is None else str(causation_id),
    ]
    return hashlib.sha256(canonical_json(body)).digest()


def chain_hash(previous: bytes, version: int, recorded_at: datetime, digest: bytes) -> bytes:
    """An event's link in its stream's chain."""
    micros = (recorded_at - _EPOCH) // _MICROSECOND
    return hashlib.sha256(
        previous + version.to_bytes(8, "big", signed=True) + micros.to_bytes(8, "big", signed=True) + digest
    ).digest()
