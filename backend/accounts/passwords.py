"""Passwords: how strong a new one is (zxcvbn), and hashing with argon2id (argon2-cffi's defaults, RFC 9106's).

Hashing takes tens of milliseconds of CPU and 64 MiB by design, so it runs in a worker thread:
on the event loop it would stall every other request for that long. Estimating strength takes a
few milliseconds (up to ~40 ms for a long repetitive password), so it runs in a thread too.
"""

import re
import secrets
import threading
from typing import Annotated

import anyio.to_thread
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
"""Long enough to mean something, short enough that hashing it is not a denial-of-service lever."""

_hasher = PasswordHasher()

# Verified against when the email is unknown, so that answer costs the same argon2 work as a wrong
# password. Made at import (start-up) with the very hasher, hence the same parameters, that makes
# real hashes; made lazily, the first unknown email after a start would take two hashes' time. Its
# password is random, so nobody can sign in to "no account" by guessing it.
_DECOY_HASH = _hasher.hash(secrets.token_urlsafe(32))


# -- strength -------------------------------------------------------------------------------------

STRONG_ENOUGH = 3
"""zxcvbn's score 3: "safely unguessable", about 10^8 to 10^10 guesses; 0-2 are refused."""
ESTIMATED_LENGTH = 72
"""zxcvbn refuses longer input (its matching grows fast with length): the first 72 characters are
estimated; what follows can only add strength."""
APP_WORDS = ("rapport",)
"""Words anyone guessing at this site would try first."""

# zxcvbn-python keeps the user inputs in a module-level dictionary that every call overwrites, so
# two estimates running at once in worker threads could each see the other's email and name.
_zxcvbn_lock = threading.Lock()


class Weakness(msgspec.Struct, frozen=True, kw_only=True):
    """Why a password is refused: zxcvbn's feedback, said for this account."""

    warning: str
    suggestions: list[str]


def _words(text: str) -> list[str]:
    """The text, and its words of three letters or more (`ada.lovelace-1815` → ada, lovelace, 1815)."""
    parts = [part for part in re.split(r"[\W_]+", text) if len(part) >= 3]
    return [text, *parts]


def context_words(*, email: str, name: str) -> tuple[list[str], list[str]]:
    """What a guesser who knows the account tries: words of the email (whole, local part, domain) and of the name.

    zxcvbn matches user inputs as dictionary words inside the password, so the whole email alone
    would not catch a password that is its local part: each piece is given on its own.
    """
    local, _, domain = email.partition("@")
    email_words = [email, *_words(local), *_words(domain)]
    name_words = [*_words(name), re.sub(r"\W+", "", name)]
    return email_words, name_words


def weakness(password: str, *, email: str, name: str) -> Weakness | None:
    """None when the password is strong enough for this account; else why not, in zxcvbn's words or ours."""
    email_words, name_words = context_words(email=email, name=name)
    with _zxcvbn_lock:
        result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[*email_words, *name_words, *APP_WORDS])
    if result["score"] >= STRONG_ENOUGH:
        return None
    # zxcvbn has no warning of its own for a user input: say which one, since that is the reason.
    matched = {
        match.get("matched_word", "")
        for top in result["sequence"]
        for match in [top, *top.get("base_matches", [])]
        if match.get("dictionary_name") == "user_inputs"
    }
    lowered = {word.lower() for word in email_words}, {word.lower() for word in name_words}
    warning = result["feedback"]["warning"]
    if matched & lowered[0]:
        warning = "It is built from your email address, which anyone guessing would try first."
    elif matched & lowered[1]:
        warning = "It is built from your name, which anyone guessing would try first."
    elif matched:
        warning = "It is built from this site's name, which anyone guessing would try first."
    suggestions = list(result["feedback"]["suggestions"])
    if not warning and not suggestions:  # zxcvbn gives feedback for scores 0-2, but never leave it unsaid
        suggestions = ["Add another word or two. Uncommon words are better."]
    return Weakness(warning=warning, suggestions=suggestions)


async def password_weakness(password: str, *, email: str, name: str) -> Weakness | None:
    """`weakness`, off the event loop."""
    return await anyio.to_thread.run_sync(lambda: weakness(password, email=email, name=name))


# -- hashing --------------------------------------------------------------------------------------


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash (unknown account) it spends the same time on the decoy, then fails."""
    if password_hash is None:
        await anyio.to_thread.run_sync(_verify, _DECOY_HASH, password)
        return False
    return await anyio.to_thread.run_sync(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash on the next sign-in."""
    return _hasher.check_needs_rehash(password_hash)
