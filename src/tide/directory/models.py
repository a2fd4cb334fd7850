"""Find an RMT: members' listings, their practice locations, messages patients send through
the directory and the monthly referral counters members see in their portal.

A listing is public only while its member is in good standing with a registration number.
The days that holds are stored on the listing (`listed_from`, `listed_until`: the good
standing of the member's membership periods, grace included, kept current by
`services.listing_windows_refresh`), so the rule is two date comparisons on the listing's
own row and a lapse hides the listing on its day without any job running. One queryset method,
`Listing.objects.public()`, says so for every page.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from tide.lib.canada import PROVINCES, postal_code_validator
from tide.membership.models import Application

RADII_KM = (5, 10, 25, 50, 100)

LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
    ("de", _("German")),
    ("pl", _("Polish")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("zh", _("Chinese")),
    ("pa", _("Punjabi")),
    ("hi", _("Hindi")),
    ("gu", _("Gujarati")),
    ("ta", _("Tamil")),
    ("tl", _("Tagalog")),
    ("vi", _("Vietnamese")),
    ("ko", _("Korean")),
    ("ja", _("Japanese")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("asl", _("American Sign Language")),
    ("lsq", _("Quebec Sign Language")),
]
LANGUAGE_NAMES = dict(LANGUAGES)


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")


class Modality(models.Model):
    """A kind of massage therapy in the controlled list staff maintain."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("modality")
        verbose_name_plural = _("modalities")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Insurer(models.Model):
    """An insurer members may bill directly, in the list staff maintain."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("insurer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def public_listing_q(today: date, prefix: str = "") -> Q:
    """THE rule for who is listed, as a filter on listings (or on `prefix`-related listings):
    turned on by the member, not hidden by staff, and `today` within the listing's stored
    window (the days its member is in good standing at a level that includes a listing, grace
    period included, with an approved application that has a registration number)."""
    return Q(
        **{
            f"{prefix}enabled": True,
            f"{prefix}hidden_by_staff": False,
            f"{prefix}listed_from__lte": today,
            f"{prefix}listed_until__gte": today,
        }
    )


def _approved_applications(user_ref: str = "user_id") -> models.QuerySet:
    """The member's approved applications that carry a registration number, latest first."""
    return (
        Application.objects.filter(user_id=OuterRef(user_ref), status=Application.Status.APPROVED)
        .exclude(registration_number="")
        .order_by("-decided_at", "-id")
    )


class ListingQuerySet(models.QuerySet):
    def with_registration(self) -> ListingQuerySet:
        """The registration number, college and verification date from the member's latest
        approved application (a reinstatement's new application wins)."""
        latest = _approved_applications()
        return self.annotate(
            registration_number=Subquery(latest.values("registration_number")[:1]),
            college=Subquery(latest.values("college")[:1]),
            registration_verified_on=Subquery(latest.values("registration_verified_on")[:1]),
        )

    def public(self, today: date | None = None) -> ListingQuerySet:
        """The listings visitors may see today (see `public_listing_q`)."""
        return self.filter(public_listing_q(today or timezone.localdate()))


class LocationQuerySet(models.QuerySet):
    def public(self, today: date | None = None) -> LocationQuerySet:
        """Locations of public listings: the same rule, joined from the location side so a
        search starts from the indexed point columns."""
        return self.filter(public_listing_q(today or timezone.localdate(), prefix="listing__"))

    def in_box(self, box: tuple[float, float, float, float]) -> LocationQuerySet:
        min_lat, max_lat, min_lng, max_lng = box
        return self.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lng,
            longitude__lte=max_lng,
        )


class Listing(models.Model):
    """A member's page in the directory. It is never deleted when a membership lapses: it is
    only hidden, and shows again, as it was, on reinstatement."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="directory_listing",
    )
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    enabled = models.BooleanField(
        _("show my listing"),
        default=False,
        help_text=_("Visitors see your listing while your membership is in good standing."),
    )
    hidden_by_staff = models.BooleanField(
        _("hidden by staff"), default=False, help_text=_("Taken down for review.")
    )
    display_name = models.CharField(_("display name"), max_length=120)
    credentials = models.CharField(
        _("credentials"), max_length=120, blank=True, help_text=_("For example: RMT, BSc Kin.")
    )
    photo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    photo_rejected = models.BooleanField(
        _("photo rejected"),
        default=False,
        help_text=_("The photo is not shown; the member is asked for another."),
    )
    bio = models.TextField(_("short bio"), max_length=1500, blank=True)
    modalities = models.ManyToManyField(
        Modality, verbose_name=_("modalities"), blank=True, related_name="listings"
    )
    conditions = models.CharField(
        _("conditions I focus on"),
        max_length=300,
        blank=True,
        help_text=_("For example: low back pain, headaches, pregnancy, sports injuries."),
    )
    # Language codes between commas (",en,fr,"), so one indexed-free LIKE finds a language.
    languages = models.CharField(_("languages"), max_length=200, default=",en,")
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    evenings = models.BooleanField(_("evening hours"), default=False)
    weekends = models.BooleanField(_("weekend hours"), default=False)
    mobile_visits = models.BooleanField(_("mobile or home visits"), default=False)
    mobile_area = models.CharField(
        _("area I visit"),
        max_length=200,
        blank=True,
        help_text=_("Shown instead of an address, for example: Ottawa west end and Kanata."),
    )
    direct_billing = models.BooleanField(_("direct billing"), default=False)
    insurers = models.ManyToManyField(
        Insurer, verbose_name=_("insurers I bill directly"), blank=True, related_name="listings"
    )
    accepts_mva = models.BooleanField(_("motor-vehicle-accident claims"), default=False)
    accepts_workplace = models.BooleanField(_("workplace-insurance claims"), default=False)
    accepting_new_patients = models.BooleanField(_("accepting new patients"), default=True)
    booking_url = models.URLField(_("online booking link"), blank=True)
    # The days the member is in good standing with a registration number (the current span,
    # or the next one); kept by services.listing_windows_refresh. Empty: not listable.
    listed_from = models.DateField(_("listed from"), null=True, blank=True, editable=False)
    listed_until = models.DateField(_("listed until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("directory listing")
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["enabled", "hidden_by_staff"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("directory:profile", args=[self.slug])

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.language_codes]

    @property
    def shown_photo(self):
        return None if self.photo_rejected else self.photo


class Location(models.Model):
    """A place a therapist practises. Its point comes from the postal code, on save."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="locations"
    )
    clinic_name = models.CharField(_("clinic name"), max_length=150, blank=True)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    postal_code = models.CharField(
        _("postal code"), max_length=7, validators=[postal_code_validator]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    parking = models.BooleanField(_("parking"), default=False)
    address_hidden = models.BooleanField(
        _("home practice or visits only: show the area, not the address"), default=False
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice location")
        ordering = ["id"]
        # The search reads (latitude, longitude, listing) for every location in its box: the
        # listing in the index spares a row read each.
        indexes = [
            models.Index(
                fields=["latitude", "longitude", "listing"], name="directory_location_point"
            )
        ]

    def __str__(self) -> str:
        return self.clinic_name or f"{self.city}, {self.province}"

    @property
    def shows_address(self) -> bool:
        return not self.address_hidden


class ContactMessage(models.Model):
    """A message a visitor sent a therapist through the directory: the log staff review for
    abuse. The sender's address is not kept; a keyed hash lets staff see repeats."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        BLOCKED = "blocked", _("Blocked by staff")

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="messages"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    body = models.TextField(_("message"), max_length=3000)
    preferred_time = models.CharField(_("preferred contact time"), max_length=120, blank=True)
    sender_hash = models.CharField(_("sender fingerprint"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("directory message")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.name} → {self.listing}"


class MonthlyReferrals(models.Model):
    """One row per listing and month: profile views, contact-link clicks and messages.

    Counted with one UPDATE … SET views = views + 1 (an INSERT on the month's first view);
    no visitor's address is stored.
    """

    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="referrals"
    )
    month = models.DateField(_("month"))
    profile_views = models.PositiveIntegerField(_("profile views"), default=0)
    contact_clicks = models.PositiveIntegerField(_("contact-link clicks"), default=0)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("monthly referrals")
        verbose_name_plural = _("monthly referrals")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "month"], name="directory_referrals_once")
        ]

    def __str__(self) -> str:
        return f"{self.listing} {self.month:%Y-%m}"
