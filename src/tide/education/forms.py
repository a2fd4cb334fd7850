from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CreditCategory


class OutsideCreditForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    provider_name = forms.CharField(label=_("Provider"), max_length=150, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=CreditCategory.objects.all())
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=2,
        required=False,
        initial=Decimal(0),
    )
    credits = forms.DecimalField(
        label=_("Credits"),
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=2,
        required=False,
        initial=Decimal(0),
        help_text=_("Leave at 0 when your rules convert hours to credits."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("A certificate or receipt: PDF, JPEG, PNG or WebP, up to 5 MB."),
    )

    def clean(self):
        data = super().clean()
        data["hours"] = data.get("hours") or Decimal(0)
        data["credits"] = data.get("credits") or Decimal(0)
        if not (data["hours"] or data["credits"]) and not self.errors:
            raise forms.ValidationError(_("Give the hours or the credits."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class TicketCodeForm(forms.Form):
    code = forms.CharField(label=_("Ticket code"), max_length=20)
