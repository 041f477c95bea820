"""GraphQL tests use the API tests' fixtures: a client on a fresh database and students signed up through REST."""

from tests.api.conftest import client, db, other_student, student

__all__ = ["client", "db", "other_student", "student"]
