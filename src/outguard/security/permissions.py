"""The permission catalogue and the role → permission table.

Grammar: `<resource>:<action>` (verbs: what an actor *may* do). Audit tags are the
past-tense facts (`user:invited`). Adding a permission: add it here, grant it to roles in
`ROLE_PERMISSIONS`, document it in docs/security/permissions.md (a test checks).
"""

from __future__ import annotations

from enum import StrEnum

from outguard.types import Role


class Permission(StrEnum):
    ORGS_READ = "orgs:read"
    ORGS_WRITE = "orgs:write"  # add vendors / sub-contractors, rename own org
    USERS_READ = "users:read"
    USERS_INVITE = "users:invite"
    USERS_MANAGE = "users:manage"  # disable, change roles
    TOKENS_MANAGE = "tokens:manage"  # own personal API tokens
    AUDIT_READ = "audit:read"
    JOBS_READ = "jobs:read"
    DATASETS_READ = "datasets:read"  # the client's datasets and their scan reports
    DATASETS_UPLOAD = "datasets:upload"  # add a dataset or a new version of one
    DATA_PROTECT = "data:protect"  # make a recipient's rendition of a file
    DATA_REIDENTIFY = "data:reidentify"  # turn a returned file back into real values
    LEAKS_TRACE = "leaks:trace"  # name the recipient a leaked file came from
    ENGAGEMENTS_READ = "engagements:read"  # see the engagements one is a party to
    ENGAGEMENTS_MANAGE = (
        "engagements:manage"  # create/change engagements, texts, training
    )
    SUBCONTRACTORS_APPROVE = "subcontractors:approve"  # the client owner's decision
    ROSTER_MANAGE = (
        "roster:manage"  # enrol/offboard agents, screening, sites, propose subs
    )
    COMPLIANCE_READ = "compliance:read"  # the per-agent compliance matrix
    COMPLIANCE_SELF = "compliance:self"  # sign, train and attest for oneself


_P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(
        {
            _P.ORGS_READ,
            _P.ORGS_WRITE,
            _P.USERS_READ,
            _P.USERS_INVITE,
            _P.USERS_MANAGE,
            _P.TOKENS_MANAGE,
            _P.AUDIT_READ,
            _P.JOBS_READ,
            _P.DATASETS_READ,
            _P.DATASETS_UPLOAD,
            _P.DATA_PROTECT,
            _P.DATA_REIDENTIFY,
            _P.LEAKS_TRACE,
            _P.ENGAGEMENTS_READ,
            _P.ENGAGEMENTS_MANAGE,
            _P.SUBCONTRACTORS_APPROVE,
            _P.COMPLIANCE_READ,
        }
    ),
    Role.STAFF: frozenset(
        {
            _P.ORGS_READ,
            _P.USERS_READ,
            _P.TOKENS_MANAGE,
            _P.JOBS_READ,
            _P.DATASETS_READ,
            _P.DATASETS_UPLOAD,
            _P.DATA_PROTECT,
            _P.ENGAGEMENTS_READ,
        }
    ),
    Role.SECURITY_OFFICER: frozenset(
        {
            _P.ORGS_READ,
            _P.USERS_READ,
            _P.TOKENS_MANAGE,
            _P.AUDIT_READ,
            _P.JOBS_READ,
            _P.DATASETS_READ,
            _P.LEAKS_TRACE,
            _P.ENGAGEMENTS_READ,
            _P.COMPLIANCE_READ,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            _P.ORGS_READ,
            _P.USERS_READ,
            _P.AUDIT_READ,
            _P.DATASETS_READ,
            _P.ENGAGEMENTS_READ,
            _P.COMPLIANCE_READ,
        }
    ),
    Role.VENDOR_ADMIN: frozenset(
        {
            _P.ORGS_READ,
            _P.ORGS_WRITE,
            _P.USERS_READ,
            _P.USERS_INVITE,
            _P.USERS_MANAGE,
            _P.TOKENS_MANAGE,
            _P.ENGAGEMENTS_READ,
            _P.ROSTER_MANAGE,
            _P.COMPLIANCE_READ,
            _P.COMPLIANCE_SELF,
        }
    ),
    Role.AGENT: frozenset({_P.ORGS_READ, _P.ENGAGEMENTS_READ, _P.COMPLIANCE_SELF}),
}

# Roles that must enrol a second factor before they can do anything else.
MFA_REQUIRED_ROLES = frozenset(
    {Role.OWNER, Role.SECURITY_OFFICER, Role.VENDOR_ADMIN, Role.AGENT}
)


def permissions_for(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def mfa_required(roles: frozenset[Role]) -> bool:
    return bool(roles & MFA_REQUIRED_ROLES)
