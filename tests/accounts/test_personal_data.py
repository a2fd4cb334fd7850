"""A person downloads everything Tide holds about them, and asks to close their account;
staff close it: the person can no longer sign in and what they told us is gone, but
invoices stay, as tax law requires."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tests.membership.factories import make_level, make_paid_application
from tide.accounts.models import AccountClosureRequest, User
from tide.billing.models import Invoice
from tide.membership.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def privacy_officer(db) -> User:
    user = make_user("privacy@example.com", staff=True, mfa=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_accountclosurerequest"),
    )
    return user


@pytest.fixture
def applicant(member):
    return make_paid_application(member, make_level(), phone="416 555 0142")


def test_the_download_holds_the_account_membership_and_invoices_and_nobody_elses(
    client, member, other_member, applicant
):
    make_paid_application(other_member, make_level(slug="student", name="Student"))
    client.force_login(member)

    response = client.get(reverse("accounts:data_export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == member.email
    assert data["membership"]["applications"][0]["phone"] == "416 555 0142"
    assert data["invoices"][0]["number"] == applicant.invoice_number
    assert data["invoices"][0]["payments"][0]["amount_cents"] > 0
    assert other_member.email not in response.content.decode()


def test_a_visitor_is_asked_to_sign_in_for_the_download_and_the_request(client):
    download = client.get(reverse("accounts:data_export"))
    close = client.post(reverse("accounts:request_closure"), {"reason": "x"})

    assert download.status_code == close.status_code == 302
    assert not AccountClosureRequest.objects.exists()


def test_asking_twice_makes_one_request_and_the_member_is_told_by_email(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:request_closure"), {"reason": "Retiring"})
        client.post(reverse("accounts:request_closure"), {"reason": "Retiring"})

    assert AccountClosureRequest.objects.get().reason == "Retiring"
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "You asked for your account to be closed" in page
    assert [m.to for m in mail.outbox] == [[member.email], [member.email]]


def test_an_overlong_reason_is_refused_with_a_message(client, member):
    client.force_login(member)

    response = client.post(reverse("accounts:request_closure"), {"reason": "x" * 1001}, follow=True)

    assert response.status_code == 200
    assert "under 1,000 characters" in response.content.decode()
    assert not AccountClosureRequest.objects.exists()


def test_closing_removes_what_they_told_us_keeps_invoices_and_stops_sign_in(
    client, member, applicant, privacy_officer, django_capture_on_commit_callbacks
):
    client.force_login(member)
    client.post(reverse("accounts:request_closure"), {"reason": ""})
    closure = AccountClosureRequest.objects.get()
    client.force_login(privacy_officer)
    queue = client.get(reverse("accounts_admin_closures")).content.decode()
    assert member.email in queue
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts_admin_closure_close", args=[closure.pk]))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.is_active, member.first_name, member.has_usable_password()) == (
        False,
        "",
        False,
    )
    assert member.email.endswith("@closed.invalid")
    application = Application.objects.get(pk=applicant.pk)
    assert (application.legal_name, application.phone, application.practice_address) == ("", "", "")
    invoice = Invoice.objects.get(number=applicant.invoice_number)
    assert invoice.bill_to_email == "member@example.com"  # kept for the tax authority
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    client.logout()
    assert not client.login(email="member@example.com", password=PASSWORD)

    again = client.post(reverse("accounts_admin_closure_close", args=[closure.pk]))
    assert again.status_code == 302  # refused politely: already handled


@pytest.mark.parametrize("who", ["member", "staff_without_permission"])
def test_only_staff_with_the_permission_close_accounts(client, request, member, who):
    closure = AccountClosureRequest.objects.create(user=member)
    client.force_login(request.getfixturevalue(who))

    queue = client.get(reverse("accounts_admin_closures"))
    close = client.post(reverse("accounts_admin_closure_close", args=[closure.pk]))

    assert queue.status_code in (302, 403) and close.status_code in (302, 403)
    if who == "staff_without_permission":
        assert queue.status_code == close.status_code == 403
    member.refresh_from_db()
    assert member.is_active


def test_a_staff_account_is_not_closed_from_a_request(client, moderator, privacy_officer):
    closure = AccountClosureRequest.objects.create(user=moderator)
    client.force_login(privacy_officer)

    response = client.post(reverse("accounts_admin_closure_close", args=[closure.pk]), follow=True)

    assert "removing their staff access first" in response.content.decode()
    moderator.refresh_from_db()
    assert moderator.is_active


def test_the_download_holds_email_consents_and_emails_sent_and_closing_suppresses(
    client, member, privacy_officer, django_capture_on_commit_callbacks
):
    from tide.mailing.models import Consent, Contact, MailingList, SentEmail

    contact = Contact.objects.create(email=member.email, first_name="Mara")
    Consent.objects.create(
        contact=contact,
        mailing_list=MailingList.objects.create(name="News", slug="news"),
        kind="express",
        source="form",
        wording="Yes, send me the news.",
    )
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:request_closure"), {"reason": ""})

    data = json.loads(client.get(reverse("accounts:data_export")).content)
    assert data["email"]["consents"][0]["wording"] == "Yes, send me the news."
    assert "close your" in data["email"]["emails_sent"][0]["subject"]

    client.force_login(privacy_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts_admin_closure_close", args=[AccountClosureRequest.objects.get().pk])
        )
    assert mail.outbox[-1].subject.endswith("account is closed")
    contact.refresh_from_db()
    assert contact.is_suppressed and contact.first_name == ""
    assert not SentEmail.objects.filter(to="member@example.com").exists()
    assert Consent.objects.get().withdrawn_at is not None  # kept as evidence, withdrawn
