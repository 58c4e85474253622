"""Datasets: the owner's files, stored encrypted on arrival, in versions, scanned at once."""
