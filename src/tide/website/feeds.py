"""RSS and Atom feeds of the blog: all posts, one author's, one category's."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from tide.association.models import AssociationSettings

from .models import BlogAuthor, BlogCategory, BlogIndexPage, BlogPage

FEED_SIZE = 20


class BlogFeed(Feed):
    def __init__(self, blog: BlogIndexPage, *, kind: str, author=None, category=None) -> None:
        super().__init__()
        self.blog = blog
        self.author: BlogAuthor | None = author
        self.category: BlogCategory | None = category
        self.feed_type = Atom1Feed if kind == "atom" else Rss201rev2Feed

    def title(self) -> str:
        name = AssociationSettings.load().name
        if self.author:
            return _("%(name)s — posts by %(author)s") % {"name": name, "author": self.author.name}
        if self.category:
            return _("%(name)s — %(category)s") % {"name": name, "category": self.category.name}
        return _("%(name)s — blog") % {"name": name}

    def link(self) -> str:
        if self.author:
            return self.blog.url + self.blog.reverse_subpage("author", args=[self.author.slug])
        if self.category:
            return self.blog.url + self.blog.reverse_subpage("category", args=[self.category.slug])
        return self.blog.url

    def description(self) -> str:
        return self.blog.intro

    def items(self):
        posts = self.blog.posts()
        if self.author:
            posts = posts.filter(post_authors__author=self.author)
        if self.category:
            posts = posts.filter(categories=self.category)
        return posts[:FEED_SIZE]

    def item_title(self, item: BlogPage) -> str:
        return item.title

    def item_description(self, item: BlogPage) -> str:
        return item.intro

    def item_link(self, item: BlogPage) -> str:
        return item.url

    def item_author_name(self, item: BlogPage) -> str:
        return ", ".join(link.author.name for link in item.post_authors.all())

    def item_pubdate(self, item: BlogPage):
        return item.first_published_at

    def item_categories(self, item: BlogPage) -> list[str]:
        return [category.name for category in item.categories.all()]


def blog_feed(request: HttpRequest, blog: BlogIndexPage, **kwargs) -> HttpResponse:
    return BlogFeed(blog, **kwargs)(request)
