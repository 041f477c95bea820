"""The relationships' REST routes under /api/v1: contacts and their steps, history, agenda,
interviews and insights."""
