"""Engagements: the agreed security framework between a client and a vendor, enforced.

Vendors' agents, sub-contractor approvals, agreements and signatures, training, screening and
workstation attestations, office networks, and the gate every data access goes through.
"""
