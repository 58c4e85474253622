"""Custom lints for invariants import contracts cannot express.

1. no `.commit()` outside `db/uow.py` and the job runner (services never commit);
2. no `*_unscoped(` call from `web/`;
3. no `text(` raw SQL outside `db/`;
4. no `os.environ` / `os.getenv` outside `settings.py`.
Escape hatch: a trailing `# rule-ok: <reason>` comment on the line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "outguard"
COMMIT_ALLOWED = {"db/uow.py", "jobs/runner.py"}


def _violations(path: Path) -> list[str]:
    rel = str(path.relative_to(SRC))
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        line = lines[node.lineno - 1]
        if "# rule-ok:" in line:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (
            name == "commit"
            and rel not in COMMIT_ALLOWED
            and not rel.startswith("db/migrations")
        ):
            found.append(f"{rel}:{node.lineno}: commit() outside the unit of work")
        if name.endswith("_unscoped") and rel.startswith("web/"):
            found.append(f"{rel}:{node.lineno}: unscoped query from the web adapter")
        if name == "text" and not rel.startswith("db/") and isinstance(func, ast.Name):
            found.append(f"{rel}:{node.lineno}: raw SQL text() outside db/")
    if rel != "settings.py" and ("os.environ" in source or "os.getenv" in source):
        found.append(f"{rel}: reads the environment outside settings.py")
    return found


def main() -> int:
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        problems.extend(_violations(path))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
