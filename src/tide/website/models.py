"""The public website: home, standard pages, the blog with its authors, categories and comments."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from .blocks import BodyBlock

POSTS_PER_PAGE = 9
WORDS_PER_MINUTE = 220


class CustomImage(AbstractImage):
    """Wagtail's image with a photo credit, shown wherever the image is."""

    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_("Shown under the image, e.g. “Photo: Jane Doe”."),
    )
    admin_form_fields = (*WagtailImage.admin_form_fields, "credit")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


def optional_link(to, verbose_name) -> models.ForeignKey:
    """A picture or page staff may choose; deleting it leaves the field empty."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


# --- Pages ------------------------------------------------------------------------------


class HomePage(Page):
    hero_heading = models.CharField(_("hero heading"), max_length=120)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = optional_link(CustomImage, _("hero image"))
    hero_primary_label = models.CharField(_("main button label"), max_length=40, blank=True)
    hero_primary_page = optional_link(Page, _("main button page"))
    hero_secondary_label = models.CharField(_("second button label"), max_length=40, blank=True)
    hero_secondary_page = optional_link(Page, _("second button page"))
    body = StreamField(BodyBlock(), verbose_name=_("sections"), blank=True)
    latest_posts_heading = models.CharField(
        _("latest posts heading"), max_length=120, default="From the blog"
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_primary_label"),
                FieldPanel("hero_primary_page"),
                FieldPanel("hero_secondary_label"),
                FieldPanel("hero_secondary_page"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("body"),
        FieldPanel("latest_posts_heading"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("hero_text"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["latest_posts"] = BlogPage.objects.live().public().for_listing()[:3]
        return context


class StandardPage(Page):
    """About, Advocacy, Insurance, Contact: any page of text, images and calls to action."""

    intro = models.TextField(_("introduction"), blank=True)
    hero_image = optional_link(CustomImage, _("image"))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    show_contact_details = models.BooleanField(
        _("show the association's contact details"),
        default=False,
        help_text=_("Adds the mailing address, email and phone from Settings → Association."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        FieldPanel("show_contact_details"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class BlogIndexPage(RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["website.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = _("blog")

    def posts(self) -> models.QuerySet[BlogPage]:
        return BlogPage.objects.child_of(self).live().public().for_listing()

    def paginate(self, request: HttpRequest, posts: models.QuerySet):
        paginator = Paginator(posts, POSTS_PER_PAGE)
        try:
            return paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            return paginator.page(1)
        except EmptyPage as error:
            raise Http404(_("There is no such page of posts.")) from error

    def render_listing(
        self, request: HttpRequest, posts: models.QuerySet, **context
    ) -> HttpResponse:
        return self.render(
            request,
            context_overrides={"posts": self.paginate(request, posts), **context},
            template="website/blog_index_page.html",
        )

    @path("")
    def index(self, request: HttpRequest) -> HttpResponse:
        return self.render_listing(request, self.posts())

    @path("author/<slug:slug>/")
    def author(self, request: HttpRequest, slug: str) -> HttpResponse:
        author = get_object_or_404(BlogAuthor.objects.select_related("photo"), slug=slug)
        return self.render_listing(
            request, self.posts().filter(post_authors__author=author), author=author
        )

    @path("category/<slug:slug>/")
    def category(self, request: HttpRequest, slug: str) -> HttpResponse:
        category = get_object_or_404(BlogCategory, slug=slug)
        return self.render_listing(
            request, self.posts().filter(categories=category), category=category
        )

    @path("tag/<slug:slug>/")
    def tag(self, request: HttpRequest, slug: str) -> HttpResponse:
        tag = get_object_or_404(Tag, slug=slug)
        return self.render_listing(request, self.posts().filter(tags=tag), tag=tag)

    @re_path(r"^feed/(?:(?P<kind>rss|atom)/)?$")
    def feed(self, request: HttpRequest, kind: str | None = None) -> HttpResponse:
        from .feeds import blog_feed

        return blog_feed(request, self, kind=kind or "rss")

    @re_path(r"^author/(?P<slug>[-\w]+)/feed/(?:(?P<kind>rss|atom)/)?$")
    def author_feed(self, request: HttpRequest, slug: str, kind: str | None = None) -> HttpResponse:
        from .feeds import blog_feed

        author = get_object_or_404(BlogAuthor, slug=slug)
        return blog_feed(request, self, kind=kind or "rss", author=author)

    @re_path(r"^category/(?P<slug>[-\w]+)/feed/(?:(?P<kind>rss|atom)/)?$")
    def category_feed(
        self, request: HttpRequest, slug: str, kind: str | None = None
    ) -> HttpResponse:
        from .feeds import blog_feed

        category = get_object_or_404(BlogCategory, slug=slug)
        return blog_feed(request, self, kind=kind or "rss", category=category)


class BlogPageQuerySet(PageQuerySet):
    def for_listing(self) -> BlogPageQuerySet:
        """Posts with what a card shows, in a fixed number of queries whatever their count."""
        return (
            self.select_related("hero_image")
            .prefetch_related("post_authors__author", "categories", "hero_image__renditions")
            .order_by("-date", "-first_published_at")
        )


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "website.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BlogPage(RoutablePageMixin, Page):
    date = models.DateField(_("publish date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), max_length=400)
    hero_image = optional_link(CustomImage, _("hero image"))
    body = StreamField(BodyBlock(), verbose_name=_("body"))
    categories = ParentalManyToManyField(
        "website.BlogCategory", blank=True, verbose_name=_("categories")
    )
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True, verbose_name=_("tags"))
    comments_open = models.BooleanField(_("comments open"), default=True)

    objects = PageManager.from_queryset(BlogPageQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        InlinePanel("post_authors", label=_("Authors"), min_num=1),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("categories"),
                FieldPanel("tags"),
                FieldPanel("comments_open"),
            ],
            heading=_("Blog"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["website.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("blog post")

    @property
    def reading_minutes(self) -> int:
        words = len(strip_tags(str(self.body)).split()) + len(self.intro.split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def approved_comments(self) -> models.QuerySet[Comment]:
        return self.comments.filter(status=Comment.Status.APPROVED).order_by("created_at")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        from .forms import CommentForm

        context = super().get_context(request, *args, **kwargs)
        authors = list(
            BlogAuthor.objects.filter(author_posts__page=self)
            .select_related("photo")
            .order_by("author_posts__sort_order")
        )
        # "Latest posts by …" shows titles and dates only: no pictures or categories to fetch.
        others = (
            BlogPage.objects.live()
            .public()
            .exclude(pk=self.pk)
            .order_by("-date", "-first_published_at")
        )
        context["post_authors"] = [
            (author, list(others.filter(post_authors__author=author)[:3])) for author in authors
        ]
        context["comments"] = self.approved_comments()
        context.setdefault("comment_form", CommentForm(user=request.user))
        context["comment_state"] = request.GET.get("comment", "")
        return context

    @path("")
    def post(self, request: HttpRequest) -> HttpResponse:
        return self.render(request)

    @path("comment/")
    def comment(self, request: HttpRequest) -> HttpResponse:
        from .views import comment_post

        if request.method != "POST":
            return redirect(self.url)
        return comment_post(request, self)


# --- Authors and categories (snippets) --------------------------------------------------


class BlogAuthor(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    role = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("e.g. Registered Massage Therapist")
    )
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    bio = models.TextField(_("bio"), blank=True, max_length=1500)
    photo = optional_link(CustomImage, _("photo"))
    email = models.EmailField(
        _("email for comment notices"),
        blank=True,
        help_text=_(
            "Never shown. We email this address when a comment on their post awaits review."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_author",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("organisation"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("email"),
        FieldPanel("user"),
    ]

    class Meta:
        verbose_name = _("blog author")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120] or "author"
        super().save(*args, **kwargs)

    @property
    def notify_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class BlogPageAuthor(Orderable):
    page = ParentalKey(BlogPage, related_name="post_authors", on_delete=models.CASCADE)
    author = models.ForeignKey(BlogAuthor, related_name="author_posts", on_delete=models.PROTECT)

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        unique_together = [("page", "author")]


class BlogCategory(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        verbose_name = _("blog category")
        verbose_name_plural = _("blog categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Comments ---------------------------------------------------------------------------


class CommentQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")

    post = models.ForeignKey(BlogPage, related_name="comments", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    body = models.TextField(_("comment"), max_length=5000)
    # One person posting the same words on the same post twice is a double submit.
    fingerprint = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "fingerprint"], name="comment_once_per_post")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["email", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.post}"

    @staticmethod
    def fingerprint_of(email: str, body: str) -> str:
        normalised = f"{email.strip().lower()}\n{' '.join(body.split())}"
        return hashlib.sha256(normalised.encode()).hexdigest()
