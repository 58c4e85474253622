"""Every route × {anonymous, wrong role, another organisation's object, allowed}.

The matrix is checked against the app's routes: a new route without an entry fails
`test_every_route_has_a_matrix_entry`, so nothing ships without its access rules tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.routing import iter_route_contexts

from outguard.security.permissions import Permission
from tests.factories.accounts import TEST_PASSWORD
from tests.web import dataset_world as dw
from tests.web import engagement_world as ew
from tests.web.harness import WebClient, World, password_step, totp_now

Target = Callable[[World, str], dict[str, Any]]  # (world, "own" | "other") -> values


def _none(world: World, which: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    """`who` may call it (→ `status`); `wrong` is someone who may not (→ 403).

    `wrong` is a persona name, or ("token", persona, scopes) for a scoped API token.
    `path`/`body` build path values and the payload for the "own" or "other" object;
    `other=True` means the route takes an object another organisation owns (→ 404).
    """

    who: str | None  # None: public (anonymous is the allowed caller)
    status: int
    wrong: str | tuple[str, str, set[Permission]] | None = None
    other: bool = False
    path: Target = _none
    body: Target = _none
    special: str | None = None  # routes needing a half-finished sign-in


def _user(own: str, other: str = "other") -> Target:
    return lambda w, which: {"user_id": w.people[own if which == "own" else other].id}


def _org(own: str, other: str = "other") -> Target:
    return lambda w, which: {"org_id": getattr(w, own if which == "own" else other).id}


def _invitation(w: World, which: str) -> dict[str, Any]:
    invitation, _ = w.invitation(w.client if which == "own" else w.other)
    return {"invitation_id": invitation.id}


def _invite_token(w: World, which: str) -> dict[str, Any]:
    _, raw = w.invitation(w.client)
    return {"token": raw}


def _token_of(own: str) -> Target:
    def make(w: World, which: str) -> dict[str, Any]:
        token, _ = w.api_token(own if which == "own" else "other")
        return {"token_id": token.id}

    return make


def _new_vendor(w: World, which: str) -> dict[str, Any]:
    parent = w.client if which == "own" else w.other
    return {"name": "Fresh Vendor", "kind": "vendor", "parent_id": str(parent.id)}


def _new_invite(w: World, which: str) -> dict[str, Any]:
    org = w.client if which == "own" else w.other
    return {
        "org_id": str(org.id),
        "email": "newcomer@example.test",
        "display_name": "New Comer",
        "roles": ["staff"],
    }


SCOPED_USERS_ONLY = ("token", "owner", {Permission.USERS_READ})
SCOPED_ORGS_ONLY = ("token", "owner", {Permission.ORGS_READ})

MATRIX: dict[tuple[str, str], Rule] = {
    # ---- public
    ("GET", "/healthz"): Rule(None, 200),
    ("GET", "/api/v1/openapi.json"): Rule(None, 200),
    ("GET", "/static"): Rule(None, 200),  # the mount; checked with /static/app.css
    ("GET", "/login"): Rule(None, 200),
    (
        "POST",
        "/login",
    ): Rule(
        None,
        303,
        body=lambda w, _: {"email": w.email("staff"), "password": TEST_PASSWORD},
    ),
    ("POST", "/logout"): Rule(None, 303),
    ("GET", "/invite/{token}"): Rule(None, 200, path=_invite_token),
    (
        "POST",
        "/invite/{token}",
    ): Rule(
        None,
        303,
        path=_invite_token,
        body=lambda w, _: {
            "display_name": "Newcomer",
            "password": "a long new passphrase",
            "password_confirm": "a long new passphrase",
        },
    ),
    # ---- half-finished sign-in (pending session)
    ("GET", "/login/mfa"): Rule("owner", 200, special="pending"),
    ("POST", "/login/mfa"): Rule("owner", 303, special="pending"),
    ("GET", "/mfa/enrol"): Rule("staff", 200),
    ("POST", "/mfa/enrol"): Rule("staff", 200, special="enrol"),
    # ---- JSON API
    ("GET", "/api/v1/me"): Rule("agent", 200),
    ("GET", "/api/v1/orgs"): Rule("agent", 200, wrong=SCOPED_USERS_ONLY),
    ("POST", "/api/v1/orgs"): Rule(
        "owner", 201, wrong="staff", other=True, body=_new_vendor
    ),
    ("GET", "/api/v1/orgs/{org_id}"): Rule(
        "agent", 200, wrong=SCOPED_USERS_ONLY, other=True, path=_org("vendor")
    ),
    ("GET", "/api/v1/users"): Rule("staff", 200, wrong="agent"),
    ("GET", "/api/v1/users/{user_id}"): Rule(
        "staff", 200, wrong="agent", other=True, path=_user("auditor")
    ),
    ("POST", "/api/v1/users/{user_id}/disable"): Rule(
        "owner", 200, wrong="staff", other=True, path=_user("auditor")
    ),
    ("POST", "/api/v1/users/{user_id}/enable"): Rule(
        "owner", 200, wrong="staff", other=True, path=_user("auditor")
    ),
    ("GET", "/api/v1/invitations"): Rule("owner", 200, wrong="staff"),
    ("POST", "/api/v1/invitations"): Rule(
        "owner", 201, wrong="staff", other=True, body=_new_invite
    ),
    ("POST", "/api/v1/invitations/{invitation_id}/revoke"): Rule(
        "owner", 200, wrong="staff", other=True, path=_invitation
    ),
    ("GET", "/api/v1/jobs"): Rule("staff", 200, wrong="agent"),
    ("GET", "/api/v1/audit/checkpoints"): Rule("auditor", 200, wrong="staff"),
    ("GET", "/api/v1/tokens"): Rule("staff", 200, wrong="auditor"),
    ("POST", "/api/v1/tokens"): Rule(
        "staff",
        201,
        wrong="auditor",
        body=lambda w, _: {
            "name": "ci",
            "scopes": ["orgs:read"],
            "expires_in_days": 30,
        },
    ),
    ("POST", "/api/v1/tokens/{token_id}/revoke"): Rule(
        "staff", 200, wrong="auditor", other=True, path=_token_of("staff")
    ),
    # ---- pages
    ("GET", "/"): Rule("agent", 200),
    ("GET", "/orgs"): Rule("agent", 200),
    ("POST", "/orgs"): Rule(
        "owner",
        303,
        wrong="staff",
        body=lambda w, _: {"name": "Fresh Vendor", "kind": "vendor"},
    ),
    ("GET", "/orgs/{org_id}"): Rule("agent", 200, other=True, path=_org("vendor")),
    ("GET", "/users"): Rule("staff", 200, wrong="agent"),
    ("POST", "/users/{user_id}/disable"): Rule(
        "owner", 303, wrong="staff", other=True, path=_user("auditor")
    ),
    ("POST", "/users/{user_id}/enable"): Rule(
        "owner", 303, wrong="staff", other=True, path=_user("auditor")
    ),
    ("POST", "/users/{user_id}/reset-mfa"): Rule(
        "owner", 303, wrong="staff", other=True, path=_user("security")
    ),
    ("POST", "/invitations/{invitation_id}/revoke"): Rule(
        "owner", 303, wrong="staff", other=True, path=_invitation
    ),
    ("GET", "/users/invite"): Rule("owner", 200, wrong="staff"),
    ("POST", "/users/invite"): Rule(
        "owner", 200, wrong="staff", other=True, body=_new_invite
    ),
    ("GET", "/account"): Rule("agent", 200),
    ("POST", "/account/password"): Rule(
        "agent",
        303,
        body=lambda w, _: {
            "current_password": TEST_PASSWORD,
            "new_password": "another long passphrase",
            "new_password_confirm": "another long passphrase",
        },
    ),
    ("POST", "/account/sessions/revoke-all"): Rule("agent", 303),
    ("POST", "/account/recovery-codes"): Rule("agent", 200),
    ("POST", "/account/tokens"): Rule(
        "staff",
        200,
        wrong="auditor",
        body=lambda w, _: {
            "name": "ci",
            "scopes": ["orgs:read"],
            "expires_in_days": "30",
        },
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): Rule(
        "staff", 303, wrong="auditor", other=True, path=_token_of("staff")
    ),
    # ---- engagements: JSON API
    ("GET", "/api/v1/engagements"): Rule("agent", 200, wrong=SCOPED_ORGS_ONLY),
    ("POST", "/api/v1/engagements"): Rule(
        "owner", 201, wrong="staff", other=True, body=ew.new_engagement_body
    ),
    ("GET", "/api/v1/engagements/{engagement_id}"): Rule(
        "agent", 200, wrong=SCOPED_ORGS_ONLY, other=True, path=ew.eng
    ),
    ("POST", "/api/v1/engagements/{engagement_id}/state"): Rule(
        "owner",
        200,
        wrong="vadmin",
        other=True,
        path=ew.eng,
        body=lambda w, _: {"action": "suspend", "reason": "Audit finding"},
    ),
    ("PATCH", "/api/v1/engagements/{engagement_id}"): Rule(
        "owner",
        200,
        wrong="vadmin",
        other=True,
        path=ew.eng,
        body=lambda w, _: {"reason": "Amendment 2", "breach_notice_hours": 36},
    ),
    ("GET", "/api/v1/engagements/{engagement_id}/history"): Rule(
        "vadmin", 200, wrong=SCOPED_USERS_ONLY, other=True, path=ew.eng
    ),
    ("GET", "/api/v1/engagements/{engagement_id}/matrix"): Rule(
        "owner", 200, wrong="agent", other=True, path=ew.eng
    ),
    ("GET", "/api/v1/engagements/{engagement_id}/access"): Rule(
        "agent", 200, other=True, path=ew.eng
    ),
    ("POST", "/api/v1/engagements/{engagement_id}/agents"): Rule(
        "vadmin", 201, wrong="owner", other=True, path=ew.eng, body=ew.new_agent_body
    ),
    ("POST", "/api/v1/engagements/{engagement_id}/agents/{user_id}/offboard"): Rule(
        "vadmin",
        200,
        wrong="staff",
        other=True,
        path=ew.eng_agent,
        body=lambda w, _: {"reason": "Left the company"},
    ),
    ("POST", "/api/v1/engagements/{engagement_id}/subcontractors"): Rule(
        "vadmin", 201, wrong="owner", other=True, path=ew.eng, body=ew.sub_body
    ),
    (
        "POST",
        "/api/v1/engagements/{engagement_id}/subcontractors/{approval_id}/decision",
    ): Rule(
        "owner",
        200,
        wrong="vadmin",
        other=True,
        path=ew.eng_approval,
        body=lambda w, _: {"decision": "approved", "note": "Due diligence done"},
    ),
    # ---- engagements: pages
    ("GET", "/engagements"): Rule("agent", 200),
    ("GET", "/engagements/new"): Rule("owner", 200, wrong="staff"),
    ("POST", "/engagements"): Rule(
        "owner",
        303,
        wrong="staff",
        other=True,
        body=lambda w, which: ew.new_engagement_body(w, which, form=True),
    ),
    ("GET", "/engagements/{engagement_id}"): Rule(
        "agent", 200, other=True, path=ew.eng
    ),
    ("GET", "/engagements/{engagement_id}/edit"): Rule(
        "owner", 200, wrong="vadmin", other=True, path=ew.eng
    ),
    ("POST", "/engagements/{engagement_id}/edit"): Rule(
        "owner", 303, wrong="vadmin", other=True, path=ew.eng, body=ew.terms_form
    ),
    ("POST", "/engagements/{engagement_id}/state"): Rule(
        "owner",
        303,
        wrong="vadmin",
        other=True,
        path=ew.eng,
        body=lambda w, _: {"action": "suspend", "reason": "Audit finding"},
    ),
    ("POST", "/engagements/{engagement_id}/agents"): Rule(
        "vadmin", 303, wrong="owner", other=True, path=ew.eng, body=ew.new_agent_body
    ),
    ("POST", "/engagements/{engagement_id}/agents/{user_id}/offboard"): Rule(
        "vadmin",
        303,
        wrong="staff",
        other=True,
        path=ew.eng_agent,
        body=lambda w, _: {"reason": "Left the company"},
    ),
    ("POST", "/engagements/{engagement_id}/agents/{user_id}/screening"): Rule(
        "vadmin",
        303,
        wrong="owner",
        other=True,
        path=ew.eng_agent,
        body=lambda w, _: {"checks": ["identity"], "performed_on": "2026-10-01"},
    ),
    ("POST", "/engagements/{engagement_id}/subcontractors"): Rule(
        "vadmin", 303, wrong="owner", other=True, path=ew.eng, body=ew.sub_body
    ),
    ("POST", "/engagements/{engagement_id}/subcontractors/{approval_id}"): Rule(
        "owner",
        303,
        wrong="vadmin",
        other=True,
        path=ew.eng_approval,
        body=lambda w, _: {"decision": "approved", "note": "Due diligence done"},
    ),
    ("POST", "/engagements/{engagement_id}/exceptions"): Rule(
        "owner",
        303,
        wrong="vadmin",
        other=True,
        path=ew.eng,
        body=lambda w, _: {
            "cidr": "198.51.100.7",
            "reason": "Office move",
            "days": "2",
        },
    ),
    ("POST", "/engagements/{engagement_id}/exceptions/{exception_id}/revoke"): Rule(
        "owner", 303, wrong="vadmin", other=True, path=ew.eng_exception
    ),
    # ---- datasets: JSON API (uploads: the body is the file)
    ("GET", "/api/v1/datasets"): Rule("auditor", 200, wrong=SCOPED_USERS_ONLY),
    ("POST", "/api/v1/datasets"): Rule(
        "staff",
        201,
        wrong="auditor",
        path=lambda w, _: {"__query__": {"filename": "rows.jsonl", "name": "Rows"}},
        body=lambda w, _: {"name": "Person One", "city": "Austin"},
    ),
    ("POST", "/api/v1/datasets/{dataset_id}/versions"): Rule(
        "staff",
        201,
        wrong="auditor",
        other=True,
        path=lambda w, which: {
            **dw.dataset(w, which),
            "__query__": {"filename": "rows.jsonl"},
        },
        body=lambda w, _: {"name": "Person Two", "city": "Boston"},
    ),
    ("GET", "/api/v1/datasets/{dataset_id}"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.dataset
    ),
    ("GET", "/api/v1/datasets/versions/{version_id}/report"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.version
    ),
    # ---- datasets: pages (uploads go through the API above)
    ("GET", "/datasets"): Rule("auditor", 200, wrong="agent"),
    ("GET", "/datasets/{dataset_id}"): Rule(
        "auditor", 200, other=True, path=dw.dataset
    ),
    ("GET", "/datasets/{dataset_id}/share"): Rule(
        "staff", 200, wrong="auditor", other=True, path=dw.dataset
    ),
    ("POST", "/datasets/{dataset_id}/share"): Rule(
        "staff",
        303,
        wrong="auditor",
        other=True,
        path=dw.dataset,
        body=dw.new_share_body,
    ),
    ("POST", "/datasets/{dataset_id}/share/preview"): Rule(
        "staff",
        200,
        wrong="auditor",
        other=True,
        path=dw.dataset,
        body=dw.new_share_body,
    ),
    ("GET", "/shares/{share_id}"): Rule("auditor", 200, other=True, path=dw.share_id),
    ("POST", "/shares/{share_id}/revoke"): Rule(
        "owner",
        303,
        wrong="auditor",
        other=True,
        path=dw.share_id,
        body=lambda w, _: {"reason": "Work moved in-house"},
    ),
    # Not a recipient (the vendor admin, another agent) is "not found", like another org.
    ("GET", "/work/{engagement_id}/shares/{share_id}"): Rule(
        "agent", 200, other=True, path=dw.work_share
    ),
    ("GET", "/work/{engagement_id}/shares/{share_id}/download"): Rule(
        "agent", 200, other=True, path=dw.work_share
    ),
    # ---- shares: JSON API
    ("GET", "/api/v1/shares"): Rule("auditor", 200, wrong=SCOPED_USERS_ONLY),
    ("POST", "/api/v1/shares"): Rule(
        "staff", 201, wrong="auditor", other=True, body=dw.new_share_body
    ),
    ("GET", "/api/v1/shares/{share_id}"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.share_id
    ),
    ("POST", "/api/v1/shares/{share_id}/revoke"): Rule(
        "owner",
        200,
        wrong="auditor",
        other=True,
        path=dw.share_id,
        body=lambda w, _: {"reason": "Work moved in-house"},
    ),
    ("GET", "/api/v1/shares/{share_id}/rendition"): Rule(
        "agent", 200, other=True, path=dw.share_id
    ),
    ("POST", "/shares/{share_id}/returns/{return_id}/reidentify"): Rule(
        "owner",
        303,
        wrong="staff",
        other=True,
        path=dw.return_ids,
        body=lambda w, _: {"password": TEST_PASSWORD},
    ),
    ("GET", "/shares/{share_id}/returns/{return_id}/result"): Rule(
        "owner", 200, wrong="staff", other=True, path=dw.reidentified
    ),
    ("POST", "/api/v1/shares/{share_id}/returns"): Rule(
        "agent",
        201,
        other=True,
        path=lambda w, which: {
            **dw.share_id(w, which),
            "__query__": {"filename": "worked.jsonl"},
        },
        body=lambda w, _: {"employee": "Person Two", "status": "paid"},
    ),
    ("GET", "/api/v1/shares/{share_id}/returns"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.share_id
    ),
    ("POST", "/api/v1/shares/{share_id}/returns/{return_id}/reidentify"): Rule(
        "owner",
        200,
        wrong="staff",
        other=True,
        path=dw.return_ids,
        body=lambda w, _: {"password": TEST_PASSWORD},
    ),
    ("GET", "/api/v1/shares/{share_id}/returns/{return_id}/result"): Rule(
        "owner", 200, wrong="staff", other=True, path=dw.reidentified
    ),
    ("GET", "/shares/{share_id}/certificates/{certificate_id}"): Rule(
        "auditor", 200, other=True, path=dw.certificate
    ),
    ("GET", "/shares/{share_id}/certificates/{certificate_id}/certificate.json"): Rule(
        "auditor", 200, other=True, path=dw.certificate
    ),
    ("GET", "/shares/{share_id}/certificates/{certificate_id}/certificate.pdf"): Rule(
        "auditor", 200, other=True, path=dw.certificate
    ),
    ("GET", "/api/v1/shares/{share_id}/certificates"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.share_id
    ),
    ("GET", "/api/v1/shares/{share_id}/certificates/{certificate_id}/file"): Rule(
        "auditor", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.certificate
    ),
    ("GET", "/attestations"): Rule("vadmin", 200),
    ("POST", "/attestations/{attestation_id}"): Rule(
        "vadmin",
        303,
        wrong="agent",
        other=True,
        path=dw.attestation,
        body=dw.attest_body,
    ),
    # ---- leak response
    ("GET", "/leaks"): Rule("owner", 200, wrong="staff"),
    ("GET", "/leaks/{trace_id}"): Rule(
        "owner", 200, wrong="staff", other=True, path=dw.leak
    ),
    ("GET", "/leaks/{trace_id}/evidence/{rendition_id}"): Rule(
        "owner", 200, wrong="staff", other=True, path=dw.leak_copy
    ),
    ("POST", "/api/v1/leaks"): Rule(
        "owner",
        201,
        wrong="staff",
        path=dw.for_tracing,
        body=lambda w, _: {"employee": "Person Two", "ssn": "536-22-8727"},
    ),
    ("GET", "/api/v1/leaks"): Rule("owner", 200, wrong=SCOPED_USERS_ONLY),
    ("GET", "/api/v1/leaks/{trace_id}"): Rule(
        "owner", 200, wrong=SCOPED_USERS_ONLY, other=True, path=dw.leak
    ),
    ("GET", "/checklist"): Rule("agent", 200),
    ("GET", "/work/{engagement_id}"): Rule("agent", 200, other=True, path=ew.eng),
    ("GET", "/agreements"): Rule("agent", 200),
    ("POST", "/agreements"): Rule(
        "owner",
        303,
        wrong="vadmin",
        body=lambda w, _: {
            "kind": "aup",
            "title": "Acceptable use v2",
            "body": "No phones at the desk, ever, at all.",
            "resign_days": "14",
        },
    ),
    ("GET", "/agreements/{template_id}"): Rule(
        "agent", 200, other=True, path=ew.template
    ),
    ("POST", "/agreements/{template_id}/sign"): Rule(
        "agent",
        303,
        wrong="auditor",
        other=True,
        path=ew.template,
        body=lambda w, _: {
            "typed_name": "Agent",
            "agree": "yes",
            "password": TEST_PASSWORD,
        },
    ),
    ("GET", "/signatures/{signature_id}"): Rule("agent", 200, path=ew.signature),
    ("GET", "/training"): Rule("agent", 200),
    ("POST", "/training"): Rule(
        "owner",
        303,
        wrong="vadmin",
        body=lambda w, _: {
            "title": "Phishing",
            "content": "Spot phishing before you click anything.",
            "questions": "Click unknown links?\nYes\n*No",
        },
    ),
    ("GET", "/training/{module_id}"): Rule("agent", 200, other=True, path=ew.module),
    ("POST", "/training/{module_id}"): Rule(
        "agent",
        200,
        wrong="auditor",
        other=True,
        path=ew.module,
        body=lambda w, _: {"q0": "1"},
    ),
    ("POST", "/training/{module_id}/retake"): Rule(
        "owner", 303, wrong="vadmin", other=True, path=ew.module
    ),
    ("GET", "/workstation"): Rule("agent", 200),
    ("GET", "/workstation/check.py"): Rule("agent", 200, wrong="staff"),
    ("POST", "/workstation/result"): Rule(
        "agent", 303, wrong="staff", body=ew.script_result
    ),
    ("POST", "/workstation/self"): Rule(
        "agent",
        303,
        wrong="staff",
        body=lambda w, _: dict.fromkeys(
            (
                "disk_encryption",
                "firewall",
                "antivirus",
                "os_updates",
                "removable_storage_blocked",
            ),
            "yes",
        ),
    ),
    ("GET", "/sites"): Rule("vadmin", 200, wrong="agent"),
    ("POST", "/sites"): Rule(
        "vadmin",
        303,
        wrong="agent",
        other=True,
        body=lambda w, which: {
            "org_id": str(w.vendor.id if which == "own" else w.other.id),
            "name": "Chennai",
            "country": "IN",
            "networks": "203.0.113.0/24",
        },
    ),
}


def _app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        methods = route.methods or {"GET"}  # a Mount has no methods: it serves GET
        for method in methods - {"HEAD"}:
            found.add((method, route.path))
    return found


def test_every_route_has_a_matrix_entry(app):
    routes = _app_routes(app)
    assert routes - MATRIX.keys() == set(), "routes without a permission-matrix entry"
    assert MATRIX.keys() - routes == set(), (
        "matrix entries for routes that do not exist"
    )


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _call(
    client: WebClient,
    method: str,
    template: str,
    values: dict[str, Any],
    body: dict[str, Any],
    *,
    token: str | None = None,
):
    query = values.pop("__query__", None)
    url = template.format(**values)
    if query:
        url += "?" + urlencode(query)
    if template == "/static":
        url = "/static/app.css"
    if _is_api(template):
        return client.api(method, url, json=body or None, token=token)
    if method == "GET":
        return client.get(url)
    return client.submit(url, body)


def _params(kind: str):
    for (method, path), rule in MATRIX.items():
        applicable = {
            "allowed": True,
            "anonymous": rule.who is not None,
            "wrong": rule.wrong is not None,
            "other": rule.other,
        }[kind]
        if applicable:
            yield pytest.param(method, path, rule, id=f"{method} {path}")


@pytest.mark.parametrize(("method", "path", "rule"), list(_params("anonymous")))
def test_anonymous_is_refused(method, path, rule, world, new_client):
    client = new_client()
    values = rule.path(world, "own")
    response = _call(client, method, path, values, rule.body(world, "own"))
    if _is_api(path):
        assert response.status_code == 401
        assert response.json()["error"] in {"session_expired", "api_token_invalid"}
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def _signed_in_as(rule: Rule, who: str, world: World, sign_in, new_client) -> WebClient:
    if rule.special == "pending":
        client = new_client()
        assert password_step(client, world, who).status_code == 303
        return client
    return sign_in(who)


def _body_for(rule: Rule, client: WebClient, world: World, who: str, which: str):
    if rule.special == "pending":
        return {"code": totp_now(world, who)}
    if rule.special == "enrol":
        page = client.get("/mfa/enrol")
        secret = page.text.split('<code class="secret">')[1].split("</code>")[0]
        from outguard.security import totp

        return {"code": totp.current_code("".join(secret.split()), world.clock.now())}
    return rule.body(world, which)


@pytest.mark.parametrize(("method", "path", "rule"), list(_params("allowed")))
def test_allowed_caller_succeeds(method, path, rule, world, sign_in, new_client):
    if rule.who is None:
        client = new_client()
    else:
        client = _signed_in_as(rule, rule.who, world, sign_in, new_client)
    values = rule.path(world, "own")
    body = _body_for(rule, client, world, rule.who or "", "own")
    response = _call(client, method, path, values, body)
    assert response.status_code == rule.status, response.text[:500]


@pytest.mark.parametrize(("method", "path", "rule"), list(_params("wrong")))
def test_wrong_role_is_forbidden(method, path, rule, world, sign_in, new_client):
    values = rule.path(world, "own")
    body = rule.body(world, "own")
    if isinstance(rule.wrong, tuple):
        _, who, scopes = rule.wrong
        _, raw = world.api_token(who, scopes)
        response = _call(new_client(), method, path, values, body, token=raw)
    else:
        assert rule.wrong is not None
        response = _call(sign_in(rule.wrong), method, path, values, body)
    assert response.status_code == 403, response.text[:500]
    if _is_api(path):
        assert response.json()["error"] == "permission_denied"


@pytest.mark.parametrize(("method", "path", "rule"), list(_params("other")))
def test_other_organisations_object_is_not_found(
    method, path, rule, world, sign_in, new_client
):
    assert rule.who is not None
    client = sign_in(rule.who)
    values = rule.path(world, "other")
    response = _call(client, method, path, values, rule.body(world, "other"))
    assert response.status_code == 404, response.text[:500]
    if _is_api(path):
        assert response.json()["error"] == "not_found"
