"""Answers to a student's reads, kept and re-sent while nothing they depend on has changed.

A read asks PostgreSQL for the student's tag first: how many events the read models reflect for the
student, and the student's today (one row, by primary key), and which generation of the read-model
tables that count comes from (a rebuild makes a new one). Every event of the student's streams
moves that version in the same transaction as the read models, and a new day moves the date, so an
answer kept under the current tag is exactly what the query would return. The tag is also the
answer's ETag: a phone that sends it back in `If-None-Match` gets 304 and no body.

Each process keeps its own bounded set (least recently used goes first). Nothing here can be stale
by construction; what it saves is the query and the encoding of the answer.
"""

import gzip
from collections.abc import Awaitable, Callable, Hashable
from typing import Any
from uuid import UUID

from cachetools import LRUCache
from litestar import Response
from litestar.enums import MediaType
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

from backend.eventstore.types import Conn
from backend.web.opts import COMPRESS_FROM, GZIP_LEVEL
from backend.web.problems import READ_PROBLEMS

# `tableoid` names the table the version comes from: `rapport rebuild` swaps in new tables, so answers
# kept before a rebuild (perhaps with a projection since corrected) are not taken for current ones.
_TAG = """
SELECT coalesce(v.version, 0) AS version, coalesce(v.tableoid::bigint, 0) AS generation,
       (now() AT TIME ZONE s.time_zone)::date AS today
FROM students s LEFT JOIN student_versions v ON v.student_id = s.student_id
WHERE s.student_id = $1
"""


def kept_responses(view: type[Any], description: str) -> dict[int, ResponseSpec]:
    """The OpenAPI responses of a read answered through `Answers`: the view, 304, and the read problems."""
    return {
        HTTP_200_OK: ResponseSpec(data_container=view, description=description, generate_examples=False),
        HTTP_304_NOT_MODIFIED: ResponseSpec(
            data_container=None, description="Unchanged since the ETag sent in If-None-Match", generate_examples=False
        ),
        **READ_PROBLEMS,
    }


class _Kept:
    __slots__ = ("body", "gzipped", "tag")

    def __init__(self, tag: str, body: bytes) -> None:
        self.tag = tag
        self.body = body
        self.gzipped: bytes | None = None

    def compressed(self) -> bytes:
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self.gzipped


class Answers:
    def __init__(self, size: int = 2_000) -> None:
        self._kept: LRUCache[tuple[UUID, Hashable], _Kept] = LRUCache(maxsize=size)

    def get(self, student_id: UUID, key: Hashable, tag: str) -> _Kept | None:
        kept = self._kept.get((student_id, key))
        return kept if kept is not None and kept.tag == tag else None

    def put(self, student_id: UUID, key: Hashable, tag: str, body: bytes) -> _Kept:
        kept = self._kept[(student_id, key)] = _Kept(tag, body)
        return kept

    async def answer(
        self,
        conn: Conn,
        student_id: UUID,
        key: Hashable,
        produce: Callable[[], Awaitable[bytes]],
        *,
        if_none_match: str | None = None,
        accept_encoding: str | None = None,
    ) -> Response[bytes]:
        """The JSON answer for `key`: 304 if the client has it, the kept one if current, else `produce`d.

        Kept answers are kept gzipped too, for clients that accept it (handlers using this opt out of
        the app's compression with `opt=COMPRESSED_HERE`)."""
        row = await conn.fetchrow(_TAG, student_id)
        tag = f"{row['generation']}.{row['version']}-{row['today'].isoformat()}" if row is not None else "none"
        etag = f'"{tag}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        kept = self.get(student_id, key, tag) or self.put(student_id, key, tag, await produce())
        if len(kept.body) >= COMPRESS_FROM and "gzip" in (accept_encoding or ""):
            headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(kept.compressed(), media_type=MediaType.JSON, headers=headers)
        return Response(kept.body, media_type=MediaType.JSON, headers=headers)


ANSWERS = Answers()
