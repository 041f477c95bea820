"""Shared by every context's adapters: the REST router and its rules (problems, route support,
idempotency, kept answers), the edge, headers, health, the client's files, and the GraphQL schema's root."""
