"""Docs are part of the build: catalogues and generated references must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from outguard.audit.tags import AuditTag
from outguard.security.permissions import Permission

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tag", list(AuditTag))
def test_every_audit_tag_is_documented(tag):
    assert f"`{tag.value}`" in (ROOT / "docs/security/audit-log.md").read_text()


@pytest.mark.parametrize("permission", list(Permission))
def test_every_permission_is_documented(permission):
    assert (
        f"`{permission.value}`" in (ROOT / "docs/security/permissions.md").read_text()
    )


def test_generated_docs_are_current():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cogapp",
            "--check",
            "docs/configuration.md",
            "docs/cli-reference.md",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "run `make docs`: " + result.stdout + result.stderr


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "\nmake run\n" in readme
    assert "\nmake test\n" in readme
