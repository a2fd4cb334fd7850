"""The one transactional sender: every receipt, notice and account email goes through here.

A message is rendered from a template triplet (`<prefix>_subject.txt`, `<prefix>_message.txt`
and, optionally, `<prefix>_message.html`) and wrapped in the association's single email
layout, then sent by a background task once the current transaction commits, so a
rolled-back action sends nothing and a slow mail server never slows a page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import linebreaks, urlize
from django_tasks import task

from tide.association.models import AssociationSettings
from tide.lib.headers import refuse_header_injection

from .models import SentEmail


def render_email(template_prefix: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML for one message, in the association's layout."""
    association = AssociationSettings.load()
    context = {"association": association, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = render_to_string(f"{template_prefix}_message.txt", context).strip()
    try:
        body_html = render_to_string(f"{template_prefix}_message.html", context)
    except TemplateDoesNotExist:
        body_html = linebreaks(urlize(text, autoescape=True))  # urlize escapes the text
    html = render_to_string(
        "mailing/layout.html", {**context, "subject": subject, "body_html": body_html}
    )
    text_with_footer = render_to_string("mailing/layout.txt", {**context, "body_text": text})
    return subject, text_with_footer, html


def email_send_template(
    template_prefix: str,
    *,
    to: str,
    context: dict | None = None,
    request=None,
    reply_to: str = "",
    attachments: list[tuple[str, str, str]] | None = None,
    keep_record: bool = True,
) -> None:
    """Render a message now and send it after the transaction commits.

    `attachments` are (filename, text content, mimetype) triples, e.g. an .ics invitation.
    Each message is kept in SentEmail (the member page's "Emails sent") unless `keep_record`
    is False.
    """
    refuse_header_injection(to, reply_to)
    subject, text, html = render_email(template_prefix, dict(context or {}))
    refuse_header_injection(subject)
    attached = [list(item) for item in attachments or []]  # JSON-serialisable task arguments
    for filename, _content, mimetype in attached:
        refuse_header_injection(filename, mimetype)
    transaction.on_commit(
        lambda: send_email_message.enqueue(
            to=to,
            subject=subject,
            text=text,
            html=html,
            reply_to=reply_to,
            attachments=attached,
            template=template_prefix,
            keep_record=keep_record,
        )
    )


@task()
def send_email_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    reply_to: str = "",
    attachments: list[list[str]] | None = None,
    template: str = "",
    keep_record: bool = True,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()
    if keep_record:  # not when it tells someone their data is erased
        SentEmail.objects.create(to=to, subject=subject[:255], template=template[:100])
