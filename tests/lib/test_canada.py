from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tide.lib.canada import PROVINCES, postal_code_format, postal_code_validator


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("k1a0b1", "K1A 0B1"),
        ("K1A 0B1", "K1A 0B1"),
        ("  k1a   0b1 ", "K1A 0B1"),
        ("b3h1a1", "B3H 1A1"),
        ("V6B 4Y8", "V6B 4Y8"),
        ("X0A 0H0", "X0A 0H0"),
    ],
)
def test_postal_code_is_written_in_capitals_with_one_space(typed, stored):
    assert postal_code_format(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "12345",
        "12345-6789",
        "D1A 0B1",  # D never appears
        "K1D 0B1",
        "W1A 0B1",  # W never leads
        "Z1A 0B1",  # Z never leads
        "K1A 0O1",  # O never appears
        "K1A0B",
        "K1A 0B12",
        "K1A-0B1",
        "SW1A 1AA",  # a British postcode
    ],
)
def test_anything_that_is_not_a_canadian_postal_code_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        postal_code_format(typed)

    assert error.value.messages == ["Enter a Canadian postal code, like K1A 0B1."]


def test_validator_accepts_a_postal_code_and_refuses_a_zip_code():
    postal_code_validator("k1a 0b1")
    with pytest.raises(ValidationError):
        postal_code_validator("90210")


def test_all_thirteen_provinces_and_territories_are_listed():
    codes = [code for code, _ in PROVINCES]

    assert len(codes) == 13
    assert {"ON", "QC", "NS", "BC", "NU", "YT", "NT", "PE"} <= set(codes)
