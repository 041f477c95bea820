"""Handler `opt` flags that the middlewares read (authentication's PUBLIC lives beside its middleware)."""

from typing import Any

SECRET_ANSWER: dict[str, Any] = {"secret_answer": True}
"""`opt=SECRET_ANSWER` on a handler whose answer holds a new secret: the Idempotency-Key middleware
never stores (nor replays) its responses, so the secret is not kept in clear."""
