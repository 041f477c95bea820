"""Turns events into stored JSON and back: personal fields are sealed with their subject's key.

A personal value is stored as `{"$pii": subject, "v": base64(nonce || AES-256-GCM ciphertext)}`, with
the subject, event type and field name as associated data so a sealed value cannot be moved. Once the
subject's key is destroyed the value reads back as `REDACTED`; nothing else in the event changes.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.eventstore.events import REDACTED, Event, EventRegistry, EventType

SEALED = "$pii"
_NONCE_BYTES = 12
_json_encoder = msgspec.json.Encoder(order="sorted")


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _aad(subject: str, event_type: str, field: str) -> bytes:
    return f"{subject}\x1f{event_type}\x1f{field}".encode()


def subjects_of(event_type: EventType, event: Event, stream_id: str) -> dict[str, str]:
    """Field name → data subject, for each personal field of `event` that holds a value."""
    found: dict[str, str] = {}
    for field, mark in event_type.personal.items():
        if getattr(event, field) is None:
            continue
        subject = stream_id if mark.subject_field is None else str(getattr(event, mark.subject_field))
        found[field] = subject
    return found


def seal(
    event_type: EventType, event: Event, stream_id: str, keys: Mapping[str, bytes]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data to store, data to digest): personal values encrypted, and keyed-hashed for the digest.

    The digest form lets a retried command be compared with the original without ever keeping a
    plain hash of personal data, which a short value (a phone number) would not survive.
    """
    data: dict[str, Any] = msgspec.to_builtins(event)
    data.pop("type", None)
    personal = subjects_of(event_type, event, stream_id)
    if not personal:
        return data, data  # nothing personal: the stored form is the digest form
    digestible = dict(data)
    for field, subject in personal.items():
        key = keys[subject]
        plain = str(data[field]).encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plain, _aad(subject, event_type.name, field))
        data[field] = {SEALED: subject, "v": base64.b64encode(nonce + sealed).decode()}
        digestible[field] = {SEALED: subject, "h": hmac.new(key, plain, hashlib.sha256).hexdigest()}
    return data, digestible


def sealed_subjects(data: Mapping[str, Any]) -> set[str]:
    return {value[SEALED] for value in data.values() if isinstance(value, dict) and SEALED in value}


def unseal(
    event_type_name: str, data: dict[str, Any], keys: Mapping[str, bytes | None]
) -> tuple[dict[str, Any], frozenset[str]]:
    """Decrypt sealed fields in place of their envelopes; forgotten ones become REDACTED."""
    redacted: set[str] = set()
    for field, value in data.items():
        if not (isinstance(value, dict) and SEALED in value):
            continue
        key = keys.get(value[SEALED])
        if key is None:
            data[field] = REDACTED
            redacted.add(field)
            continue
        raw = base64.b64decode(value["v"])
        try:
            plain = AESGCM(key).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(value[SEALED], event_type_name, field)
            )
        except InvalidTag:
            # A sealed value that does not open under its own subject's key was tampered with.
            data[field] = REDACTED
            redacted.add(field)
            continue
        data[field] = plain.decode()
    return data, frozenset(redacted)


def decode_event(registry: EventRegistry, type_name: str, schema_version: int, data: dict[str, Any]) -> Event:
    """Upcast stored data to the current schema and build the event Struct."""
    current = registry.upcast(type_name, schema_version, data)
    return msgspec.convert(current, registry[type_name].cls)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces: the same value always encodes to the same bytes."""
    return _json_encoder.encode(value)
