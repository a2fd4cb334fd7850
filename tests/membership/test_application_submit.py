"""Applying bills the applicant through billing: prorated dues plus the admin fee."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from tide.billing.models import Invoice
from tide.membership.models import Application, MembershipPeriod, Proration
from tide.membership.services import ADMIN_FEE_KIND, DUES_KIND, application_submit

from .factories import application_data, make_application, make_level, set_rules

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 15)


def test_submitting_creates_an_application_awaiting_payment_and_an_open_invoice(
    member, rmt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application(member, rmt, today=JUNE)

    assert application.status == Application.Status.AWAITING_PAYMENT
    invoice = Invoice.objects.get(number=application.invoice_number)
    assert invoice.status == Invoice.Status.OPEN
    assert invoice.customer == member
    assert [(line.kind, line.unit_price_cents, line.reference) for line in invoice.lines.all()] == [
        (DUES_KIND, 175_00, str(application.pk)),
        (ADMIN_FEE_KIND, 50_00, str(application.pk)),
    ]
    assert "1 Dec 2025" not in invoice.lines.first().description
    assert "15 Jun 2026 to 30 Nov 2026 (6 of 12 months)" in invoice.lines.first().description
    # Ontario: 13% HST on 225.00
    assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (
        225_00,
        29_25,
        254_25,
    )
    assert [message.to for message in mail.outbox] == [[member.email]]  # billing's invoice email
    assert ModelLogEntry.objects.get(action="tide.membership.submit").user == member


def test_dues_are_not_taxed_when_the_association_says_so(member, rmt):
    set_rules(dues_taxable=False)

    application = make_application(member, rmt, today=JUNE)

    invoice = Invoice.objects.get(number=application.invoice_number)
    assert (invoice.tax_cents, invoice.total_cents) == (0, 225_00)


def test_a_level_without_admin_fee_has_one_line_and_full_year_without_proration(member):
    set_rules(proration=Proration.NONE)
    student = make_level(
        name="Student", slug="student", annual_price_cents=50_00, admin_fee_cents=0
    )

    application = make_application(member, student, today=JUNE, province="AB")

    invoice = Invoice.objects.get(number=application.invoice_number)
    assert [line.unit_price_cents for line in invoice.lines.all()] == [50_00]
    assert invoice.total_cents == 52_50  # GST 5%


def test_a_free_level_goes_straight_to_review(member):
    honorary = make_level(name="Honorary", slug="honorary", annual_price_cents=0, admin_fee_cents=0)

    application = make_application(member, honorary, today=JUNE)

    assert application.status == Application.Status.AWAITING_REVIEW
    assert Invoice.objects.get(number=application.invoice_number).status == Invoice.Status.PAID


def test_a_second_open_application_is_refused(member, rmt):
    make_application(member, rmt, today=JUNE)

    with pytest.raises(ValidationError) as error:
        make_application(member, rmt, today=JUNE)

    assert error.value.code == "open_application"
    assert Application.objects.count() == 1
    assert Invoice.objects.count() == 1


def test_someone_in_good_standing_cannot_apply_again(member, rmt):
    MembershipPeriod.objects.create(
        user=member, level=rmt, starts_on=date(2025, 12, 1), ends_on=date(2026, 11, 30)
    )

    with pytest.raises(ValidationError):
        make_application(member, rmt, today=JUNE)

    assert not Application.objects.exists()


def test_a_level_needing_a_registration_number_refuses_an_application_without_one(member, rmt):
    with pytest.raises(ValidationError):
        application_submit(
            user=member, level=rmt, data=application_data(registration_number=""), today=JUNE
        )

    assert not Application.objects.exists()
    assert not Invoice.objects.exists()


def test_a_student_level_refuses_an_application_without_school_and_graduation(member):
    student = make_level(
        name="Student", slug="student", requires_registration_number=False,
        requires_student_evidence=True,
    )  # fmt: skip

    with pytest.raises(ValidationError, match="school and expected graduation date"):
        application_submit(
            user=member, level=student, data=application_data(school="Mount Royal"), today=JUNE
        )

    assert not Application.objects.exists()


def test_privacy_must_be_accepted(member, rmt):
    with pytest.raises(ValidationError):
        make_application(member, rmt, today=JUNE, privacy_accepted=False)

    assert not Application.objects.exists()


def test_a_closed_level_takes_no_applications(member):
    closed = make_level(slug="closed", active=False)

    with pytest.raises(ValidationError):
        make_application(member, closed, today=JUNE)


def test_a_billing_failure_leaves_no_application(member, rmt):
    with pytest.raises(ValidationError):
        make_application(member, rmt, today=JUNE, province="XX")

    assert not Application.objects.exists()
    assert not Invoice.objects.exists()


def test_ticking_email_news_records_express_consent_with_the_forms_wording(member, rmt):
    from tests.membership.factories import application_data
    from tide.mailing.models import Consent, MailingList, MailingSettings
    from tide.membership.services import application_submit

    news = MailingList.objects.create(name="Community", slug="community")
    settings = MailingSettings.load()
    settings.home_list = news
    settings.save()

    application_submit(user=member, level=rmt, data=application_data(news_opt_in=True))

    consent = Consent.objects.get()
    assert (consent.mailing_list, consent.kind, consent.source) == (news, "express", "membership")
    assert consent.wording == "Send me the association's email news. I can unsubscribe at any time."
    assert consent.contact.email == member.email


def test_not_ticking_email_news_records_no_consent(member, rmt):
    from tests.membership.factories import application_data
    from tide.mailing.models import Consent, MailingList, MailingSettings
    from tide.membership.services import application_submit

    settings = MailingSettings.load()
    settings.home_list = MailingList.objects.create(name="Community", slug="community")
    settings.save()

    application_submit(user=member, level=rmt, data=application_data(news_opt_in=False))

    assert not Consent.objects.exists()
