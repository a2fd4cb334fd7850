from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "tide.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from tide.billing.fulfilment import nothing_to_deliver, register_fulfilment

        from .services import ADMIN_FEE_KIND, DUES_KIND, membership_fulfil

        # Paid dues move the application on to staff review; the admin fee delivers nothing.
        register_fulfilment(DUES_KIND, membership_fulfil)
        register_fulfilment(ADMIN_FEE_KIND, nothing_to_deliver)
