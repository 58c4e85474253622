"""Evidence bundles: selected audit events that verify offline, with no outguard database.

A bundle is a zip of:
  manifest.json     format, origin, tree size, SHA-256 of every other file
  events.jsonl      the selected events, canonical fields (one JSON object per line)
  proofs.json       per event: its leaf index and RFC 9162 inclusion proof (hex)
  checkpoint.txt    the signed C2SP checkpoint the proofs lead to
  keys.json         the log's verifier key (C2SP vkey) and any co-signers' keys
  summary.html      a human-readable account of the above
  verify_bundle.py  the standalone verifier (stdlib + `cryptography`)

Verifying: every file's hash matches the manifest; the checkpoint's signature checks against
the pinned key (or the bundle's own, reported as such); each event re-hashes to a leaf whose
inclusion proof reaches the checkpoint's root.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from outguard.audit.chain import (
    EVENT_FIELDS,
    MerkleTree,
    canonical_event,
    format_at,
    leaf_hash,
    verify_inclusion,
)
from outguard.audit.checkpoint import NoteError, VerifierKey, open_checkpoint

FORMAT = "outguard-evidence/v1"
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 16
_FILES = ("events.jsonl", "proofs.json", "checkpoint.txt", "keys.json", "summary.html")


class BundleError(ValueError):
    """The bundle is malformed, truncated, altered or from another log (safe to show)."""


def event_json(event: dict[str, Any]) -> dict[str, Any]:
    """The canonical fields as plain JSON (times and ids as the canonical text)."""
    out = {name: event[name] for name in EVENT_FIELDS}
    out["at"] = format_at(event["at"])
    for name in ("actor_id", "org_id"):
        out[name] = None if out[name] is None else str(out[name])
    return out


def build_bundle(
    events: Sequence[dict[str, Any]],
    all_leaves: Sequence[bytes],
    note: str,
    tree_size: int,
    verifier: VerifierKey,
    *,
    created_at: datetime,
    cosigners: Sequence[VerifierKey] = (),
    selection: str = "the whole log",
) -> bytes:
    """The zip's bytes. `all_leaves` are the leaf hashes 1..tree_size of the stored log."""
    tree = MerkleTree(all_leaves[:tree_size])
    lines, proofs = [], []
    for event in events:
        doc = event_json(event)
        index = int(doc["seq"]) - 1
        if not 0 <= index < tree_size:
            msg = f"event {doc['seq']} is not covered by the checkpoint of size {tree_size}"
            raise BundleError(msg)
        lines.append(json.dumps(doc, sort_keys=True, ensure_ascii=False))
        proofs.append(
            {
                "seq": doc["seq"],
                "index": index,
                "proof": [h.hex() for h in tree.inclusion_proof(index, tree_size)],
            }
        )
    keys = {
        "log": verifier.vkey,
        "cosigners": [k.vkey for k in cosigners],
        "log_key_sha256": hashlib.sha256(verifier.public_key).hexdigest(),
    }
    files = {
        "events.jsonl": ("\n".join(lines) + ("\n" if lines else "")).encode(),
        "proofs.json": json.dumps(
            {"tree_size": tree_size, "proofs": proofs}, indent=1
        ).encode(),
        "checkpoint.txt": note.encode(),
        "keys.json": json.dumps(keys, indent=1).encode(),
    }
    files["summary.html"] = _summary(
        events, tree_size, verifier, created_at, selection
    ).encode()
    manifest = {
        "format": FORMAT,
        "origin": verifier.name,
        "tree_size": tree_size,
        "events": len(events),
        "selection": selection,
        "created_at": created_at.isoformat(),
        "sha256": {
            name: hashlib.sha256(data).hexdigest() for name, data in files.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        for name, data in files.items():
            zf.writestr(name, data)
        verifier_script = resources.files("outguard.audit").joinpath("verify_bundle.py")
        zf.writestr("verify_bundle.py", verifier_script.read_bytes())
    return buffer.getvalue()


def _summary(
    events: Sequence[dict[str, Any]],
    tree_size: int,
    verifier: VerifierKey,
    created_at: datetime,
    selection: str,
) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                e["seq"],
                format_at(e["at"]),
                e["tag"],
                e["actor_display"],
                e["subject_type"] or "",
                e["subject_id"] or "",
                json.dumps(e["details"], sort_keys=True),
            )
        )
        + "</tr>"
        for e in events
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>outguard audit evidence</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733}}
table{{border-collapse:collapse;font-size:.9rem}}td,th{{border:1px solid #ccd;padding:.3rem .5rem}}
th{{background:#eef2f7;text-align:left}}code{{background:#f4f6f8;padding:.1rem .3rem}}</style></head>
<body><h1>Audit evidence</h1>
<p>{len(events)} event(s) selected ({html.escape(selection)}) from the log
<code>{html.escape(verifier.name)}</code>, proven against its signed checkpoint of
{tree_size} events. Exported {html.escape(created_at.isoformat())}.</p>
<p>Log key SHA-256: <code>{hashlib.sha256(verifier.public_key).hexdigest()}</code> — compare it with
the fingerprint the log's owner gave you. To verify with no outguard installed:
<code>python verify_bundle.py this-bundle.zip --key-sha256 &lt;fingerprint&gt;</code></p>
<table><tr><th>seq</th><th>time (UTC)</th><th>event</th><th>actor</th><th>subject</th><th>id</th>
<th>details</th></tr>{rows}</table></body></html>
"""


@dataclass
class BundleReport:
    ok: bool
    origin: str = ""
    tree_size: int = 0
    events: int = 0
    pinned: bool = False  # the log key was checked against a key the verifier trusts
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "origin": self.origin,
            "tree_size": self.tree_size,
            "events": self.events,
            "key_pinned": self.pinned,
            "problems": self.problems,
        }


def _read(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("the bundle is larger than any bundle outguard writes")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise BundleError("the bundle has unexpected extra files")
            if sum(i.file_size for i in infos) > MAX_BUNDLE_BYTES:
                raise BundleError("the bundle expands beyond any size outguard writes")
            return {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise BundleError(f"not a readable zip (truncated or damaged): {exc}") from None


def _check_files(files: dict[str, bytes], report: BundleReport) -> dict[str, Any]:
    manifest = json.loads(files["manifest.json"])
    if manifest.get("format") != FORMAT:
        msg = "not an outguard evidence bundle (unknown format)"
        raise BundleError(msg)
    missing = [name for name in _FILES if name not in files]
    if missing:
        msg = f"{', '.join(missing)} missing"
        raise BundleError(msg)
    report.problems += [
        f"{name} was altered after export"
        for name in _FILES
        if hashlib.sha256(files[name]).hexdigest() != manifest["sha256"].get(name)
    ]
    return dict(manifest)


def _check_events(
    files: dict[str, bytes], size: int, root: bytes, report: BundleReport
) -> None:
    proofs = {p["seq"]: p for p in json.loads(files["proofs.json"])["proofs"]}
    lines = files["events.jsonl"].decode().splitlines()
    for line in lines:
        event = json.loads(line)
        seq = event.get("seq")
        proof = proofs.get(seq)
        try:
            leaf = leaf_hash(canonical_event(event))
        except (TypeError, ValueError) as exc:
            report.problems.append(f"event {seq}: malformed ({exc})")
            continue
        path = [bytes.fromhex(h) for h in proof["proof"]] if proof else []
        if proof is None or not verify_inclusion(leaf, seq - 1, size, path, root):
            report.problems.append(
                f"event {seq}: not in the signed log as exported (edited or forged)"
            )
    report.events = len(lines)


def verify_bundle(
    data: bytes, check: Any, *, pinned_key_sha256: str | None = None
) -> BundleReport:
    """Check a bundle completely; never raises on bad input, lists every problem found."""
    report = BundleReport(ok=False)
    try:
        files = _read(data)
        _check_files(files, report)
        keys = json.loads(files["keys.json"])
        verifier = VerifierKey.from_vkey(keys["log"], check)
        report.origin = verifier.name
        if pinned_key_sha256 is not None:
            report.pinned = True
            if (
                hashlib.sha256(verifier.public_key).hexdigest()
                != pinned_key_sha256.lower()
            ):
                report.problems.append("the bundle is signed by another log's key")
        note = files["checkpoint.txt"].decode()
        cp = open_checkpoint(note, [verifier], origin=verifier.name).checkpoint
        report.tree_size = cp.size
        _check_events(files, cp.size, cp.root_hash, report)
    except BundleError as exc:
        report.problems.append(str(exc))
    except NoteError as exc:
        report.problems.append(f"the checkpoint: {exc}")
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        report.problems.append(f"the bundle is malformed: {type(exc).__name__}")
    report.ok = not report.problems
    return report
