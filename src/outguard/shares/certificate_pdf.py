"""A destruction certificate as PDF: printable for people, with the JSON attached for checking.

The printed page uses the PDF core font (Latin-1), so other characters in a typed reason
are shown as "?"; the attached `certificate.json` is exact and is what
`outguard certificate verify` reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from outguard.shares.certificates import ATTACHMENT

_MARGIN = 18
_LABEL_W = 42


def _latin1(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Page(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(
            0,
            8,
            "The attached certificate.json is the authoritative copy: "
            "outguard certificate verify THIS.pdf --key-sha256 <the owner's key>",
            align="C",
        )


def _row(pdf: FPDF, label: str, value: object, *, mono: bool = False) -> None:
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(_LABEL_W, 6, _latin1(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font("Courier" if mono else "Helvetica", size=8 if mono else 9)
    pdf.multi_cell(0, 6, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def certificate_pdf(
    certificate_file: bytes,
    *,
    client_name: str,
    names: Mapping[str, str],
) -> bytes:
    """Render the certificate file (`certificates.certificate_json`) as a one-page PDF.

    `names` maps recipient user ids to display names, for the reader; the signed
    document itself holds ids only.
    """
    body: dict[str, Any] = json.loads(certificate_file)
    document: dict[str, Any] = body["document"]
    pdf = _Page(format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title("Destruction certificate")
    pdf.set_author("outguard")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Certificate of destruction", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Issued for {client_name}. Every agent copy of the shared data listed "
            "below was destroyed by erasing its encryption key and deleting its stored "
            "file. The document's SHA-256 is recorded in the tamper-evident audit log "
            "and signed with the instance's audit key."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    issued = datetime.fromisoformat(document["issued_at"])
    _row(pdf, "Issued", issued.strftime("%Y-%m-%d %H:%M:%S UTC"))
    _row(pdf, "Reason", document.get("reason", ""))
    _row(pdf, "Share", document["share_id"], mono=True)
    _row(pdf, "Engagement", document["engagement_id"], mono=True)
    _row(pdf, "Dataset version", document["version_id"], mono=True)
    _row(pdf, "Method", document.get("method", ""))
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    destroyed = document.get("destroyed", [])
    pdf.cell(
        0, 8, f"Copies destroyed: {len(destroyed)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    for item in destroyed:
        who = names.get(str(item.get("recipient_user_id")), "an agent")
        _row(pdf, "Agent", who)
        _row(pdf, "  Rendition", item.get("rendition_id", ""), mono=True)
        _row(pdf, "  Key erased", f"{item.get('key_fingerprint', '')}", mono=True)
        _row(pdf, "  Copy SHA-256", item.get("output_sha256", ""), mono=True)
        _row(pdf, "  Destroyed at", item.get("destroyed_at", ""))
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, "How to check it", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _row(pdf, "Document SHA-256", body.get("sha256", ""), mono=True)
    _row(pdf, "Audit log event", f"#{body.get('audit_seq')}  (share:destroyed)")
    _row(pdf, "Signing key SHA-256", body.get("key_sha256", ""), mono=True)
    _row(pdf, "Signed note", body.get("signed_note") or "(not signed)", mono=True)
    pdf.embed_file(
        bytes=certificate_file,
        basename=ATTACHMENT,
        mime_type="application/json",
        desc="The signed certificate: outguard certificate verify",
    )
    return bytes(pdf.output())
