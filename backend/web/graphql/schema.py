"""The schema and its controller at /graphql, behind the app's authentication middleware like REST.

No route here opts out of authentication, so an anonymous request (GraphiQL's page included) is
answered 401 before strawberry sees it, and introspection is for signed-in users only. Queries only:
mutations stay in REST, and there is no WebSocket route (the middleware does not guard WebSockets).
"""

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any, ClassVar
from uuid import UUID

import msgspec
import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from litestar import MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST
from litestar.types import Dependencies
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController
from strawberry.printer import print_schema
from strawberry.types import ExecutionContext, ExecutionResult, Info

from backend.accounts.graphql import Me, me
from backend.accounts.middleware import CSRF_HEADER
from backend.accounts.principal import principal_of
from backend.advisors import access
from backend.advisors.graphql import Cohort, cohort
from backend.students.graphql import Student, student
from backend.web.cursors import encode_cursor
from backend.web.graphql import errors, kept
from backend.web.graphql.context import Context, context_getter, remember, scope_of
from backend.web.graphql.described import described
from backend.web.graphql.limits import extensions, parse_document
from backend.web.graphql.pagination import DEFAULT_PAGE, Connection, connection, decode_cursor, page_size
from backend.web.headers import graphiql_policy
from backend.web.problems import database_unavailable, problem

GRAPHQL_PATH = "/graphql"
KEPT = kept.KeptAnswers()
"""This process's kept answers."""
_CLEAN = "graphql_answer_clean"


@strawberry.type
class Query:
    me: Me = strawberry.field(resolver=me, description="Who is signed in.")
    cohort: Cohort = strawberry.field(
        resolver=cohort, description="Figures across the advisor's advisees (every live grant, summary or notes)."
    )

    @described(
        "A student's data, as far as the asker may see it: null (NOT_FOUND) for a student one "
        "may not read, exactly as for one who does not exist."
    )
    async def student(self, info: Info[Context, Any], id: UUID) -> Student | None:
        scope = await scope_of(info.context, id)
        if scope is None:
            raise errors.ResolverError("No such student.", code=errors.NOT_FOUND)
        return student(id, scope)

    @described("An advisor's students: those whose grant is live, in a stable order.")
    async def advisees(
        self, info: Info[Context, Any], first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[Student]:
        ctx = info.context
        if ctx.principal.role != "advisor":
            raise errors.ForbiddenError("Only advisors have advisees.")
        limit = page_size(first)
        position = decode_cursor(after, UUID) if after is not None else None
        found = await access.advisees(ctx.store.pool, ctx.principal.account_id, after=position, limit=limit + 1)
        for grant in found:
            remember(ctx, grant, grant.student_id)
        items = [(encode_cursor(g.student_id), student(g.student_id, g.scope)) for g in found[:limit]]
        return connection(items, more=len(found) > limit)


class RecordReads(SchemaExtension):
    """Every advisor read of a student's data is recorded, in one statement when the operation ends."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context.context
        if isinstance(ctx, Context) and ctx.reads:
            await access.record_reads(ctx.store.pool, ctx.principal.account_id, ctx.reads)


class RapportSchema(strawberry.Schema):
    def process_errors(self, found: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        errors.log_unexpected(found)  # the rest are answers, not faults


schema = RapportSchema(query=Query, extensions=[*extensions(), RecordReads])


def schema_sdl() -> str:
    """openapi/schema.graphql: the schema as SDL."""
    return print_schema(schema) + "\n"


_BASE: type[GraphQLController] = make_graphql_controller(
    schema, path=GRAPHQL_PATH, graphql_ide="graphiql", allow_queries_via_get=False, subscription_protocols=()
)


def _sub_response() -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))


async def _context(request: Request[Any, Any, Any], response: NamedDependency[Response[Any]]) -> Context:
    context = await context_getter(request)
    context.request, context.response = request, response
    return context


class RapportGraphQL(_BASE):  # type: ignore[valid-type,misc]
    """GET serves GraphiQL (to signed-in users); POST runs a query.

    Queries are not run over GET: a cookie-authenticated GET needs no CSRF token, and an advisor's
    query writes to the audit of reads, so a page elsewhere could otherwise make those entries up.

    The handlers and dependencies are strawberry's, declared again with `NamedDependency`: strawberry's
    own infer their dependencies, which Litestar deprecates (and our tests treat as an error).
    """

    include_in_schema = False  # GraphQL has its own schema, in openapi/schema.graphql
    websocket_endpoint = None  # no subscriptions, and no unauthenticated WebSocket
    dependencies: ClassVar[Dependencies] = {
        "graphql_context": Provide(_context),
        "response": Provide(_sub_response, sync_to_thread=False),
    }

    @get(raises=[ValidationException, NotFoundException])
    async def handle_http_get(
        self,
        request: Request[Any, Any, Any],
        graphql_context: NamedDependency[Context],
        response: NamedDependency[Response[Any]],
    ) -> Response[Any]:
        self.temporal_response = response  # read back at once by get_sub_response, before any await
        answer: Response[Any] = await self.execute_request(request=request, context=graphql_context, root_value=None)
        return answer

    @post(status_code=HTTP_200_OK)
    async def handle_http_post(
        self,
        request: Request[Any, Any, Any],
        graphql_context: NamedDependency[Context],
        response: NamedDependency[Response[Any]],
    ) -> Response[Any]:
        asked = _graphql_request(await request.body())
        # An answer kept under the asker's current tag is re-sent as it is (backend/web/graphql/kept.py).
        ctx = graphql_context
        key = kept.key_of(ctx.principal, asked)
        tag = None
        if key is not None:
            found = KEPT.get(key)
            async with ctx.store.pool.acquire() as conn:
                tag = await kept.tag_of(conn, ctx.principal, found)  # records found's reads if it still fits
            if found is not None and found.tag == tag:
                return Response(found.body, status_code=HTTP_200_OK, media_type=MediaType.JSON)
        self.temporal_response = response
        answer: Response[Any] = await self.execute_request(request=request, context=ctx, root_value=None)
        if (
            key is not None
            and tag is not None
            and answer.status_code == HTTP_200_OK
            and request.state.get(_CLEAN) is True
            and ctx.keep
            and isinstance(answer.content, bytes)
        ):
            KEPT.put(key, kept.Kept(tag=tag, body=answer.content, reads=access.in_order(ctx.reads)))
        return answer

    async def process_result(self, request: Request[Any, Any, Any], result: ExecutionResult) -> GraphQLHTTPResponse:
        # Every error leaves with a code, whichever step found it (parsing ones never reach extensions).
        if result.errors and errors.database_unavailable(result.errors):
            # Without the database the answer is partial at best: say so as REST does, and when to retry.
            raise database_unavailable()
        if result.errors:
            result.errors = [errors.to_graphql(error) for error in result.errors]
        request.state[_CLEAN] = not result.errors  # only answers without errors are kept
        return process_result(result)

    async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
        # GraphiQL posts with the session cookie, so it must send the session's CSRF token as REST asks.
        page = self.graphql_ide_html.replace('Cookies.get("csrftoken")', _js_string(principal_of(request).csrf_token))
        page = page.replace('defaultHeaders["x-csrftoken"]', f'defaultHeaders["{CSRF_HEADER}"]')
        # Its one inline script runs by this response's nonce; nothing else inline may (backend/web/headers.py).
        nonce = secrets.token_urlsafe(16)
        page = page.replace("<script>", f'<script nonce="{nonce}">')
        return Response(page, media_type=MediaType.HTML, headers={"Content-Security-Policy": graphiql_policy(nonce)})


_MEMBERS: dict[str, tuple[type, ...]] = {
    "query": (str,),
    "variables": (dict, type(None)),
    "operationName": (str, type(None)),
    "extensions": (dict, type(None)),
}
"""What each member of a GraphQL-over-HTTP request may be (`query` is required)."""


def _graphql_request(body: bytes) -> dict[str, Any]:
    """The request's members. A body that is not a GraphQL request object (`1`, `null`, `[]`, not JSON at
    all, or `query` missing or not a string, `variables` not an object...) is refused as REST refuses bad
    input, before strawberry, which would fail on some of them with a 500 and answer the rest in plain text."""
    try:
        parsed = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        parsed = None
    if not (
        isinstance(parsed, dict)
        and "query" in parsed
        and all(isinstance(parsed.get(name), kinds) for name, kinds in _MEMBERS.items() if name in parsed)
    ):
        raise problem(
            HTTP_400_BAD_REQUEST,
            "invalid-graphql-request",
            "A GraphQL request is a JSON object",
            "Send a JSON object with `query` (a string), and `variables` (an object) and `operationName` (a"
            " string) if needed.",
        )
    if parsed.get("operationName") is None and _operations(parsed["query"]) > 1:
        raise problem(
            HTTP_400_BAD_REQUEST,
            "invalid-graphql-request",
            "Say which operation to run",
            "The query holds several operations: name the one to run in `operationName`.",
        )
    return parsed


def _operations(query: str) -> int:
    """How many operations a query holds (0 when it does not parse: strawberry's parser then says why)."""
    try:
        document = parse_document(query)
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


def _js_string(value: str | None) -> str:
    return json.dumps(value or "")  # a Bearer request has no session, so no token
