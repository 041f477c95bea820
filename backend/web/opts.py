"""Handler `opt` flags that the middlewares read (authentication's PUBLIC lives beside its middleware)."""

from typing import Any

SECRET_ANSWER: dict[str, Any] = {"secret_answer": True}
"""`opt=SECRET_ANSWER` on a handler whose answer holds a new secret: the Idempotency-Key middleware
never stores (nor replays) its responses, so the secret is not kept in clear."""

GZIP_LEVEL = 5
"""gzip's level for answers: 9 took 2.5 ms on a 110 KB agenda, 5 takes 0.4 ms for a few percent more bytes."""
COMPRESS_FROM = 1024
"""Answers shorter than this (bytes) are sent as they are."""

COMPRESSED_HERE: dict[str, Any] = {"compressed_here": True}
"""`opt=COMPRESSED_HERE` on a handler that gzips its own answers (kept compressed, see api/answers.py):
the app's compression middleware leaves it alone."""
