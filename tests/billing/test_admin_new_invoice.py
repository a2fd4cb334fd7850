"""Invoices staff raise by hand: who may, what is billed and taxed, and bad input."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tide.billing.models import Invoice

from .factories import make_open

pytestmark = pytest.mark.django_db

NEW = reverse("billing_admin_invoice_new")


def _form(*lines: tuple[str, str, str, bool], **fields) -> dict:
    data = {
        "email": "member@example.com",
        "province": "ON",
        "form-TOTAL_FORMS": "5",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "5",
        **{f"form-{n}-quantity": "1" for n in range(5)},
        **{f"form-{n}-taxable": "on" for n in range(5)},
        "issue": "1",
    }
    for n, (description, quantity, price, taxable) in enumerate(lines):
        data[f"form-{n}-description"] = description
        data[f"form-{n}-quantity"] = quantity
        data[f"form-{n}-price"] = price
        if not taxable:
            del data[f"form-{n}-taxable"]
    return {**data, **fields}


def test_finance_staff_issue_an_invoice_with_taxed_and_untaxed_lines(
    client, bookkeeper, member, association, django_capture_on_commit_callbacks
):
    client.force_login(bookkeeper)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            _form(
                ("Replacement membership card", "2", "12.50", True), ("Donation", "1", "40", False)
            ),
        )

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing_admin_invoice", args=[invoice.pk])
    assert invoice.status == Invoice.Status.OPEN and invoice.number
    # $25.00 taxed at Ontario's 13% HST, $40.00 untaxed.
    assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (65_00, 3_25, 68_25)
    assert {line.kind for line in invoice.lines.all()} == {"manual"}
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert invoice.number in mail.outbox[0].subject + mail.outbox[0].body


def test_a_draft_is_saved_unnumbered_and_not_emailed(client, bookkeeper, member, association):
    client.force_login(bookkeeper)

    data = _form(("Booth at the conference", "1", "300.00", True), draft="1")
    del data["issue"]

    client.post(NEW, data)

    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.DRAFT and not invoice.number
    assert mail.outbox == []


def test_without_a_province_the_customers_last_one_is_used(client, bookkeeper, member, association):
    make_open(member)  # billed in Ontario before
    client.force_login(bookkeeper)

    client.post(NEW, _form(("Reinstatement fee", "1", "50", True), province=""))

    assert Invoice.objects.latest("id").province == "ON"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(("Fee", "1", "50", True), email="nobody@example.com"), "No account uses"),
        (_form(("Fee", "1", "50", True), email="not an email"), "Enter a valid email address."),
        (_form(), "Add at least one line."),
        (_form(("Fee", "1", "fifty", True)), "Enter an amount in dollars and cents"),
        (_form(("Fee", "1", "-5", True)), "Enter an amount greater than zero."),
        (_form(("Fee", "0", "5", True)), "greater than or equal to 1"),
        (_form(("", "1", "5", True)), "This field is required."),
        (_form(("Fee", "1", "50", True), province=""), "Choose a Canadian province"),
        (_form(("Fee", "1", "50", True), province="ZZ"), "Select a valid choice."),
        (_form(("<script>alert(1)</script>", "1", "fifty", True)), "&lt;script&gt;"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, bookkeeper, member, association, data, message
):
    client.force_login(bookkeeper)

    response = client.post(NEW, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    if data.get("form-0-description"):  # a line was typed: only its own fault is named
        assert "Add at least one line." not in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_forged_line_count_is_refused_not_a_crash(client, bookkeeper, member, association):
    client.force_login(bookkeeper)

    response = client.post(NEW, _form(("Fee", "1", "5", True), **{"form-TOTAL_FORMS": "9999"}))

    assert response.status_code == 400
    assert not Invoice.objects.exists()


def test_visitors_members_and_staff_without_the_permission_cannot_raise_invoices(
    client, member, staff_without_permission, association
):
    assert client.get(NEW)["Location"].startswith("/accounts/login/")
    client.force_login(member)
    assert client.post(NEW, _form(("Fee", "1", "5", True))).status_code in (302, 403)
    client.force_login(staff_without_permission)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form(("Fee", "1", "5", True))).status_code == 403
    assert not Invoice.objects.exists()


def test_the_invoices_list_links_to_the_form_for_finance_staff(client, bookkeeper):
    client.force_login(bookkeeper)

    assert NEW in client.get(reverse("billing_admin_invoices")).content.decode()
    assert "New invoice" in client.get(NEW).content.decode()
