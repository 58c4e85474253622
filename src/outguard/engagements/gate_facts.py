"""The gate's vocabulary: what a check says, the facts it is decided on, and the result.

Plain data, loaded by `service/gate.py` and judged by `gate.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from outguard.security.decisions import Allow, Decision, Deny


class Status(StrEnum):
    OK = "ok"
    DUE = "due"
    MISSING = "missing"


@dataclass(frozen=True)
class Check:
    """One precondition: what it is, where it stands, and how to fix it."""

    code: str  # stable id, e.g. "training:<module id>"
    control: str  # BPO Baseline control id
    label: str
    status: Status
    detail: str
    fix: str | None = None
    due: datetime | None = None  # when an `ok`/`due` item stops counting
    who_fixes: str = "agent"  # "agent" | "vendor_admin" | "client"

    @property
    def kind(self) -> str:
        return self.code.split(":", 1)[0]


@dataclass(frozen=True)
class TemplateFact:
    kind: str
    version: int
    title: str
    resign_by: datetime | None


@dataclass(frozen=True)
class ModuleFact:
    id: str
    title: str
    passed_until: datetime | None  # expiry of the latest passing result, if any
    retake_after: datetime | None = (
        None  # the client asked everyone to retake since then
    )


@dataclass(frozen=True)
class AttestationFact:
    passed: bool
    attested_at: datetime
    expires_at: datetime
    method: str
    failed_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngagementFact:
    name: str
    state: str
    starts_on: date
    ends_on: date
    timezone: str
    work_days: tuple[int, ...]
    work_start: str
    work_end: str
    off_hours: str
    workstation_valid_days: int
    vendor_name: str


@dataclass(frozen=True)
class EnrolmentFact:
    starts_on: date
    ends_on: date | None
    offboarded_at: datetime | None
    site_name: str | None


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate needs, as plain values (no database, no web)."""

    engagement: EngagementFact
    enrolment: EnrolmentFact | None
    user_active: bool
    has_mfa: bool
    employer_name: str
    employer_is_vendor: bool
    employer_approval: str | None  # the sub-contractor approval state, if a sub
    templates: tuple[TemplateFact, ...]  # every published version, all kinds
    vendor_signed: dict[str, int]  # kind -> highest version the vendor signed
    agent_signed: dict[str, int]  # kind -> highest version the agent signed
    modules: tuple[ModuleFact, ...]
    screening: AttestationFact | None
    workstation: AttestationFact | None
    networks: tuple[str, ...]  # the agent's site (or employer's sites) CIDRs
    exceptions: tuple[str, ...] = ()  # CIDRs of unexpired client exceptions
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GateResult:
    checks: tuple[Check, ...]

    @property
    def allowed(self) -> bool:
        return all(c.status is not Status.MISSING for c in self.checks)

    @property
    def unmet(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.MISSING]

    @property
    def due(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.DUE]

    @property
    def colour(self) -> str:
        if not self.allowed:
            return "red"
        return "amber" if self.due else "green"

    def decision(self) -> Decision:
        if self.allowed:
            return Allow()
        return Deny("; ".join(f"{c.code}: {c.detail}" for c in self.unmet))

    def reasons(self) -> list[str]:
        """Stable codes of the unmet checks (for the audit log)."""
        return [c.code for c in self.unmet]
