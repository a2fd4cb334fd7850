"""Renewing: the renew page, the renewal invoice, the late fee and the next period once paid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.billing.threads import on_postgresql, run_together
from tide.billing.models import Invoice, Payment
from tide.billing.services import payment_record
from tide.membership.models import MembershipPeriod, MemberStatus, membership_status
from tide.membership.renewals import (
    LATE_FEE_KIND,
    RENEWAL_KIND,
    RenewalInvoiceOpen,
    membership_renew,
    membership_renewal_fulfil,
)

from .factories import make_period, set_rules

pytestmark = pytest.mark.django_db

RENEW = reverse("membership:renew")
PORTAL = reverse("membership:portal")


def today() -> date:
    return timezone.localdate()


def pay(invoice: Invoice) -> None:
    payment_record(
        invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.ETRANSFER
    )


def test_the_renew_page_shows_what_will_be_billed_and_changes_nothing(client, member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=10))
    client.force_login(member)

    response = client.get(RENEW)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Renew your RMT membership from" in text
    assert "$350.00" in text
    assert "Late fee" not in text
    assert Invoice.objects.count() == 0
    assert not ModelLogEntry.objects.filter(action="tide.membership.renew").exists()


def test_confirming_issues_one_renewal_invoice_referencing_the_current_period(client, member, rmt):
    period = make_period(member, rmt, ends_on=today() + timedelta(days=30))
    client.force_login(member)

    response = client.post(RENEW)

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response.url == invoice.get_absolute_url()
    assert invoice.status == Invoice.Status.OPEN
    assert invoice.customer == member
    line = invoice.lines.get()
    assert (line.kind, line.reference, line.unit_price_cents) == (
        RENEWAL_KIND,
        str(period.pk),
        350_00,
    )
    assert invoice.total_cents == 395_50  # HST 13% (no application: the association's ON)


def test_a_double_post_leads_to_the_same_open_invoice(client, member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=30))
    client.force_login(member)

    first = client.post(RENEW)
    second = client.post(RENEW)

    assert Invoice.objects.count() == 1
    assert second.status_code == 302
    assert second.url == first.url
    assert "already have a renewal invoice" in client.get(RENEW).content.decode()


def test_renewing_after_the_period_ended_adds_the_late_fee(member, rmt):
    rmt.late_fee_cents = 50_00
    rmt.save()
    period = make_period(member, rmt, ends_on=date(2026, 11, 30))

    invoice = membership_renew(user=member, today=date(2026, 12, 5))

    late = invoice.lines.get(kind=LATE_FEE_KIND)
    assert (late.unit_price_cents, late.reference) == (50_00, str(period.pk))
    assert invoice.subtotal_cents == 400_00


def test_renewing_on_the_last_day_has_no_late_fee(member, rmt):
    rmt.late_fee_cents = 50_00
    rmt.save()
    make_period(member, rmt, ends_on=date(2026, 11, 30))

    invoice = membership_renew(user=member, today=date(2026, 11, 30))

    assert not invoice.lines.filter(kind=LATE_FEE_KIND).exists()


def test_the_renew_page_shows_the_late_fee_during_grace(client, member, rmt):
    rmt.late_fee_cents = 50_00
    rmt.save()
    make_period(member, rmt, ends_on=today() - timedelta(days=3))
    client.force_login(member)

    text = client.get(RENEW).content.decode()

    assert "Late fee" in text
    assert "$50.00" in text


def test_paying_the_renewal_adds_the_next_period_once_and_the_member_stays_active(member, rmt):
    set_rules(renewal_month=12, renewal_day=1)
    ends_on = today() + timedelta(days=20)
    period = make_period(member, rmt, ends_on=ends_on)
    invoice = membership_renew(user=member)

    pay(invoice)
    membership_renewal_fulfil(invoice.lines.get(kind=RENEWAL_KIND))  # a second delivery

    renewed = MembershipPeriod.objects.get(renewal_of=period)
    assert MembershipPeriod.objects.filter(user=member).count() == 2
    assert renewed.starts_on == ends_on + timedelta(days=1)
    assert (renewed.ends_on.month, renewed.ends_on.day) == (11, 30)
    assert renewed.ends_on > renewed.starts_on + timedelta(days=300)
    assert renewed.level == rmt
    assert membership_status(member, renewed.ends_on) == MemberStatus.ACTIVE
    assert membership_status(member, renewed.ends_on + timedelta(days=1)) == MemberStatus.IN_GRACE
    assert ModelLogEntry.objects.filter(action="tide.membership.renewed").count() == 1


def test_paying_during_grace_starts_the_next_period_today(member, rmt):
    period = make_period(member, rmt, ends_on=today() - timedelta(days=10))
    invoice = membership_renew(user=member)

    pay(invoice)

    renewed = MembershipPeriod.objects.get(renewal_of=period)
    assert renewed.starts_on == today()
    assert (renewed.ends_on.month, renewed.ends_on.day) == (11, 30)
    assert (renewed.ends_on - renewed.starts_on).days >= 90  # never a few days for a full year
    assert membership_status(member, today()) == MemberStatus.ACTIVE


@pytest.mark.parametrize("days_left", [20, -10])  # before the end, and late, during grace
def test_on_anniversaries_renewing_keeps_the_members_date(member, rmt, days_left):
    set_rules(term="anniversary")
    ends_on = today() + timedelta(days=days_left)
    period = make_period(member, rmt, ends_on=ends_on)

    pay(membership_renew(user=member))

    renewed = MembershipPeriod.objects.get(renewal_of=period)
    assert renewed.starts_on == ends_on + timedelta(days=1)
    assert renewed.ends_on == ends_on.replace(year=ends_on.year + 1)


def test_the_join_page_says_how_long_the_first_year_runs(client, rmt):
    set_rules(term="anniversary")

    page = client.get(reverse("membership:join")).content.decode()

    assert "Membership runs a year from the day you join" in page


def test_after_renewing_there_is_nothing_more_to_renew(member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=20))
    pay(membership_renew(user=member))

    with pytest.raises(ValidationError) as refused:
        membership_renew(user=member)

    assert refused.value.code == "too_early"


def test_an_open_renewal_invoice_is_not_billed_twice(member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=20))
    invoice = membership_renew(user=member)

    with pytest.raises(RenewalInvoiceOpen) as refused:
        membership_renew(user=member)

    assert refused.value.invoice == invoice


def test_a_lapsed_member_is_told_to_apply_again(client, member, rmt):
    make_period(member, rmt, ends_on=today() - timedelta(days=61))  # grace is 60 days
    client.force_login(member)

    text = client.get(RENEW).content.decode()
    response = client.post(RENEW, follow=True)

    assert "Apply again to reinstate it." in text
    assert reverse("membership:join") in text
    assert "Apply again to reinstate it." in response.content.decode()
    assert Invoice.objects.count() == 0


def test_someone_without_a_membership_has_nothing_to_renew(client, member):
    client.force_login(member)

    text = client.get(RENEW).content.decode()

    assert "You have no membership to renew yet" in text
    with pytest.raises(ValidationError):
        membership_renew(user=member)


def test_renewal_opens_sixty_days_before_the_end(member, rmt):
    make_period(member, rmt, ends_on=date(2026, 11, 30))

    with pytest.raises(ValidationError) as refused:
        membership_renew(user=member, today=date(2026, 9, 30))

    assert refused.value.code == "too_early"
    assert membership_renew(user=member, today=date(2026, 10, 1)).status == Invoice.Status.OPEN


def test_a_visitor_is_sent_to_sign_in(client):
    assert reverse("account_login") in client.get(RENEW).url
    response = client.post(RENEW)
    assert reverse("account_login") in response.url
    assert Invoice.objects.count() == 0


def test_another_member_cannot_see_someone_elses_renewal_invoice(client, member, other_member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=20))
    make_period(other_member, rmt, ends_on=today() + timedelta(days=20))
    invoice = membership_renew(user=member)
    client.force_login(other_member)

    assert client.get(invoice.get_absolute_url()).status_code == 404
    client.post(RENEW)  # their own renewal is billed to them, for their own period
    assert Invoice.objects.filter(customer=member).count() == 1
    assert Invoice.objects.filter(customer=other_member).count() == 1


def test_the_portal_offers_renewal_from_sixty_days_before_the_end(client, member, rmt):
    period = make_period(member, rmt, ends_on=today() + timedelta(days=61))
    client.force_login(member)
    assert RENEW not in client.get(PORTAL).content.decode()

    period.ends_on = today() + timedelta(days=60)
    period.save()
    assert RENEW in client.get(PORTAL).content.decode()


def test_the_portal_offers_renewal_during_grace_but_not_after(client, member, rmt):
    period = make_period(member, rmt, ends_on=today() - timedelta(days=60))
    client.force_login(member)
    assert RENEW in client.get(PORTAL).content.decode()

    period.ends_on = today() - timedelta(days=61)
    period.save()
    assert RENEW not in client.get(PORTAL).content.decode()


def test_the_portal_links_to_an_unpaid_renewal_invoice(client, member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=20))
    invoice = membership_renew(user=member)
    client.force_login(member)

    text = client.get(PORTAL).content.decode()

    assert f"Pay renewal invoice {invoice.number}" in text


def test_paying_a_renewal_with_a_late_fee_renews_once(member, rmt):
    rmt.late_fee_cents = 50_00
    rmt.save()
    period = make_period(member, rmt, ends_on=today() - timedelta(days=5))
    invoice = membership_renew(user=member)

    pay(invoice)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert MembershipPeriod.objects.filter(renewal_of=period).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_renew_clicks_at_once_make_one_invoice(member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=20))
    set_rules()  # the settings rows exist before the threads look for them

    results, errors = run_together(5, lambda _: membership_renew(user=member))

    assert len(results) == 1
    assert len(errors) == 4
    assert all(isinstance(error, RenewalInvoiceOpen) for error in errors)
    assert Invoice.objects.filter(customer=member).count() == 1


# --- Changing level with the new year ------------------------------------------------------


def test_renewing_as_another_level_bills_it_and_the_next_year_is_at_that_level(client, member, rmt):
    from .factories import make_level

    retired = make_level(
        name="Retired",
        slug="retired",
        annual_price_cents=90_00,
        admin_fee_cents=0,
        requires_registration_number=False,
    )
    period = make_period(member, rmt, ends_on=today() + timedelta(days=30))
    client.force_login(member)

    page = client.get(RENEW, {"level": "retired"}).content.decode()
    assert "Renew as Retired (instead of RMT)" in page and "$90.00" in page
    assert Invoice.objects.count() == 0

    client.post(RENEW, {"level": "retired"})
    invoice = Invoice.objects.get()
    line = invoice.lines.get()
    assert (line.unit_price_cents, line.reference) == (90_00, f"{period.pk}/{retired.pk}")
    assert "Retired" in line.description
    # The open invoice is found again whichever level it was for.
    assert "Pay invoice" in client.get(RENEW).content.decode()

    pay(invoice)

    renewed = MembershipPeriod.objects.get(renewal_of=period)
    assert renewed.level == retired
    period.refresh_from_db()
    assert period.level == rmt  # the year already paid for stays as it was


def test_a_level_needing_a_registration_number_is_refused_without_one(client, member):
    from .factories import make_level

    student = make_level(
        name="Student", slug="student", annual_price_cents=50_00, requires_registration_number=False
    )
    make_period(member, student, ends_on=today() + timedelta(days=30))
    make_level()  # RMT, which needs a registration number
    client.force_login(member)

    page = client.get(RENEW, {"level": "rmt"}).content.decode()
    client.post(RENEW, {"level": "rmt"})

    assert "RMT needs a registration number" in page
    assert Invoice.objects.count() == 0


def test_an_unknown_level_is_refused_with_a_message(client, member, rmt):
    make_period(member, rmt, ends_on=today() + timedelta(days=30))
    client.force_login(member)

    response = client.post(RENEW, {"level": "platinum<script>"}, follow=True)

    assert "Choose one of the membership levels offered" in response.content.decode()
    assert Invoice.objects.count() == 0
