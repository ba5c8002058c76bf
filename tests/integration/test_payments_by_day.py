"""The budget chart's points: a year's payments summed by day in SQL, exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from tests.payments_support import pay
from tests.support import World


def test_a_years_payments_are_summed_by_day_to_the_cent(world: World) -> None:
    w = world
    first, second, third = w.awarded(), w.awarded(), w.awarded()
    pay(w, first, "avance", Decimal("8000.10"))
    pay(w, second, "avance", Decimal("1000.25"))
    first_day = w.clock.now().date()
    w.clock.advance(days=3)
    pay(w, third, "avance", Decimal("500.05"))
    by_day = w.faps.queries.payments_by_day(w.secretariat, first_day.year)
    ledger = w.faps.queries.payments(w.secretariat, first_day.year)
    assert by_day[0] == (first_day, Decimal("9000.35"))
    assert [amount for _, amount in by_day] == [Decimal("9000.35"), Decimal("500.05")]
    assert sum(amount for _, amount in by_day) == sum(p.amount for p in ledger)
    assert w.faps.queries.payments_by_day(w.secretariat, first_day.year + 1) == []
