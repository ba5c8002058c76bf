"""The legal caps of every fonds de concours, whatever the règlement says (reference/law.md).

Written once: the assessment computes them on the planned figures, a reduction checks them again
on the real ones.
"""

from __future__ import annotations

from decimal import Decimal

HALF = Decimal("0.5")
MIN_OWNER_SHARE = Decimal("0.2")  # CGCT L1111-10 III: the owner pays ≥ 20 % of public money


def half_share_cap(total: Decimal, public: Decimal, private: Decimal) -> Decimal:
    """CGCT L5216-5 VI: the grant may not exceed the commune's own net share, i.e. half of
    what the other fundings leave."""
    return (total - public - private) * HALF


def min_participation_cap(total: Decimal, public: Decimal, private: Decimal) -> Decimal:
    """CGCT L1111-10 III: the commune, owner of the project, pays at least 20 % of the public
    financing, so the public fundings (this grant included) are at most 80 % of it."""
    return (1 - MIN_OWNER_SHARE) * (total - private) - public


def legal_max(total: Decimal, public: Decimal, private: Decimal) -> Decimal:
    """Return the largest grant both legal caps allow."""
    return min(half_share_cap(total, public, private),
               min_participation_cap(total, public, private))
