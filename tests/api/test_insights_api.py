"""/api/v1 stats, referral graph, notes by field and search, on real PostgreSQL, with data built through the API.

The figures are worked out by hand from the steps each test records, then compared with the answer.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact_id, ago, assert_problem, get_json, location_id, step

pytestmark = pytest.mark.api
ZONE = ZoneInfo("America/New_York")  # the fixture student's zone


async def request(client: Client, student: Student, contact_id: str, **when: float) -> None:
    await step(client, student, contact_id, "requests", {"channel": "email", "format": "video", "sentAt": ago(**when)})


async def meet(
    client: Client, student: Student, contact_id: str, held_at: datetime, *, notes: str | None = None
) -> str:
    """Schedule an interview at `held_at` and record it held then; its id."""
    scheduled = await step(
        client, student, contact_id, "interviews", {"startsAt": held_at.isoformat(), "minutes": 20, "format": "video"}
    )
    interview_id = location_id(scheduled)
    held: dict[str, Any] = {"interviewId": interview_id, "heldAt": held_at.isoformat()}
    if notes:
        held["notes"] = notes
    await step(client, student, contact_id, "held", held)
    return interview_id


async def refer(client: Client, student: Student, contact_id: str, name: str) -> str:
    response = await step(client, student, contact_id, "referrals", {"name": name})
    assert response.status_code == 201
    return location_id(response)


def local_today() -> date:
    return datetime.now(ZONE).date()


# -- stats --------------------------------------------------------------------------------------


async def test_stats_of_a_small_network_match_the_figures_worked_out_by_hand(
    client: Client, student: Student, other_student: Student
) -> None:
    now = datetime.now(UTC)
    # c1: asked 30 days ago, met 20 days ago, thanked a day later (on time), referred Rita, who referred Raj.
    c1 = await add_contact_id(client, student, "Ana Lee", organization="Acme", careerField="Data Science")
    await request(client, student, c1, days=30)
    await meet(client, student, c1, now - timedelta(days=20))
    await step(client, student, c1, "thanks", {"helpfulThing": "SQL tips", "sentAt": ago(days=19)})
    rita = await refer(client, student, c1, "Rita Moss")  # inherits Data Science
    await refer(client, student, rita, "Raj Patel")  # inherits Data Science
    # c2: asked 25 days ago, met 15 days ago, thanked 10 days later (late).
    c2 = await add_contact_id(client, student, "Ben Ode", careerField="data  science")
    await request(client, student, c2, days=25)
    await meet(client, student, c2, now - timedelta(days=15))
    await step(client, student, c2, "thanks", {"helpfulThing": "A book", "sentAt": ago(days=5)})
    # c3: asked 10 days ago, no answer yet. c4: only added. c5: declined. c7: followed up long ago, silent.
    c3 = await add_contact_id(client, student, "Cy Dunn", careerField="Public Policy")
    await request(client, student, c3, days=10)
    await add_contact_id(client, student, "Dee Four")
    c5 = await add_contact_id(client, student, "Eve Five", careerField="Public Policy")
    await request(client, student, c5, days=40)
    await step(client, student, c5, "answers", {"answer": "declined", "answeredAt": ago(days=39)})
    c7 = await add_contact_id(client, student, "Gus Seven", careerField="Law")
    await request(client, student, c7, days=40)
    await step(client, student, c7, "follow-ups", {"channel": "email", "sentAt": ago(days=30)})
    # c6: met an hour ago, no thanks yet: its thank-you window is still open, so it is not counted late.
    c6 = await add_contact_id(client, student, "Fay Six", careerField="Public Policy")
    await meet(client, student, c6, now - timedelta(hours=1))
    # Another student's network counts for nothing here.
    theirs = await add_contact_id(client, other_student, "Not Mine", careerField="Law")
    await request(client, other_student, theirs, days=3)

    stats = await get_json(client, student, "/api/v1/stats")

    assert stats["date"] == local_today().isoformat()
    assert stats["requestsSent"] == 5  # c1, c2, c3, c5, c7
    assert stats["replies"] == 3  # c1 and c2 (a meeting came of it), c5 (declined)
    assert stats["replyRate"] == pytest.approx(3 / 5)
    assert stats["interviewsHeld"] == 3  # c1, c2, c6
    assert stats["thankYouOnTimeRate"] == pytest.approx(1 / 2)  # c1 on time, c2 late; c6 still open
    assert stats["medianDaysToThanks"] == pytest.approx(5.5, abs=0.01)  # median of 1 and 10 days
    assert stats["referralsReceived"] == 2
    assert stats["referrers"] == 2
    assert stats["networkDepth"] == 2  # Ana -> Rita -> Raj
    assert stats["contactsPerField"] == [
        {"careerField": "Data Science", "contacts": 4},  # c1, c2 (spelt differently), Rita, Raj
        {"careerField": "Public Policy", "contacts": 3},
        {"careerField": "Law", "contacts": 1},
        {"careerField": None, "contacts": 1},
    ]
    assert stats["daysSinceLastActivity"] == 0
    assert {s["stage"]: s["contacts"] for s in stats["stageCounts"]} == {
        "identified": 3,  # c4, Rita, Raj
        "requested": 1,  # c3
        "scheduled": 0,
        "interviewed": 1,  # c6
        "thanked": 2,  # c1, c2
        "declined": 1,  # c5
        "no_response": 1,  # c7
        "archived": 0,
    }
    weeks = stats["activityPerWeek"]
    monday = local_today() - timedelta(days=local_today().weekday())
    assert [w["week"] for w in weeks] == [(monday - timedelta(weeks=11 - i)).isoformat() for i in range(12)]
    # Activity counts steps in the week they happened: the requests of 40 days ago land in theirs.
    by_week = {w["week"]: w["events"] for w in weeks}

    def week(days_ago: int) -> str:
        day = local_today() - timedelta(days=days_ago)
        return (day - timedelta(days=day.weekday())).isoformat()

    assert by_week[week(40)] >= 2  # c5's and c7's requests
    assert by_week[week(25)] >= 1  # c2's request
    assert by_week[week(0)] >= 9  # every contact was added today


async def test_stats_of_an_empty_network_are_zeros_and_nulls(client: Client, student: Student) -> None:
    stats = await get_json(client, student, "/api/v1/stats")
    assert stats["requestsSent"] == stats["interviewsHeld"] == stats["referralsReceived"] == 0
    assert stats["replyRate"] is None
    assert stats["thankYouOnTimeRate"] is None
    assert stats["medianDaysToThanks"] is None
    assert stats["daysSinceLastActivity"] is None
    assert stats["networkDepth"] == 0
    assert stats["contactsPerField"] == []
    assert len(stats["activityPerWeek"]) == 12
    assert all(s["contacts"] == 0 for s in stats["stageCounts"])


async def test_insights_need_a_signed_in_student(client: Client) -> None:
    for path in ("/stats", "/referral-graph", "/notes", "/search?q=ana"):
        response = await client.get(f"/api/v1{path}")
        assert_problem(response, 401)


# -- referral graph -----------------------------------------------------------------------------


async def test_the_referral_graph_of_a_chain_of_three(client: Client, student: Student, other_student: Student) -> None:
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme", careerField="Data Science")
    rita = await refer(client, student, ana, "Rita Moss")
    raj = await refer(client, student, rita, "Raj Patel")
    await add_contact_id(client, student, "Loner Without Referrals")
    await refer(client, other_student, await add_contact_id(client, other_student, "Theirs"), "Their Referral")

    graph = await get_json(client, student, "/api/v1/referral-graph")

    assert graph["depth"] == 2
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert set(nodes) == {ana, rita, raj}  # only people in a referral chain
    assert [nodes[c]["depth"] for c in (ana, rita, raj)] == [0, 1, 2]
    assert nodes[ana] == {
        "id": ana,
        "name": "Ana Lee",
        "stage": "identified",
        "organization": "Acme",
        "careerField": "Data Science",
        "depth": 0,
        "erased": False,
    }
    assert sorted((e["from"], e["to"]) for e in graph["edges"]) == sorted([(ana, rita), (rita, raj)])

    # Erasing someone in the middle keeps the chain's shape; only their name is gone.
    await step(client, student, rita, "erasure", {})
    graph = await get_json(client, student, "/api/v1/referral-graph")
    erased = next(n for n in graph["nodes"] if n["id"] == rita)
    assert erased["erased"] is True
    assert erased["name"] == "[erased]"
    assert graph["depth"] == 2
    assert len(graph["edges"]) == 2


async def test_a_network_without_referrals_has_an_empty_graph(client: Client, student: Student) -> None:
    await add_contact_id(client, student, "Ana Lee")
    assert await get_json(client, student, "/api/v1/referral-graph") == {"nodes": [], "edges": [], "depth": 0}


# -- notes by field -----------------------------------------------------------------------------


async def _notes_network(client: Client, student: Student) -> dict[str, str]:
    now = datetime.now(UTC)
    ana = await add_contact_id(client, student, "Ana Lee", careerField="Data Science")
    await meet(client, student, ana, now - timedelta(days=3), notes="Learn SQL deeply before anything else")
    ben = await add_contact_id(client, student, "Ben Ode", careerField=" data   SCIENCE ")
    await meet(client, student, ben, now - timedelta(days=1), notes="Kaggle competitions helped me most")
    await step(client, student, ben, "reflections", {"learned": "Portfolio projects beat certificates"})
    cal = await add_contact_id(client, student, "Cal Three", careerField="Data Science")
    await step(client, student, cal, "notes", {"text": "Statistics before tools"})
    uma = await add_contact_id(client, student, "Uma Ux", careerField="UX Research")
    await step(client, student, uma, "notes", {"text": "Portfolio matters most in UX"})
    nof = await add_contact_id(client, student, "No Field")
    await step(client, student, nof, "notes", {"text": "Met at the career fair"})
    return {"ana": ana, "ben": ben, "cal": cal, "uma": uma, "nof": nof}


async def test_notes_are_grouped_by_field_to_compare_what_people_said(
    client: Client, student: Student, other_student: Student
) -> None:
    people = await _notes_network(client, student)
    theirs = await add_contact_id(client, other_student, "Their Contact", careerField="Data Science")
    await step(client, other_student, theirs, "notes", {"text": "Secret of theirs"})

    body = await get_json(client, student, "/api/v1/notes")

    fields = body["fields"]
    assert [f["careerField"] for f in fields] == ["Data Science", "UX Research", None]
    data = fields[0]
    assert data["fieldKey"] == "data science"
    assert data["contacts"] == 3  # two spell it "Data Science", so it is named so
    assert data["totalNotes"] == 4
    assert [n["kind"] for n in data["notes"]] == ["note", "reflection", "interview", "interview"]  # newest first
    interview = data["notes"][3]
    assert interview["contactId"] == people["ana"]
    assert interview["contactName"] == "Ana Lee"
    assert interview["body"]["notes"] == "Learn SQL deeply before anything else"
    assert fields[1]["notes"][0]["body"] == {"text": "Portfolio matters most in UX"}
    assert fields[2]["contacts"] == 1
    assert all(n["contactName"] != "Their Contact" for f in fields for n in f["notes"])


async def test_notes_filtered_by_field_words_and_size(client: Client, student: Student) -> None:
    await _notes_network(client, student)

    only = await get_json(client, student, "/api/v1/notes", field="DATA science ")
    assert [f["fieldKey"] for f in only["fields"]] == ["data science"]

    kaggle = await get_json(client, student, "/api/v1/notes", q="kagg")
    assert [f["careerField"] for f in kaggle["fields"]] == ["Data Science"]
    assert [n["contactName"] for n in kaggle["fields"][0]["notes"]] == ["Ben Ode"]

    portfolio = await get_json(client, student, "/api/v1/notes", q="portfolio")
    assert [(f["careerField"], f["totalNotes"]) for f in portfolio["fields"]] == [
        ("Data Science", 1),
        ("UX Research", 1),
    ]

    one = await get_json(client, student, "/api/v1/notes", perField=1)
    assert [len(f["notes"]) for f in one["fields"]] == [1, 1, 1]
    assert one["fields"][0]["totalNotes"] == 4

    assert await get_json(client, student, "/api/v1/notes", q="!!!") == {"fields": []}
    assert await get_json(client, student, "/api/v1/notes", field="Astronomy") == {"fields": []}


@pytest.mark.parametrize(
    "params",
    [
        {"perField": 0},
        {"perField": 101},
        {"perField": "many"},
        {"field": "x" * 201},
        {"field": "data\x00science"},
        {"q": "y" * 201},
    ],
)
async def test_bad_notes_parameters_are_400_problems(client: Client, student: Student, params: dict[str, Any]) -> None:
    response = await client.get("/api/v1/notes", params=params, headers=student.headers)
    assert_problem(response, 400)


# -- search -------------------------------------------------------------------------------------


async def test_search_finds_contacts_by_organization_prefix_and_notes_by_a_word(
    client: Client, student: Student, other_student: Student
) -> None:
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme Robotics", careerField="Robotics")
    await meet(client, student, ana, datetime.now(UTC) - timedelta(days=2), notes="Try the ROS tutorials first")
    await add_contact_id(client, student, "Bob Stone", organization="Globex")
    await add_contact_id(client, other_student, "Acme Person", organization="Acme Corp")
    theirs = await add_contact_id(client, other_student, "Their Contact")
    await step(client, other_student, theirs, "notes", {"text": "tutorials everywhere"})

    found = await get_json(client, student, "/api/v1/search", q="acm")
    assert [c["id"] for c in found["contacts"]] == [ana]
    assert found["contacts"][0]["organization"] == "Acme Robotics"
    assert found["contacts"][0]["stage"] == "interviewed"
    assert found["notes"] == []

    tutorials = await get_json(client, student, "/api/v1/search", q="tutorials")
    assert tutorials["contacts"] == []
    [note] = tutorials["notes"]
    assert note["contactId"] == ana
    assert note["contactName"] == "Ana Lee"
    assert note["careerField"] == "Robotics"
    assert note["kind"] == "interview"
    assert note["body"]["notes"] == "Try the ROS tutorials first"

    both = await get_json(client, student, "/api/v1/search", q="ana")
    assert [c["name"] for c in both["contacts"]] == ["Ana Lee"]


async def test_search_limits_and_ranks(client: Client, student: Student) -> None:
    for i in range(4):
        await add_contact_id(client, student, f"Person {i}", organization="Initech")
    best = await add_contact_id(client, student, "Initech Initech", organization="Initech")
    found = await get_json(client, student, "/api/v1/search", q="initech", limit=2)
    assert len(found["contacts"]) == 2
    assert found["contacts"][0]["id"] == best  # the name weighs more than the organization


@pytest.mark.parametrize("q", ["", "   ", "!!! ?? '&|", "&:*"])
async def test_search_without_words_answers_empty_lists(client: Client, student: Student, q: str) -> None:
    await add_contact_id(client, student, "Ana Lee")
    assert await get_json(client, student, "/api/v1/search", q=q) == {"contacts": [], "notes": []}


async def test_a_nul_in_a_search_is_a_malformed_url(client: Client, student: Student) -> None:
    response = await client.get("/api/v1/search", params={"q": "\x00"}, headers=student.headers)
    assert_problem(response, 400, "malformed-url")


@pytest.mark.parametrize("params", [{"q": "a" * 201}, {"q": "a", "limit": 0}, {"q": "a", "limit": 51}])
async def test_bad_search_parameters_are_400_problems(client: Client, student: Student, params: dict[str, Any]) -> None:
    response = await client.get("/api/v1/search", params=params, headers=student.headers)
    assert_problem(response, 400)
