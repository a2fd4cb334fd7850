"""Invoices in the back office: who may open them, recording payments, voiding, issuing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tide.billing.models import Invoice, Payment

from .factories import make_draft, make_open, make_paid

pytestmark = pytest.mark.django_db

INDEX = reverse("billing_admin_invoices")


def _url(name: str, invoice: Invoice) -> str:
    return reverse(name, args=[invoice.pk])


@pytest.fixture
def invoice(member, association) -> Invoice:
    return make_open(member)


def _payment(amount: str = "395.50", **fields) -> dict:
    return {
        "method": "cheque",
        "amount": amount,
        "received_on": timezone.localdate().isoformat(),
        "reference": "Cheque 118",
        **fields,
    }


# --- Who may open the pages ------------------------------------------------------------

PAGES = ["billing_admin_invoices", "billing_admin_invoice"]
ACTIONS = [
    ("billing_admin_invoice_payment", _payment()),
    ("billing_admin_invoice_void", {"reason": "Duplicate"}),
    ("billing_admin_invoice_issue", {}),
]


def _page_url(name: str, invoice: Invoice) -> str:
    return INDEX if name == "billing_admin_invoices" else _url(name, invoice)


@pytest.mark.parametrize("name", PAGES)
def test_visitor_is_sent_to_log_in(client, invoice, name):
    response = client.get(_page_url(name, invoice))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PAGES)
def test_member_is_kept_out_of_the_back_office(client, member, invoice, name):
    client.force_login(member)

    response = client.get(_page_url(name, invoice))

    assert response.status_code in (302, 403)
    assert "Mara Member" not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_staff_without_the_billing_permission_are_forbidden(
    client, staff_without_permission, invoice, name
):
    client.force_login(staff_without_permission)

    response = client.get(_page_url(name, invoice))

    assert response.status_code == 403
    assert "Mara Member" not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_staff_with_the_billing_permission_see_the_page(client, bookkeeper, invoice, name):
    client.force_login(bookkeeper)

    response = client.get(_page_url(name, invoice))

    assert response.status_code == 200
    assert "Mara Member" in response.content.decode()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_staff_without_the_billing_permission_cannot_act(
    client, staff_without_permission, invoice, name, data
):
    client.force_login(staff_without_permission)

    response = client.post(_url(name, invoice), data)

    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_visitor_cannot_act(client, invoice, name, data):
    response = client.post(_url(name, invoice), data)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_staff_who_may_only_view_see_no_payment_or_void_forms(
    client, staff_without_permission, invoice
):
    from django.contrib.auth.models import Permission

    staff_without_permission.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(staff_without_permission)

    page = client.get(_url("billing_admin_invoice", invoice)).content.decode()
    response = client.post(_url("billing_admin_invoice_payment", invoice), _payment())

    assert "Record a payment" not in page
    assert "Void invoice" not in page
    assert response.status_code == 403


def test_the_invoices_menu_is_shown_only_to_staff_with_the_permission(
    client, bookkeeper, staff_without_permission
):
    client.force_login(bookkeeper)
    assert INDEX in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(staff_without_permission)
    assert INDEX not in client.get(reverse("wagtailadmin_home")).content.decode()


# --- The list --------------------------------------------------------------------------


def test_the_list_filters_by_status(client, bookkeeper, member, association):
    open_invoice = make_open(member)
    paid = make_paid(member)
    client.force_login(bookkeeper)

    page = client.get(INDEX, {"status": "paid"}).content.decode()

    assert paid.number in page
    assert open_invoice.number not in page


def test_the_list_finds_an_invoice_by_number_or_email(
    client, bookkeeper, member, other_member, association
):
    mine = make_open(member)
    theirs = make_open(other_member)
    client.force_login(bookkeeper)

    by_number = client.get(INDEX, {"q": theirs.number}).content.decode()
    by_email = client.get(INDEX, {"q": "member@example"}).content.decode()

    assert theirs.number in by_number
    assert mine.number not in by_number
    assert mine.number in by_email
    assert theirs.number not in by_email


def test_the_list_shows_drafts_to_staff(client, bookkeeper, member):
    draft = make_draft(member)
    client.force_login(bookkeeper)

    page = client.get(INDEX, {"status": "draft"}).content.decode()

    assert f"Draft invoice #{draft.pk}" in page


def test_the_list_costs_the_same_queries_for_many_invoices(
    client, bookkeeper, member, django_assert_max_num_queries
):
    for _ in range(20):
        make_open(member)
    client.force_login(bookkeeper)

    with django_assert_max_num_queries(30):
        client.get(INDEX)


# --- Recording a payment ---------------------------------------------------------------


def test_staff_record_a_cheque_and_the_invoice_is_paid(
    client, bookkeeper, invoice, django_capture_on_commit_callbacks
):
    client.force_login(bookkeeper)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("billing_admin_invoice_payment", invoice), _payment(), follow=True
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert f"$395.50 recorded. Invoice {invoice.number} is paid in full." in page
    payment = Payment.objects.get()
    assert payment.amount_cents == 395_50
    assert payment.method == "cheque"
    assert payment.recorded_by == bookkeeper
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert len(mail.outbox) == 1
    assert "Payment of $395.50 by Cheque recorded" in page  # the history


def test_a_part_payment_leaves_a_balance_on_the_page(client, bookkeeper, invoice):
    client.force_login(bookkeeper)

    response = client.post(
        _url("billing_admin_invoice_payment", invoice), _payment("100"), follow=True
    )

    page = response.content.decode()
    assert "$100.00 recorded on invoice" in page
    assert "$295.50" in page
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Enter an amount, like 350.00."),
        ("abc", "Enter an amount in dollars and cents, like 350.00."),
        ("-5", "Enter an amount greater than zero."),
        ("0", "Enter an amount greater than zero."),
        ("1e9", "Enter an amount in dollars and cents, like 350.00."),
        ("395.51", "That is more than the balance due of $395.50."),
        ("10000000000", "Enter an amount no larger than $10,000,000.00."),
        ("<script>alert(1)</script>", "Ensure this value has at most 20 characters"),
        ("<b>5</b>", "Enter an amount in dollars and cents"),
    ],
)
def test_an_ugly_amount_is_explained_next_to_the_field_and_nothing_is_saved(
    client, bookkeeper, invoice, amount, message
):
    client.force_login(bookkeeper)

    response = client.post(_url("billing_admin_invoice_payment", invoice), _payment(amount))

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "<script>alert(1)</script>" not in page
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": "bitcoin"}, "Select a valid choice"),
        ({"method": "stripe"}, "Select a valid choice"),  # card payments come from Stripe
        ({"received_on": "yesterday"}, "Enter a valid date"),
        ({"received_on": "2999-01-01"}, "cannot be in the future"),
        ({"received_on": ""}, "This field is required"),
    ],
)
def test_other_ugly_fields_are_explained_and_nothing_is_saved(
    client, bookkeeper, invoice, fields, message
):
    client.force_login(bookkeeper)

    response = client.post(_url("billing_admin_invoice_payment", invoice), _payment(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_a_paid_invoice_offers_no_payment_form_and_refuses_one(
    client, bookkeeper, member, association
):
    invoice = make_paid(member)
    client.force_login(bookkeeper)

    page = client.get(_url("billing_admin_invoice", invoice)).content.decode()
    response = client.post(
        _url("billing_admin_invoice_payment", invoice), _payment("1"), follow=True
    )

    assert "Record a payment" not in page
    assert "Only an open invoice can take a payment." in response.content.decode()
    assert Payment.objects.count() == 1


# --- Voiding and issuing ---------------------------------------------------------------


def test_staff_void_an_unpaid_invoice_with_a_reason(client, bookkeeper, invoice):
    client.force_login(bookkeeper)

    response = client.post(
        _url("billing_admin_invoice_void", invoice), {"reason": "Entered twice"}, follow=True
    )

    page = response.content.decode()
    assert f"Invoice {invoice.number} is void." in page
    assert "Entered twice" in page
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID


@pytest.mark.parametrize("reason", ["", "   "])
def test_voiding_without_a_reason_is_explained_and_nothing_changes(
    client, bookkeeper, invoice, reason
):
    client.force_login(bookkeeper)

    response = client.post(_url("billing_admin_invoice_void", invoice), {"reason": reason})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or (
        "Say why" in response.content.decode()
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_a_void_invoice_cannot_be_paid_from_the_back_office(client, bookkeeper, invoice):
    client.force_login(bookkeeper)
    client.post(_url("billing_admin_invoice_void", invoice), {"reason": "Duplicate"})

    response = client.post(_url("billing_admin_invoice_payment", invoice), _payment(), follow=True)

    assert "Only an open invoice can take a payment." in response.content.decode()
    assert not Payment.objects.exists()


def test_a_partly_paid_invoice_offers_no_void_and_refuses_one(client, bookkeeper, invoice):
    client.force_login(bookkeeper)
    client.post(_url("billing_admin_invoice_payment", invoice), _payment("10"))

    page = client.get(_url("billing_admin_invoice", invoice)).content.decode()
    response = client.post(
        _url("billing_admin_invoice_void", invoice), {"reason": "Left"}, follow=True
    )

    assert "Void invoice" not in page
    assert "cannot be voided" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_staff_issue_a_draft_and_it_is_emailed(
    client, bookkeeper, member, association, django_capture_on_commit_callbacks
):
    draft = make_draft(member)
    client.force_login(bookkeeper)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("billing_admin_invoice_issue", draft), follow=True)

    draft.refresh_from_db()
    assert draft.status == Invoice.Status.OPEN
    assert f"Invoice {draft.number} issued and emailed to member@example.com." in (
        response.content.decode()
    )
    assert len(mail.outbox) == 1


def test_issuing_twice_is_refused_with_a_message(client, bookkeeper, invoice):
    client.force_login(bookkeeper)

    response = client.post(_url("billing_admin_invoice_issue", invoice), follow=True)

    assert "Only a draft invoice can be issued." in response.content.decode()


def test_stripe_events_are_listed_for_billing_staff_with_unhandled_ones_first(
    client, bookkeeper, staff_without_permission, member
):
    from tide.billing.models import StripeEvent

    StripeEvent.objects.create(
        event_id="evt_done", type="checkout.session.completed", processed_at=timezone.now()
    )
    StripeEvent.objects.create(event_id="evt_stuck", type="checkout.session.completed")
    url = reverse("billing_admin_stripe_events")

    anonymous = client.get(url)
    client.force_login(member)
    as_member = client.get(url)
    client.force_login(staff_without_permission)
    as_other_staff = client.get(url)
    client.force_login(bookkeeper)
    page = client.get(url).content.decode()

    assert anonymous.status_code == 302 and as_member.status_code in (302, 403)
    assert as_other_staff.status_code == 403
    assert page.index("evt_stuck") < page.index("evt_done")
    assert "not handled" in page
