"""The association itself: who it is and how to reach it.

Every app shows these (page footers, email footers, receipts), so they live on the floor
below all of them. Staff edit them under Settings → Association in the back office.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from tide.lib.canada import PROVINCES, postal_code_validator


@register_setting(icon="site")
class AssociationSettings(BaseGenericSetting):
    name = models.CharField(
        _("name"), max_length=200, default="Tide Massage Therapists' Association"
    )
    short_name = models.CharField(_("short name"), max_length=40, default="Tide")
    tagline = models.CharField(
        _("tagline"), max_length=200, blank=True, default="A rising tide lifts all boats."
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences shown to search engines and when a page is shared."),
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[postal_code_validator]
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram profile"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), blank=True)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Linked from every page footer and from forms that collect personal information."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("short_name"),
                FieldPanel("tagline"),
                FieldPanel("description"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldPanel("city"),
                FieldPanel("province"),
                FieldPanel("postal_code"),
                FieldPanel("email"),
                FieldPanel("phone"),
            ],
            heading=_("Mailing address and contact"),
        ),
        MultiFieldPanel(
            [FieldPanel("facebook_url"), FieldPanel("instagram_url"), FieldPanel("linkedin_url")],
            heading=_("Social media"),
        ),
        FieldPanel("privacy_page"),
    ]

    class Meta:
        verbose_name = _("association")

    def __str__(self) -> str:
        return self.name

    @property
    def mailing_address(self) -> str:
        """One line, as the email footer and receipts show it (CASL asks for it)."""
        locality = " ".join(part for part in [self.city, self.province] if part)
        parts = [self.street_address, locality, self.postal_code]
        return ", ".join(part for part in parts if part)
