"""The email list: contacts, the lists they join, the consent behind every subscription,
sign-ups waiting for confirmation, broadcasts and one send record per recipient.

Whether a contact may be sent a list's marketing is answered in one place,
`Contact.objects.sendable(mailing_list)` (and `may_send` for one contact): every send
goes through it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField

from .blocks import DEFAULT_WORDING, EmailBodyBlock


class MailingList(models.Model):
    """A list people join: the newsletter, the research digest, the free-ebook list."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown in the preference centre.")
    )
    ebook = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("free download"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Given on the thank-you page and emailed when someone confirms their sign-up."),
    )
    public = models.BooleanField(
        _("offered in the preference centre"),
        default=True,
        help_text=_("Subscribers can choose this list themselves."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("ebook"),
        FieldPanel("public"),
    ]

    class Meta:
        verbose_name = _("mailing list")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Left every list")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
    COMPLAINT = "complaint", _("Spam complaint")
    IMPORTED_UNSUBSCRIBED = "imported_unsubscribed", _("Unsubscribed (imported)")
    IMPORTED_CLEANED = "imported_cleaned", _("Cleaned (imported)")
    STAFF = "staff", _("Suppressed by staff")


class ContactQuerySet(models.QuerySet):
    def sendable(self, mailing_list: MailingList, at=None) -> ContactQuerySet:
        """Contacts who may be sent `mailing_list`'s marketing at `at` (now): not suppressed,
        with a live consent (not withdrawn, not expired) for that list."""
        at = at or timezone.now()
        live = Consent.objects.filter(
            contact=OuterRef("pk"), mailing_list=mailing_list, withdrawn_at__isnull=True
        ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        return self.filter(suppressed_at__isnull=True).filter(Exists(live))


class Contact(models.Model):
    """An email address with a name, optionally a user of the site."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailing_contacts",
    )
    suppressed_at = models.DateTimeField(_("suppressed"), null=True, blank=True)
    suppressed_reason = models.CharField(
        _("why suppressed"), max_length=30, choices=SuppressionReason.choices, blank=True
    )
    soft_bounces = models.PositiveIntegerField(_("soft bounces in a row"), default=0)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_suppressed(self) -> bool:
        return self.suppressed_at is not None


def may_send(contact: Contact, mailing_list: MailingList, at=None) -> bool:
    """May we send `mailing_list`'s marketing to `contact` now? (The one answer every send uses.)"""
    return Contact.objects.sendable(mailing_list, at).filter(pk=contact.pk).exists()


class Consent(models.Model):
    """Evidence of one consent to one list: kind, source, when, from where, and the words."""

    class Kind(models.TextChoices):
        EXPRESS = "express", _("Express")
        IMPLIED = "implied", _("Implied")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        PREFERENCES = "preferences", _("Preference centre")
        IMPORT = "import", _("Import")
        MEMBERSHIP = "membership", _("Membership")
        PURCHASE = "purchase", _("Purchase")
        STAFF = "staff", _("Added by staff")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="consents"
    )
    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    wording = models.TextField(_("exact wording agreed to"))
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Implied consent only.")
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["mailing_list", "contact"])]

    def __str__(self) -> str:
        return f"{self.contact} → {self.mailing_list} ({self.get_kind_display()})"

    def is_live(self, at=None) -> bool:
        at = at or timezone.now()
        return self.withdrawn_at is None and (self.expires_at is None or self.expires_at > at)


class Signup(models.Model):
    """A sign-up waiting for its confirmation link to be followed (double opt-in)."""

    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    wording = models.TextField(_("wording shown"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        indexes = [models.Index(fields=["confirmed_at", "created_at"])]

    def __str__(self) -> str:
        return self.email


class Broadcast(models.Model):
    """One email composed by staff, sent once to a list (optionally narrowed by a segment)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=150)
    preheader = models.CharField(
        _("preheader"),
        max_length=150,
        blank=True,
        help_text=_("The short line inboxes show after the subject."),
    )
    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="broadcasts"
    )
    segment = models.CharField(
        _("only"),
        max_length=50,
        blank=True,
        help_text=_("Narrow the list to a segment (members by status, province, …)."),
    )
    body = StreamField(EmailBodyBlock(), verbose_name=_("body"))
    track_opens = models.BooleanField(
        _("track opens and clicks"),
        default=False,
        help_text=_("Only with an email provider that tracks them; off respects privacy."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written by the sending worker after every batch: a stale one means the worker died.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("broadcast")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """The send record: one per broadcast and contact, so each gets it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (no longer subscribed)")
        FAILED = "failed", _("Refused by the mail server")

    broadcast = models.ForeignKey(
        Broadcast, verbose_name=_("broadcast"), on_delete=models.CASCADE, related_name="deliveries"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claimed_by = models.CharField(_("worker"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    complained_at = models.DateTimeField(_("complained"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "contact"], name="mailing_delivery_once")
        ]
        indexes = [models.Index(fields=["broadcast", "status"])]

    def __str__(self) -> str:
        return f"{self.broadcast_id} → {self.contact_id} ({self.status})"


def implied_consent_expiry(given_at) -> timezone.datetime:
    """When implied consent given at `given_at` lapses (MAILING_IMPLIED_CONSENT_DAYS later)."""
    return given_at + timedelta(days=settings.MAILING_IMPLIED_CONSENT_DAYS)


@register_setting(icon="mail")
class MailingSettings(BaseGenericSetting):
    """The home page's sign-up section (other pages use the Email sign-up block)."""

    home_list = models.ForeignKey(
        MailingList,
        verbose_name=_("home page sign-up list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to hide the sign-up section on the home page."),
    )
    home_heading = models.CharField(
        _("heading"), max_length=120, default="Join our community and get the free ebook"
    )
    home_text = models.TextField(
        _("text"),
        blank=True,
        default="Practical self-care between massage therapy appointments, from registered "
        "massage therapists. Occasional news, never shared.",
    )
    home_wording = models.TextField(
        _("consent wording"),
        default=DEFAULT_WORDING,
        help_text=_("Exactly what people agree to; it is kept with their consent."),
    )
    home_button_label = models.CharField(
        _("button label"), max_length=40, default="Send me the ebook"
    )

    panels = [
        FieldPanel("home_list"),
        FieldPanel("home_heading"),
        FieldPanel("home_text"),
        FieldPanel("home_wording"),
        FieldPanel("home_button_label"),
    ]

    class Meta:
        verbose_name = _("email list")


class SequenceStep(models.Model):
    """A follow-up email sent N days after someone joins a list (a welcome series).
    Unsubscribing stops the rest: each step goes only to contacts still sendable."""

    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="sequence"
    )
    days_after = models.PositiveSmallIntegerField(
        _("days after joining"), help_text=_("0 sends it on the next run after they join.")
    )
    subject = models.CharField(_("subject"), max_length=150)
    preheader = models.CharField(_("preheader"), max_length=150, blank=True)
    body = StreamField(EmailBodyBlock(), verbose_name=_("body"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    track_opens = False  # sequences never track

    panels = [
        FieldPanel("mailing_list"),
        FieldPanel("days_after"),
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("follow-up email")
        ordering = ["mailing_list", "days_after", "id"]

    def __str__(self) -> str:
        return f"{self.mailing_list}: +{self.days_after} days — {self.subject}"


class SequenceSend(models.Model):
    """One follow-up sent to one contact: the unique row is the claim, so it goes once."""

    step = models.ForeignKey(SequenceStep, on_delete=models.CASCADE, related_name="sends")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "contact"], name="mailing_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.step_id} → {self.contact_id}"


class SentEmail(models.Model):
    """One transactional message handed to the mail server: what staff see under "Emails
    sent" on a member's page (receipts, reminders, decisions), and what the member downloads."""

    to = models.EmailField(_("to"), max_length=254, db_index=True)
    subject = models.CharField(_("subject"), max_length=255)
    template = models.CharField(_("kind"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("sent email")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class ContactImport(models.Model):
    """One uploaded CSV file or Mailchimp ZIP, checked (dry run) or imported in the
    background. The file is kept until it is imported, then emptied; the report stays."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="+"
    )
    wording = models.TextField(_("what these people agreed to"))
    dry_run = models.BooleanField(_("dry run"), default=True)
    file_name = models.CharField(_("file"), max_length=200)
    data = models.BinaryField(_("uploaded file"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # Counts and the rows with problems ({"counts": {...}, "problems": [[file, line, email,
    # problem], …]}), written when it finishes.
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact import")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
