"""The audit event catalogue: past-tense facts, `<resource>:<event>`.

Adding a tag: add it here and describe it in docs/security/audit-log.md (a test checks).
"""

from enum import StrEnum


class AuditTag(StrEnum):
    INSTANCE_INITIALISED = "instance:initialised"
    ORG_CREATED = "org:created"
    ORG_DISABLED = "org:disabled"
    USER_CREATED = "user:created"
    USER_DISABLED = "user:disabled"
    USER_ENABLED = "user:enabled"
    USER_INVITED = "user:invited"
    INVITATION_ACCEPTED = "invitation:accepted"
    INVITATION_REVOKED = "invitation:revoked"
    LOGIN_SUCCEEDED = "login:succeeded"
    LOGIN_FAILED = "login:failed"
    ACCOUNT_LOCKED = "account:locked"
    MFA_ENROLLED = "mfa:enrolled"
    MFA_FAILED = "mfa:failed"
    MFA_RESET = "mfa:reset"
    RECOVERY_CODE_USED = "recovery_code:used"
    RECOVERY_CODES_REGENERATED = "recovery_codes:regenerated"
    PASSWORD_CHANGED = "password:changed"
    SESSION_ENDED = "session:ended"
    SESSIONS_REVOKED = "sessions:revoked"
    API_TOKEN_CREATED = "api_token:created"
    API_TOKEN_REVOKED = "api_token:revoked"
    JOB_FAILED = "job:failed"
    KEYS_ROTATED = "keys:rotated"
    KEK_RETIRED = "kek:retired"
    KEY_DESTROYED = "key:destroyed"
    RECIPIENT_KEYED = "recipient:keyed"
    TOKEN_KEY_ROTATED = "token_key:rotated"
    RECIPIENT_SHREDDED = "recipient:shredded"
    RECIPIENT_ADDED = "recipient:added"
    RENDITION_CREATED = "rendition:created"
    RETURN_REIDENTIFIED = "return:reidentified"
    LEAK_TRACED = "leak:traced"
