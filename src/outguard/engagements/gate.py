"""The gate: may this agent access this engagement's data now?

One pure function over plain facts (`GateFacts`, loaded by `service/gate.py`) returns every
check with a status: `ok`, `due` (still allowed, but expiring soon, awaiting re-signature, or
an off-hours access that is flagged) or `missing` (access denied). The same checks drive the
agent's checklist, the client's compliance matrix and the reminder e-mails, so what the
software enforces and what people see can never disagree. Control ids are those of the
outguard BPO Baseline (`docs/controls.md`).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from outguard.engagements.gate_facts import (
    AttestationFact,
    Check,
    EngagementFact,
    EnrolmentFact,
    GateFacts,
    GateResult,
    ModuleFact,
    Status,
    TemplateFact,
)

__all__ = [
    "SOON",
    "AttestationFact",
    "Check",
    "EngagementFact",
    "EnrolmentFact",
    "GateFacts",
    "GateResult",
    "ModuleFact",
    "Status",
    "TemplateFact",
    "evaluate",
]

SOON = timedelta(days=30)  # "due" this long before something expires
_VENDOR_KINDS = (("vendor_nda", "Vendor NDA"), ("dpa", "Data-processing terms"))
_AGENT_KINDS = (
    ("agent_nda", "Confidentiality undertaking", True),
    ("aup", "Acceptable-use acknowledgement", True),
    (
        "non_solicit",
        "Non-solicitation undertaking",
        False,
    ),  # only where the client asks
)


def _expiring(until: datetime, now: datetime) -> Status:
    return Status.DUE if until - now <= SOON else Status.OK


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _engagement_checks(facts: GateFacts, now: datetime) -> list[Check]:
    e = facts.engagement
    today = now.astimezone(ZoneInfo(e.timezone)).date()
    checks = []
    if e.state == "active":
        checks.append(
            Check(
                "engagement",
                "AC-02",
                "Engagement active",
                Status.OK,
                "active",
                who_fixes="client",
            )
        )
    else:
        checks.append(
            Check(
                "engagement",
                "AC-02",
                "Engagement active",
                Status.MISSING,
                f"the engagement is {e.state}",
                "The client must activate the engagement.",
                who_fixes="client",
            )
        )
    if today < e.starts_on:
        status, detail = Status.MISSING, f"the engagement starts on {e.starts_on}"
    elif today > e.ends_on:
        status, detail = Status.MISSING, f"the engagement ended on {e.ends_on}"
    else:
        left = e.ends_on - today
        status = Status.DUE if left <= SOON else Status.OK
        detail = f"{e.starts_on} to {e.ends_on}"
    checks.append(
        Check(
            "dates",
            "EX-01",
            "Within the engagement's dates",
            status,
            detail,
            None
            if status is not Status.MISSING
            else "The client must extend the dates.",
            who_fixes="client",
        )
    )
    return checks


def _agreement(
    code: str,
    control: str,
    label: str,
    versions: list[TemplateFact],
    signed: int | None,
    now: datetime,
    who: str,
) -> Check:
    if not versions:
        return Check(
            code,
            control,
            label,
            Status.MISSING,
            "the client has not published this agreement yet",
            "The client must publish the agreement text.",
            who_fixes="client",
        )
    latest = max(versions, key=lambda t: t.version)
    if signed == latest.version:
        return Check(
            code, control, label, Status.OK, f"version {signed} signed", who_fixes=who
        )
    sign = f"Sign “{latest.title}” version {latest.version}."
    if signed is not None and latest.resign_by is not None and now < latest.resign_by:
        return Check(
            code,
            control,
            label,
            Status.DUE,
            f"version {signed} signed; version {latest.version} must be signed by {_day(latest.resign_by)}",
            sign,
            latest.resign_by,
            who_fixes=who,
        )
    detail = "not signed" if signed is None else f"version {latest.version} not signed"
    return Check(code, control, label, Status.MISSING, detail, sign, who_fixes=who)


def _agreement_checks(facts: GateFacts, now: datetime) -> list[Check]:
    by_kind: dict[str, list[TemplateFact]] = {}
    for t in facts.templates:
        by_kind.setdefault(t.kind, []).append(t)
    checks = [
        _agreement(
            f"vendor_agreement:{kind}",
            "GV-05",
            label,
            by_kind.get(kind, []),
            facts.vendor_signed.get(kind),
            now,
            "vendor_admin",
        )
        for kind, label in _VENDOR_KINDS
    ]
    for kind, label, required in _AGENT_KINDS:
        if not required and kind not in by_kind:
            continue
        control = "PS-05" if kind == "aup" else "PS-02"
        checks.append(
            _agreement(
                f"agreement:{kind}",
                control,
                label,
                by_kind.get(kind, []),
                facts.agent_signed.get(kind),
                now,
                "agent",
            )
        )
    return checks


def _person_checks(facts: GateFacts, now: datetime) -> list[Check]:
    e, enrolment = facts.engagement, facts.enrolment
    today = now.astimezone(ZoneInfo(e.timezone)).date()
    checks = []
    if enrolment is None:
        checks.append(
            Check(
                "enrolment",
                "PS-01",
                "Enrolled in the engagement",
                Status.MISSING,
                "not enrolled in this engagement",
                "The vendor's administrator must enrol you.",
                who_fixes="vendor_admin",
            )
        )
    elif enrolment.offboarded_at is not None:
        checks.append(
            Check(
                "enrolment",
                "PS-06",
                "Enrolled in the engagement",
                Status.MISSING,
                f"offboarded on {_day(enrolment.offboarded_at)}",
                None,
                who_fixes="vendor_admin",
            )
        )
    elif today < enrolment.starts_on:
        checks.append(
            Check(
                "enrolment",
                "PS-01",
                "Enrolled in the engagement",
                Status.MISSING,
                f"starts on {enrolment.starts_on}",
                None,
                who_fixes="vendor_admin",
            )
        )
    elif enrolment.ends_on is not None and today > enrolment.ends_on:
        checks.append(
            Check(
                "enrolment",
                "PS-06",
                "Enrolled in the engagement",
                Status.MISSING,
                f"assignment ended on {enrolment.ends_on}",
                None,
                who_fixes="vendor_admin",
            )
        )
    else:
        soon = enrolment.ends_on is not None and enrolment.ends_on - today <= SOON
        detail = "enrolled" + (
            f", until {enrolment.ends_on}" if enrolment.ends_on else ""
        )
        checks.append(
            Check(
                "enrolment",
                "PS-01",
                "Enrolled in the engagement",
                Status.DUE if soon else Status.OK,
                detail,
                who_fixes="vendor_admin",
            )
        )
    if facts.employer_is_vendor:
        checks.append(
            Check(
                "employer",
                "SC-01",
                "Employer approved",
                Status.OK,
                f"employed by {facts.employer_name}",
                who_fixes="client",
            )
        )
    else:
        state = facts.employer_approval or "not proposed"
        checks.append(
            Check(
                "employer",
                "SC-01",
                "Employer approved",
                Status.OK if state == "approved" else Status.MISSING,
                f"sub-contractor {facts.employer_name}: {state}",
                None
                if state == "approved"
                else "The client owner must approve the sub-contractor.",
                who_fixes="client",
            )
        )
    checks.append(
        Check(
            "account",
            "PS-06",
            "Account active",
            Status.OK if facts.user_active else Status.MISSING,
            "active" if facts.user_active else "the account is disabled",
            who_fixes="vendor_admin",
        )
    )
    checks.append(
        Check(
            "mfa",
            "AC-01",
            "Two-step sign-in",
            Status.OK if facts.has_mfa else Status.MISSING,
            "on" if facts.has_mfa else "no second factor enrolled",
            None
            if facts.has_mfa
            else "Set up an authenticator app on your Account page.",
        )
    )
    return checks


def _training_checks(facts: GateFacts, now: datetime) -> list[Check]:
    if not facts.modules:
        return [
            Check(
                "training",
                "PS-04",
                "Security training",
                Status.MISSING,
                "the client has not published a training module yet",
                "The client must publish the training.",
                who_fixes="client",
            )
        ]
    checks = []
    for m in facts.modules:
        code = f"training:{m.id}"
        if m.passed_until is not None and m.passed_until > now:
            checks.append(
                Check(
                    code,
                    "PS-04",
                    m.title,
                    _expiring(m.passed_until, now),
                    f"passed, valid until {_day(m.passed_until)}",
                    f"Retake “{m.title}” before it expires.",
                    m.passed_until,
                )
            )
        else:
            if m.retake_after is not None:
                detail = f"retake required since {_day(m.retake_after)}"
            else:
                detail = "expired" if m.passed_until is not None else "not passed"
            checks.append(
                Check(
                    code,
                    "PS-04",
                    m.title,
                    Status.MISSING,
                    detail,
                    f"Take “{m.title}” and pass the quiz.",
                )
            )
    return checks


def _attestation_checks(facts: GateFacts, now: datetime) -> list[Check]:
    checks = []
    s = facts.screening
    if s is not None and s.passed and s.expires_at > now:
        checks.append(
            Check(
                "screening",
                "PS-03",
                "Background screening",
                _expiring(s.expires_at, now),
                f"attested, valid until {_day(s.expires_at)}",
                "The vendor's administrator must renew the screening attestation.",
                s.expires_at,
                who_fixes="vendor_admin",
            )
        )
    else:
        checks.append(
            Check(
                "screening",
                "PS-03",
                "Background screening",
                Status.MISSING,
                "expired" if s is not None else "no screening attestation",
                "The vendor's administrator must attest your background screening.",
                who_fixes="vendor_admin",
            )
        )
    w = facts.workstation
    valid_days = facts.engagement.workstation_valid_days
    if w is None:
        checks.append(
            Check(
                "workstation",
                "VE-01",
                "Workstation check",
                Status.MISSING,
                "no workstation check",
                "Run the workstation check.",
            )
        )
    elif not w.passed:
        checks.append(
            Check(
                "workstation",
                "VE-01",
                "Workstation check",
                Status.MISSING,
                "failed: " + ", ".join(w.failed_checks),
                "Fix the failed items and run the workstation check again.",
            )
        )
    else:
        until = min(w.expires_at, w.attested_at + timedelta(days=valid_days))
        if until <= now:
            checks.append(
                Check(
                    "workstation",
                    "VE-01",
                    "Workstation check",
                    Status.MISSING,
                    f"expired on {_day(until)}",
                    "Run the workstation check again.",
                )
            )
        else:
            how = (
                "measured by the check script"
                if w.method == "script"
                else "self-attested"
            )
            checks.append(
                Check(
                    "workstation",
                    "VE-01",
                    "Workstation check",
                    _expiring(until, now),
                    f"{how}, valid until {_day(until)}",
                    "Run the workstation check again before it expires.",
                    until,
                )
            )
    return checks


def _in_networks(ip: str, cidrs: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=False)
        if address.version == network.version and address in network:
            return True
    return False


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    if hours == "24":
        return time.max
    return time(int(hours), int(minutes))


def _request_checks(facts: GateFacts, now: datetime, ip: str | None) -> list[Check]:
    checks = []
    if ip is None:
        checks.append(
            Check(
                "network",
                "AC-04",
                "From the vendor's office network",
                Status.MISSING,
                "the request's address is unknown",
                "Connect from your office network.",
            )
        )
    elif _in_networks(ip, facts.networks):
        checks.append(
            Check(
                "network",
                "AC-04",
                "From the vendor's office network",
                Status.OK,
                "office network",
            )
        )
    elif _in_networks(ip, facts.exceptions):
        checks.append(
            Check(
                "network",
                "AC-04",
                "From the vendor's office network",
                Status.DUE,
                "outside the office, under a client exception",
            )
        )
    else:
        checks.append(
            Check(
                "network",
                "AC-04",
                "From the vendor's office network",
                Status.MISSING,
                "not from a registered office network",
                "Connect from your office network (or ask the client for an exception).",
            )
        )
    e = facts.engagement
    local = now.astimezone(ZoneInfo(e.timezone))
    within = local.weekday() in e.work_days and _clock(
        e.work_start
    ) <= local.time() < _clock(e.work_end)
    if within:
        checks.append(
            Check("hours", "AC-02", "Within working hours", Status.OK, "working hours")
        )
    else:
        flagged = e.off_hours == "flag"
        checks.append(
            Check(
                "hours",
                "AC-02",
                "Within working hours",
                Status.DUE if flagged else Status.MISSING,
                f"outside working hours ({e.work_start}–{e.work_end} {e.timezone})"
                + (", flagged" if flagged else ""),
                None if flagged else "Come back during working hours.",
            )
        )
    return checks


def _network_registered(facts: GateFacts) -> Check:
    if facts.networks:
        where = (
            facts.enrolment.site_name
            if facts.enrolment and facts.enrolment.site_name
            else "employer"
        )
        return Check(
            "network",
            "AC-04",
            "Office network registered",
            Status.OK,
            f"{len(facts.networks)} range(s) at {where}",
            who_fixes="vendor_admin",
        )
    return Check(
        "network",
        "AC-04",
        "Office network registered",
        Status.MISSING,
        "no office network registered for this agent's site",
        "The vendor's administrator must register the site's office network.",
        who_fixes="vendor_admin",
    )


def evaluate(
    facts: GateFacts, *, now: datetime, ip: str | None = None, request: bool = True
) -> GateResult:
    """Every check, in a stable order.

    `request=False` (matrix, reminders) skips the checks that depend on a live request
    (address, working hours) and checks instead that an office network is registered.
    """
    checks = [
        *_engagement_checks(facts, now),
        *_person_checks(facts, now),
        *_agreement_checks(facts, now),
        *_training_checks(facts, now),
        *_attestation_checks(facts, now),
    ]
    if request:
        checks.extend(_request_checks(facts, now, ip))
    else:
        checks.append(_network_registered(facts))
    return GateResult(tuple(checks))
