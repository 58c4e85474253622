"""Streaming AEAD throughput vs `openssl speed -evp aes-256-gcm` (1 MiB blocks), same run.

Issue 3 asks for at least 80 % of OpenSSL's raw AES-256-GCM speed for a 1 GiB stream.
The stream is produced and consumed in 1 MiB chunks, so memory stays flat.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

from outguard.security.aead import new_key
from outguard.security.stream import decrypt_stream, encrypt_stream

MIB = 1 << 20


def openssl_bytes_per_second(seconds: int = 3) -> float | None:
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(
        [
            "openssl",
            "speed",
            "-evp",
            "aes-256-gcm",
            "-bytes",
            str(MIB),
            "-seconds",
            str(seconds),
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    match = re.search(r"AES-256-GCM\s+([\d.]+)k", out)
    return float(match.group(1)) * 1000 if match else None


def ours_bytes_per_second(total_mib: int) -> tuple[float, float]:
    dek = new_key()
    block = bytes(MIB)
    start = time.perf_counter()
    sink = 0
    for piece in encrypt_stream(
        dek, "bench", (block for _ in range(total_mib)), chunk_size=MIB
    ):
        sink += len(piece)
    enc = total_mib * MIB / (time.perf_counter() - start)
    ciphertext = list(
        encrypt_stream(
            dek, "bench", (block for _ in range(min(total_mib, 256))), chunk_size=MIB
        )
    )
    start = time.perf_counter()
    plain = sum(len(p) for p in decrypt_stream(dek, ciphertext))
    dec = plain / (time.perf_counter() - start)
    return enc, dec


def main() -> int:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    reference = openssl_bytes_per_second()
    enc, dec = ours_bytes_per_second(total)
    print(
        f"stream encrypt {total} MiB: {enc / 1e9:6.2f} GB/s   decrypt: {dec / 1e9:6.2f} GB/s"
    )
    if reference is None:
        print("openssl not found: no reference")
        return 0
    print(f"openssl speed aes-256-gcm 1 MiB blocks: {reference / 1e9:6.2f} GB/s")
    print(
        f"ratio encrypt/openssl: {enc / reference:5.1%}   decrypt/openssl: {dec / reference:5.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
