from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tide.billing.models import Invoice, InvoiceNumberCounter
from tide.billing.services import invoice_issue

from .factories import make_draft, make_open
from .threads import on_postgresql, run_together

YEAR = timezone.localdate().year


@pytest.mark.django_db
def test_a_draft_has_no_number_until_it_is_issued(member):
    draft = make_draft(member)

    assert draft.number is None
    assert draft.status == Invoice.Status.DRAFT

    issued = invoice_issue(invoice=draft)

    assert issued.number == f"{YEAR}-000001"
    assert issued.status == Invoice.Status.OPEN
    assert issued.issued_at is not None


@pytest.mark.django_db
def test_invoices_are_numbered_one_after_another_within_the_year(member, other_member):
    numbers = [make_open(customer).number for customer in (member, other_member, member)]

    assert numbers == [f"{YEAR}-000001", f"{YEAR}-000002", f"{YEAR}-000003"]


@pytest.mark.django_db
def test_numbering_restarts_each_year(member):
    InvoiceNumberCounter.objects.create(year=YEAR - 1, last_number=812)

    assert make_open(member).number == f"{YEAR}-000001"


@pytest.mark.django_db
def test_a_failed_issue_does_not_use_up_a_number(member, monkeypatch):
    import tide.billing.services as services

    def broken(*args, **kwargs):
        raise RuntimeError("mail templates missing")

    monkeypatch.setattr(services, "email_send_template", broken)
    with pytest.raises(RuntimeError):
        invoice_issue(invoice=make_draft(member))
    monkeypatch.undo()

    assert make_open(member).number == f"{YEAR}-000001"
    assert Invoice.objects.filter(status=Invoice.Status.DRAFT).count() == 1


@pytest.mark.django_db
def test_an_issued_invoice_cannot_be_issued_again(member):
    invoice = make_open(member)

    with pytest.raises(ValidationError, match="Only a draft"):
        invoice_issue(invoice=invoice)

    invoice.refresh_from_db()
    assert invoice.number == f"{YEAR}-000001"
    assert InvoiceNumberCounter.objects.get(year=YEAR).last_number == 1


@pytest.mark.django_db
def test_the_member_gets_the_invoice_by_email_with_its_total_and_a_link(
    member, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_open(member)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.com"]
    assert message.subject == f"Invoice {invoice.number} from Harbour RMT Association"
    assert "$395.50" in message.body
    assert f"{settings.SITE_URL}/billing/invoices/{invoice.number}/" in message.body
    assert "Annual membership dues — RMT" in message.body


@pytest.mark.django_db
def test_creating_a_draft_sends_nothing(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_draft(member)

    assert mail.outbox == []


@pytest.mark.django_db
def test_issuing_is_logged_with_the_staff_member_who_did_it(member, superuser):
    invoice = invoice_issue(invoice=make_draft(member), by=superuser)

    entry = ModelLogEntry.objects.for_instance(invoice).get(action="tide.invoice.issue")
    assert entry.user == superuser


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_twenty_consecutive_numbers(member):
    drafts = [make_draft(member) for _ in range(20)]

    numbers, errors = run_together(20, lambda i: invoice_issue(invoice=drafts[i]).number)

    assert errors == []
    assert sorted(numbers) == [f"{YEAR}-{n:06d}" for n in range(1, 21)]
    assert InvoiceNumberCounter.objects.get(year=YEAR).last_number == 20


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_first_invoices_of_a_new_year_issued_at_once_share_no_number(member):
    drafts = [make_draft(member) for _ in range(8)]
    assert not InvoiceNumberCounter.objects.exists()

    numbers, errors = run_together(8, lambda i: invoice_issue(invoice=drafts[i]).number)

    assert errors == []
    assert sorted(numbers) == [f"{YEAR}-{n:06d}" for n in range(1, 9)]
