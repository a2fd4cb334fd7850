"""The comment moderation queue in the back office."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required

from .models import Comment
from .services import comment_approve, comment_delete, comment_mark_spam

COMMENTS_PER_PAGE = 25
TABS = [
    (Comment.Status.PENDING, gettext_lazy("Awaiting review")),
    (Comment.Status.APPROVED, gettext_lazy("Approved")),
    (Comment.Status.SPAM, gettext_lazy("Spam")),
]


moderators_only = staff_permission_required("website.change_comment")


@moderators_only
def comment_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in Comment.Status.values:
        status = Comment.Status.PENDING
    comments = Comment.objects.filter(status=status).select_related("post", "moderated_by")
    if status == Comment.Status.PENDING:
        comments = comments.order_by("created_at")
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("p"))
    counts = dict(
        Comment.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return TemplateResponse(
        request,
        "website/admin/comment_queue.html",
        {
            "page_obj": page,
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in TABS],
            "header_title": _("Comments"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Comments"))),
        },
    )


ACTIONS = {
    "approve": (comment_approve, gettext_lazy("Comment by %(name)s approved.")),
    "spam": (comment_mark_spam, gettext_lazy("Comment by %(name)s marked as spam.")),
    "delete": (comment_delete, gettext_lazy("Comment by %(name)s deleted.")),
}


@require_POST
@moderators_only
def comment_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    if action not in ACTIONS:
        return HttpResponse(_("Unknown action."), status=400)
    if action == "delete" and not request.user.has_perm("website.delete_comment"):
        return HttpResponse(_("You may not delete comments."), status=403)
    service, message = ACTIONS[action]
    service(comment=comment, by=request.user)
    messages.success(request, message % {"name": comment.name})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("website_comments")
    return redirect(next_url)
