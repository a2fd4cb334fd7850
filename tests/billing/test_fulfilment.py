from __future__ import annotations

import pytest

from tide.billing.fulfilment import (
    UnknownFulfilment,
    fulfilment_for,
    register_fulfilment,
    unregister_fulfilment,
)


def test_a_kind_registered_by_an_app_is_found_at_pay_time():
    def deliver(line):
        return None

    register_fulfilment("course-seat", deliver)
    try:
        assert fulfilment_for("course-seat") is deliver
    finally:
        unregister_fulfilment("course-seat")


def test_two_apps_cannot_claim_the_same_kind():
    register_fulfilment("insurance", print)
    try:
        with pytest.raises(ValueError, match="already registered"):
            register_fulfilment("insurance", repr)
        register_fulfilment("insurance", print)  # registering the same handler again is harmless
    finally:
        unregister_fulfilment("insurance")


def test_an_unknown_kind_is_an_error():
    with pytest.raises(UnknownFulfilment, match="nobody-sells-this"):
        fulfilment_for("nobody-sells-this")


@pytest.mark.parametrize("kind", ["", "x" * 41])
def test_a_kind_is_a_short_name(kind):
    with pytest.raises(ValueError):
        register_fulfilment(kind, print)


def test_manual_charges_need_no_fulfilment():
    assert fulfilment_for("manual")(None) is None
