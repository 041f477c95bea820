"""What one GraphQL request may ask for: depth, aliases, tokens and cost are checked before anything
runs, so a query that would be too costly is refused whole, with a message that says which limit.

The validation rules are made once, at import: the validation cache keys on the rule classes, so rules
made per request would never hit it.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from backend.graphql.errors import QUERY_TOO_COMPLEX
from backend.graphql.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_COST = 5000
"""Roughly, the number of values a query may ask for: each field counts once per item it is asked of,
so `contacts(first: 50) { nodes { history(first: 50) { nodes { summary } } } }` costs about 5,000."""


def _first(node: FieldNode) -> int | None:
    """How many items a field asks for: its literal `first`, or the most allowed if a variable says."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            return int(argument.value.value) if isinstance(argument.value, IntValueNode) else MAX_PAGE
    return None


class QueryCostRule(ValidationRule):
    """Refuses an operation whose estimated cost is above MAX_COST (strawberry has no such rule).

    A field costs 1 for each item it is asked of; a connection (a field with `first`) multiplies what
    is asked inside it by `first` (`DEFAULT_PAGE` when it has the argument's default).
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = {
            d.name.value: d.selection_set for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def _cost(self, selections: SelectionSetNode | None, times: int, seen: frozenset[str]) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += times
                first = _first(selection)
                inner = times * first if first is not None else times
                if first is None and selection.name.value in {"contacts", "history", "advisees"}:
                    inner = times * DEFAULT_PAGE
                total += self._cost(selection.selection_set, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, times, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                name = selection.name.value
                total += self._cost(self.fragments.get(name), times, seen | {name})
            if total > MAX_COST:
                break  # no need to count further
        return total

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        cost = self._cost(node.selection_set, 1, frozenset())
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"This query is too costly: about {cost} values, and at most {MAX_COST} are allowed."
                    " Ask for fewer items per page (`first`) or fewer fields.",
                    node,
                    extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "maxCost": MAX_COST},
                )
            )


def _depth_rules() -> list[Any]:
    return list(QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules)


def _alias_rules() -> list[Any]:
    return list(MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)


RULES = [*_depth_rules(), *_alias_rules(), QueryCostRule]


class Limits(AddValidationRules):
    """Depth (strawberry's QueryDepthLimiter), aliases (MaxAliasesLimiter) and cost, made once."""

    def __init__(self) -> None:
        super().__init__(RULES)


def extensions() -> list[type[SchemaExtension] | Any]:
    """Per-request extensions, in order: tokens bound the parser, the caches skip repeated work."""
    return [lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS), ParserCache, Limits, ValidationCache]
