"""C2SP signed notes and tlog-checkpoints, and the whole-log check against them.

Ed25519 stays in the security kernel (an import contract keeps `cryptography` out of
here): keys carry injected `sign` / `check` callables; the formats are pure Python.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from outguard.audit.chain import (
    EMPTY_ROOT,
    HASH_SIZE,
    Finding,
    Frontier,
    Problem,
    Row,
    classify,
    read_event,
)

ED25519_ALG: Final = 0x01  # signed-note signature type for Ed25519
ED25519_SIG_SIZE: Final = 64
MAX_SIGNATURES: Final = 100  # as in Go's note package: bounds work on hostile input
_SIG_PREFIX: Final = "— "  # U+2014 EM DASH, then a space
_DECIMAL: Final = re.compile(r"0|[1-9][0-9]{0,19}")
_TIME_PREFIX: Final = "time "
_MAX_MISMATCHES: Final = 64  # enough to find a swap partner, bounded on a wrecked log

SignFn = Callable[[bytes], bytes]
# (public_key, message, signature) -> valid; must return False, not raise, on junk.
CheckFn = Callable[[bytes, bytes, bytes], bool]


class NoteError(ValueError):
    """A note or checkpoint is malformed, unsigned or forged. Messages are safe to show."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise NoteError(f"{what} is not base64") from None
    if _b64(data) != text:  # one spelling only: no malleable padding bits
        raise NoteError(f"{what} is not canonical base64")
    return data


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError("key name must be non-empty, without spaces or '+'")


def _check_text(text: str, what: str = "note text") -> None:
    if not text.endswith("\n") or "\n\n" in "\n" + text:
        raise NoteError(f"{what} must be non-empty lines, each ending in a newline")
    if any(c < " " and c != "\n" for c in text):
        raise NoteError(f"{what} contains control characters")


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    material = name.encode() + b"\n" + bytes([ED25519_ALG]) + public_key
    return hashlib.sha256(material).digest()[:4]


@dataclass(frozen=True)
class _Key:
    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != HASH_SIZE:
            raise NoteError("an Ed25519 public key is 32 bytes")

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_key)


@dataclass(frozen=True)
class VerifierKey(_Key):
    """A trusted public key, e.g. the instance's log key or a vendor's witness key."""

    check: CheckFn = field(repr=False, compare=False)

    @property
    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(0x01 ‖ public key)>`, as Go's note package."""
        raw = bytes([ED25519_ALG]) + self.public_key
        return f"{self.name}+{self.key_hash.hex()}+{_b64(raw)}"

    @classmethod
    def from_vkey(cls, vkey: str, check: CheckFn) -> VerifierKey:
        parts = vkey.split("+", 2)
        if len(parts) != 3:  # noqa: PLR2004 — name, id, key
            raise NoteError("a verifier key is <name>+<key id>+<key>")
        name, hex_id, key_text = parts
        raw = _unb64(key_text, "verifier key")
        if raw[:1] != bytes([ED25519_ALG]):
            raise NoteError("only Ed25519 verifier keys are supported")
        key = cls(name, raw[1:], check)
        if hex_id != key.key_hash.hex():
            raise NoteError("verifier key id does not match its name and key")
        return key

    def verify(self, message: bytes, signature: bytes) -> bool:
        return len(signature) == ED25519_SIG_SIZE and self.check(
            self.public_key, message, signature
        )


@dataclass(frozen=True, repr=False)
class SignerKey(_Key):
    """A signing identity. `sign` closes over the private key, which is never shown."""

    sign: SignFn = field(compare=False)

    def __repr__(self) -> str:
        return f"SignerKey(name={self.name!r}, key_hash={self.key_hash.hex()}, private=<redacted>)"

    def verifier(self, check: CheckFn) -> VerifierKey:
        return VerifierKey(self.name, self.public_key, check)


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_hash: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    text: str  # the signed bytes, as UTF-8
    signatures: tuple[NoteSignature, ...]


def parse_note(note: str) -> Note:
    """Split a signed note into text and signature lines; no signature is checked."""
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no signature block")
    text, block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    _check_text(block, "signature block")
    signatures: list[NoteSignature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature lines start with an em dash")
        if len(signatures) == MAX_SIGNATURES:
            raise NoteError("too many signatures")
        name, _, encoded = line.removeprefix(_SIG_PREFIX).partition(" ")
        _check_name(name)
        raw = _unb64(encoded, "signature")
        if len(raw) < 5:  # noqa: PLR2004 — key id and at least one byte
            raise NoteError("signature too short")
        sig = NoteSignature(name, raw[:4], raw[4:])
        if any((s.name, s.key_hash) == (name, sig.key_hash) for s in signatures):
            raise NoteError(f"two signatures by key {name!r}")
        signatures.append(sig)
    return Note(text, tuple(signatures))


def _signature_line(text: str, signer: SignerKey) -> str:
    signature = signer.sign(text.encode())
    return f"{_SIG_PREFIX}{signer.name} {_b64(signer.key_hash + signature)}\n"


def sign_note(text: str, signer: SignerKey) -> str:
    _check_text(text)
    return text + "\n" + _signature_line(text, signer)


def open_note(
    note: str, trusted: Iterable[VerifierKey], *, ignore_unknown: bool = False
) -> tuple[str, tuple[str, ...]]:
    """(text, names of trusted signers); at least one, all valid, else `NoteError`.

    Other keys' signatures are rejected unless `ignore_unknown` (C2SP verifiers
    ignore them, so that third parties can add cosignatures).
    """
    parsed = parse_note(note)
    known = {(k.name, k.key_hash): k for k in trusted}
    message, signers = parsed.text.encode(), []
    for sig in parsed.signatures:
        key = known.get((sig.name, sig.key_hash))
        if key is None:
            if ignore_unknown:
                continue
            raise NoteError(f"signature by unknown key {sig.name!r}")
        if not key.verify(message, sig.signature):
            raise NoteError(f"signature by {sig.name!r} does not verify")
        signers.append(sig.name)
    if not signers:
        raise NoteError("no signature by a trusted key")
    return parsed.text, tuple(signers)


def cosign_note(note: str, signer: SignerKey, trusted: Iterable[VerifierKey]) -> str:
    """Add `signer`'s signature to a note that verifies: never cosign blindly."""
    text, _ = open_note(note, trusted, ignore_unknown=True)
    if any(s.name == signer.name for s in parse_note(note).signatures):
        raise NoteError(f"already signed by {signer.name!r}")
    return note + _signature_line(text, signer)


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint body: origin, tree size, base64 root, extension lines.

    `at`, if set, is the first extension line, `time <ISO-8601 UTC>`, whole seconds.
    """

    origin: str
    size: int
    root_hash: bytes
    at: datetime | None = None
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root_hash)]
        if self.at is not None:  # whole seconds; naive means UTC, as for events
            at = self.at.replace(tzinfo=self.at.tzinfo or UTC).astimezone(UTC)
            stamp = at.isoformat(timespec="seconds").replace("+00:00", "Z")
            lines.append(_TIME_PREFIX + stamp)
        text = "".join(line + "\n" for line in [*lines, *self.extensions])
        if not 0 <= self.size < 1 << 64 or len(self.root_hash) != HASH_SIZE:
            raise NoteError("checkpoint size or root hash out of range")
        if self.size == 0 and self.root_hash != EMPTY_ROOT:
            raise NoteError("an empty tree's root is the hash of nothing")
        if any(line.startswith(_TIME_PREFIX) for line in self.extensions):
            raise NoteError("set the time with `at`, not as an extension")
        _check_text(text, "checkpoint")
        return text

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        _check_text(text, "checkpoint")
        lines = text[:-1].split("\n")
        if len(lines) < 3:  # noqa: PLR2004 — origin, size, root
            raise NoteError("checkpoint needs origin, size and root lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text) or int(size_text) >= 1 << 64:
            raise NoteError("checkpoint tree size is not a decimal number")
        root_hash = _unb64(root_text, "checkpoint root")
        at = None
        if extensions and extensions[0].startswith(_TIME_PREFIX):
            try:
                at = datetime.fromisoformat(extensions.pop(0)[len(_TIME_PREFIX) :])
            except ValueError:
                raise NoteError("checkpoint time is not ISO-8601") from None
        checkpoint = cls(origin, int(size_text), root_hash, at, tuple(extensions))
        if checkpoint.body() != text:  # one spelling only (size, time, root length)
            raise NoteError("checkpoint is not in canonical form")
        return checkpoint


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    signers: tuple[str, ...]


def sign_checkpoint(checkpoint: Checkpoint, signer: SignerKey) -> str:
    return sign_note(checkpoint.body(), signer)


def open_checkpoint(
    note: str,
    trusted: Iterable[VerifierKey],
    *,
    origin: str | None = None,
    ignore_unknown: bool = False,
) -> SignedCheckpoint:
    """Verify the signatures, then parse; `origin` pins the expected log instance."""
    text, signers = open_note(note, trusted, ignore_unknown=ignore_unknown)
    checkpoint = Checkpoint.parse(text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError("checkpoint is from another log")
    return SignedCheckpoint(checkpoint, signers)


@dataclass(frozen=True)
class LogReport:
    events: int  # events hashed (all of them, unless a sequence error stopped us)
    root_hash: bytes
    covered: int  # events under the largest checkpoint that matched
    findings: tuple[Finding, ...]  # bad checkpoints first, then by sequence number

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return self.findings[0] if self.findings else None


class _Pass:  # one pass over the events, in sequence order
    def __init__(self, signed: list[tuple[int, int, bytes]]) -> None:
        self.signed = sorted(signed, reverse=True)  # pop() yields the smallest size
        self.frontier = Frontier()
        self.prev = self.covered = 0
        self.window: Finding | None = None  # first checkpoint the events do not match
        self.mismatched: list[Row] = []
        self._settle()

    def _settle(self) -> None:
        """Hold the root against every checkpoint whose size we have just reached."""
        while self.signed and self.signed[-1][0] == self.frontier.size:
            size, index, root_hash = self.signed.pop()
            if self.window is not None:
                continue
            if hmac.compare_digest(self.frontier.root(), root_hash):
                self.covered = size
            else:
                first = self.covered + 1
                detail = f"seq {first} to {size} do not match checkpoint {index}"
                self.window = Finding(Problem.EDITED, first, detail, size, index)

    def add(self, row: Row) -> None:
        seq, _, leaf, stored = row
        if stored and stored != leaf and len(self.mismatched) < _MAX_MISMATCHES:
            self.mismatched.append(row)
        self.frontier.append(leaf)
        self.prev = seq
        self._settle()

    def truncation(self) -> list[Finding]:
        if not self.signed:
            return []
        size, index, _ = self.signed[-1]
        detail = f"checkpoint {index} signs {size} events, the log has {self.prev}"
        return [Finding(Problem.DELETED, self.prev + 1, detail, size, index)]

    def edits(self) -> list[Finding]:
        found = [classify(self.mismatched)] if self.mismatched else []
        w = self.window
        if w and not (self.mismatched and self.mismatched[0][0] <= (w.last_seq or 0)):
            found.append(w)  # no stored hash explains it: report the range
        return found


def verify_log(
    events: Iterable[Mapping[str, object]],
    checkpoints: Sequence[str],
    trusted: Iterable[VerifierKey],
    *,
    origin: str | None = None,
    ignore_unknown: bool = False,
) -> LogReport:
    """Recompute the tree from the events and hold it against every signed checkpoint.

    `events`: in seq order, dicts of `EVENT_FIELDS` plus, optionally, the stored
    `leaf_hash`, which pinpoints an edit (else it is placed between two checkpoints).
    Never raises on bad data; the report names the first bad sequence number.
    """
    trusted = list(trusted)
    findings: list[Finding] = []
    signed: list[tuple[int, int, bytes]] = []
    for index, note in enumerate(checkpoints):
        try:
            cp = open_checkpoint(
                note, trusted, origin=origin, ignore_unknown=ignore_unknown
            )
        except NoteError as exc:
            bad = Finding(Problem.BAD_CHECKPOINT, None, str(exc), None, index)
            findings.append(bad)
        else:
            signed.append((cp.checkpoint.size, index, cp.checkpoint.root_hash))
    scan = _Pass(signed)
    for event in events:
        row = read_event(event, scan.prev)
        if isinstance(row, Finding):
            findings.append(row)  # later seqs cannot be placed: stop here
            break
        scan.add(row)
    else:
        findings.extend(scan.truncation())
    findings.extend(scan.edits())
    findings.sort(key=lambda f: (f.seq is not None, f.seq or 0))
    tree = scan.frontier
    return LogReport(tree.size, tree.root(), scan.covered, tuple(findings))
