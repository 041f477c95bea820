"""`@described("…")`: a resolver with a description in the schema, typed for mypy (strawberry's
`field(description=…)` used as a decorator is typed as returning Any)."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def described(text: str) -> Callable[[F], F]:
    return cast(Callable[[F], F], strawberry.field(description=text))
