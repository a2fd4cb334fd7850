from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tide.directory"
    label = "directory"
    verbose_name = _("Find an RMT")

    def ready(self) -> None:
        """Keep each listing's stored window (who is listed, and until when) current when
        what it depends on changes in membership, which does not know the directory; and
        tell every process's search index when what it holds changes."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tide.membership.models import (
            Application,
            MemberImport,
            MembershipLevel,
            MembershipPeriod,
            MembershipSettings,
            RegisterImport,
        )

        from .models import Insurer, Listing, Location, Modality
        from .search_index import search_index_changed
        from .services import listing_windows_refresh

        def member_changed(sender, instance, **kwargs) -> None:
            listing_windows_refresh(user_ids=[instance.user_id])

        def rules_changed(sender, **kwargs) -> None:
            listing_windows_refresh()

        def import_committed(sender, instance, **kwargs) -> None:
            # The import writes its applications and periods in bulk, without signals.
            if instance.status == MemberImport.Status.COMMITTED:
                listing_windows_refresh()

        def connect(signal, receiver, model) -> None:
            uid = f"directory-{receiver.__name__}-{signal is post_save}-{model._meta.label}"
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=uid)

        for model in (MembershipPeriod, Application):
            connect(post_save, member_changed, model)
            connect(post_delete, member_changed, model)
        # The grace days, or a level's "includes a directory listing", change everyone.
        for model in (MembershipSettings, MembershipLevel):
            connect(post_save, rules_changed, model)
        connect(post_save, import_committed, MemberImport)

        def index_changed(sender, **kwargs) -> None:
            search_index_changed()

        # Applications too: a card shows whether the registration was checked.
        for model in (Listing, Location, Modality, Insurer, Application):
            connect(post_save, index_changed, model)
            connect(post_delete, index_changed, model)
        for model in (Listing.modalities.through, Listing.insurers.through):
            connect(m2m_changed, index_changed, model)

        def register_committed(sender, instance, **kwargs) -> None:
            # It marks applications verified (or not) in bulk, without signals.
            if instance.status == RegisterImport.Status.COMMITTED:
                search_index_changed()

        connect(post_save, register_committed, RegisterImport)
