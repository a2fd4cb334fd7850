from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "tide.education"
    label = "education"
    verbose_name = _("Continuing education")

    def ready(self) -> None:
        from tide.billing.fulfilment import register_fulfilment

        from .services import SEAT_KIND, registration_fulfil

        # A paid seat is confirmed (or, if it went to someone else meanwhile, refunded).
        register_fulfilment(SEAT_KIND, registration_fulfil)

        # The catalogue and event pages are cached for visitors: a change shows at once.
        from django.db.models.signals import post_delete, post_save

        from tide.lib.pagecache import page_cache_clear

        from .models import CreditCategory, Event, Provider, Session

        def clear(**kwargs) -> None:
            page_cache_clear()

        for model in (Event, Session, Provider, CreditCategory):
            post_save.connect(
                clear, sender=model, weak=False, dispatch_uid=f"pagecache-save-{model.__name__}"
            )
            post_delete.connect(
                clear, sender=model, weak=False, dispatch_uid=f"pagecache-del-{model.__name__}"
            )
