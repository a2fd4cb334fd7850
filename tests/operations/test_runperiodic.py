from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.website.factories import make_author, make_site
from tide.website.models import BlogPage

pytestmark = pytest.mark.django_db


def test_a_post_scheduled_for_the_past_is_published_by_the_periodic_run(client):
    _, blog = make_site()
    post = BlogPage(
        title="Scheduled news", intro="Soon.", body=[("paragraph", "<p>Soon.</p>")], live=False
    )
    blog.add_child(instance=post)
    post.post_authors.create(author=make_author())
    post.go_live_at = timezone.now() - timedelta(minutes=1)
    post.save_revision(approved_go_live_at=post.go_live_at)
    assert client.get("/blog/scheduled-news/").status_code == 404

    call_command("runperiodic")

    assert BlogPage.objects.get(pk=post.pk).live
    assert "Scheduled news" in client.get("/blog/").content.decode()


def test_running_it_twice_changes_nothing_more(client):
    make_site()
    call_command("runperiodic")
    call_command("runperiodic")
    assert client.get("/blog/").status_code == 200
