from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "tide.education"
    label = "education"
    verbose_name = _("Continuing education")
