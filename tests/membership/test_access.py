"""Every membership URL for each persona: visitor, member, another member, staff without the
permission, staff with it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tide.membership.models import Application

from .factories import make_paid_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(member, rmt) -> Application:
    return make_paid_application(member, rmt, legal_name="Mara Private-Name")


def member_urls(application: Application) -> list[str]:
    return [
        reverse("membership:portal"),
        reverse("membership:apply", args=["rmt"]),
        reverse("membership:application", args=[application.pk]),
        reverse("membership:renew"),
        reverse("membership:details"),
    ]


def staff_urls(application: Application) -> list[str]:
    return [
        reverse("membership_admin_applications"),
        reverse("membership_admin_application", args=[application.pk]),
        reverse("membership_admin_members"),
    ]


def action_urls(application: Application) -> list[str]:
    return [
        reverse(name, args=[application.pk])
        for name in (
            "membership_admin_approve",
            "membership_admin_reject",
            "membership_admin_request_info",
        )
    ]


def test_visitor_is_sent_to_log_in_from_every_private_page(client, application):
    for url in member_urls(application) + staff_urls(application):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_visitor_can_see_the_join_page(client, rmt):
    assert client.get(reverse("membership:join")).status_code == 200


def test_member_sees_their_own_portal_and_application(client, member, application):
    client.force_login(member)

    portal = client.get(reverse("membership:portal"))
    own = client.get(reverse("membership:application", args=[application.pk]))

    assert portal.status_code == own.status_code == 200
    assert "Mara Private-Name" in own.content.decode()
    assert "Awaiting review" in portal.content.decode()


def test_another_member_gets_404_for_someone_elses_application(client, other_member, application):
    client.force_login(other_member)

    response = client.get(reverse("membership:application", args=[application.pk]))
    posted = client.post(
        reverse("membership:application", args=[application.pk]), {"legal_name": "X"}
    )

    assert response.status_code == posted.status_code == 404
    portal = client.get(reverse("membership:portal")).content.decode()
    assert "Mara Private-Name" not in portal
    assert "You are not a member yet." in portal


def test_member_is_kept_out_of_the_back_office(client, member, application):
    client.force_login(member)

    for url in staff_urls(application):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Mara Private-Name" not in response.content.decode()


def test_staff_without_the_permission_are_forbidden(client, staff_without_permission, application):
    client.force_login(staff_without_permission)

    for url in staff_urls(application):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Mara Private-Name" not in response.content.decode()
    for url in action_urls(application):
        assert client.post(url, {"reason": "x", "message": "x"}).status_code == 403, url
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW


def test_staff_with_the_permission_see_every_back_office_page(client, officer, application):
    client.force_login(officer)

    for url in staff_urls(application):
        assert client.get(url).status_code == 200, url


def test_decisions_by_get_are_not_allowed(client, officer, application):
    client.force_login(officer)

    for url in action_urls(application):
        assert client.get(url).status_code == 405, url
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW


def test_the_membership_menu_holds_the_officers_screens(client, officer, staff_without_permission):
    import json
    import re

    client.force_login(officer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar is drawn from JSON in the page: find the Membership submenu's items.
    props = json.loads(
        re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    main_menu = next(m for m in props["modules"] if m["_type"].endswith("MainMenuModule"))
    menu = next(item for item in main_menu["_args"][0] if item["_args"][0]["label"] == "Membership")
    labels = [child["_args"][0]["label"] for child in menu["_args"][1]]

    assert labels == ["Applications", "Members", "College registers"]  # levels: not theirs
    client.force_login(staff_without_permission)
    assert "membership/members" not in client.get(reverse("wagtailadmin_home")).content.decode()
