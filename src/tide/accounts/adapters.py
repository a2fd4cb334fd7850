from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails go through Tide's one email layout (see tide.mailing)."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from tide.mailing.transactional import email_send_template

        context = {**context, "site_url": settings.SITE_URL}
        email_send_template(template_prefix, to=email, context=context, request=context.get("request"))
