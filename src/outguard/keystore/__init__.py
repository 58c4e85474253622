"""The key store: wrapped tenant KEKs and per-object data keys; rotation and crypto-shredding.

Wrapped keys live only here. The root key stays with the `KeyProvider` (a file, an
environment variable, or later a KMS); nothing in the database is usable without it.
"""
