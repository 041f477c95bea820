"""What one GraphQL request may ask for: depth, aliases, tokens and cost are checked before anything
runs, so a query that would be too costly is refused whole, with a message that says which limit.

The validation rules are made once, at import: the validation cache keys on the rule classes, so rules
made per request would never hit it.
"""

import functools
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    visit,
)
from graphql.type.definition import GraphQLField
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from backend.advisors.graphql import MAX_COHORT
from backend.relationships.readmodels.notes import MAX_FIELDS
from backend.relationships.readmodels.referral_graph import MAX_GRAPH_NODES
from backend.relationships.state import STAGES
from backend.students.graphql import MAX_OVERDUE
from backend.web.graphql.errors import BAD_INPUT, QUERY_TOO_COMPLEX
from backend.web.graphql.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_COST = 10_000
"""Roughly, the number of values a query may ask for: each field counts once per item it is asked of,
so `contacts(first: 50) { nodes { history(first: 50) { nodes { type summary } } } }` costs about 7,600,
and the advisor dashboard (client/src/api/operations.graphql) about 7,600 at the largest cohort."""

LIST_BOUNDS: dict[str, int] = {
    # A connection's lists hold at most `first` items, and `first` already multiplied what is inside it.
    **{f"{c}Connection.{f}": 1 for c in ("Attention", "Contact", "HistoryItem", "Student") for f in ("edges", "nodes")},
    "Cohort.funnel": len(STAGES),
    "Student.funnel": len(STAGES),
    "Cohort.referrals": MAX_COHORT,
    "Cohort.activityPerWeek": 13,  # 12 weeks, and a 13th when advisees' time zones are far apart
    "Student.activityPerWeek": 12,
    "Student.overdue": MAX_OVERDUE,
    "Referrals.nodes": MAX_GRAPH_NODES,
    "Referrals.edges": MAX_GRAPH_NODES,  # a referral tree has fewer edges than nodes
    "StudentStats.contactsPerField": MAX_FIELDS,  # career fields: not capped, but few in practice
    "Profile.interests": 20,  # backend/students/commands.py: at most 20
    "Contact.tags": 20,  # backend/fields.py: Tags, at most 20
    "HistoryItem.redacted": 10,  # an event's personal fields
    "Attention.reasons": 2,  # inactive, thanks missed
}
"""The most items each list field that is not paginated by `first` can hold (`Type.field`): the cost rule
counts what is asked of each item that many times. A list missing here counts as UNKNOWN_LIST_BOUND."""
UNKNOWN_LIST_BOUND = MAX_COHORT


def _literal_first(node: FieldNode) -> int | None:
    """A field's literal `first` (None: not given, or given by a variable)."""
    for argument in node.arguments or ():
        if argument.name.value == "first" and isinstance(argument.value, IntValueNode):
            return int(argument.value.value)
    return None


def _items(parent: GraphQLNamedType | None, node: FieldNode, definition: GraphQLField | None) -> int:
    """How many items a field can hand out: its `first` (the most allowed when a variable says, or when
    the literal is out of range: it is refused, and must never make a query look cheaper), its list's
    bound, or 1."""
    if definition is None:
        return 1
    if "first" in definition.args:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                first = _literal_first(node)
                return first if first is not None and 1 <= first <= MAX_PAGE else MAX_PAGE
        default = definition.args["first"].default_value
        return default if isinstance(default, int) and 1 <= default <= MAX_PAGE else DEFAULT_PAGE
    if is_list_type(get_nullable_type(definition.type)):
        return LIST_BOUNDS.get(f"{parent.name if parent else ''}.{node.name.value}", UNKNOWN_LIST_BOUND)
    return 1


def query_cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """The estimated cost of one operation of a document (stops counting a little above MAX_COST)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def cost(
        selections: SelectionSetNode | None, parent: GraphQLNamedType | None, times: int, seen: frozenset[str]
    ) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                fields = parent.fields if isinstance(parent, GraphQLObjectType) else {}
                definition = fields.get(selection.name.value)
                inner = times * _items(parent, selection, definition)
                named = get_named_type(definition.type) if definition else None
                # A leaf list counts each of its values; any other field once per item it is asked of.
                total += inner if selection.selection_set is None else times
                total += cost(selection.selection_set, named, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = schema.get_type(condition.name.value) if condition else parent
                total += cost(selection.selection_set, on, times, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None:
                    on = schema.get_type(fragment.type_condition.name.value)
                    total += cost(fragment.selection_set, on, times, seen | {name})
            if total > MAX_COST:
                break  # no need to count further
        return total

    return cost(operation.selection_set, schema.get_root_type(operation.operation), 1, frozenset())


class QueryCostRule(ValidationRule):
    """Refuses an operation whose estimated cost is above MAX_COST (strawberry has no such rule), and a
    literal page size out of range, before anything runs (else a sibling branch would be answered).

    A field costs 1 for each item it is asked of; a connection (a field with `first`) multiplies what is
    asked inside it by `first` (its default when not given, MAX_PAGE when a variable gives it); a list
    without `first` by its bound in LIST_BOUNDS.
    """

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        definition = self.context.get_field_def()
        first = _literal_first(node)
        if definition is not None and "first" in definition.args and first is not None and not 1 <= first <= MAX_PAGE:
            self.report_error(
                GraphQLError(
                    f"`first` must be between 1 and {MAX_PAGE}.",
                    node,
                    extensions={"code": BAD_INPUT, "argument": "first"},
                )
            )

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        cost = query_cost(self.context.schema, self.context.document, node)
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"This query is too costly: about {cost} values, and at most {MAX_COST} are allowed."
                    " Ask for fewer items per page (`first`) or fewer fields.",
                    node,
                    extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "maxCost": MAX_COST},
                )
            )


def _unknown_fragments(document: DocumentNode) -> bool:
    """Whether a fragment spread anywhere in the document names a fragment it does not define."""
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    spread: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            spread.add(node.name.value)

    visit(document, Spreads())
    return not spread <= defined


_StrawberryDepth: Any = QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules[0]


class QueryDepthRule(_StrawberryDepth):  # type: ignore[misc]
    """strawberry's depth limit, skipped for a document that spreads a fragment it does not define:
    strawberry's would fail with a KeyError (an INTERNAL error), and graphql-core's KnownFragmentNamesRule
    refuses such a document anyway."""

    def __init__(self, context: ValidationContext) -> None:
        if _unknown_fragments(context.document):
            ValidationRule.__init__(self, context)
        else:
            super().__init__(context)


def _alias_rules() -> list[Any]:
    return list(MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)


RULES = [QueryDepthRule, *_alias_rules(), QueryCostRule]


class Limits(AddValidationRules):
    """Depth (strawberry's QueryDepthLimiter), aliases (MaxAliasesLimiter) and cost, made once."""

    def __init__(self) -> None:
        super().__init__(RULES)


parse_document: Callable[[str], DocumentNode] = functools.partial(
    ParserCache().cached_parse_document, max_tokens=MAX_TOKENS
)
"""A query parsed as each request's parse is (under MAX_TOKENS), through ParserCache's cache, which
strawberry's parse step shares: a query read before execution is not parsed twice."""


def extensions() -> list[type[SchemaExtension] | Any]:
    """Per-request extensions, in order: tokens bound the parser, the caches skip repeated work."""
    return [lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS), ParserCache, Limits, ValidationCache]
