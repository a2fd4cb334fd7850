from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from tide.billing.models import Invoice
from tide.membership.models import Application, MembershipPeriod
from tide.website.models import BlogPage, Comment

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_a_second_run_keeps_everything(client):
    call_command("load_demo", stdout=None)
    posts, comments, invoices = (
        BlogPage.objects.count(),
        Comment.objects.count(),
        Invoice.objects.count(),
    )

    call_command("load_demo", stdout=None)

    assert (BlogPage.objects.count(), Comment.objects.count(), Invoice.objects.count()) == (
        posts,
        comments,
        invoices,
    )
    assert posts == 10
    assert Invoice.objects.filter(customer__email="member@tide.example", status="paid").exists()
    assert Invoice.objects.filter(status="open").count() == 1  # an applicant who has not paid yet
    assert MembershipPeriod.objects.filter(user__email="member@tide.example").exists()
    assert Application.objects.filter(status="awaiting_review").count() == 2
    student = Application.objects.get(status="awaiting_payment")
    assert student.level.slug == "student" and student.school and student.expected_graduation_on
    assert Application.objects.filter(status="awaiting_payment").count() == 1
    assert Authenticator.objects.filter(user__email="staff@tide.example", type="totp").exists()
    assert "Registered massage therapists, stronger together" in client.get("/").content.decode()
