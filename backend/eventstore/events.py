"""Events as frozen msgspec Structs, the registry that names them, and the upcasters that age them.

An event's type name is forever. To change a payload, bump `schema_version` on the class and register
an upcaster that turns the previous version's data into the new one; stored history is never edited.
"""

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar, get_args, get_origin, get_type_hints

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="type"):
    """Base of every event: past tense, immutable, tagged with its class name."""

    schema_version: ClassVar[int] = 1


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Marks a field as personal data of a data subject, stored encrypted with that subject's key.

    `subject_field` names the event field that holds the subject's id (a stream id); without it the
    subject is the stream the event is appended to.
    """

    subject_field: str | None = None


PERSONAL = PersonalData()
T = TypeVar("T")
Personal = Annotated[T, PERSONAL]
"""`name: Personal[str]`: personal data of the stream's subject."""

REDACTED = "[erased]"
"""What a personal field reads as once its subject has been forgotten."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class EventType:
    """What the store knows of one registered event class."""

    name: str
    cls: type[Event]
    schema_version: int
    personal: Mapping[str, PersonalData]


def _personal_fields(cls: type[Event]) -> dict[str, PersonalData]:
    fields: dict[str, PersonalData] = {}
    for name, hint in get_type_hints(cls, include_extras=True).items():
        if get_origin(hint) is not Annotated:
            continue
        base, *extras = get_args(hint)
        marks = [extra for extra in extras if isinstance(extra, PersonalData)]
        if not marks:
            continue
        # A forgotten value must still fit the field's type, so personal fields hold text.
        allowed = base is str or (
            get_origin(base) in (typing.Union, types.UnionType) and set(get_args(base)) == {str, type(None)}
        )
        if not allowed:
            raise TypeError(f"{cls.__name__}.{name}: personal fields must be `str` or `str | None`")
        fields[name] = marks[0]
    return fields


def _floats_in(cls: type[Event]) -> list[str]:
    """Paths to float fields: a float read back from JSON may not re-encode to the same bytes."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(info: msgspec.inspect.Type, path: str) -> None:
        if id(info) in seen:
            return
        seen.add(id(info))
        if isinstance(info, msgspec.inspect.FloatType):
            found.append(path)
        for attr in ("item_type", "key_type", "value_type"):
            if hasattr(info, attr):
                walk(getattr(info, attr), path + "[]")
        for member in getattr(info, "types", ()):
            walk(member, path)
        for field in getattr(info, "fields", ()):
            walk(field.type, f"{path}.{field.name}")

    walk(msgspec.inspect.type_info(cls), cls.__name__)
    return found


class EventRegistry:
    """Maps stored type names to classes, and older schema versions to the current one."""

    def __init__(self, classes: Iterable[type[Event]] = ()) -> None:
        self._types: dict[str, EventType] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[Event]) -> type[Event]:
        name = type_name(cls)
        known = self._types.get(name)
        if known is not None and known.cls is not cls:
            raise ValueError(f"event type {name!r} is already registered to {known.cls!r}")
        personal = _personal_fields(cls)
        if floats := _floats_in(cls):
            raise TypeError(f"{name}: events hold no floats (use int, or a decimal string): {', '.join(floats)}")
        for mark in personal.values():
            if mark.subject_field is not None and mark.subject_field not in cls.__struct_fields__:
                raise TypeError(f"{name}: subject field {mark.subject_field!r} does not exist")
        self._types[name] = EventType(name, cls, cls.schema_version, personal)
        return cls

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register `fn(data) -> data` turning version `from_version` of `name` into the next one."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return decorate

    def __getitem__(self, name: str) -> EventType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventTypeError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def of(self, event: Event) -> EventType:
        return self[type_name(type(event))]

    def names(self) -> frozenset[str]:
        return frozenset(self._types)

    def upcast(self, name: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        current = self[name].schema_version
        if schema_version > current:
            raise ValueError(f"{name} v{schema_version} is newer than this code (v{current})")
        for version in range(schema_version, current):
            step = self._upcasters.get((name, version))
            if step is None:
                raise LookupError(f"no upcaster for {name} from v{version} to v{version + 1}")
            data = step(data)
        return data

    def union(self) -> Any:
        """The tagged union of every registered event, for msgspec decoding."""
        classes = tuple(t.cls for t in self._types.values())
        return typing.Union[classes] if classes else None  # noqa: UP007 - built from a tuple


class UnknownEventTypeError(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown event type {name!r}")
        self.name = name


def type_name(cls: type[Event]) -> str:
    tag = cls.__struct_config__.tag
    return tag if isinstance(tag, str) else cls.__name__
