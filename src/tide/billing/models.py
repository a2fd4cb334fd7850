"""Invoices, their lines, payments against them, credit notes (refunds), sales-tax rates and
the number counters.

Amounts are integer cents in CAD. An invoice is a draft until issued; issuing gives it its
number and freezes it (its totals are stored then and never change); payments move it to
paid, voiding to void. Money given back is a credit note against a paid invoice: the invoice
itself never changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import PROVINCES
from tide.lib.money import format_basis_points, format_cad, percent_of


class TaxRateQuerySet(models.QuerySet):
    def basis_points_for(self, province: str) -> int:
        """The combined rate of every tax charged in `province` (GST + PST, or HST)."""
        return self.filter(province=province).aggregate(total=Sum("basis_points"))["total"] or 0

    def name_for(self, province: str) -> str:
        """The taxes charged in `province` as invoices print them: "HST", "GST + PST"."""
        return " + ".join(
            self.filter(province=province).order_by("name").values_list("name", flat=True)
        )


class TaxRate(models.Model):
    """A sales tax charged in a province. Several rows per province add up (GST + PST)."""

    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    name = models.CharField(
        _("name"), max_length=40, help_text=_("As printed on invoices: HST, GST, PST, QST.")
    )
    basis_points = models.PositiveIntegerField(
        _("rate (basis points)"),
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
        help_text=_("Hundredths of a percent: 1300 is 13%, 975 is 9.75%."),
    )

    objects = TaxRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("tax rate")
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"], name="billing_tax_once_per_province"
            ),
            models.CheckConstraint(
                condition=Q(basis_points__lte=10_000), name="billing_tax_at_most_100_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.percent} ({self.province})"

    @property
    def percent(self) -> str:
        return format_basis_points(self.basis_points)


class InvoiceNumberCounter(models.Model):
    """The last invoice number given in a year; its row is locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class InvoiceQuerySet(models.QuerySet):
    def visible_to_customer(self, user) -> InvoiceQuerySet:
        """What a member sees: their own invoices once issued (drafts are staff's work)."""
        return self.filter(customer=user).exclude(status=Invoice.Status.DRAFT)


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    bill_to_name = models.CharField(_("bill to"), max_length=200)
    bill_to_email = models.EmailField(_("email"), max_length=254)
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default="CAD", editable=False)
    subtotal_cents = models.BigIntegerField(_("subtotal"), default=0)
    tax_cents = models.BigIntegerField(_("tax"), default=0)
    total_cents = models.BigIntegerField(_("total"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="billing_issued_invoice_has_number",
            )
        ]

    def __str__(self) -> str:
        return self.number or _("Draft invoice #%(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("billing:invoice_detail", args=[self.number])

    @property
    def label(self) -> str:
        return str(self)

    def compute_totals(self) -> tuple[int, int, int]:
        """Subtotal, tax and total from the lines (tax rounded per line)."""
        lines = list(self.lines.all())
        subtotal = sum(line.amount_cents for line in lines)
        tax = sum(line.tax_cents for line in lines)
        return subtotal, tax, subtotal + tax

    def paid_cents(self) -> int:
        """Sum of payments; uses prefetched payments when there are some."""
        return sum(payment.amount_cents for payment in self.payments.all())

    @property
    def refunded(self) -> bool:
        """Paid, then given back in full by credit notes (prefetch `credit_notes` in lists)."""
        return self.status == self.Status.PAID and self.credited_cents() >= self.total_cents > 0

    def credited_cents(self) -> int:
        """Sum of credit notes (money given back); uses prefetched ones when there are some."""
        return sum(note.amount_cents for note in self.credit_notes.all())

    def balance_cents(self) -> int:
        if self.status in (self.Status.VOID, self.Status.DRAFT):
            return 0
        return max(self.total_cents - self.paid_cents(), 0)

    @property
    def total_display(self) -> str:
        return format_cad(self.total_cents)

    def tax_summary(self) -> list[tuple[str, str, int]]:
        """Tax per named rate, for the totals block: [('HST', '13%', 4550)]."""
        summary: dict[tuple[str, int], int] = {}
        for line in self.lines.all():
            if line.tax_basis_points:
                key = (line.tax_name, line.tax_basis_points)
                summary[key] = summary.get(key, 0) + line.tax_cents
        return [
            (name, format_basis_points(bp), cents) for (name, bp), cents in sorted(summary.items())
        ]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(
        _("kind"), max_length=40, help_text=_("Names the fulfilment run when the line is paid.")
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price_cents = models.PositiveBigIntegerField(_("unit price"))
    tax_basis_points = models.PositiveIntegerField(_("tax rate (basis points)"), default=0)
    # As charged, so a later change of names or rates never rewrites an issued invoice.
    tax_name = models.CharField(_("tax"), max_length=60, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="billing_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    @property
    def tax_cents(self) -> int:
        return percent_of(self.amount_cents, self.tax_basis_points)

    @property
    def tax_percent(self) -> str:
        return format_basis_points(self.tax_basis_points)


class Payment(models.Model):
    class Method(models.TextChoices):
        STRIPE = "stripe", _("Card (Stripe)")
        CHEQUE = "cheque", _("Cheque")
        ETRANSFER = "etransfer", _("Interac e-Transfer")
        CASH = "cash", _("Cash")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    amount_cents = models.BigIntegerField(_("amount"))
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("Cheque number, e-transfer reference or receipt number."),
    )
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The payment provider's id (a Stripe event or payment intent): the same id twice is
    # the same payment.
    external_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{format_cad(self.amount_cents)} {self.get_method_display()}"


class CheckoutSession(models.Model):
    """A Stripe Checkout Session started for an invoice: what the reconcile job asks about
    when a webhook never arrives."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="checkout_sessions")
    session_id = models.CharField(_("Stripe session"), max_length=255, unique=True)
    amount_cents = models.BigIntegerField(_("amount"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Set when Stripe says the session expired unpaid: the reconcile job stops asking.
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)

    class Meta:
        verbose_name = _("checkout session")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.session_id


class StripeEvent(models.Model):
    """Every webhook event Stripe delivered, once: for audit, and so a redelivery is a no-op."""

    event_id = models.CharField(_("Stripe event"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class CreditNoteNumberCounter(models.Model):
    """The last credit-note number given in a year (a series of its own: CN-2026-000001)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("credit note number counter")

    def __str__(self) -> str:
        return f"CN {self.year}: {self.last_number}"


class CreditNote(models.Model):
    """Money given back on a paid invoice, with the reason, and how it went back."""

    class Refund(models.TextChoices):
        CARD_PENDING = "card_pending", _("Card refund being sent")
        CARD_FAILED = "card_failed", _("Card refund failed")
        OWED = "owed", _("To pay out by e-Transfer or cheque")
        REFUNDED = "refunded", _("Refunded")

    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount_cents = models.BigIntegerField(_("amount"))
    # The tax share of the amount, so the tax return can take it back off.
    tax_cents = models.BigIntegerField(_("of which tax"), default=0)
    reason = models.TextField(_("reason"))
    refund = models.CharField(
        _("refund"), max_length=12, choices=Refund.choices, default=Refund.OWED
    )
    refund_method = models.CharField(
        _("refunded by"), max_length=12, choices=Payment.Method.choices, blank=True
    )
    refund_reference = models.CharField(_("refund reference"), max_length=255, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("credit note")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="billing_credit_note_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_display(self) -> str:
        return format_cad(self.amount_cents)


class SavedCard(models.Model):
    """A member's card kept by Stripe for charges made while they are away (automatic
    renewal). Tide stores Stripe's ids and what to show the member, never the card number."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="saved_card",
    )
    stripe_customer = models.CharField(_("Stripe customer"), max_length=255)
    payment_method = models.CharField(_("Stripe payment method"), max_length=255, blank=True)
    brand = models.CharField(_("card brand"), max_length=30, blank=True)
    last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved card")

    def __str__(self) -> str:
        return self.label if self.payment_method else _("no card yet")

    @property
    def usable(self) -> bool:
        return bool(self.payment_method)

    @property
    def label(self) -> str:
        """'Visa ending 4242, expires 12/2030'."""
        return _("%(brand)s ending %(last4)s, expires %(month)02d/%(year)s") % {
            "brand": self.brand.title(),
            "last4": self.last4,
            "month": self.exp_month or 0,
            "year": self.exp_year or "",
        }
