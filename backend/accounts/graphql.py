"""`me`: the signed-in account, and for a student their own data through the same `Student` type."""

from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.students.graphql import Student, student
from backend.web.graphql.context import Context, readable
from backend.web.graphql.described import described


@strawberry.type
class Me:
    id: UUID
    role: str = strawberry.field(description="`student` or `advisor`.")

    @strawberry.field
    async def email(self, info: Info[Context, Any]) -> str:
        async with info.context.store.pool.acquire() as conn:
            found: str = await conn.fetchval("SELECT email FROM accounts WHERE account_id = $1", self.id)
        return found

    @described("A student's own data (null for an advisor).")
    async def student(self, info: Info[Context, Any]) -> Student | None:
        if self.role != "student":
            return None
        return student(self.id, await readable(info.context, self.id))


def me(info: Info[Context, Any]) -> Me:
    principal = info.context.principal
    return Me(id=principal.account_id, role=principal.role)
