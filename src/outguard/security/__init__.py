"""The security kernel: pure code, no I/O. The only importer of cryptography, argon2 and pyotp."""
