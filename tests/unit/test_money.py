from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from faps.domain.money import (
    MAX_AMOUNT,
    NARROW_NBSP,
    NBSP,
    Euros,
    cents,
    format_euros,
    parse_amount,
    round_down,
)


class Priced(BaseModel):
    amount: Euros


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        (f"1{NARROW_NBSP}234,50", "1234.50"),
        (f"1{NBSP}234,5", "1234.50"),
        ("  42 ", "42.00"),
        ("0", "0.00"),
        (40000, "40000.00"),
        (Decimal("7.1"), "7.10"),
        ("1000000000.00", "1000000000.00"),
    ],
)
def test_accepts_amounts_written_the_french_or_the_json_way(raw: object, expected: str) -> None:
    value = parse_amount(raw)
    assert value == Decimal(expected)
    assert str(value) == expected


def test_minus_zero_is_plain_zero() -> None:
    assert str(parse_amount("-0")) == "0.00"


@pytest.mark.parametrize("raw", [12.5, 0.0, True, False])
def test_refuses_floats_and_booleans(raw: object) -> None:
    with pytest.raises(ValueError, match="sous forme de texte"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["-0.01", "-5", -3, Decimal("-1.00")])
def test_refuses_negative_amounts(raw: object) -> None:
    with pytest.raises(ValueError, match="négatif"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["1.001", "0.005", "12,345", Decimal("3.14159")])
def test_refuses_more_than_two_decimals(raw: object) -> None:
    with pytest.raises(ValueError, match="deux décimales"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["abc", "", "12€", "1.234,50", "1,2,3", "--1", "0x10", "1e3",
                                 "2E2", "1_000"])
def test_refuses_garbage(raw: str) -> None:
    with pytest.raises(ValueError, match="pas un montant valide"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", None, [], {"a": 1}])
def test_refuses_non_finite_and_non_amounts(raw: object) -> None:
    with pytest.raises(ValueError, match="montant invalide"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["1000000000.01", "9" * 30 + ".5", "9" * 40, 10**40])
def test_refuses_amounts_above_the_maximum_without_crashing(raw: object) -> None:
    with pytest.raises(ValueError, match="dépasse"):
        parse_amount(raw)


def test_maximum_amount_is_a_billion() -> None:
    assert parse_amount(str(MAX_AMOUNT)) == MAX_AMOUNT


def test_euros_field_reports_a_french_validation_error() -> None:
    with pytest.raises(ValidationError, match="négatif"):
        Priced.model_validate({"amount": "-1"})


def test_euros_field_serializes_as_a_string_with_two_decimals() -> None:
    assert Priced.model_validate({"amount": "12,5"}).model_dump(mode="json") == {"amount": "12.50"}
    assert Priced.model_validate({"amount": "12,5"}).model_dump() == {"amount": Decimal("12.50")}


def test_cents_rounds_half_up() -> None:
    assert cents(Decimal("1.005")) == Decimal("1.01")
    assert cents(Decimal("1.004")) == Decimal("1.00")


def test_grant_is_rounded_down_to_the_cent() -> None:
    assert round_down(Decimal("1.009")) == Decimal("1.00")
    assert round_down(Decimal("29999.9999")) == Decimal("29999.99")
    assert str(round_down(Decimal("5"))) == "5.00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "0,00"),
        ("5", "5,00"),
        ("999.99", "999,99"),
        ("1000", f"1{NARROW_NBSP}000,00"),
        ("1234567.8", f"1{NARROW_NBSP}234{NARROW_NBSP}567,80"),
        ("-1500.25", f"-1{NARROW_NBSP}500,25"),
    ],
)
def test_formats_euros_the_french_way(value: str, expected: str) -> None:
    assert format_euros(Decimal(value)) == expected + NBSP + "€"
