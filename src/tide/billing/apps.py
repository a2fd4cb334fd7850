from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "tide.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from .fulfilment import nothing_to_deliver, register_fulfilment

        # A charge staff raise by hand (a reinstatement fee, a replacement card) is done
        # once it is paid; apps that sell something register their own kinds.
        register_fulfilment("manual", nothing_to_deliver)

        from tide.accounts.personal_data import register_personal_data

        from .personal_data import billing_erase, billing_export

        register_personal_data("invoices", export=billing_export, erase=billing_erase)
