"""The REST API under /api/v1: one router, so every route shares its guards and dependencies."""

from litestar import Router
from litestar.types import ControllerRouterHandler

API_PREFIX = "/api/v1"


def api_router() -> Router:
    handlers: list[ControllerRouterHandler] = []
    return Router(path=API_PREFIX, route_handlers=handlers)
