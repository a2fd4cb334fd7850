"""Pages and comments for tests, built under a fresh home page."""

from __future__ import annotations

import itertools
from io import BytesIO

import PIL.Image
from django.core.files.images import ImageFile
from wagtail.models import Page, Site

from tide.website.models import (
    BlogAuthor,
    BlogCategory,
    BlogIndexPage,
    BlogPage,
    BlogPageAuthor,
    Comment,
    CustomImage,
    HomePage,
)

_counter = itertools.count(1)


def make_site() -> tuple[HomePage, BlogIndexPage]:
    root = Page.get_first_root_node()
    Page.objects.filter(depth=2).delete()
    root.refresh_from_db()
    home = root.add_child(
        instance=HomePage(title="Home", slug="home", hero_heading="Stronger together")
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Tide"
    )
    blog = home.add_child(
        instance=BlogIndexPage(title="Blog", slug="blog", show_in_menus=True, intro="News")
    )
    return home, blog


def make_author(**fields) -> BlogAuthor:
    number = next(_counter)
    fields.setdefault("name", f"Author {number}")
    return BlogAuthor.objects.create(**fields)


def make_post(
    blog: BlogIndexPage,
    *,
    authors: list[BlogAuthor] | None = None,
    categories=(),
    tags=(),
    **fields,
) -> BlogPage:
    number = next(_counter)
    fields.setdefault("title", f"Post {number}")
    fields.setdefault("intro", f"Introduction to post {number}.")
    fields.setdefault("body", [("paragraph", "<p>" + "word " * 440 + "</p>")])
    post = BlogPage(**fields)
    blog.add_child(instance=post)
    for author in authors or [make_author()]:
        post.post_authors.add(BlogPageAuthor(author=author))
    if categories:
        post.categories.set(categories)
    if tags:
        post.tags.add(*tags)
    post.save_revision().publish()
    return BlogPage.objects.get(pk=post.pk)


def make_category(name: str = "Practice") -> BlogCategory:
    from django.utils.text import slugify

    return BlogCategory.objects.create(name=name, slug=slugify(name))


def make_comment(post: BlogPage, *, status: str = Comment.Status.PENDING, **fields) -> Comment:
    number = next(_counter)
    fields.setdefault("name", f"Commenter {number}")
    fields.setdefault("email", f"commenter{number}@example.com")
    fields.setdefault("body", f"Comment number {number}.")
    return Comment.objects.create(
        post=post,
        status=status,
        fingerprint=Comment.fingerprint_of(fields["email"], fields["body"]),
        **fields,
    )


def make_image(
    *, title: str = "Photo", credit: str = "", size: tuple[int, int] = (1600, 900)
) -> CustomImage:
    buffer = BytesIO()
    PIL.Image.new("RGB", size, "teal").save(buffer, "PNG")
    return CustomImage.objects.create(
        title=title, credit=credit, file=ImageFile(buffer, name="photo.png")
    )
