from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from tide.lib.money import cents_from_dollars, format_basis_points, format_cad, percent_of


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (350_00, "$350.00"),
        (123_456, "$1,234.56"),
        (1_234_567_89, "$1,234,567.89"),
        (-500, "-$5.00"),
        (-123_456, "-$1,234.56"),
    ],
)
def test_amounts_are_shown_as_canadian_dollars(cents, shown):
    assert format_cad(cents) == shown


@pytest.mark.parametrize(
    ("cents", "basis_points", "tax"),
    [
        (350_00, 1300, 45_50),  # Ontario dues
        (350_00, 500, 17_50),
        (10, 500, 1),  # 0.5 cent rounds up
        (9, 500, 0),  # 0.45 cent rounds down
        (1_50, 1300, 20),  # 19.5 cents rounds up
        (-1_50, 1300, -20),  # a credit rounds away from zero the same way
        (99_99, 1400, 14_00),  # 13.9986 → 14.00
        (0, 1500, 0),
    ],
)
def test_tax_is_rounded_half_up_to_the_cent(cents, basis_points, tax):
    assert percent_of(cents, basis_points) == tax


@pytest.mark.parametrize(
    ("basis_points", "shown"), [(1300, "13%"), (500, "5%"), (1475, "14.75%"), (950, "9.5%")]
)
def test_rates_are_shown_as_percentages(basis_points, shown):
    assert format_basis_points(basis_points) == shown


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("350", 350_00),
        ("350.00", 350_00),
        ("350.5", 350_50),
        (" 350.05 ", 350_05),
        ("$1,350.00", 1_350_00),
        ("0.01", 1),
        (".75", 75),
    ],
)
def test_staff_can_type_dollars_the_usual_ways(typed, cents):
    assert cents_from_dollars(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("abc", "dollars and cents"),
        ("-5", "greater than zero"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("1e9", "dollars and cents"),
        ("12.345", "dollars and cents"),
        ("1,23.00", "dollars and cents"),
        ("NaN", "dollars and cents"),
        ("350.00.00", "dollars and cents"),
        ("99999999999", "no larger than"),
    ],
)
def test_amounts_that_are_not_money_are_refused_with_a_sentence(typed, message):
    with pytest.raises(ValidationError) as error:
        cents_from_dollars(typed)

    assert message in error.value.messages[0]


def test_templates_show_cents_with_the_cad_filter():
    template = Template("{% load billing_tags %}{{ total|cad }} at {{ rate|basis_points }}")

    assert template.render(Context({"total": 395_50, "rate": 1300})) == "$395.50 at 13%"
