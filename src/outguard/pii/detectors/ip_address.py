"""IP addresses: dotted-quad IPv4 and full/compressed IPv6, validated by `ipaddress`."""

import re

from outguard.pii.detectors.base import PatternDetector
from outguard.pii.entities import Entity
from outguard.pii.validators import is_valid_ip

DETECTORS = (
    PatternDetector(
        name="ipv4",
        entity=Entity.IP_ADDRESS,
        pattern=re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"),
        validate=is_valid_ip,
        context=("ip", "ip address", "address", "login from", "host", "client"),
        negative=("version", "v.", "release", "build"),
        base_score=0.7,
        context_score=0.95,
    ),
    PatternDetector(
        name="ipv6",
        entity=Entity.IP_ADDRESS,
        pattern=re.compile(
            r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])"
        ),
        validate=is_valid_ip,
        context=("ip", "ipv6", "address", "host"),
        base_score=0.8,
        context_score=0.95,
    ),
)
