"""Destruction certificates as files that verify offline.

A certificate is a canonical JSON document (what was destroyed, when, why, which keys,
the copies' hashes). Its SHA-256 is recorded in the audit log (`share:destroyed`), and a
C2SP signed note over that digest is made with the instance's audit key, so the file an
owner hands to an insurer or a court proves itself: `outguard certificate verify FILE`
checks the document against its digest and the signature against the pinned key, with
no outguard database. The PDF carries the same JSON as an attachment; its printed text is
for people, the attachment is what is checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from outguard.audit.checkpoint import (
    NoteError,
    SignerKey,
    VerifierKey,
    open_note,
    sign_note,
)
from outguard.errors import DomainValidationError
from outguard.security.signing import check_signature

FORMAT = "outguard destruction certificate v1"
ATTACHMENT = "certificate.json"
MAX_FILE_BYTES = 5 * 1024 * 1024  # a certificate is a few KB; a PDF of one, tens


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def _note_text(document: dict[str, Any], sha256: str, audit_seq: int) -> str:
    return (
        f"{FORMAT}\n"
        f"share {document['share_id']}\n"
        f"issued {document['issued_at']}\n"
        f"copies {len(document.get('destroyed', []))}\n"
        f"sha256 {sha256}\n"
        f"audit-seq {audit_seq}\n"
    )


def sign_certificate(
    document: dict[str, Any], sha256: str, audit_seq: int, signer: SignerKey
) -> str:
    """The signed note: the digest and audit position, signed with the audit key."""
    return sign_note(_note_text(document, sha256, audit_seq), signer)


def key_sha256(public_key: bytes) -> str:
    """The fingerprint an owner publishes or gives to whoever must check certificates."""
    return hashlib.sha256(public_key).hexdigest()


def certificate_json(
    *,
    document: dict[str, Any],
    sha256: str,
    audit_seq: int | None,
    signed_note: str | None,
    signer_name: str,
    public_key: bytes,
) -> bytes:
    """The downloadable certificate: everything needed to check it, nothing secret."""
    body = {
        "format": FORMAT,
        "document": document,
        "sha256": sha256,
        "audit_seq": audit_seq,
        "signed_note": signed_note,
        "key_name": signer_name,
        "public_key": base64.b64encode(public_key).decode(),
        "key_sha256": key_sha256(public_key),
    }
    return json.dumps(body, indent=2, sort_keys=True).encode() + b"\n"


@dataclass
class CertificateCheck:
    """What verifying a certificate file found: `ok` only if nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    audit_seq: int | None = None
    key_sha256: str = ""
    pinned: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _from_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader  # noqa: PLC0415 - only PDFs need it
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        found = attachments.get(ATTACHMENT) or []
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise DomainValidationError(
            "The PDF could not be read; is it an outguard certificate?"
        ) from exc
    if not found:
        raise DomainValidationError(
            f"The PDF has no {ATTACHMENT} attachment; is it an outguard certificate?"
        )
    return found[0]


def _load(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_FILE_BYTES:
        raise DomainValidationError("That file is too large to be a certificate.")
    if data.startswith(b"%PDF-"):
        data = _from_pdf(data)
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainValidationError(
            "The file is neither a certificate's JSON nor its PDF."
        ) from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise DomainValidationError(f"The file is not an {FORMAT}.")
    return body


def _note_lines(text: str) -> dict[str, str]:
    lines = text.splitlines()
    return dict(line.partition(" ")[::2] for line in lines[1:] if " " in line)


def verify_certificate(
    data: bytes, *, pinned_key_sha256: str | None
) -> CertificateCheck:
    """Check a certificate file (JSON or PDF): digest, signature, key; never raises on forgery.

    A malformed file raises `DomainValidationError`; a well-formed one that does not hold
    comes back with `problems` naming each thing that is wrong.
    """
    body = _load(data)
    check = CertificateCheck()
    document = body.get("document")
    if not isinstance(document, dict):
        check.problems.append("the certificate has no document")
        return check
    check.document = document
    check.sha256 = str(body.get("sha256", ""))
    seq = body.get("audit_seq")
    check.audit_seq = seq if isinstance(seq, int) else None
    if digest(document) != check.sha256:
        check.problems.append("the document was changed: its SHA-256 does not match")
    try:
        public_key = base64.b64decode(str(body.get("public_key", "")), validate=True)
        key = VerifierKey(str(body.get("key_name", "")), public_key, check_signature)
    except (binascii.Error, NoteError):
        check.problems.append("the certificate's public key is malformed")
        return check
    check.key_sha256 = key_sha256(public_key)
    if pinned_key_sha256 is not None:
        check.pinned = True
        if pinned_key_sha256.strip().lower() != check.key_sha256:
            check.problems.append(
                "signed with a different key than the one you pinned "
                f"(this one is {check.key_sha256})"
            )
    _check_signed(check, body.get("signed_note"), key)
    return check


def _check_signed(check: CertificateCheck, note: object, key: VerifierKey) -> None:
    if not isinstance(note, str) or not note:
        check.problems.append("the certificate is not signed")
        return
    try:
        text, _ = open_note(note, [key])
    except NoteError as exc:
        check.problems.append(f"the signature does not verify: {exc}")
        return
    signed = _note_lines(text)
    if not text.startswith(FORMAT + "\n"):
        check.problems.append("the signed note is not a destruction certificate")
    if signed.get("sha256") != check.sha256:
        check.problems.append("the signed digest is not the document's")
    if signed.get("share") != str(check.document.get("share_id")):
        check.problems.append("the signed share is not the document's")
    if signed.get("audit-seq") != str(check.audit_seq):
        check.problems.append("the signed audit position is not the certificate's")
