from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Page

from tide.lib.ratelimit import client_ip, rate_limit_exceeded

from .forms import CommentForm
from .models import BlogPage, Comment
from .services import comment_submit

COMMENTS_PER_IP = (5, 600)  # five comments per ten minutes from one address
SEARCH_RESULTS_PER_PAGE = 10


def comment_post(request: HttpRequest, post: BlogPage) -> HttpResponse:
    """The "Leave a comment" form posts here; errors re-show the post with messages by the fields."""
    form = CommentForm(request.POST)
    if not post.comments_open:
        form.add_error(None, _("Comments are closed on this post."))
        return _render_post(request, post, form, status=403)
    if form.is_bot:
        # Look like success, keep nothing.
        return redirect(f"{post.url}?comment=received#comment-form")
    limit, seconds = COMMENTS_PER_IP
    if rate_limit_exceeded("comment", client_ip(request), limit=limit, seconds=seconds):
        form.add_error(
            None,
            _(
                "You have posted several comments in a short time. Please wait a few minutes and try again."
            ),
        )
        return _render_post(request, post, form, status=429)
    if not form.is_valid():
        return _render_post(request, post, form, status=400)

    comment = comment_submit(
        post=post,
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        body=form.cleaned_data["body"],
        ip_address=client_ip(request),
        user=request.user,
    )
    if comment.status == Comment.Status.APPROVED:
        return redirect(f"{post.url}?comment=published#comment-{comment.pk}")
    return redirect(f"{post.url}?comment=received#comment-form")


def _render_post(
    request: HttpRequest, post: BlogPage, form: CommentForm, *, status: int
) -> HttpResponse:
    context = post.get_context(request) | {"comment_form": form}
    return TemplateResponse(request, post.get_template(request), context, status=status)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        pages = Page.objects.live().public().specific().search(query)
        paginator = Paginator(pages, SEARCH_RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            results = paginator.page(1)
    return TemplateResponse(request, "website/search.html", {"query": query, "results": results})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "website/robots.txt", content_type="text/plain")
