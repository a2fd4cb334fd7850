from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tide.directory"
    label = "directory"
    verbose_name = _("Find an RMT")
