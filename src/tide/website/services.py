"""What happens to comments: submitted by visitors, moderated by staff (each decision logged)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.lib.pagecache import page_cache_clear
from tide.mailing.transactional import email_send_template

from .models import BlogPage, Comment


def comment_submit(
    *,
    post: BlogPage,
    name: str,
    email: str,
    body: str,
    ip_address: str | None,
    user: User | None = None,
) -> Comment:
    """Store a comment, held for review unless this email already has an approved comment.

    Posting the same words twice (a double click, a resubmitted form) returns the first comment.
    """
    fingerprint = Comment.fingerprint_of(email, body)
    known_commenter = Comment.objects.filter(
        email__iexact=email, status=Comment.Status.APPROVED
    ).exists()
    status = Comment.Status.APPROVED if known_commenter else Comment.Status.PENDING
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                post=post,
                name=name,
                email=email.strip(),
                body=body,
                fingerprint=fingerprint,
                status=status,
                ip_address=ip_address or None,
                user=user if user and user.is_authenticated else None,
            )
    except IntegrityError:
        return Comment.objects.get(post=post, fingerprint=fingerprint)

    if comment.status == Comment.Status.APPROVED:
        transaction.on_commit(page_cache_clear)
    else:
        _notify_authors(comment)
    return comment


def _notify_authors(comment: Comment) -> None:
    for link in comment.post.post_authors.select_related("author__user"):
        if address := link.author.notify_email:
            email_send_template(
                "website/email/comment_awaiting_review",
                to=address,
                context={"comment": comment, "post": comment.post, "author": link.author},
            )


def _moderate(comment: Comment, *, status: str, by: User, action: str) -> Comment:
    log(comment, action, user=by)
    comment.status = status
    comment.moderated_at = timezone.now()
    comment.moderated_by = by
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    transaction.on_commit(page_cache_clear)
    return comment


@transaction.atomic
def comment_approve(*, comment: Comment, by: User) -> Comment:
    return _moderate(comment, status=Comment.Status.APPROVED, by=by, action="tide.comment.approve")


@transaction.atomic
def comment_mark_spam(*, comment: Comment, by: User) -> Comment:
    return _moderate(comment, status=Comment.Status.SPAM, by=by, action="tide.comment.spam")


@transaction.atomic
def comment_delete(*, comment: Comment, by: User) -> None:
    log(comment, "tide.comment.delete", user=by)
    comment.delete()
    transaction.on_commit(page_cache_clear)
