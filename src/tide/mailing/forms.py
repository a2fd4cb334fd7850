from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import MailingList
from .signup import Offer, normalize_email, read_offer


class SignupForm(forms.Form):
    """Name, email and an unticked consent box labelled with the exact wording."""

    offer = forms.CharField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your email address.")},
    )
    consent = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("Tick the box to agree to receive our emails.")},
    )
    # A honeypot: hidden from people, filled in by bots.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.offer_value: Offer | None = (
            read_offer(self.data.get("offer", "")) if self.data else None
        )
        if self.offer_value:
            self.fields["consent"].label = self.offer_value.wording

    def clean_offer(self) -> Offer:
        if self.offer_value is None:
            raise ValidationError(_("This form is out of date. Reload the page and try again."))
        return self.offer_value

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class PreferencesForm(forms.Form):
    lists = forms.ModelMultipleChoiceField(
        queryset=MailingList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("The emails you get"),
    )

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = choices
