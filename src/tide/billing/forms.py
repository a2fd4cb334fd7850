from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tide.accounts.models import User
from tide.lib.canada import PROVINCES
from tide.lib.money import cents_from_dollars, format_cad

from .models import Invoice, Payment


class PaymentForm(forms.Form):
    """Staff record money received by cheque, e-transfer or cash."""

    method = forms.ChoiceField(
        label=gettext_lazy("Method"),
        choices=[
            (value, label)
            for value, label in Payment.Method.choices
            if value != Payment.Method.STRIPE  # card payments arrive from Stripe itself
        ],
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (CAD)"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter an amount, like 350.00.")},
        help_text=gettext_lazy("In dollars and cents, like 350.00."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Cheque number or e-transfer reference."),
    )

    def __init__(self, *args, invoice: Invoice, balance_cents: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.balance_cents = balance_cents
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["amount"].initial = f"{balance_cents // 100}.{balance_cents % 100:02d}"

    def clean_amount(self) -> int:
        cents = cents_from_dollars(self.cleaned_data.get("amount", ""))
        if cents > self.balance_cents:
            raise ValidationError(
                _("That is more than the balance due of %(balance)s.")
                % {"balance": format_cad(self.balance_cents)},
                code="overpayment",
            )
        return cents

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return received_on


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the invoice's history, e.g. “Duplicate of 2026-000041”."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the invoice is void."), code="required")
        return reason


class RefundForm(forms.Form):
    """Staff give money back on a paid invoice."""

    amount = forms.CharField(
        label=gettext_lazy("Amount to refund (CAD)"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter an amount, like 350.00.")},
        help_text=gettext_lazy("Tax included, in dollars and cents."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Printed on the credit note the customer receives."),
    )

    def __init__(self, *args, refundable_cents: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refundable_cents = refundable_cents
        self.fields["amount"].initial = f"{refundable_cents // 100}.{refundable_cents % 100:02d}"

    def clean_amount(self) -> int:
        cents = cents_from_dollars(self.cleaned_data.get("amount", ""))
        if cents > self.refundable_cents:
            raise ValidationError(
                _("That is more than the %(refundable)s left to refund on this invoice.")
                % {"refundable": format_cad(self.refundable_cents)},
                code="over_refund",
            )
        return cents

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the money is given back."), code="required")
        return reason


class PaidOutForm(forms.Form):
    """Staff record how an owed refund was sent."""

    method = forms.ChoiceField(
        label=gettext_lazy("Sent by"),
        choices=[
            (value, label)
            for value, label in Payment.Method.choices
            if value != Payment.Method.STRIPE
        ],
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Cheque number or e-transfer reference."),
    )


class InvoiceForm(forms.Form):
    """Who a charge staff raise by hand is for (a reinstatement fee, a replacement card, a
    booth at the conference); the lines come in `InvoiceLineFormSet`."""

    email = forms.EmailField(
        label=gettext_lazy("Bill to (email of their account)"),
        max_length=254,
        error_messages={"required": gettext_lazy("Enter the email of the person to bill.")},
    )
    province = forms.ChoiceField(
        label=gettext_lazy("Province for sales tax"),
        choices=[("", gettext_lazy("Their province (from their last invoice)")), *PROVINCES],
        required=False,
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        customer = User.objects.filter(email__iexact=email, is_active=True).first()
        if customer is None:
            raise ValidationError(
                _("No account uses %(email)s: invoices go to someone who can sign in to pay.")
                % {"email": email},
                code="no_account",
            )
        return customer


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=1000, initial=1
    )
    price = forms.CharField(
        label=gettext_lazy("Unit price (CAD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    taxable = forms.BooleanField(label=gettext_lazy("Taxable"), required=False, initial=True)

    def clean_price(self) -> int:
        return cents_from_dollars(self.cleaned_data.get("price", ""))


class _LineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError(_("Add at least one line."), code="no_lines")


# Five lines cover what staff raise by hand; blank ones are left out.
InvoiceLineFormSet = forms.formset_factory(
    InvoiceLineForm, formset=_LineFormSet, extra=5, max_num=5, validate_max=True
)
