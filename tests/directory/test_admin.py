"""Back-office screens: listings (hide, reject a photo) and the message log."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tide.directory.models import ContactMessage, Listing

from .factories import make_listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    listing = make_listed(name="Amélie Tremblay")
    ContactMessage.objects.create(
        listing=listing,
        name="Spammy",
        email="spam@example.net",
        body="<b>buy now</b>",
        sender_hash="abcd1234abcd1234",
    )
    return listing


def urls(listing) -> list[str]:
    return [
        "/admin/directory/listings/",
        f"/admin/directory/listings/{listing.pk}/",
        "/admin/directory/messages/",
    ]


def test_a_visitor_is_sent_to_log_in(client, listing):
    for url in urls(listing):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_members_cannot_open_the_back_office(client, listing, persona, request):
    login(client, request.getfixturevalue(persona))
    for url in urls(listing):
        assert client.get(url).status_code in (302, 403)


def test_staff_without_the_permission_get_a_403(client, listing, staff_without_permission):
    login(client, staff_without_permission)
    for url in urls(listing):
        assert client.get(url).status_code == 403
    response = client.post(f"/admin/directory/listings/{listing.pk}/", {"action": "hide"})
    assert response.status_code == 403
    assert not Listing.objects.get().hidden_by_staff


def test_directory_staff_see_the_listings_and_messages(client, listing, directory_staff):
    login(client, directory_staff)
    index = client.get("/admin/directory/listings/")
    assert index.status_code == 200
    assert "Amélie Tremblay" in index.text
    detail = client.get(f"/admin/directory/listings/{listing.pk}/")
    assert detail.status_code == 200
    log = client.get("/admin/directory/messages/")
    assert log.status_code == 200
    assert "spam@example.net" in log.text
    assert "&lt;b&gt;buy now&lt;/b&gt;" in log.text
    assert "Spammy" in client.get("/admin/directory/messages/?sender=abcd1234abcd1234").text
    assert "Spammy" not in client.get("/admin/directory/messages/?sender=0000").text


def test_staff_hide_a_listing_and_it_leaves_the_directory(client, listing, directory_staff):
    login(client, directory_staff)
    response = client.post(f"/admin/directory/listings/{listing.pk}/", {"action": "hide"})
    assert response.status_code == 302
    assert not Listing.objects.public().exists()
    assert client.get(listing.get_absolute_url()).status_code == 404
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="tide.directory.moderate")
    assert entry.user == directory_staff
    client.post(f"/admin/directory/listings/{listing.pk}/", {"action": "show"})
    assert Listing.objects.public().exists()


def test_staff_reject_a_photo(client, listing, directory_staff):
    login(client, directory_staff)
    client.post(f"/admin/directory/listings/{listing.pk}/", {"action": "reject_photo"})
    assert Listing.objects.get().photo_rejected


def test_an_unknown_action_is_a_400(client, listing, directory_staff):
    login(client, directory_staff)
    response = client.post(f"/admin/directory/listings/{listing.pk}/", {"action": "delete"})
    assert response.status_code == 400


def test_staff_maintain_the_controlled_lists_as_snippets(client, superuser):
    login(client, superuser)
    assert client.get("/admin/snippets/directory/modality/").status_code == 200
    response = client.get("/admin/snippets/directory/insurer/")
    assert response.status_code == 200
    assert "Sun Life" in response.text
