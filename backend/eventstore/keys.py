"""Subject keys at rest: each one wrapped with a master key (a key-encryption key) the database never holds.

A subject key stored as is travels into every dump, backup and WAL segment, and any copy taken before
`forget` opens that subject's personal fields for as long as the copy lives (after an erasure, the key
was read back out of `pg_wal`). So each subject key is stored wrapped:

    subject_keys.key    = nonce (12 bytes) ‖ AES-256-GCM(master key, subject key, aad), 60 bytes
    subject_keys.kek_id = the master key's id; aad = "rapport subject key" ‖ subject ‖ kek id

The associated data binds a wrapped key to its subject (a row copied onto another subject opens
nothing). The master key comes from RAPPORT_MASTER_KEY (base64, newest first, comma-separated), or
else from a key file in the data folder (`master.key`, created on first use with mode 0600), never
from the database: a dump, the WAL or a backup of the database opens no personal field on its own.

Which master key wraps new subject keys is the database's to say, in the one row of `master_key`
(only its id). Every process wraps under that one, as long as it holds it; a process that does not is
refused loudly (MasterKeyError) rather than writing keys no other process could open. Key material
and choice are split so that a rotation is one transaction:

- `rotate_master_key` names the new id in `master_key` and re-wraps every live subject key under it,
  then commits. A process creating a subject key holds FOR KEY SHARE on that row, so the rotation
  waits for creations in flight, and a creation that starts meanwhile waits for the rotation and then
  finds a new id, creates nothing, and looks again (see `_CREATE_OR_FETCH`). `subject_keys.kek_id`
  references `master_key` with a deferred foreign key, so a rotation cannot commit while any key is
  still wrapped under the old id.
- With the key file, the new key is written into it (first, with the old one kept) before the
  transaction, and the old one is removed only after the commit: every process that reads the file
  can open every stored key at every moment, whatever happens to the rotation. A process meeting a
  key id it does not know re-reads the file; that is how the other processes learn the new key.
- With RAPPORT_MASTER_KEY, the operator gives every process `new,old` first, rotates (the first key
  becomes the database's), and then drops `old`.
"""

import base64
import binascii
import contextlib
import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.config import Settings
from backend.eventstore.errors import EventStoreError
from backend.eventstore.types import Conn

log = logging.getLogger(__name__)

KEY_BYTES = 32
_NONCE_BYTES = 12
WRAPPED_BYTES = _NONCE_BYTES + KEY_BYTES + 16  # nonce, wrapped key, GCM tag
_BATCH = 5_000
_FILE_HEADER = (
    "# Rapport's master key: it opens every subject key in the database. Keep it secret and back it up\n"
    "# apart from the database (see docs/erasure.md). Newest first; an older key stays only while a\n"
    "# rotation (`rapport rotate-master-key`) is under way.\n"
)


class MasterKeyError(EventStoreError):
    """The master key this process holds is not the one the database's subject keys are wrapped under."""


def master_key_id(secret: bytes) -> str:
    """A master key's public name: 16 hex digits of a hash of it (the key cannot be found from it)."""
    return hashlib.sha256(b"rapport master key id\x00" + secret).hexdigest()[:16]


@dataclass(frozen=True)
class MasterKey:
    secret: bytes = field(repr=False)
    id: str = field(init=False)
    aead: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise MasterKeyError(f"a master key is {KEY_BYTES} bytes (base64 of 32 random bytes)")
        object.__setattr__(self, "id", master_key_id(self.secret))
        object.__setattr__(self, "aead", AESGCM(self.secret))

    @classmethod
    def generate(cls) -> "MasterKey":
        return cls(secrets.token_bytes(KEY_BYTES))

    def encoded(self) -> str:
        return base64.b64encode(self.secret).decode()


def _aad(subject: str, kek_id: str) -> bytes:
    return f"rapport subject key\x1f{subject}\x1f{kek_id}".encode()


def parse_master_keys(text: str) -> list[MasterKey]:
    """Base64 keys separated by commas or lines, newest first; `#` starts a comment line."""
    keys: list[MasterKey] = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        for part in line.split(","):
            if not (token := part.strip()):
                continue
            try:
                raw = base64.b64decode(token.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                raise MasterKeyError("a master key must be base64 (for example `openssl rand -base64 32`)") from None
            keys.append(MasterKey(raw))
    if not keys:
        raise MasterKeyError("no master key given")
    return keys


class KeyFile:
    """The master key file: created once, atomically, mode 0600; replaced atomically on rotation."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[MasterKey]:
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning("%s is readable by others (mode %o): it should be 0600", self.path, mode)
        return parse_master_keys(self.path.read_text())

    def load_or_create(self) -> list[MasterKey]:
        """The keys in the file; on first use, a new random key, written before anyone can read it."""
        with contextlib.suppress(FileNotFoundError):
            return self.read()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._write_temporary([MasterKey.generate()])
        try:
            # link() fails if the name exists: of processes starting together, one creates the file and
            # the others read it, so they all end up with the same key.
            os.link(temporary, self.path)
        except FileExistsError:
            pass
        else:
            self._sync_folder()
            log.warning("created a new master key in %s: back it up apart from the database", self.path)
        finally:
            temporary.unlink()
        return self.read()

    def replace(self, keys: Sequence[MasterKey]) -> None:
        """Write `keys` (newest first) in place of the file's, atomically (rename) and durably (fsync)."""
        temporary = self._write_temporary(keys)
        os.replace(temporary, self.path)
        self._sync_folder()

    def _write_temporary(self, keys: Sequence[MasterKey]) -> Path:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            os.write(fd, (_FILE_HEADER + "".join(f"{k.encoded()}\n" for k in keys)).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return temporary

    def _sync_folder(self) -> None:
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Keyring:
    """The master keys this process holds, newest first, and how to wrap and open subject keys with them."""

    def __init__(self, keys: Sequence[MasterKey], *, reload: Callable[[], Sequence[MasterKey]] | None = None) -> None:
        if not keys:
            raise MasterKeyError("a keyring needs a master key")
        self._keys = list(keys)
        self._reload = reload

    @classmethod
    def from_settings(cls, settings: Settings) -> "Keyring":
        """RAPPORT_MASTER_KEY if set; otherwise the data folder's key file, created on first use."""
        if settings.master_key is not None:
            return cls(parse_master_keys(settings.master_key))
        file = KeyFile(settings.master_key_file)
        return cls(file.load_or_create(), reload=file.read)

    @property
    def newest(self) -> MasterKey:
        return self._keys[0]

    @property
    def ids(self) -> list[str]:
        return [k.id for k in self._keys]

    def get(self, kek_id: str) -> MasterKey:
        """The master key named `kek_id`; re-reads the key file once if it is not known yet (a rotation)."""
        for attempt in range(2):
            found = next((k for k in self._keys if k.id == kek_id), None)
            if found is not None:
                return found
            if attempt == 0 and self._reload is not None:
                self._keys = list(self._reload())
        raise MasterKeyError(
            f"subject keys are wrapped under master key {kek_id}, which this process does not hold"
            f" (it holds {', '.join(self.ids)}): give every process the same RAPPORT_MASTER_KEY or key file"
        )

    @staticmethod
    def wrap(master: MasterKey, subject: str, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + master.aead.encrypt(nonce, key, _aad(subject, master.id))

    def open(self, subject: str, stored: bytes | None, kek_id: str | None) -> bytes | None:
        """The subject key from its stored form; None once forgotten (or if the stored key was altered)."""
        if stored is None:
            return None
        if kek_id is None:
            return stored  # written before keys were wrapped; wrapped at start-up (`wrap_plain_keys`)
        master = self.get(kek_id)
        with contextlib.suppress(InvalidTag):
            return master.aead.decrypt(stored[:_NONCE_BYTES], stored[_NONCE_BYTES:], _aad(subject, kek_id))
        # Not a configuration problem (the id matched): this row was changed or moved. Its data cannot be
        # read, as if forgotten; say so loudly.
        log.error("the stored key of %s does not open under master key %s: it was altered", subject, kek_id)
        return None


# -- in the database ---------------------------------------------------------------------------------

_NAMED = """
WITH first_use AS (INSERT INTO master_key (kek_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING kek_id)
SELECT kek_id FROM first_use UNION ALL SELECT kek_id FROM master_key
"""


async def wrapping_key(conn: Conn, keyring: Keyring) -> MasterKey:
    """The master key the database wraps new subject keys under; on a database's first use, our newest."""
    for _ in range(3):
        # A first use racing ours may commit after this statement's snapshot: then neither part of it
        # sees a row, and the next attempt does.
        kek_id = await conn.fetchval(_NAMED, keyring.newest.id)
        if kek_id is not None:
            return keyring.get(kek_id)
    raise MasterKeyError("could not read the database's master key id")


# Creates the subject keys that do not exist yet and returns every wanted one as stored (a NULL key is a
# forgotten subject). Key creation holds FOR KEY SHARE on the master_key row naming the key it wraps
# with: a rotation (which changes that id) waits for it, and if a rotation committed first, `current`
# is empty (READ COMMITTED re-checks the locked row's new version), nothing is created, and the last
# row, all NULLs, tells the caller to ask again which master key to use.
CREATE_OR_FETCH = """
WITH current AS MATERIALIZED (SELECT kek_id FROM master_key WHERE kek_id = $3 FOR KEY SHARE),
wanted AS (SELECT * FROM unnest($1::text[], $2::bytea[]) AS w(subject, key)),
created AS (
    INSERT INTO subject_keys (subject, key, kek_id)
    SELECT w.subject, w.key, c.kek_id FROM wanted w CROSS JOIN current c
    ON CONFLICT (subject) DO NOTHING
    RETURNING subject, key, kek_id
)
SELECT subject, key, kek_id FROM created
UNION ALL
SELECT k.subject, k.key, k.kek_id FROM subject_keys k
WHERE k.subject = ANY ($1) AND k.subject NOT IN (SELECT subject FROM created)
UNION ALL
SELECT NULL, NULL, NULL WHERE NOT EXISTS (SELECT FROM current)
"""

_REWRAP = """
WITH current AS MATERIALIZED (SELECT kek_id FROM master_key WHERE kek_id = $3 FOR KEY SHARE)
UPDATE subject_keys k SET key = w.key, kek_id = c.kek_id
FROM unnest($1::text[], $2::bytea[]) AS w(subject, key) CROSS JOIN current c
WHERE k.subject = w.subject AND k.key IS NOT NULL AND k.kek_id IS NULL
"""


async def wrap_plain_keys(conn: Conn, keyring: Keyring) -> int:
    """Wrap the keys stored before keys were wrapped (revision 0009); returns how many. Idempotent.

    In short transactions of a few thousand keys; several processes may run it at once (SKIP LOCKED
    shares the work out). Call it at start-up, on a connection outside any transaction.
    """
    wrapped = 0
    while True:
        async with conn.transaction():
            master = await wrapping_key(conn, keyring)
            rows = await conn.fetch(
                "SELECT subject, key FROM subject_keys WHERE key IS NOT NULL AND kek_id IS NULL"
                " ORDER BY subject LIMIT $1 FOR UPDATE SKIP LOCKED",
                _BATCH,
            )
            if not rows:
                return wrapped
            subjects = [r["subject"] for r in rows]
            status = await conn.execute(
                _REWRAP, subjects, [keyring.wrap(master, r["subject"], r["key"]) for r in rows], master.id
            )
            # 0 when a rotation committed in between: the next round wraps under the new key.
            wrapped += int(status.split()[-1])


@dataclass(frozen=True)
class Rotation:
    old_id: str | None
    new_id: str
    rewrapped: int
    key_file: Path | None


async def rewrap_all(conn: Conn, keyring: Keyring, target: MasterKey) -> tuple[str | None, int]:
    """In one transaction: make `target` the database's master key and re-wrap every live key under it.

    Returns (the previous id, how many keys were re-wrapped). `keyring` must hold the previous key.
    """
    async with conn.transaction():
        # First, so that key creation (FOR KEY SHARE on this row) waits for this transaction from here
        # on, and creations already in flight have committed before we read the keys below.
        old_id = await conn.fetchval("SELECT kek_id FROM master_key FOR UPDATE")
        if old_id is None:
            await conn.execute("INSERT INTO master_key (kek_id) VALUES ($1)", target.id)
        else:
            await conn.execute("UPDATE master_key SET kek_id = $1, since = now()", target.id)
        count, after = 0, ""
        while rows := await conn.fetch(
            "SELECT subject, key, kek_id FROM subject_keys"
            " WHERE key IS NOT NULL AND kek_id IS DISTINCT FROM $1 AND subject > $2"
            " ORDER BY subject LIMIT $3 FOR UPDATE",
            target.id,
            after,
            _BATCH,
        ):
            subjects, wrapped = [], []
            for row in rows:
                key = keyring.open(row["subject"], row["key"], row["kek_id"])
                if key is None:
                    raise MasterKeyError(f"the stored key of {row['subject']} does not open: not rotating")
                subjects.append(row["subject"])
                wrapped.append(keyring.wrap(target, row["subject"], key))
            await conn.execute(
                "UPDATE subject_keys k SET key = w.key, kek_id = $3"
                " FROM unnest($1::text[], $2::bytea[]) AS w(subject, key) WHERE k.subject = w.subject",
                subjects,
                wrapped,
                target.id,
            )
            count += len(rows)
            after = subjects[-1]
        # On commit the deferred foreign key checks that no key is left under the old id.
    return old_id, count


async def rotate_master_key(conn: Conn, settings: Settings) -> Rotation:
    """Re-wrap every subject key under a new master key, in one transaction; `conn` outside any transaction.

    With the key file: a new key is made, written into the file before the transaction (beside the old
    one, so every process can open every key at every moment), and the old one is removed from the file
    once the transaction has committed. With RAPPORT_MASTER_KEY, the first key given becomes the
    database's (give every process `new,old` first, and drop `old` afterwards).
    """
    if settings.master_key is not None:
        keyring = Keyring(parse_master_keys(settings.master_key))
        if await conn.fetchval("SELECT kek_id FROM master_key") == keyring.newest.id:
            raise MasterKeyError(
                "the database is already wrapped under the first key of RAPPORT_MASTER_KEY: to rotate, put"
                " a new key first (RAPPORT_MASTER_KEY=new,old) in every process, then run this again"
            )
        old_id, count = await rewrap_all(conn, keyring, keyring.newest)
        return Rotation(old_id=old_id, new_id=keyring.newest.id, rewrapped=count, key_file=None)
    file = KeyFile(settings.master_key_file)
    held = file.load_or_create()
    new = MasterKey.generate()
    file.replace([new, *held])
    # If this fails, or its commit is lost, the file still holds both keys: nothing becomes unreadable.
    old_id, count = await rewrap_all(conn, Keyring([new, *held]), new)
    file.replace([new])  # committed: the old key is no longer needed, and backups wrapped under it die with it
    return Rotation(old_id=old_id, new_id=new.id, rewrapped=count, key_file=file.path)
