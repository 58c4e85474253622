"""The validators' fast paths for nine ASCII digits say what stdnum says."""

from __future__ import annotations

import random

import pytest
from stdnum.us import ein, itin, rtn, ssn

from outguard.pii import validators as v


def _old_ssn(value):
    compact = v.digits(value)
    return len(compact) == 9 and compact not in v.SAMPLE_SSNS and ssn.is_valid(compact)


def _old_aba(value):
    compact = v.digits(value)
    if len(compact) != 9 or not rtn.is_valid(compact):
        return False
    prefix = int(compact[:2])
    return prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80


OLD = {
    v.is_valid_ssn: _old_ssn,
    v.is_valid_itin: lambda x: itin.is_valid(v.digits(x)),
    v.is_valid_ein: lambda x: ein.is_valid(v.digits(x)),
    v.is_valid_aba: _old_aba,
}


def _values(seed):
    rng = random.Random(seed)
    out = []
    for _ in range(6000):
        d = f"{rng.randint(0, 10**9 - 1):09d}"
        out += [
            d,
            f"{d[:3]}-{d[3:5]}-{d[5:]}",
            f"{d[:2]}-{d[2:]}",
            d[: rng.randint(0, 9)],
        ]
    out += ["078-05-1120", "457-55-5462", "219-09-9999", "123456789", "666-12-3456"]
    out += [
        "900-70-1234",
        "999-88-1234",
        "912-93-1234",
        "٣٢١-٤٥-٦٧٨٩",
        "１２３４５６７８９",
    ]
    out += ["01-2345678", "07-1234567", "9-1234567", "", "12345678901"]
    return out


@pytest.mark.parametrize("fast", list(OLD), ids=lambda f: f.__name__)
def test_fast_validator_equals_stdnum(fast):
    values = _values(len(fast.__name__))
    assert [fast(x) for x in values] == [OLD[fast](x) for x in values]
