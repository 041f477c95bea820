"""The shape of the code, read from its source: who writes which table, and no reaching into private names.

Each table has one owner: the package whose modules alone may INSERT, UPDATE, DELETE or TRUNCATE it
(others read it, or ask its owner through a small public function). A table a migration creates
without an owner here fails `test_every_table_has_one_owner`; a statement that writes another
package's table fails `test_only_a_tables_owner_writes_it`. No module imports a private name
(`_x`) of another, or reaches for one through an attribute, so what a module keeps to itself can change
without breaking another context.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"

OWNERS = {
    "events": "backend/eventstore",
    "commands": "backend/eventstore",
    "subject_keys": "backend/eventstore",
    "master_key": "backend/eventstore",
    "projection_checkpoints": "backend/eventstore",
    "stream_summary": "backend/audit",
    "activity_daily": "backend/audit",
    "accounts": "backend/accounts",
    "sessions": "backend/accounts",
    "access_tokens": "backend/accounts",
    "sign_in_failures": "backend/accounts",
    "idempotency_keys": "backend/web",
    "students": "backend/relationships",
    "contacts": "backend/relationships",
    "interviews": "backend/relationships",
    "agenda_items": "backend/relationships",
    "field_notes": "backend/relationships",
    "student_activity": "backend/relationships",
    "student_versions": "backend/relationships",
    "student_summaries": "backend/relationships",
    "calendar_feeds": "backend/relationships",
    "advisors": "backend/advisors",
    "advisor_invite_codes": "backend/advisors",
    "advisor_grants": "backend/advisors",
    "advisor_reads": "backend/advisors",
}
"""Each table and the package that owns it (the relationships projection owns `students`, the read model
of the students' streams it folds together with their contacts)."""

_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+\{?(\w+)\}?", re.IGNORECASE)
_CREATE = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)")
PRIVATE_ALLOWED = {"os._exit"}
"""The standard library's own private-looking public names."""


def modules() -> list[Path]:
    return sorted(BACKEND.rglob("*.py"))


def strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_every_table_has_one_owner() -> None:
    created = {m for p in (ROOT / "migrations" / "versions").glob("*.py") for m in _CREATE.findall(p.read_text())}
    assert created == set(OWNERS)


def test_only_a_tables_owner_writes_it() -> None:
    wrong = []
    for path in modules():
        where = path.relative_to(ROOT).as_posix()
        for text in strings(path):
            for table in _WRITE.findall(text):
                owner = OWNERS.get(table)
                if owner is not None and not where.startswith(owner + "/"):
                    wrong.append(f"{where} writes {table} (owned by {owner})")
    assert wrong == []


def test_no_module_reaches_into_another_modules_private_names() -> None:
    found = []
    for path in modules():
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backend"):
                found += [f"{where}: from {node.module} import {a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                mine = isinstance(owner, ast.Name) and owner.id in {"self", "cls"}
                inherited = isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super"
                if not (mine or inherited or ast.unparse(node) in PRIVATE_ALLOWED):
                    found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_the_checks_see_what_they_look_for() -> None:
    """The patterns themselves, on the shapes the code writes statements in."""
    assert _WRITE.findall("INSERT INTO {contacts} AS t (x) SELECT 1 ON CONFLICT DO UPDATE SET x = 1") == [
        "contacts",
        "SET",
    ]
    assert _WRITE.findall("DELETE FROM idempotency_keys WHERE account_id = $1") == ["idempotency_keys"]
    assert _CREATE.findall("CREATE TABLE master_key (id text)") == ["master_key"]
