"""Per-file mutation scores of the last `mutmut run` (`make mutation`), and a floor every file must reach.

Run from the checkout's root after `mutmut run`: it reads mutmut's results in mutants/ for the files that
[tool.mutmut] in pyproject.toml names, and exits 1 when a file kills less than the floor (90 %, issue 14).
A mutant no unit test reaches counts as a survivor: the unit tier is what the score is about.
"""

import sys
from collections import Counter
from pathlib import Path

from mutmut.mutation.data import SourceFileMutationData
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

FLOOR = 90.0
# Caught by a test, by the CPU limit (a mutant that loops forever) or by mutmut's type-check pre-filter.
CAUGHT = frozenset({"killed", "timeout", "caught by type check"})


def scores() -> list[tuple[str, Counter[str]]]:
    """(path, count of mutants by status) for every mutated file, in mutmut's order."""
    found = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=Path(path))
        data.load()
        found.append((str(path), Counter(status_by_exit_code[code] for code in data.exit_code_by_key.values())))
    return found


def main() -> int:
    rows = scores()
    if not any(sum(statuses.values()) for _, statuses in rows):
        sys.stderr.write("No mutation results: run `mutmut run` (or `make mutation`) first.\n")
        return 1
    width = max(len(path) for path, _ in rows)
    out = [f"{'file':<{width}}  mutants  killed  survived  no tests  score"]
    below = []
    total: Counter[str] = Counter()
    for path, statuses in rows:
        total += statuses
        line, score = _line(path, statuses, width)
        out.append(line)
        if score < FLOOR:
            below.append(path)
    out.append(_line("all", total, width)[0])
    sys.stdout.write("\n".join(out) + "\n")
    if below:
        sys.stdout.write(f"Below {FLOOR:.0f} %: {', '.join(below)} (`uv run mutmut results` lists the survivors).\n")
        return 1
    return 0


def _line(path: str, statuses: Counter[str], width: int) -> tuple[str, float]:
    tested = sum(statuses.values()) - statuses["skipped"]
    caught = sum(statuses[s] for s in CAUGHT)
    score = 100.0 * caught / tested if tested else 100.0
    survived, untested = statuses["survived"], statuses["no tests"]
    return f"{path:<{width}}  {tested:>7}  {caught:>6}  {survived:>8}  {untested:>8}  {score:5.1f} %", score


if __name__ == "__main__":
    sys.exit(main())
