from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "tide.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from tide.billing.fulfilment import nothing_to_deliver, register_fulfilment

        from .renewals import LATE_FEE_KIND, RENEWAL_KIND, membership_renewal_fulfil
        from .services import ADMIN_FEE_KIND, DUES_KIND, membership_fulfil

        # Paid dues move the application on to staff review; the admin fee delivers nothing.
        register_fulfilment(DUES_KIND, membership_fulfil)
        register_fulfilment(ADMIN_FEE_KIND, nothing_to_deliver)
        # A paid renewal adds the next period (once); the late fee delivers nothing.
        register_fulfilment(RENEWAL_KIND, membership_renewal_fulfil)
        register_fulfilment(LATE_FEE_KIND, nothing_to_deliver)

        from tide.accounts.personal_data import register_personal_data

        from .personal_data import membership_erase, membership_export

        register_personal_data("membership", export=membership_export, erase=membership_erase)

        from .segments import register_member_merge_fields, register_member_segments

        register_member_segments()  # the email list's segments: members by status, level, …
        register_member_merge_fields()  # {membership_expiry}, {membership_level}

        # The join page is cached for visitors: a change of levels or rules shows at once.
        from django.db.models.signals import post_delete, post_save

        from tide.lib.pagecache import page_cache_clear

        from .models import MembershipLevel, MembershipSettings

        def clear(**kwargs) -> None:
            page_cache_clear()

        for model in (MembershipLevel, MembershipSettings):
            post_save.connect(
                clear, sender=model, weak=False, dispatch_uid=f"pagecache-save-{model.__name__}"
            )
            post_delete.connect(
                clear, sender=model, weak=False, dispatch_uid=f"pagecache-del-{model.__name__}"
            )

        # The members list reads a summary of each member's periods: keep it true.
        from .models import Application, MembershipPeriod
        from .summary import member_summaries_refresh

        def refresh_summary(instance, **kwargs) -> None:
            member_summaries_refresh([instance.user_id])

        for model in (MembershipPeriod, Application):
            post_save.connect(
                refresh_summary,
                sender=model,
                weak=False,
                dispatch_uid=f"summary-save-{model.__name__}",
            )
            post_delete.connect(
                refresh_summary,
                sender=model,
                weak=False,
                dispatch_uid=f"summary-del-{model.__name__}",
            )
