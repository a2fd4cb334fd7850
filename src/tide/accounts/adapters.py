from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails go through Tide's one email layout (see tide.mailing)."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from tide.mailing.transactional import email_send_template

        # The context allauth's own send_mail gives its templates ("Hello from {site}!").
        request = context.get("request") or allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request) if request else None,
            **context,
            "site_url": settings.SITE_URL,
        }
        email_send_template(template_prefix, to=email, context=context, request=request)
