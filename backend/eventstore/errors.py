"""The event store's error vocabulary. REST and GraphQL map these in one place each."""

from uuid import UUID


class EventStoreError(Exception):
    """Base of everything the store raises on purpose."""


class WrongExpectedVersionError(EventStoreError):
    """The stream is not at the version the writer expected: someone else wrote first."""

    def __init__(self, stream_id: str, expected: object, current: int | None) -> None:
        where = "a newer version" if current is None else f"version {current}"
        super().__init__(f"stream {stream_id} is at {where}, not {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current = current


class CommandReusedError(EventStoreError):
    """A command id came back with a different payload than the one it first carried."""

    def __init__(self, command_id: UUID) -> None:
        super().__init__(f"command {command_id} was already used with a different payload")
        self.command_id = command_id


class SubjectForgottenError(EventStoreError):
    """Personal data was offered for a data subject whose key has been destroyed."""

    def __init__(self, subjects: frozenset[str]) -> None:
        super().__init__(f"data subject(s) forgotten: {', '.join(sorted(subjects))}")
        self.subjects = subjects


class InvalidStreamIdError(EventStoreError, ValueError):
    def __init__(self, stream_id: str) -> None:
        super().__init__(f"invalid stream id {stream_id!r}: expected '<category>-<id>'")
        self.stream_id = stream_id
