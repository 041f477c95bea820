"""Ids a client chooses, tried across tenants: another student's id must behave exactly like a fresh one.

The phone makes the ids of what it creates (contacts, interviews, action items, questions, referred
people) so that it can work offline. Such an id is the student's own: another student holding the
same value must change nothing for either of them and tell nothing (no 409 where a fresh id gets
201). This completes the authorization matrix (test_authorization_matrix.py, which tries every *path*
id across tenants) for every id in a *body*: the route table's OpenAPI lists each one, and a new one
fails `test_every_client_chosen_id_is_tried` until it is tried here.

Each try runs twice, by two students whose own data are alike: one sends the owner's id, the other a
fresh one. Their answers must be the same once their own ids and the moments are named alike, and the
owner's every view must read, byte for byte, as before.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from backend.eventstore import NO_STREAM, EventStore, Metadata
from backend.registry import event_registry, inline_projections
from backend.relationships.events import ContactAdded
from tests.api.conftest import Client, Student, sign_up
from tests.api.helpers import add_contact, ago, count_events, step_json

pytestmark = pytest.mark.api

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


@dataclass
class World:
    """One student's own things, each of a kind a body may name."""

    student: Student
    contact: str
    interview: str
    item: str
    question: str

    def ids(self) -> dict[str, str]:
        return {"contact": self.contact, "interview": self.interview, "item": self.item, "question": self.question}


async def build(client: Client, student: Student, name: str) -> World:
    """A contact with a request, an interview next year and an action item; and a question of one's own."""
    h = student.headers
    contact = (await add_contact(client, student, name=name))["id"]
    await step_json(
        client, student, contact, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=2)}
    )
    scheduled = await step_json(
        client, student, contact, "interviews", {"startsAt": "2030-01-07T15:00:00Z", "format": "video"}
    )
    promised = await step_json(client, student, contact, "action-items", {"what": "Read a book", "due": "2030-02-01"})
    me = (await client.get("/api/v1/me", headers=h)).json()
    return World(
        student=student,
        contact=contact,
        interview=scheduled["interviews"][0]["id"],
        item=promised["actionItems"][0]["id"],
        question=me["questions"][0]["id"],
    )


def masked(text: str, names: dict[str, str]) -> str:
    """`text` with each id in `names` replaced by its name, any other id (the student's default questions…)
    by `<id>`, and every moment by `<moment>`."""
    for value, name in names.items():
        text = text.replace(value, f"<{name}>").replace(value.replace("-", ""), f"<{name}>")
    return _MOMENT.sub("<moment>", _UUID.sub("<id>", text))


Send = Callable[[Client, World, str], Awaitable[Any]]


async def post(client: Client, world: World, path: str, body: dict[str, Any]) -> tuple[int, str]:
    response = await client.post(
        path.format(contact_id=world.contact, **world.ids()), json=body, headers=world.student.headers
    )
    return response.status_code, response.text


# Every (method, path, body field) whose value is an id the client chooses or names, and the kind of
# the owner's thing it is tried with. Creating ones go on to use what they created (see `follow`).
CHOSEN: dict[tuple[str, str, str], str] = {
    ("post", "/api/v1/contacts", "contactId"): "contact",
    ("post", "/api/v1/contacts/{contact_id}/referrals", "referredContactId"): "contact",
    ("post", "/api/v1/contacts/{contact_id}/interviews", "interviewId"): "interview",
    ("post", "/api/v1/contacts/{contact_id}/reschedules", "interviewId"): "interview",
    ("post", "/api/v1/contacts/{contact_id}/cancellations", "interviewId"): "interview",
    ("post", "/api/v1/contacts/{contact_id}/held", "interviewId"): "interview",
    ("post", "/api/v1/contacts/{contact_id}/thanks", "interviewId"): "interview",
    ("post", "/api/v1/contacts/{contact_id}/action-items", "itemId"): "item",
    ("post", "/api/v1/contacts/{contact_id}/completed-action-items", "itemId"): "item",
    ("post", "/api/v1/me/questions", "questionId"): "question",
}

# The rest of each body: a valid step apart from the id under test.
BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/contacts": {"name": "Chosen Person", "howFound": "alumni"},
    "/api/v1/contacts/{contact_id}/referrals": {"name": "Referred Person"},
    "/api/v1/contacts/{contact_id}/interviews": {"startsAt": ago(minutes=-30), "format": "phone"},
    "/api/v1/contacts/{contact_id}/reschedules": {"startsAt": "2030-01-08T15:00:00Z", "by": "contact"},
    "/api/v1/contacts/{contact_id}/cancellations": {"by": "student"},
    "/api/v1/contacts/{contact_id}/held": {"minutes": 30, "notes": "Useful"},
    "/api/v1/contacts/{contact_id}/thanks": {"channel": "email", "helpfulThing": "The advice"},
    "/api/v1/contacts/{contact_id}/action-items": {"what": "Send an article", "due": "2030-02-02"},
    "/api/v1/contacts/{contact_id}/completed-action-items": {},
    "/api/v1/me/questions": {"text": "What surprised you most?"},
}


def prepare(path: str) -> list[tuple[str, dict[str, Any]]]:
    """What makes the step possible on the student's own contact: one interview is scheduled at a time."""
    if path.endswith("/interviews"):
        return [("/api/v1/contacts/{contact}/cancellations", {"interviewId": "{interview}", "by": "student"})]
    return []


def follow(path: str, chosen: str) -> list[tuple[str, dict[str, Any]]]:
    """What a student does next with what they created under `chosen`: each must work the same too."""
    if path == "/api/v1/contacts":
        return [
            (f"/api/v1/contacts/{chosen}/requests", {"channel": "email", "format": "video"}),
            (f"/api/v1/contacts/{chosen}/notes", {"text": "Met at the fair"}),
        ]
    if path.endswith("/referrals"):
        return [(f"/api/v1/contacts/{chosen}/requests", {"channel": "email", "format": "video"})]
    if path.endswith("/interviews"):
        # The hostile tester's path: hold the interview and thank for it; the owner's must not move.
        return [
            ("/api/v1/contacts/{contact}/held", {"interviewId": chosen, "minutes": 30}),
            ("/api/v1/contacts/{contact}/thanks", {"interviewId": chosen, "channel": "email", "helpfulThing": "x"}),
        ]
    if path.endswith("/action-items"):
        return [("/api/v1/contacts/{contact}/completed-action-items", {"itemId": chosen})]
    return []


def filled(body: dict[str, Any], world: World) -> dict[str, Any]:
    return {k: v.format(**world.ids()) if isinstance(v, str) else v for k, v in body.items()}


OWNER_VIEWS = (
    "/api/v1/contacts/{contact}",
    "/api/v1/contacts/{contact}/history",
    "/api/v1/interviews/{interview}",
    "/api/v1/interviews",
    "/api/v1/interviews?when=past",
    "/api/v1/contacts",
    "/api/v1/agenda",
    "/api/v1/stats",
    "/api/v1/me",
    "/api/v1/referral-graph",
    "/api/v1/notes",
)


# The same student's data as GraphQL shows it to them (and, through the same reads, to their advisors).
GRAPHQL_VIEW = """{ me { student {
  stats { requestsSent replies interviewsHeld thankYouOnTimeRate medianDaysToThanks referralsReceived networkDepth }
  funnel { stage count } overdue { kind reason due }
  contacts { nodes { id name stage history { nodes { version type summary data } } } }
  referralGraph { nodes { id name } edges { from to } }
} } }"""


async def views(client: Client, world: World) -> dict[str, tuple[int, str]]:
    """Everything the student reads of their network, over REST and GraphQL."""
    seen = {}
    for path in OWNER_VIEWS:
        response = await client.get(path.format(**world.ids()), headers=world.student.headers)
        seen[path] = (response.status_code, response.text)
    response = await client.post("/graphql", json={"query": GRAPHQL_VIEW}, headers=world.student.headers)
    seen["/graphql"] = (response.status_code, response.text)
    return seen


def test_every_client_chosen_id_is_tried(client: Client) -> None:
    """Every uuid a request body carries, as the OpenAPI document has it, is in CHOSEN (and nothing else)."""
    document = client.app.openapi_schema.to_schema()
    schemas = document["components"]["schemas"]
    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            properties = schemas.get(body.get("$ref", "").rsplit("/", 1)[-1], {}).get("properties", {})
            found |= {(method, path, name) for name, spec in properties.items() if "uuid" in str(spec)}
    assert found == set(CHOSEN)


@pytest.mark.parametrize(("method", "path", "field"), sorted(CHOSEN))
async def test_another_students_id_behaves_as_a_fresh_one(client: Client, method: str, path: str, field: str) -> None:
    owner = await build(client, await sign_up(client), "Quillon Zabriskie")
    before = await views(client, owner)
    # Two students alike: one names the owner's thing, the other a thing nobody has.
    intruder = await build(client, await sign_up(client), "Own Contact")
    control = await build(client, await sign_up(client), "Own Contact")
    kind = CHOSEN[(method, path, field)]
    theirs, fresh = owner.ids()[kind], str(uuid.uuid4())

    answers = []
    for world, chosen in ((intruder, theirs), (control, fresh)):
        names = {chosen: "chosen", str(world.student.account_id): "student", world.student.email: "email"}
        names |= {v: k for k, v in world.ids().items()}
        said = []
        for before_path, body in prepare(path):
            said.append(await post(client, world, before_path, filled(body, world)))
        said.append(await post(client, world, path, {**BODIES[path], field: chosen}))
        for next_path, body in follow(path, chosen):
            said.append(await post(client, world, next_path, filled(body, world)))
        if kind == "interview" and path.endswith("/interviews"):
            got = await client.get(f"/api/v1/interviews/{chosen}", headers=world.student.headers)
            said.append((got.status_code, got.text))
        said.append((0, str(sorted((await views(client, world)).items()))))
        answers.append([(status, masked(text, names)) for status, text in said])
    for mine, control_said in zip(answers[0], answers[1], strict=True):
        assert mine == control_said
    assert "Quillon" not in str(answers[0])
    assert await views(client, owner) == before


async def test_an_interview_id_is_one_of_the_students_own(client: Client, pool: asyncpg.Pool) -> None:
    """Within one student an interview id names one interview: scheduling it with a second contact is
    refused as its own contact would refuse it, and records nothing."""
    world = await build(client, await sign_up(client), "First Person")
    second = (await add_contact(client, world.student, name="Second Person"))["id"]
    before = await count_events(pool)
    response = await client.post(
        f"/api/v1/contacts/{second}/interviews",
        json={"startsAt": "2030-03-03T15:00:00Z", "format": "phone", "interviewId": world.interview},
        headers=world.student.headers,
    )
    assert response.status_code == 409, response.text
    assert response.json() == {
        "type": "https://rapport.example/problems/interview-exists",
        "title": "This step is not possible now",
        "status": 409,
        "detail": "This interview id is already used.",
    }
    assert await count_events(pool) == before
    got = (await client.get(f"/api/v1/interviews/{world.interview}", headers=world.student.headers)).json()
    assert got["contactId"] == world.contact


async def test_a_contact_on_a_stream_named_before_ids_were_scoped_still_works(
    client: Client, pool: asyncpg.Pool
) -> None:
    """Streams written before 0010 are `contact-<id>`: the read model records each one, so its steps,
    history and as-of view find it, and the id stays the student's (adding it again is refused)."""
    student = await sign_up(client)
    legacy = uuid.uuid4()
    added = ContactAdded(
        contact_id=legacy, student_id=student.account_id, name="Old Friend", how_found="alumni", added_at=NOW
    )
    store = EventStore(pool, event_registry(), inline=inline_projections())
    actor = Metadata(actor_id=f"student:{student.account_id}", command_id=uuid.uuid4())
    await store.append(f"contact-{legacy.hex}", NO_STREAM, [added], actor)
    stream = await pool.fetchval("SELECT stream_id FROM contacts WHERE contact_id = $1", legacy)
    assert stream == f"contact-{legacy.hex}"
    h = student.headers
    requested = await step_json(client, student, str(legacy), "requests", {"channel": "email", "format": "video"})
    assert (requested["version"], requested["stage"], requested["name"]) == (2, "requested", "Old Friend")
    history = (await client.get(f"/api/v1/contacts/{legacy}/history", headers=h)).json()
    assert [i["type"] for i in history["items"]] == ["ContactAdded", "InterviewRequested"]
    again = await client.post(
        "/api/v1/contacts", json={"name": "Twin", "howFound": "cold", "contactId": str(legacy)}, headers=h
    )
    assert (again.status_code, again.json()["type"]) == (409, "https://rapport.example/problems/contact-exists")
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id LIKE $1", f"%{legacy.hex}") == 2
