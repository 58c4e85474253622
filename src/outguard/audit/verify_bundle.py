#!/usr/bin/env python3
"""Verify an outguard audit evidence bundle with no outguard installed.

Needs only the Python standard library and `cryptography` (pip install cryptography).

    python verify_bundle.py bundle.zip --key-sha256 <the log key fingerprint you were given>

Checks: every file's SHA-256 against the manifest; the checkpoint's Ed25519 signature (C2SP
signed note) against the log key; that the key is the one you pinned; and that every event,
re-encoded canonically, is a leaf whose RFC 9162 inclusion proof reaches the signed root.
Exit status 0 if everything holds, 1 otherwise, with one line per problem.

This file deliberately repeats the canonical encoding and the proof check instead of
importing outguard: an auditor can read all of it in a few minutes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import zipfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = b"outguard.audit.event/v1\n"
FIELDS = [
    "seq", "at", "actor_kind", "actor_id", "actor_display", "org_id", "request_id", "ip",
    "user_agent", "tag", "subject_type", "subject_id", "details",
]  # fmt: skip
FILES = ("events.jsonl", "proofs.json", "checkpoint.txt", "keys.json", "summary.html")


def leaf(event: dict) -> bytes:  # type: ignore[type-arg]
    if sorted(event) != sorted(FIELDS):
        raise ValueError("unexpected or missing fields")
    body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(b"\x00" + PREFIX + body.encode("utf-8")).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(
    leaf_hash: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def parse_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    name, key_id, encoded = vkey.split("+", 2)
    raw = base64.b64decode(encoded, validate=True)
    if raw[:1] != b"\x01" or len(raw) != 1 + 32:  # Ed25519 type byte + public key
        raise ValueError("not an Ed25519 verifier key")
    public = raw[1:]
    expected = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    if bytes.fromhex(key_id) != expected:
        raise ValueError("verifier key id does not match")
    return name, public, expected


def open_checkpoint(
    note: str, name: str, public: bytes, key_id: bytes
) -> tuple[int, bytes]:
    """The checkpoint's (origin, size, root) if the log key signed it."""
    cut = note.rfind("\n\n")
    text, block = note[: cut + 1], note[cut + 2 :]
    for line in block.splitlines():
        signer, _, encoded = line.removeprefix("\u2014 ").partition(" ")
        raw = base64.b64decode(encoded, validate=True)
        if signer == name and raw[:4] == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(
                    raw[4:], text.encode()
                )
            except InvalidSignature:
                raise ValueError("the checkpoint signature does not verify") from None
            origin, size, root = text.splitlines()[:3]
            if origin != name:
                raise ValueError("the checkpoint is from another log")
            return int(size), base64.b64decode(root, validate=True)
    raise ValueError("the checkpoint is not signed by the log key")


def verify(data: bytes, pinned: str | None = None) -> tuple[str, int, int, list[str]]:
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n != "verify_bundle.py"}
    manifest = json.loads(files["manifest.json"])
    problems += [
        f"{name} was altered after export"
        for name in FILES
        if hashlib.sha256(files[name]).hexdigest() != manifest["sha256"][name]
    ]
    keys = json.loads(files["keys.json"])
    name, public, key_id = parse_vkey(keys["log"])
    if pinned and hashlib.sha256(public).hexdigest() != pinned.lower():
        problems.append("the bundle is signed by another log's key")
    size, root = open_checkpoint(files["checkpoint.txt"].decode(), name, public, key_id)
    proofs = {p["seq"]: p for p in json.loads(files["proofs.json"])["proofs"]}
    count = 0
    for line in files["events.jsonl"].decode().splitlines():
        event = json.loads(line)
        count += 1
        proof = proofs.get(event["seq"])
        path = [bytes.fromhex(h) for h in proof["proof"]] if proof else []
        if proof is None or not included(
            leaf(event), event["seq"] - 1, size, path, root
        ):
            problems.append(f"event {event['seq']}: not in the signed log as exported")
    return name, size, count, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="the evidence bundle (.zip)")
    parser.add_argument("--key-sha256", help="the log key fingerprint you trust (hex)")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, "rb") as fh:
            name, size, count, problems = verify(fh.read(), args.key_sha256)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        print(f"FAILED: the bundle cannot be read or checked: {exc}")
        return 1
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        return 1
    pinned = (
        "pinned key"
        if args.key_sha256
        else "the key inside the bundle (pass --key-sha256)"
    )
    print(
        f"OK: {count} event(s) proven in {name} at tree size {size}, signed by {pinned}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
