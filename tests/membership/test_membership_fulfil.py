"""Paying the invoice hands the application to staff, once."""

from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

from tide.billing.models import Invoice
from tide.membership.models import Application
from tide.membership.services import membership_fulfil

from .factories import make_application, pay

pytestmark = pytest.mark.django_db


def test_paying_the_invoice_moves_the_application_to_review(member, rmt):
    application = pay(make_application(member, rmt))

    assert application.status == Application.Status.AWAITING_REVIEW
    assert application.paid_at is not None
    assert Invoice.objects.get(number=application.invoice_number).status == Invoice.Status.PAID
    assert ModelLogEntry.objects.filter(action="tide.membership.paid").count() == 1


def test_fulfilment_called_twice_moves_the_application_once(member, rmt):
    application = pay(make_application(member, rmt))
    paid_at = application.paid_at
    line = Invoice.objects.get(number=application.invoice_number).lines.get(kind="membership")

    membership_fulfil(line)
    membership_fulfil(line)

    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW
    assert application.paid_at == paid_at
    assert ModelLogEntry.objects.filter(action="tide.membership.paid").count() == 1


def test_fulfilment_never_reopens_a_decided_application(member, rmt, officer):
    from tide.membership.services import application_reject

    application = pay(make_application(member, rmt))
    application_reject(application=application, by=officer, reason="Not registered.")
    line = Invoice.objects.get(number=application.invoice_number).lines.get(kind="membership")

    membership_fulfil(line)

    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED


def test_approval_and_payment_put_the_member_on_the_news_list_with_implied_consent(
    member, rmt, officer
):
    from tide.mailing.models import Consent, MailingList, MailingSettings
    from tide.membership.services import application_approve

    from .factories import make_paid_application

    news = MailingList.objects.create(name="News", slug="news")
    settings = MailingSettings.load()
    settings.home_list = news
    settings.save()

    application_approve(application=make_paid_application(member, rmt), by=officer)

    sources = set(
        Consent.objects.filter(contact__email=member.email, mailing_list=news).values_list(
            "kind", "source"
        )
    )
    assert sources == {("implied", "purchase"), ("implied", "membership")}


def test_someone_who_left_the_list_is_not_put_back_by_paying(member, rmt, officer):
    from tide.mailing.models import Consent, MailingList, MailingSettings
    from tide.mailing.services import contact_for_email, contact_suppress

    news = MailingList.objects.create(name="News", slug="news")
    settings = MailingSettings.load()
    settings.home_list = news
    settings.save()
    contact_suppress(contact=contact_for_email(email=member.email), reason="unsubscribed")

    from .factories import make_paid_application

    make_paid_application(member, rmt)

    assert not Consent.objects.filter(contact__email=member.email).exists()
