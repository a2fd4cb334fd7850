"""Capacity is exact under concurrency (PostgreSQL: real row locks, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connections

from tests.billing.threads import on_postgresql
from tide.accounts.models import User
from tide.education.models import Event, Registration
from tide.education.services import registration_create

from .factories import make_event

Status = Registration.Status
REGISTRANTS = 200
SEATS = 50
# PostgreSQL here allows 100 connections, shared with other test runs: the 200 registrations
# start together from 40 connections (5 each), all racing for the event's row lock.
CONNECTIONS = 40


def _registrants(run: int) -> list[User]:
    password = make_password(None)
    return User.objects.bulk_create(
        User(email=f"racer{run}-{i}@example.com", password=password) for i in range(REGISTRANTS)
    )


def _race(event: Event, users: list[User]) -> list[BaseException]:
    barrier = threading.Barrier(CONNECTIONS)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(offset: int) -> None:
        try:
            barrier.wait()
            for user in users[offset::CONNECTIONS]:
                registration_create(event=event, user=user, province="ON")
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("price", [0, 95_00], ids=["free", "paid"])
def test_200_registrations_for_50_seats_give_50_seats_and_150_waitlisted_every_time(price):
    for run in range(3):
        event = make_event(capacity=SEATS, member_price_cents=price, non_member_price_cents=price)
        errors = _race(event, _registrants(run if price == 0 else run + 10))
        assert errors == []
        seat = Status.CONFIRMED if price == 0 else Status.AWAITING_PAYMENT
        assert Registration.objects.filter(event=event, status=seat).count() == SEATS
        assert Registration.objects.filter(event=event, status=Status.WAITLISTED).count() == 150
        assert Event.objects.get(pk=event.pk).seats_taken == SEATS


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_person_clicking_register_ten_times_at_once_gets_one_registration():
    user = User.objects.create_user(email="clicker@example.com", password=None)
    event = make_event(capacity=5)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait()
            registration_create(event=event, user=user, province="ON")
            result = "ok"
        except ValidationError as error:
            result = error.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["twice"] * 9
    assert Registration.objects.filter(event=event).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1
