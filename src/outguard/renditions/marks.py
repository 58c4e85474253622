"""What the instance knows of each recipient: token key uses and keyed fingerprint sets.

Re-identification and tracing both start here: the union, over a recipient's renditions, of
the token versions that reverse its tokens, the fingerprints of the originals it was sent,
of its canary values and of the pseudonyms it saw.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from outguard.db import Session
from outguard.keystore.repository import KeyRepository
from outguard.keystore.service import create_data_key, load_data_key
from outguard.keystore.tokens import recipient_scope
from outguard.protect import fingerprints as fp
from outguard.renditions.keys import TokenUse
from outguard.renditions.repository import RenditionRepository
from outguard.security.aead import KeyProvider
from outguard.types import Clock

FINGERPRINT_PURPOSE = "fingerprint"
SENT, CANARY, RENDERED = "sent", "canary", "rendered"


def fingerprint_key(
    session: Session,
    provider: KeyProvider,
    *,
    tenant: str,
    clock: Clock,
    create: bool = True,
) -> bytes | None:
    """The tenant's fingerprint key (made on first use); None if none yet and not creating."""
    key_id = f"fpr/{recipient_scope(tenant, '*')}/v1"
    if KeyRepository(session).data_key(key_id) is None:
        if not create:
            return None
        return create_data_key(
            session,
            provider,
            tenant=tenant,
            key_id=key_id,
            purpose=FINGERPRINT_PURPOSE,
            clock=clock,
        )
    return load_data_key(session, provider, tenant=tenant, key_id=key_id)


def label(role: str, kind: str) -> str:
    """The fingerprint label of a set (BLAKE2b personalisation, 16 bytes at most)."""
    return CANARY if role == CANARY else f"{role[:4]}/{kind}"


@dataclass
class RecipientMarks:
    recipient: str
    renditions: list[str] = field(default_factory=list)
    uses: dict[str, list[TokenUse]] = field(default_factory=dict)  # kind -> uses
    sent: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> sorted digests
    rendered: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # person/address -> digests
    canary: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @property
    def empty(self) -> bool:
        return not self.renditions


def load_marks(
    session: Session, tenant: str, recipient: str | None = None
) -> dict[str, RecipientMarks]:
    """Recipient -> its marks, over every rendition made for it (or for all recipients)."""
    repo = RenditionRepository(session)
    renditions = repo.renditions(tenant, recipient)
    owner = {r.id: r.recipient for r in renditions}
    out: dict[str, RecipientMarks] = {}
    uses: dict[str, dict[str, set[TokenUse]]] = defaultdict(lambda: defaultdict(set))
    for r in renditions:
        marks = out.setdefault(r.recipient, RecipientMarks(r.recipient))
        marks.renditions.append(r.id)
        for use in r.token_uses:
            parsed = TokenUse.from_dict(use)
            uses[r.recipient][parsed.kind].add(parsed)
    sets: dict[tuple[str, str, str], list[np.ndarray]] = defaultdict(list)
    for mark in repo.marks(list(owner)):
        sets[(owner[mark.rendition_id], mark.role, mark.kind)].append(
            fp.from_bytes(mark.digests)
        )
    for (who, role, kind), arrays in sets.items():
        merged = fp.union(arrays)
        marks = out[who]
        if role == SENT:
            marks.sent[kind] = merged
        elif role == RENDERED:
            marks.rendered[kind] = merged
        else:
            marks.canary = fp.union([marks.canary, merged])
    for who, kinds in uses.items():
        out[who].uses = {
            k: sorted(v, key=lambda u: (u.version, u.keep_first, u.keep_last))
            for k, v in kinds.items()
        }
    return out
