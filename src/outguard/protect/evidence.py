"""The statistics of leak attribution: how likely is it that an innocent recipient matches?

A leaked token "hits" recipient R when R's key decrypts it into a value R was actually sent.
For a recipient who did not leak the file, a token behaves like a random element of the
token domain, so it hits with probability p = |sent to R| / |domain| (about 1e-5 for 10,000
SSNs). With k leaked tokens of which h hit, the chance of at least h hits by accident is the
binomial upper tail; testing n recipients multiplies it by at most n (Bonferroni). Canary
records add evidence of the same kind: an innocent recipient's rendition contains a given
canary value with probability ~0, because canary values are unique per recipient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Attribute only when an accidental match is this unlikely after the multiple-testing
# correction: far below any court's or insurer's threshold for coincidence.
ATTRIBUTION_THRESHOLD = 1e-9


def binomial_tail(k: int, h: int, p: float) -> float:
    """P(X >= h) for X ~ Binomial(k, p), computed in log space so tiny values stay exact-ish."""
    if h <= 0:
        return 1.0
    if h > k or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(k + 1)
        - math.lgamma(i + 1)
        - math.lgamma(k - i + 1)
        + i * log_p
        + (k - i) * log_q
        for i in range(h, k + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


@dataclass(frozen=True)
class Evidence:
    recipient: str
    tokens_tested: int  # leaked values that look like tokens of a tokenized column
    token_hits: (
        int  # ... that decrypt, under this recipient's key, into a value it was sent
    )
    hit_rate_if_innocent: float  # |sent| / |domain|, per token
    canaries_found: int  # canary values registered to this recipient
    fingerprint_hits: int  # rendered values registered to this recipient
    # Per field kind (kind, tested, hits, hit rate if innocent): kinds differ in domain size,
    # so each is weighed on its own and the tails multiply. Empty: the totals above.
    groups: tuple[tuple[str, int, int, float], ...] = ()

    def false_attribution(self, recipients_tested: int) -> float:
        """Probability that an innocent recipient shows evidence at least this strong."""
        if self.groups:
            p_tokens = math.prod(
                binomial_tail(tested, hits, p) for _, tested, hits, p in self.groups
            )
        else:
            p_tokens = binomial_tail(
                self.tokens_tested, self.token_hits, self.hit_rate_if_innocent
            )
        # A canary value is unique to its recipient: an innocent one matches only if the
        # 64-bit keyed fingerprint collides, ~2^-64 per value.
        p_canary = 2.0**-64 if self.canaries_found else 1.0
        return min(1.0, p_tokens * p_canary * max(1, recipients_tested))

    def attributed(self, recipients_tested: int) -> bool:
        strong_enough = (
            self.false_attribution(recipients_tested) <= ATTRIBUTION_THRESHOLD
        )
        return strong_enough and (self.token_hits >= 2 or self.canaries_found >= 1)  # noqa: PLR2004


def rows_needed(
    hit_rate: float, recipients: int, threshold: float = ATTRIBUTION_THRESHOLD
) -> int:
    """The fewest leaked tokens, all hitting, that cross the threshold: planning figure."""
    k = 1
    while binomial_tail(k, k, hit_rate) * recipients > threshold:
        k += 1
    return k
