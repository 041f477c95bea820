"""The REST API under /api/v1: one router, so every route shares its guards and dependencies."""

from litestar import Router
from litestar.types import ControllerRouterHandler

from backend.accounts.rest import AccessTokensController, AuthController
from backend.api.advisors import AdvisorController, MyAdvisorsController
from backend.api.agenda import AgendaController
from backend.api.contacts import ContactController
from backend.api.history import ContactHistoryController
from backend.api.idempotency import IdempotencyMiddleware
from backend.api.insights import InsightsController
from backend.api.interviews import CalendarFeedController, InterviewController
from backend.api.me import MeController
from backend.api.support import DEPENDENCIES

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
