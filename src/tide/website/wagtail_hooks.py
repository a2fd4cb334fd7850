from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import BlogAuthor, BlogCategory, Comment


class BlogAuthorViewSet(SnippetViewSet):
    model = BlogAuthor
    icon = "user"
    menu_label = _("Blog authors")
    list_display = ["name", "role", "organisation"]
    search_fields = ["name", "role", "organisation"]
    menu_order = 20


class BlogCategoryViewSet(SnippetViewSet):
    model = BlogCategory
    icon = "tag"
    menu_label = _("Blog categories")
    list_display = ["name", "slug"]
    menu_order = 30


class BlogMenu(SnippetViewSetGroup):
    """One Blog entry in the back office's menu: comments to moderate, authors, categories."""

    items = (BlogAuthorViewSet, BlogCategoryViewSet)
    menu_label = _("Blog")
    menu_icon = "comment"
    menu_order = 200
    submenu_hook = "register_blog_menu_item"


register_snippet(BlogMenu)


@hooks.register("register_admin_urls")
def comment_urls():
    return [
        path("comments/", admin_views.comment_queue, name="website_comments"),
        path(
            "comments/<int:pk>/<slug:action>/",
            admin_views.comment_moderate,
            name="website_comment_moderate",
        ),
    ]


class CommentsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("website.change_comment")

    def render_component(self, request):
        component = super().render_component(request)
        if pending := Comment.objects.pending().count():
            component.label = f"{self.label} ({pending})"
        return component


@hooks.register("register_blog_menu_item")
def comments_menu_item():
    return CommentsMenuItem(
        _("Comments"), reverse("website_comments"), icon_name="comment", order=10
    )


class PendingCommentsPanel(Component):
    """On the back-office dashboard: the oldest comments waiting for a decision."""

    name = "pending_comments"
    template_name = "website/admin/pending_comments_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        return {
            "comments": list(
                Comment.objects.pending().select_related("post").order_by("created_at")[:5]
            ),
            "pending": Comment.objects.pending().count(),
        }


@hooks.register("construct_homepage_panels")
def pending_comments_panel(request, panels):
    if request.user.has_perm("website.change_comment"):
        panels.append(PendingCommentsPanel())


@hooks.register("register_log_actions")
def comment_log_actions(actions):
    actions.register_action("tide.comment.approve", _("Approve comment"), _("Comment approved"))
    actions.register_action(
        "tide.comment.spam", _("Mark comment as spam"), _("Comment marked as spam")
    )
    actions.register_action("tide.comment.delete", _("Delete comment"), _("Comment deleted"))


@hooks.register("register_permissions")
def comment_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="website", codename__in=["change_comment", "delete_comment"]
    )
