"""The REST API under /api/v1: one router, so every route shares its guards and dependencies."""

from litestar import Router
from litestar.types import ControllerRouterHandler

from backend.accounts.rest import AccessTokensController, AuthController
from backend.advisors.rest import AdvisorController, MyAdvisorsController
from backend.relationships.rest.agenda import AgendaController
from backend.relationships.rest.contacts import ContactController
from backend.relationships.rest.history import ContactHistoryController
from backend.relationships.rest.insights import InsightsController
from backend.relationships.rest.interviews import CalendarFeedController, InterviewController
from backend.students.rest import MeController
from backend.web.idempotency import IdempotencyMiddleware
from backend.web.support import DEPENDENCIES

API_PREFIX = "/api/v1"


def api_router() -> Router:
    handlers: list[ControllerRouterHandler] = [
        AuthController,
        AccessTokensController,
        MeController,
        MyAdvisorsController,
        AdvisorController,
        ContactController,
        ContactHistoryController,
        AgendaController,
        InterviewController,
        CalendarFeedController,
        InsightsController,
    ]
    return Router(
        path=API_PREFIX, route_handlers=handlers, dependencies=DEPENDENCIES, middleware=[IdempotencyMiddleware()]
    )
