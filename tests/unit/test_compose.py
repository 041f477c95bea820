"""docker-compose.yml, checked by parsing it (there is no Docker engine on these machines)."""

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_postgres_16_with_a_volume_and_a_health_check(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    volume = postgres["volumes"][0].split(":")
    assert volume[0] in compose["volumes"]
    assert volume[1] == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


@pytest.mark.parametrize(("service", "command"), [("api", "serve"), ("projector", "projector")])
def test_api_and_projector_run_their_command_against_that_database(
    compose: dict[str, Any], service: str, command: str
) -> None:
    spec = compose["services"][service]
    assert spec["command"][:2] == ["rapport", command]
    url = spec["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://")
    assert "@postgres:5432/" in url
    assert spec["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert spec["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_every_command_used_exists_in_the_cli(compose: dict[str, Any]) -> None:
    from backend.cli import rapport

    for spec in compose["services"].values():
        if "command" in spec:
            assert spec["command"][1] in rapport.commands


def test_the_api_and_the_projector_share_one_master_key(compose: dict[str, Any]) -> None:
    """Each would otherwise make a key file of its own, and neither could open what the other sealed."""
    api, projector = compose["services"]["api"], compose["services"]["projector"]
    for key in ("RAPPORT_DATA_DIR", "RAPPORT_MASTER_KEY"):
        assert api["environment"][key] == projector["environment"][key]
    shared = {v for v in api["volumes"] if v.endswith(":" + api["environment"]["RAPPORT_DATA_DIR"])}
    assert shared
    assert shared <= set(projector["volumes"])
    assert all(v.split(":")[0] in compose["volumes"] for v in shared)
