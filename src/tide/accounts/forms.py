from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupNameForm(forms.Form):
    """The extra fields on allauth's signup form."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=True)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]


class ClosureForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you leaving? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the reason under 1,000 characters.")},
    )
