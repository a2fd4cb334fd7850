from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "tide.mailing"
    verbose_name = _("Email")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tide.accounts.personal_data import register_personal_data
        from tide.lib.pagecache import page_cache_clear

        from . import webhooks  # noqa: F401 - connects the anymail tracking receiver
        from .personal_data import mailing_erase, mailing_export

        register_personal_data("email", export=mailing_export, erase=mailing_erase)
        from .models import MailingList, MailingSettings

        # The home page's sign-up section is cached for visitors: a change shows at once.
        def clear(**kwargs) -> None:
            page_cache_clear()

        for model in (MailingSettings, MailingList):
            post_save.connect(
                clear, sender=model, weak=False, dispatch_uid=f"pagecache-save-{model.__name__}"
            )
