"""The event store's columns as the tests expect them, whole and in order (one list, asked by several tests)."""

STORED_COLUMNS = [
    "position",
    "transaction_id",
    "stream_id",
    "category",
    "version",
    "type",
    "schema_version",
    "data",
    "metadata",
    "actor_id",
    "command_id",
    "correlation_id",
    "causation_id",
    "recorded_at",
    "hash",
]
