"""Who may do what on an engagement. Deny by default, with a reason.

A permission (security/permissions.py) is used only on an engagement the actor's organisation
is a party to. Whether an agent may reach the engagement's *data* is the gate's question
(`engagements.gate`), asked on every request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from outguard.accounts.policy import has_permission
from outguard.engagements.models import Engagement
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission
from outguard.types import Actor


class Party(StrEnum):
    CLIENT = "client"
    VENDOR = "vendor"
    SUBCONTRACTOR = "subcontractor"  # an approved sub-contractor's people
    AGENT = "agent"  # enrolled, whatever their organisation


@dataclass(frozen=True)
class Standing:
    """How the actor stands towards one engagement (loaded by the service)."""

    approved_subs: frozenset[uuid.UUID]
    enrolled: bool

    def party(self, actor: Actor, engagement: Engagement) -> Party | None:
        if actor.org_id == engagement.client_org_id:
            return Party.CLIENT
        if actor.org_id == engagement.vendor_org_id:
            return Party.VENDOR
        if actor.org_id in self.approved_subs:
            return Party.SUBCONTRACTOR
        if self.enrolled:
            return Party.AGENT
        return None


def can_view(actor: Actor, engagement: Engagement, standing: Standing) -> Decision:
    if actor.is_system:
        return Allow()
    if standing.party(actor, engagement) is None:
        return Deny("not a party to this engagement")
    return has_permission(actor, Permission.ENGAGEMENTS_READ)


def can_create(actor: Actor, client_org_id: uuid.UUID) -> Decision:
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.ENGAGEMENTS_MANAGE)
    if not allowed:
        return allowed
    if actor.org_id != client_org_id:
        return Deny("engagements are created by the client")
    return Allow()


def can_manage(actor: Actor, engagement: Engagement) -> Decision:
    """Change the engagement itself: details, state, network exceptions."""
    return can_create(actor, engagement.client_org_id)


def can_approve_subcontractor(actor: Actor, engagement: Engagement) -> Decision:
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.SUBCONTRACTORS_APPROVE)
    if not allowed:
        return allowed
    if actor.org_id != engagement.client_org_id:
        return Deny("only the client approves sub-contractors")
    return Allow()


def can_manage_roster(
    actor: Actor, engagement: Engagement, target_org_id: uuid.UUID, standing: Standing
) -> Decision:
    """Enrol, offboard and attest for people of `target_org_id` on this engagement.

    The vendor's administrator manages the vendor's people and those of its approved
    sub-contractors; a sub-contractor's administrator manages only their own people.
    """
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.ROSTER_MANAGE)
    if not allowed:
        return allowed
    party = standing.party(actor, engagement)
    if party is Party.VENDOR and (
        target_org_id == engagement.vendor_org_id
        or target_org_id in standing.approved_subs
    ):
        return Allow()
    if party is Party.SUBCONTRACTOR and target_org_id == actor.org_id:
        return Allow()
    return Deny("you do not manage this engagement's people in that organisation")


def can_sign_for_vendor(actor: Actor, engagement: Engagement) -> Decision:
    if actor.is_system:
        return Deny("agreements are signed by a person")
    allowed = has_permission(actor, Permission.ROSTER_MANAGE)
    if not allowed:
        return allowed
    if actor.org_id != engagement.vendor_org_id:
        return Deny("only the vendor's administrator signs for the vendor")
    return Allow()


def can_propose_subcontractor(
    actor: Actor, engagement: Engagement, sub_parent_id: uuid.UUID | None
) -> Decision:
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.ROSTER_MANAGE)
    if not allowed:
        return allowed
    if actor.org_id != engagement.vendor_org_id:
        return Deny("only the engagement's vendor proposes sub-contractors")
    if sub_parent_id != engagement.vendor_org_id:
        return Deny("the sub-contractor is not one of this vendor's")
    return Allow()


def can_read_matrix(
    actor: Actor, engagement: Engagement, standing: Standing
) -> Decision:
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.COMPLIANCE_READ)
    if not allowed:
        return allowed
    if standing.party(actor, engagement) in {
        Party.CLIENT,
        Party.VENDOR,
        Party.SUBCONTRACTOR,
    }:
        return Allow()
    return Deny("not a party to this engagement")


def can_act_for_self(actor: Actor) -> Decision:
    if not actor.is_user:
        return Deny("only a signed-in person signs, trains or attests for themselves")
    return has_permission(actor, Permission.COMPLIANCE_SELF)
