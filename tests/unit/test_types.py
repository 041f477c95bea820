"""Pure tests of stream ids, positions and settings."""

import pytest

from backend.config import load_settings, to_asyncpg_dsn, to_sqlalchemy_url
from backend.eventstore import GlobalPosition, InvalidStreamIdError, category_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("stream_id", "category"),
    [("contact-5f1c", "contact"), ("student-a.b@c", "student"), ("audit_log-1-2", "audit_log")],
)
def test_category_is_the_part_before_the_first_dash(stream_id: str, category: str) -> None:
    assert category_of(stream_id) == category


@pytest.mark.parametrize("stream_id", ["", "contact", "Contact-1", "-1", "contact-", "contact-a b", "c-\n"])
def test_malformed_stream_ids_are_refused(stream_id: str) -> None:
    with pytest.raises(InvalidStreamIdError):
        category_of(stream_id)


def test_global_position_orders_by_transaction_then_position_and_round_trips() -> None:
    assert GlobalPosition(1, 9) < GlobalPosition(2, 3)
    assert GlobalPosition.parse(GlobalPosition(7, 42).token()) == GlobalPosition(7, 42)


def test_database_urls_are_translated_for_each_driver() -> None:
    url = "postgres://u:p@db:5432/rapport"
    assert to_asyncpg_dsn(url) == "postgresql://u:p@db:5432/rapport"
    assert to_sqlalchemy_url(url) == "postgresql+asyncpg://u:p@db:5432/rapport"
    with pytest.raises(ValueError, match="postgresql://"):
        to_asyncpg_dsn("mysql://x")


def test_settings_default_to_the_embedded_database_on_loopback() -> None:
    settings = load_settings({})
    assert settings.uses_embedded_database
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert not load_settings({"DATABASE_URL": "postgresql://x/y"}).uses_embedded_database
