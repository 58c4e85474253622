"""Attribution statistics: binomial tails, multiple testing, the issue's planning figures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outguard.protect.evidence import Evidence, binomial_tail, rows_needed


def _exact_tail(k, h, p):
    return sum(math.comb(k, i) * p**i * (1 - p) ** (k - i) for i in range(h, k + 1))


@given(st.integers(0, 40), st.integers(0, 45), st.floats(1e-6, 0.9))
def test_tail_matches_the_exact_sum(k, h, p):
    assert binomial_tail(k, h, p) == pytest.approx(
        _exact_tail(k, h, p), rel=1e-9, abs=1e-300
    )


def test_tail_edges():
    assert binomial_tail(5, 0, 0.1) == 1.0
    assert binomial_tail(5, 6, 0.1) == 0.0
    assert binomial_tail(5, 1, 0.0) == 0.0
    assert binomial_tail(5, 5, 1.0) == 1.0


def test_five_token_leak_among_fifty_recipients_matches_the_design_figure():
    # 10k SSNs sent: an innocent key lands in the sent set with p = 1e4 / 1e9 = 1e-5.
    evidence = Evidence("r", 5, 3, 1e-5, 0, 0)
    assert evidence.false_attribution(50) == pytest.approx(5e-13, rel=0.01)
    assert evidence.attributed(50)
    assert not Evidence("r", 5, 1, 1e-5, 0, 0).attributed(50)


def test_canaries_alone_attribute_tokens_alone_need_two_hits():
    assert Evidence("r", 0, 0, 1e-5, 1, 0).attributed(50)
    assert not Evidence("r", 1, 1, 1e-12, 0, 0).attributed(50)
    assert not Evidence("r", 0, 0, 1e-5, 0, 12).attributed(
        50
    )  # fingerprints are supporting only


def test_rows_needed_grows_with_hit_rate_and_recipients():
    assert rows_needed(1e-5, 50) == 3
    assert rows_needed(1e-2, 50) > rows_needed(1e-5, 50)
    assert rows_needed(1e-5, 10_000) >= rows_needed(1e-5, 50)
