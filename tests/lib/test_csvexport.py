from __future__ import annotations

import pytest

from tide.lib.csvexport import safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1 416 555 0142", "'+1 416 555 0142"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Amélie Côté", "Amélie Côté"),
        (None, ""),
        (350, "350"),
    ],
)
def test_cells_that_would_run_as_formulas_are_escaped(value, cell):
    assert safe_cell(value) == cell
